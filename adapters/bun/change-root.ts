/** Runtime.changeRoot on Bun: chroot(2) and chdir(2) from libc through bun:ffi (Linux). */
import { dlopen, FFIType, ptr } from 'bun:ffi';
import { changeRootWith } from '../shared/change-root.ts';

export const changeRootBun = changeRootWith(() => {
  const { symbols } = dlopen('libc.so.6', {
    chroot: { args: [FFIType.ptr], returns: FFIType.i32 },
    chdir: { args: [FFIType.ptr], returns: FFIType.i32 },
  });
  return { chroot: (path) => symbols.chroot(ptr(path)) as number, chdir: (path) => symbols.chdir(ptr(path)) as number };
});
