/**
 * One `peers` section at run time (HAProxy's peers.c sync task): it listens on the local peer's
 * address (or the section's `bind`), keeps one session with each remote peer — connecting to
 * it, or taking the connection it opens — and pushes every local change to the shared tables
 * to all of them. A peer unreachable, or whose session ended, is tried again 5 s later; when
 * both sides connect to each other at once, the accepted connection replaces ours, as HAProxy
 * does, and ours is retried after a random delay.
 *
 * Changes are collected per table (an entry touched many times in one turn of the event loop is
 * sent once, with its data at that time) and sent from a zero-delay timer. A new session first
 * receives every live entry (HAProxy's "teach" of a peer that connects).
 *
 * At a reload, the old process teaches the new one (HAProxy's local peer lesson, peers.c
 * process_peer_sync when stopping): soft stop closes the listener and the remote sessions, then
 * connects to the local peer's address — where the new process listens now — under the local
 * peer's name, sends every entry with its remaining life and "resync finished", and pushes
 * what changes meanwhile until the new process confirms. The new process accepts a session
 * under its own name as that lesson and teaches nothing back. HAProxy 2.6.12 documents this but
 * its old process was seen to exit before connecting (no lesson): Switchyard does what the
 * manual says.
 */
import { listenOnInherited } from '../proxy/inherited-listener.ts';
import type { PeerModel, PeersModel } from '../config/model.ts';
import { readPemBlocks } from '../config/certificates.ts';
import type { ConnectTlsOptions, Listener, ListenTlsOptions, Runtime, Socket, TimerHandle } from '../runtime.ts';
import type { StickEntry, StickTable } from '../stick/stick-table.ts';
import { newPeerCounters, PeerSession, type PeerCounters, type SessionOwner, type SharedTable } from './peer-session.ts';
import { sentDataTypes } from './table-codec.ts';

export const RECONNECT_MS = 5000;


interface PeerLink {
  readonly model: PeerModel;
  session: PeerSession | undefined;
  timer: TimerHandle | undefined;
  /** When the pending reconnection is due (runtime clock). */
  reconnectAt: number;
  readonly counters: PeerCounters;
}

/** A peer of the section as `show peers` sees it. */
export interface PeerView {
  readonly model: PeerModel;
  readonly local: boolean;
  /** Its current session, in any state. */
  readonly session: PeerSession | undefined;
  readonly counters: PeerCounters;
  /** When a reconnection is due (runtime clock), undefined when none is pending. */
  readonly reconnectAt: number | undefined;
}

/** A table of the section and its name on the wire. */
export interface PeersTable {
  readonly wireName: string;
  readonly table: StickTable;
}

export class PeersSync implements SessionOwner {
  readonly runtime: Runtime;
  readonly model: PeersModel;
  readonly localName: string;
  readonly tables: SharedTable[];
  readonly #local: PeerModel;
  readonly #links = new Map<string, PeerLink>();
  readonly #dirty: Map<SharedTable, Set<StickEntry>> = new Map();
  #flushTimer: TimerHandle | undefined;
  #listener: Listener | undefined;
  #started = false;
  #stopped = false;
  /** Soft stop began: no reconnection, no new session but the lesson. */
  #leaving = false;
  /** The lesson to the new process, and the end of soft stop it settles. */
  #lesson: PeerSession | undefined;
  #lessonEnded: (() => void) | undefined;
  /** TLS settings of each `ssl` peer, read at start. */
  readonly #connectTls = new Map<string, ConnectTlsOptions>();
  readonly #accepted = new Set<PeerSession>();
  readonly #localCounters = newPeerCounters();
  /** Wall clock when the section started, and its timer and connection events (task calls). */
  startedWall = 0;
  calls = 0;

  /** The local peer's listener sets SO_REUSEPORT, as the frontends' (cleared by `noreuseport`). */
  sharesPort = true;

  constructor(runtime: Runtime, model: PeersModel, local: PeerModel, tables: readonly PeersTable[]) {
    this.runtime = runtime;
    this.model = model;
    this.localName = local.name;
    this.#local = local;
    this.tables = tables.map((t, i) => ({ id: i + 1, wireName: t.wireName, table: t.table, types: sentDataTypes(t.table, t.table.persistence), updateId: 0, localUpdates: 0, updates: 0 }));
    for (const shared of this.tables) {
      const dirty = new Set<StickEntry>();
      this.#dirty.set(shared, dirty);
      shared.table.onLocalUpdate = (entry) => {
        shared.localUpdates++;
        shared.updates++;
        dirty.add(entry);
        this.#scheduleFlush();
      };
    }
    for (const peer of model.peers) if (peer.name !== local.name) this.#links.set(peer.name, { model: peer, session: undefined, timer: undefined, reconnectAt: 0, counters: newPeerCounters() });
  }

  /** Listens, then connects to every remote peer. */
  async start(): Promise<void> {
    this.#started = true;
    this.startedWall = this.runtime.wallClock();
    const bind = this.model.bind ?? (this.#local.host !== undefined ? { host: this.#local.host, port: this.#local.port ?? 0, ssl: this.#local.ssl === true, crt: this.#local.crt } : undefined);
    if (bind !== undefined) {
      const tls = bind.ssl ? await this.#listenTls(bind.crt) : undefined;
      const accept = (socket: Socket): void => {
        if (this.#stopped || this.#leaving) {
          socket.destroy();
          return;
        }
        // As HAProxy's session_accept_fd (TCP_NODELAY on every accepted TCP connection): under
        // Nagle, an update written while an earlier message (an ack, a heartbeat) is not yet
        // acknowledged waits for the peer's delayed ACK, and arrives after the peer has already
        // served the key it was about. Our own connections ask for it when dialling.
        socket.setNoDelay(true);
        this.#accepted.add(new PeerSession(this, socket, undefined));
      };
      const tlsOption = tls !== undefined ? { tls } : {};
      this.#listener =
        'fd' in bind && bind.fd !== undefined
          ? await listenOnInherited(this.runtime, { fd: bind.fd, ...tlsOption }, accept)
          : await this.runtime.listen({ host: bind.host, port: bind.port, reusePort: this.sharesPort, ...tlsOption }, accept);
    }
    for (const link of this.#links.values()) await this.#prepareTls(link.model);
    await this.#prepareTls(this.#local);
    for (const link of this.#links.values()) this.#connect(link);
  }

  /**
   * Soft stop: teaches the new process (see above), then stops. Resolves once the lesson is
   * confirmed, or failed (no listener there, a silent or closed session); stop() cuts it short.
   */
  async softStop(): Promise<void> {
    if (!this.#started || this.#stopped || this.#leaving) return this.stop();
    this.#leaving = true;
    await this.#closeSessions();
    const { host, port } = this.#local;
    if (this.#stopped || host === undefined || port === undefined) return this.stop();
    const ended = new Promise<void>((resolve) => (this.#lessonEnded = resolve));
    this.#lesson = this.#dial(host, port, this.localName);
    await ended;
    return this.stop();
  }

  /** Closes the listener and every session; the tables stop being shared. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#lesson?.close();
    this.#endLesson();
    if (this.#flushTimer !== undefined) this.runtime.clearTimer(this.#flushTimer);
    for (const shared of this.tables) shared.table.onLocalUpdate = undefined;
    await this.#closeSessions();
  }

  /** Ends every remote and accepted session (no reconnection is pending after) and the listener. */
  async #closeSessions(): Promise<void> {
    for (const link of this.#links.values()) {
      if (link.timer !== undefined) this.runtime.clearTimer(link.timer);
      link.timer = undefined;
      link.session?.close();
    }
    for (const session of this.#accepted) session.close();
    await this.#listener?.close();
    this.#listener = undefined;
  }

  knows(peer: string): boolean {
    // Our own name: the old process's lesson at a reload.
    return this.#links.has(peer) || peer === this.localName;
  }

  established(session: PeerSession, peer: string): void {
    // A lesson we take stays among the accepted sessions (closed with them).
    if (peer === this.localName) return;
    this.#accepted.delete(session);
    const link = this.#links.get(peer);
    if (link === undefined) return;
    const previous = link.session;
    link.session = session;
    session.counters = link.counters;
    if (previous !== undefined && previous !== session) link.counters.collisions++;
    // Both sides connected at once: the accepted connection wins, as HAProxy's (the other end
    // drops its own likewise; a lost pair is retried after a random delay, see closed()).
    if (previous !== undefined && previous !== session) previous.close();
  }

  taught(session: PeerSession): void {
    if (session === this.#lesson) this.#endLesson();
  }

  #endLesson(): void {
    const ended = this.#lessonEnded;
    this.#lessonEnded = undefined;
    ended?.();
  }

  closed(session: PeerSession, wasReady: boolean): void {
    this.#accepted.delete(session);
    if (session === this.#lesson) {
      this.#lesson = undefined;
      this.#endLesson();
      return;
    }
    for (const link of this.#links.values()) {
      if (link.session !== session) continue;
      link.session = undefined;
      // A session that worked is retried soon, at a random delay so that two peers that both
      // lost it do not collide again (HAProxy's 50..2050 ms); a failed attempt 5 s later.
      this.#retry(link, wasReady ? 50 + Math.floor(Math.random() * 2000) : RECONNECT_MS);
    }
  }

  /** Names of the peers with an established session (inspection, tests). */
  get connectedPeers(): string[] {
    return [...this.#links.values()].filter((l) => l.session?.ready === true).map((l) => l.model.name);
  }

  /** Every peer of the section, in configuration order, with what `show peers` prints of it. */
  peerViews(): PeerView[] {
    return this.model.peers.map((model) => {
      const link = this.#links.get(model.name);
      if (link === undefined) return { model, local: true, session: undefined, counters: this.#localCounters, reconnectAt: undefined };
      return { model, local: false, session: link.session, counters: link.counters, reconnectAt: link.timer !== undefined ? link.reconnectAt : undefined };
    });
  }

  #retry(link: PeerLink, delay: number): void {
    if (this.#stopped || this.#leaving || link.timer !== undefined || link.model.host === undefined) return;
    link.reconnectAt = this.runtime.now() + delay;
    link.timer = this.runtime.setTimer(() => {
      this.calls++;
      link.timer = undefined;
      if (link.session === undefined) this.#connect(link);
    }, delay);
  }

  #connect(link: PeerLink): void {
    const { host, port } = link.model;
    if (this.#stopped || this.#leaving || host === undefined || port === undefined || link.session !== undefined) return;
    this.calls++;
    link.counters.newConnections++;
    link.counters.statusCode = 100;
    link.counters.lastHandshake = this.runtime.now();
    link.session = this.#dial(host, port, link.model.name);
    link.session.counters = link.counters;
  }

  /** Opens a session to the peer `name` at host:port (TLS when its `server` line says `ssl`). */
  #dial(host: string, port: number, name: string): PeerSession {
    const tls = this.#connectTls.get(name);
    let session: PeerSession | undefined;
    const socket = this.runtime.connect({ host, port, noDelay: true, ...(tls !== undefined ? { tls } : {}) }, {
      onConnect: () => session?.onConnect(),
      onData: (s, chunk) => session?.onData(s, chunk),
      onEnd: () => session?.onEnd(),
      onDrain: () => {},
      onClose: (s, error) => session?.onClose(s, error),
    });
    session = new PeerSession(this, socket, name);
    return session;
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined || this.#stopped) return;
    this.#flushTimer = this.runtime.setTimer(() => this.#flush(), 0);
  }

  #flush(): void {
    this.calls++;
    this.#flushTimer = undefined;
    for (const shared of this.tables) {
      const dirty = this.#dirty.get(shared) as Set<StickEntry>;
      if (dirty.size === 0) continue;
      for (const link of this.#links.values()) link.session?.push(shared, dirty);
      // What changes while the old process drains reaches the new one too.
      this.#lesson?.push(shared, dirty);
      dirty.clear();
    }
  }

  async #listenTls(crt: string | undefined): Promise<ListenTlsOptions> {
    if (crt === undefined) throw new Error(`peers section '${this.model.name}': 'bind ... ssl' needs a certificate ('crt').`);
    const pem = readPemBlocks(await this.runtime.readTextFile(crt));
    return { certificates: [{ certPem: pem.certificates.join('\n'), keyPem: pem.keys[0] ?? '', source: crt }] };
  }

  async #prepareTls(peer: PeerModel): Promise<void> {
    if (peer.ssl !== true) return;
    let certificate: ConnectTlsOptions['certificate'];
    if (peer.crt !== undefined) {
      const pem = readPemBlocks(await this.runtime.readTextFile(peer.crt));
      certificate = { certPem: pem.certificates.join('\n'), keyPem: pem.keys[0] ?? '' };
    }
    const caPem = peer.caFile !== undefined ? await this.runtime.readTextFile(peer.caFile) : undefined;
    this.#connectTls.set(peer.name, {
      verify: peer.verify === 'required',
      ...(caPem !== undefined ? { caPem } : {}),
      ...(certificate !== undefined ? { certificate } : {}),
    });
  }
}

/**
 * The local peer of a section: the one named `localName` (`-L`, `localpeer`, or the host name).
 * Undefined when the section has none (HAProxy then removes the section).
 */
export function localPeerOf(model: PeersModel, localName: string): PeerModel | undefined {
  return model.peers.find((p) => p.name === localName);
}
