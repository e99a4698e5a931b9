/** Runtime.changeRoot on Deno: chroot(2) and chdir(2) from libc through Deno.dlopen (needs --allow-ffi, which `-A` gives). */
import { changeRootWith } from '../shared/change-root.ts';

export const changeRootDeno = changeRootWith(() => {
  const lib = Deno.dlopen('libc.so.6', {
    chroot: { parameters: ['buffer'], result: 'i32' },
    chdir: { parameters: ['buffer'], result: 'i32' },
  } as const);
  return { chroot: (path) => lib.symbols.chroot(path), chdir: (path) => lib.symbols.chdir(path) };
});
