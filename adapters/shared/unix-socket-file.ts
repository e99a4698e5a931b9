/**
 * HAProxy's way of putting a UNIX socket in place (sock_unix_bind_receiver): bind on a
 * temporary name, apply the mode, then rename it over the wanted path, so that a socket file
 * already there (stale, or another process's) is replaced atomically. node:fs, which Node and
 * Bun implement; the Deno adapter does the same with Deno's own calls.
 */
import { chmodSync, renameSync, rmSync } from 'node:fs';

/** The temporary name a socket is bound to before it takes `path`'s place. */
export function temporarySocketPath(path: string, pid: number): string {
  return `${path}.${pid}.tmp`;
}

/** Removes a temporary name left by an earlier process with our pid (as HAProxy unlinks it first). */
export function clearTemporarySocket(tmp: string): void {
  rmSync(tmp, { force: true });
}

/** Applies `mode` to the socket bound at `tmp`, then moves it to `path`. */
export function placeSocketFile(tmp: string, path: string, mode: number | undefined): void {
  try {
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
