/**
 * HAProxy's way of putting a UNIX socket in place (sock_unix_bind_receiver): bind on a
 * temporary name, apply the mode, then rename it over the wanted path, so that a socket file
 * already there (stale, or another process's) is replaced atomically. node:fs, which Node and
 * Bun implement; the Deno adapter does the same with Deno's own calls.
 */
import { chmodSync, chownSync, renameSync, rmSync } from 'node:fs';
import type { UnixListenOptions } from '../../src/runtime.ts';

/**
 * Linux's abstract namespace (`abns@`, src/config/address.ts abstractSocketPath): a leading NUL,
 * no file, so bound as it is: nothing to rename, chmod or chown.
 */
export function isAbstractSocket(path: string): boolean {
  return path.charCodeAt(0) === 0;
}

/** The temporary name a socket is bound to before it takes `path`'s place. */
export function temporarySocketPath(path: string, pid: number): string {
  return `${path}.${pid}.tmp`;
}

/** Removes a temporary name left by an earlier process with our pid (as HAProxy unlinks it first). */
export function clearTemporarySocket(tmp: string): void {
  rmSync(tmp, { force: true });
}

/** Gives the socket bound at `tmp` its owner, then its mode (HAProxy's order), then moves it to `path`. */
export function placeSocketFile(tmp: string, options: UnixListenOptions): void {
  try {
    // -1 leaves that id unchanged, as chown(2) does.
    if (options.uid !== undefined || options.gid !== undefined) chownSync(tmp, options.uid ?? -1, options.gid ?? -1);
    if (options.mode !== undefined) chmodSync(tmp, options.mode);
    renameSync(tmp, options.path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
