/**
 * Dynamic persistence cookies (`cookie NAME ... dynamic` with `dynamic-cookie-key KEY`), as
 * HAProxy's srv_set_dyncookie (server.c) computes them: a server without its own `cookie VALUE`
 * gets the XXH64 (seed 0) of the key, its IPv4 (4 bytes) or IPv6 (16 bytes) address in network
 * order and its port as a 32-bit big-endian integer, printed as 16 lower-case hex digits. The
 * same key gives the same cookies on every load balancer; a server without an IP address (UNIX
 * socket, unresolved name) gets none.
 */
import { inetPton4, inetPton6 } from '../util/ip-address.ts';
import { xxh64 } from '../util/xxhash.ts';

const encoder = new TextEncoder();

export function dynamicCookie(key: string, host: string, port: number): string | undefined {
  const keyBytes = encoder.encode(key);
  const v4 = inetPton4(host);
  const v6 = v4 < 0 ? inetPton6(host) : undefined;
  if (v4 < 0 && v6 === undefined) return undefined;
  const addressLength = v6 === undefined ? 4 : 16;
  const buffer = new Uint8Array(keyBytes.length + addressLength + 4);
  buffer.set(keyBytes, 0);
  const view = new DataView(buffer.buffer);
  let at = keyBytes.length;
  if (v6 === undefined) {
    view.setUint32(at, v4);
    at += 4;
  } else {
    for (const word of v6) {
      view.setUint32(at, word >>> 0);
      at += 4;
    }
  }
  view.setUint32(at, port >>> 0);
  return xxh64(buffer, buffer.length, 0n).toString(16).padStart(16, '0');
}
