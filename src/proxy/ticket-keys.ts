/**
 * The keys of each bind's `tls-ticket-keys` file as they are now: the file's, until the runtime
 * API's `set ssl tls-key` rotates them (HAProxy's ssl_sock_update_tlskey_ref). Listeners opened
 * later (a resumed frontend) get them too. Kept per configuration generation (by the model's
 * objects) and per thread (each thread replays the command).
 */
import type { BindTicketKeys } from '../config/model.ts';
import type { TlsTicketKey } from '../runtime.ts';

const rotated = new WeakMap<BindTicketKeys, readonly TlsTicketKey[]>();

/** The encryption key first, then the others in the order HAProxy tries them to decrypt. */
export function currentTicketKeys(file: BindTicketKeys): readonly TlsTicketKey[] {
  return rotated.get(file) ?? file.keys;
}

/**
 * HAProxy's rotation: `key` replaces the oldest key (the last tried), the one after the
 * encryption key encrypts from now on, and the former encryption key still decrypts. `files`
 * are the binds' references to one file; their keys after the rotation.
 */
export function rotateTicketKeys(files: readonly BindTicketKeys[], key: TlsTicketKey): readonly TlsTicketKey[] | undefined {
  const first = files[0];
  if (first === undefined) return undefined;
  const [encryption, next] = currentTicketKeys(first);
  if (encryption === undefined || next === undefined) return undefined;
  const keys = [next, key, encryption];
  for (const file of files) rotated.set(file, keys);
  return keys;
}
