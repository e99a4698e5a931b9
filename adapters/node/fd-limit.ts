/** Runtime.setFdLimit on Node 26.1+: setrlimit(2) from the process's libc through node:ffi. */
import { setFdLimitWith, type SetRlimitCall } from '../shared/fd-limit.ts';
import { loadFfi } from './ffi.ts';

let call: SetRlimitCall | undefined;

export const setFdLimitNode = setFdLimitWith(() => {
  if (call !== undefined) return call;
  const ffi = loadFfi();
  if (ffi === undefined) throw new Error('node:ffi is not available');
  const { functions: f } = ffi.dlopen(null, { setrlimit: { arguments: ['int32', 'buffer'], return: 'int32' } });
  call = f.setrlimit as SetRlimitCall;
  return call;
});
