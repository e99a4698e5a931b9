/**
 * The TLSv1.3 session a ClientHello asks to resume, for node:tls's session cache. Without
 * tickets (`no-tls-tickets`), OpenSSL issues TLSv1.3 "stateful tickets" whose PSK identity is
 * the session id the server's 'newSession' event was given; but node:tls asks 'resumeSession'
 * with the ClientHello's legacy_session_id, which a TLSv1.3 client fills with random bytes
 * (RFC 8446 §4.1.2's middlebox compatibility), so the session is never found and nothing is
 * resumed where HAProxy resumes it. A listener that reads the ClientHello first learns which
 * identity goes with which legacy id (TlsSessionStore.resumeWith).
 */
import { Buffer } from 'node:buffer';
import { clientHelloLayout } from '../../src/rules/tls-client-hello.ts';

/** The pre_shared_key extension (RFC 8446 §4.2.11). */
const PRE_SHARED_KEY = 41;

/** The legacy session id and the first PSK identity of a ClientHello, both in hex. */
export interface PskResumption {
  readonly legacySessionId: string;
  readonly identity: string;
}

/**
 * Reads a ClientHello's first record: 'short' until the whole ClientHello is there, undefined
 * when the bytes are not one, hold no pre_shared_key extension or no legacy session id (a
 * ClientHello split over several records is left alone: resumption then simply does not happen).
 */
export function clientHelloPskResumption(bytes: Uint8Array): PskResumption | 'short' | undefined {
  const hello = clientHelloLayout(bytes);
  if (hello === undefined || hello === 'short') return hello;
  const { helloEnd, sessionIdAt, sessionIdLength, extensionsEnd } = hello;
  if (sessionIdLength === 0 || hello.extensionsAt > helloEnd) return undefined;
  const u8 = (at: number): number => (at < helloEnd ? (bytes[at] as number) : 0);
  const u16 = (at: number): number => (u8(at) << 8) | u8(at + 1);
  let at = hello.extensionsAt;
  while (at + 4 <= extensionsEnd) {
    const type = u16(at);
    const length = u16(at + 2);
    if (type === PRE_SHARED_KEY) {
      // identities<7..2^16-1>: the first identity's opaque<1..2^16-1>, then its obfuscated_ticket_age.
      const identityLength = u16(at + 6);
      const identityAt = at + 8;
      if (identityLength === 0 || identityAt + identityLength > Math.min(extensionsEnd, at + 4 + length)) return undefined;
      return { legacySessionId: hex(bytes, sessionIdAt, sessionIdLength), identity: hex(bytes, identityAt, identityLength) };
    }
    at += 4 + length;
  }
  return undefined;
}

function hex(bytes: Uint8Array, at: number, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, length).toString('hex');
}
