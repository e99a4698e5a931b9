/** Runtime.setFdLimit on Bun: setrlimit(2) from libc through bun:ffi (Linux). */
import { dlopen, FFIType, ptr } from 'bun:ffi';
import { setFdLimitWith, type SetRlimitCall } from '../shared/fd-limit.ts';

let call: SetRlimitCall | undefined;

export const setFdLimitBun = setFdLimitWith(() => {
  if (call !== undefined) return call;
  const { symbols } = dlopen('libc.so.6', { setrlimit: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
  call = (resource, limit) => symbols.setrlimit(resource, ptr(limit)) as number;
  return call;
});
