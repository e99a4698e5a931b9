/**
 * A listener's TLS session cache for session-ID resumption (and TLSv1.3's stateful tickets,
 * what `no-tls-tickets` leaves): HAProxy keeps one (tune.ssl.cachesize entries, shared by its
 * listeners); node:tls keeps none (Node turns OpenSSL's internal cache off and asks the
 * 'newSession' / 'resumeSession' listeners instead), so resumption without tickets would never
 * happen. Sessions are kept in insertion order and the oldest dropped first; OpenSSL checks a
 * resumed session's age against the listener's timeout itself.
 */
import type tls from 'node:tls';

/** HAProxy's default tune.ssl.cachesize. */
const CAPACITY = 20_000;

export class TlsSessionStore {
  readonly #sessions = new Map<string, Buffer>();
  /** The session id (a TLSv1.3 PSK identity) a ClientHello asks for, by its legacy session id (hex). */
  readonly #asked = new Map<string, string>();

  /** Answers the server's session events. */
  attach(server: tls.Server): void {
    server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      const sessions = this.#sessions;
      if (sessions.size >= CAPACITY) sessions.delete(sessions.keys().next().value as string);
      sessions.set(id.toString('hex'), data);
      done();
    });
    server.on('resumeSession', (id: Buffer, done: (error: Error | null, data: Buffer | null) => void) => {
      const legacy = id.toString('hex');
      const asked = this.#asked.get(legacy);
      if (asked !== undefined) this.#asked.delete(legacy);
      done(null, this.#sessions.get(asked ?? legacy) ?? null);
    });
  }

  /**
   * The ClientHello sent with `legacySessionId` asks for the TLSv1.3 session `identity`
   * (tls13-psk-identity.ts): node:tls's 'resumeSession' will name the former. A handshake that
   * never gets there leaves its entry behind, dropped oldest first past the capacity.
   */
  resumeWith(legacySessionId: string, identity: string): void {
    const asked = this.#asked;
    if (asked.size >= CAPACITY) asked.delete(asked.keys().next().value as string);
    asked.set(legacySessionId, identity);
  }

  /** No session issued so far is resumed (the certificates or CAs changed). */
  clear(): void {
    this.#sessions.clear();
    this.#asked.clear();
  }
}
