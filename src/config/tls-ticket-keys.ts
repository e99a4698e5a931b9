/**
 * A `tls-ticket-keys` file, read as HAProxy 2.6's bind_parse_tls_ticket_keys reads it: one
 * base64 key a line (no comments, no blank lines), 48 bytes (AES-128: name, AES key, HMAC key,
 * 16 bytes each) or 80 bytes (AES-256: a 16-byte name, 32-byte keys), all the size of the first.
 * HAProxy keeps the last TLS_TICKETS_NO (3) keys, so at least 3 are needed: the penultimate
 * encrypts new tickets, and tickets are decrypted by whichever of the three names them, tried
 * from the encryption key on (ssl_tlsext_ticket_key_cb).
 */

import type { TlsTicketKey } from '../runtime.ts';
import { base64Decode } from '../rules/converters/encoding.ts';

/** HAProxy's TLS_TICKETS_NO: how many keys are kept. */
export const TLS_TICKETS_NO = 3;

const KEY_BYTES: Readonly<Record<number, 128 | 256>> = { 48: 128, 80: 256 };

/** The keys a file gives a listener. */
export interface TlsTicketKeys {
  /** AES key size of every key in the file. */
  readonly bits: 128 | 256;
  /** The key new tickets are encrypted with, then the others, in the order HAProxy tries them to decrypt one. */
  readonly keys: readonly TlsTicketKey[];
}

export type TlsTicketKeysParse = { readonly ok: true; readonly value: TlsTicketKeys } | { readonly ok: false; readonly message: string };

function keyOf(bytes: Uint8Array, bits: 128 | 256): TlsTicketKey {
  const size = bits === 128 ? 16 : 32;
  return { name: bytes.slice(0, 16), aesKey: bytes.slice(16, 16 + size), hmacKey: bytes.slice(16 + size, 16 + 2 * size) };
}

function bytesOf(latin1: string): Uint8Array {
  const out = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) out[i] = latin1.charCodeAt(i);
  return out;
}

/** The lines fgets() reads: a final newline ends the last line rather than starting an empty one. */
function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** The keys of the file's text; a failure is HAProxy's message (without the file name). */
export function parseTlsTicketKeys(text: string): TlsTicketKeysParse {
  // The ring HAProxy fills: the key of line n lands in slot n % 3, so the last three stay.
  const ring: Uint8Array[] = [];
  let bits: 128 | 256 | undefined;
  const lines = linesOf(text);
  for (const [index, line] of lines.entries()) {
    const decoded = base64Decode(line);
    // HAProxy's base64dec also fails on a key longer than the largest it holds (80 bytes).
    if (decoded === undefined || decoded.length > 80) return { ok: false, message: `unable to decode base64 key on line ${index + 1}` };
    const size = KEY_BYTES[decoded.length];
    if (size === undefined || (bits !== undefined && size !== bits)) return { ok: false, message: `wrong sized key on line ${index + 1}` };
    bits = size;
    ring[index % TLS_TICKETS_NO] = bytesOf(decoded);
  }
  if (lines.length < TLS_TICKETS_NO || bits === undefined) {
    return { ok: false, message: `please supply at least ${TLS_TICKETS_NO} keys in the tls-tickets-file` };
  }
  const head = (lines.length - 2) % TLS_TICKETS_NO;
  const keys: TlsTicketKey[] = [];
  for (let i = 0; i < TLS_TICKETS_NO; i++) keys.push(keyOf(ring[(head + i) % TLS_TICKETS_NO] as Uint8Array, bits));
  return { ok: true, value: { bits, keys } };
}
