/**
 * Runtime.changeRoot over libc's chroot(2) and chdir(2) as each runtime's FFI binds them (HAProxy's
 * main(): chroot(global.chroot), then chdir("/"), once the listeners are bound).
 */

/** The two libc calls, taking NUL-terminated paths; each answers 0 or -1. */
export interface RootCalls {
  chroot(path: Uint8Array<ArrayBuffer>): number;
  chdir(path: Uint8Array<ArrayBuffer>): number;
}

function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** Runtime.changeRoot over `open`, which binds the calls (and may throw: no FFI, no permission for it). */
export function changeRootWith(open: () => RootCalls): (dir: string) => void {
  return (dir) => {
    const calls = open();
    if (calls.chroot(cString(dir)) !== 0 || calls.chdir(cString('/')) !== 0) throw new Error(`Cannot chroot(${dir}).`);
  };
}
