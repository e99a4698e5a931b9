/** Runtime.changeRoot on Node 26.1+: chroot(2) and chdir(2) from the process's libc through node:ffi. */
import { changeRootWith, type RootCalls } from '../shared/change-root.ts';
import { loadFfi } from './ffi.ts';

let calls: RootCalls | undefined;

export const changeRootNode = changeRootWith(() => {
  if (calls !== undefined) return calls;
  const ffi = loadFfi();
  if (ffi === undefined) throw new Error('node:ffi is not available');
  const { functions: f } = ffi.dlopen(null, {
    chroot: { arguments: ['buffer'], return: 'int32' },
    chdir: { arguments: ['buffer'], return: 'int32' },
  });
  calls = { chroot: f.chroot as RootCalls['chroot'], chdir: f.chdir as RootCalls['chdir'] };
  return calls;
});
