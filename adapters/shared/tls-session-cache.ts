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

/**
 * Which resumption attempts HAProxy's cache would be asked about (its sh_ssl_sess_get_cb:
 * SslCacheLookups, SslCacheMisses). OpenSSL asks it for a TLSv1.2 session id (a client without
 * a ticket) and for a TLSv1.3 PSK identity without tickets; never for the random legacy session
 * id a TLSv1.3 ClientHello carries, which node:tls asks about all the same.
 */
export interface SessionLookupCounting {
  /** Told of each lookup: whether the session was there. */
  readonly onLookup: (found: boolean) => void;
  /** The listener negotiates TLSv1.2 at most: every session id a client sends is looked up. */
  readonly tls12Only: boolean;
}

export class TlsSessionStore {
  readonly #sessions = new Map<string, Buffer>();
  /** The session id (a TLSv1.3 PSK identity) a ClientHello asks for, by its legacy session id (hex). */
  readonly #asked = new Map<string, string>();
  readonly #counting: SessionLookupCounting | undefined;

  constructor(counting?: SessionLookupCounting) {
    this.#counting = counting;
  }

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
      const session = this.#sessions.get(asked ?? legacy);
      const counting = this.#counting;
      // Where TLSv1.3 may be negotiated, an unknown legacy id is most likely a TLSv1.3 client's
      // random one (not looked up by OpenSSL): only a known one counts, as the TLSv1.2
      // resumption it is. An unknown TLSv1.2 session id there goes uncounted.
      if (counting !== undefined && (asked !== undefined || counting.tls12Only || session !== undefined)) counting.onLookup(session !== undefined);
      done(null, session ?? null);
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
