/** Runtime.setFdLimit on Deno: setrlimit(2) from libc through Deno.dlopen (needs --allow-ffi, which `-A` gives). */
import { setFdLimitWith, type SetRlimitCall } from '../shared/fd-limit.ts';

let call: SetRlimitCall | undefined;

export const setFdLimitDeno = setFdLimitWith(() => {
  if (call !== undefined) return call;
  const lib = Deno.dlopen('libc.so.6', { setrlimit: { parameters: ['i32', 'buffer'], result: 'i32' } } as const);
  call = (resource, limit) => lib.symbols.setrlimit(resource, limit);
  return call;
});
