import type { Runtime, Socket, SocketHandler, TimerHandle } from '../runtime.ts';
import type { Server } from '../proxy/server.ts';
import type { FdUsage } from '../proxy/fd-usage.ts';

/** A server connection kept open between HTTP transactions. */
export interface PooledConnection {
  readonly socket: Socket;
  readonly server: Server;
  /** Requests already carried (a connection used twice is known to support keep-alive). */
  uses: number;
  idleSince: number;
  /** Its reuse key (src/stream/connection-key.ts): only a stream with the same one may ride it; absent = ''. */
  readonly key?: string | undefined;
  /** The pool's: its socket handler while the connection is idle, made at its first park. */
  idleHandler?: IdleConnectionHandler | undefined;
}

/** What the stats show of a server's pool (curr_idle_nb, curr_safe_nb, est_need_conns, max_used_conns). */
export interface IdleFigures {
  /** Idle connections that carried one request (stats idle_conn_cur). */
  readonly idle: number;
  /** Idle connections that carried more (safe_conn_cur). */
  readonly safe: number;
  /** The estimated need (need_conn_est). */
  readonly estNeed: number;
  /** Most connections in use at once since the last purge (`show servers conn`'s used_max). */
  readonly maxUsed: number;
}

export const NO_IDLE: IdleFigures = { idle: 0, safe: 0, estNeed: 0, maxUsed: 0 };

/** A connection that carries several streams at once (HTTP/2): how many more it takes now. */
interface Multiplexed {
  readonly availStreams: number;
}

function availStreams(conn: PooledConnection): number {
  return (conn.socket as Socket & Partial<Multiplexed>).availStreams ?? 0;
}

/** Where a finished reusable server connection may wait: the backend's pool or the session's private store. */
export interface ConnectionParking {
  /** Keeps `conn` idle, or closes it; returns whether it was kept. */
  park(conn: PooledConnection): boolean;
}

/**
 * Which idle connections a request may ride, from HAProxy's http-reuse table (connect_server):
 * none; only safe ones (they carried two requests or more, so the server keeps connections
 * alive); idle ones (one request carried) first, then safe ones, as for a session's later
 * requests; safe ones first, then idle ones (`http-reuse always`, first request).
 */
export type ReuseScope = 'none' | 'safe' | 'idle-first' | 'safe-first';

/** The most recently parked connection of `list` with reuse key `key`, taken out of it. */
function takeKeyed(list: PooledConnection[], key: string): PooledConnection | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const conn = list[i] as PooledConnection;
    if ((conn.key ?? '') !== key) continue;
    if (i === list.length - 1) return list.pop();
    list.splice(i, 1);
    return conn;
  }
  return undefined;
}

/**
 * One server's idle connections and HAProxy's estimate of how many it needs (struct server's
 * curr_idle_conns, max_used_conns, est_need_conns, idle_node). Lists are oldest first.
 */
class ServerIdleConns {
  readonly server: Server;
  /** Carried one request (HAProxy's idle_conns). */
  readonly idle: PooledConnection[] = [];
  /** Carried two or more (HAProxy's safe_conns). */
  readonly safe: PooledConnection[] = [];
  /**
   * In use, with free stream slots (HAProxy's avail_conns): HTTP/2 connections offered to
   * other streams while they carry some (`http-reuse aggressive|always`). Not idle: not counted,
   * never purged; each connection adds and removes itself (src/mux/h2-server.ts).
   */
  readonly avail: PooledConnection[] = [];
  /** Most connections in use at once since the last purge (max_used_conns). */
  maxUsed = 0;
  /** Connections needed, decaying by half per purge period (est_need_conns). */
  estNeed = 0;
  /** Runtime-clock time of the next purge; -1 = none scheduled. */
  purgeAt = -1;

  constructor(server: Server) {
    this.server = server;
  }

  get count(): number {
    return this.idle.length + this.safe.length;
  }
}

/**
 * Idle keep-alive connections to the servers of one backend, shared by every session (HAProxy's
 * per-server idle and safe lists, src/server.c), bounded as HAProxy bounds them:
 *
 * - a finished connection is kept only while the process's fds are below
 *   tune.pool-high-fd-ratio, the server holds fewer than `pool-max-conn`, and either it is the
 *   server's only idle one, or fds are below tune.pool-low-fd-ratio and in-use plus idle
 *   connections stay within the estimated need plus `pool-low-conn` (srv_add_to_idle_list);
 * - every `pool-purge-delay` a server with idle connections closes half of those beyond what the
 *   last period needed, plus one, oldest first, and its estimate decays by half towards the
 *   recent peak (srv_cleanup_idle_conns), so idle connections fall to zero without traffic;
 * - above the high fd count, each server use closes one idle (not safe) connection.
 *
 * "In use" is the server's `active` sessions: an HTTP session holds its server connection
 * exactly while it holds the server slot. Reuse takes the most recently parked connection (the
 * likeliest to be open still) where HAProxy takes the oldest; purges close the oldest.
 *
 * While a connection is idle the pool's IdleConnectionHandler is its socket handler: bytes from
 * an idle server are a protocol violation (the connection is dropped), and a close simply
 * removes it.
 */
export class ServerConnectionPool implements ConnectionParking {
  readonly #runtime: Runtime;
  readonly #fds: FdUsage;
  /** By Server.index. */
  /** Keyed by the server itself: indexes move when the runtime API deletes a server. */
  readonly #servers = new Map<Server, ServerIdleConns>();
  /**
   * Idle connections, all servers. Which connection an idle socket's event is about is known
   * from its handler (one per connection, kept for its life): a Map from sockets churned by
   * every request reallocates its table as it empties and fills.
   */
  #idle = 0;
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;

  constructor(runtime: Runtime, fds: FdUsage) {
    this.#runtime = runtime;
    this.#fds = fds;
  }

  get idleCount(): number {
    return this.#idle;
  }

  /** Idle connections to `server`. */
  idleOf(server: Server): number {
    return this.#servers.get(server)?.count ?? 0;
  }

  /**
   * A session starts using `server` (its slot is taken): returns an idle connection the scope
   * allows, or undefined and the session opens one. Either way the use counts towards the
   * server's need estimate (HAProxy's srv_use_conn).
   */
  take(server: Server, scope: ReuseScope, key = ''): PooledConnection | undefined {
    const state = this.#state(server);
    const used = server.active;
    if (state.maxUsed < used) state.maxUsed = used;
    if (state.estNeed < used) state.estNeed = used;
    // A busy connection with a free stream slot first, whatever the request (connect_server):
    // only connections the reuse mode shares are there.
    let conn = state.avail.length > 0 ? this.#takeAvail(state, key) : undefined;
    if (conn !== undefined) return conn;
    if (scope !== 'none' && server.poolMaxConn !== 0 && state.count > 0) {
      if (scope === 'safe') conn = takeKeyed(state.safe, key);
      else if (scope === 'idle-first') conn = takeKeyed(state.idle, key) ?? takeKeyed(state.safe, key);
      else conn = takeKeyed(state.safe, key) ?? takeKeyed(state.idle, key);
      if (conn !== undefined) {
        (conn.idleHandler as IdleConnectionHandler).parked = false;
        this.#idle--;
        this.#fds.idleServerConns--;
      }
    }
    if (this.#fds.used > this.#fds.highCount) {
      // Short of fds: make room for the connection this use may open (connect_server).
      const victim = state.idle.shift();
      if (victim !== undefined) this.#close(victim);
    }
    return conn;
  }

  #takeAvail(state: ServerIdleConns, key: string): PooledConnection | undefined {
    const list = state.avail;
    for (let i = list.length - 1; i >= 0; i--) {
      const conn = list[i] as PooledConnection;
      if ((conn.key ?? '') === key && availStreams(conn) > 0) return conn;
    }
    return undefined;
  }

  /** `conn` (in use) has free stream slots: other streams may ride it. */
  addAvail(conn: PooledConnection): void {
    const list = this.#state(conn.server).avail;
    if (!list.includes(conn)) list.push(conn);
  }

  /** `conn` has no free slot any more, or went idle, or closed. */
  removeAvail(conn: PooledConnection): void {
    const list = this.#servers.get(conn.server)?.avail;
    const i = list === undefined ? -1 : list.indexOf(conn);
    if (i >= 0) (list as PooledConnection[]).splice(i, 1);
  }

  /** `server`'s idle connections and need estimate, for the stats. */
  idleFiguresOf(server: Server): IdleFigures {
    const state = this.#servers.get(server);
    return state === undefined ? NO_IDLE : { idle: state.idle.length, safe: state.safe.length, estNeed: state.estNeed, maxUsed: state.maxUsed };
  }

  /** Connections to `server` offered to more streams. */
  availOf(server: Server): number {
    return this.#servers.get(server)?.avail.length ?? 0;
  }

  /**
   * A transaction ended with `conn` reusable: keeps it idle when HAProxy would
   * (srv_add_to_idle_list), else closes it. Returns whether it was kept.
   */
  park(conn: PooledConnection): boolean {
    const server = conn.server;
    const state = this.#state(server);
    const fds = this.#fds;
    const usedFds = fds.used;
    const count = state.count;
    const used = server.active;
    const isSafe = conn.uses > 1;
    // A connection that began with one client's PROXY header serves only streams sending the
    // same one: its key says so (HAProxy hashes the header into the connection's).
    const keep =
      server.poolPurgeDelay > 0 &&
      usedFds < fds.highCount &&
      (server.poolMaxConn === -1 || server.poolMaxConn > count) &&
      ((state.safe.length === 0 && (isSafe || state.idle.length === 0)) ||
        (usedFds < fds.lowCount && used + count <= Math.max(used, state.estNeed) + server.poolLowConn));
    if (!keep) {
      conn.socket.destroy();
      return false;
    }
    const now = this.#runtime.now();
    conn.idleSince = now;
    let handler = conn.idleHandler;
    // one per connection and pool: a connection never parks in another pool, but nothing says so
    if (handler === undefined || !handler.servesPool(this)) handler = conn.idleHandler = new IdleConnectionHandler(this, conn);
    handler.parked = true;
    conn.socket.setHandler(handler);
    (isSafe ? state.safe : state.idle).push(conn);
    this.#idle++;
    fds.idleServerConns++;
    if (state.purgeAt < 0) {
      state.purgeAt = now + server.poolPurgeDelay;
      this.#arm(state.purgeAt);
    }
    return true;
  }

  /** Closes the idle connections to one server (HAProxy's srv_cleanup_connections: its transport changed). */
  closeIdleOf(server: Server): void {
    const state = this.#servers.get(server);
    if (state === undefined) return;
    for (const conn of [...state.idle, ...state.safe]) this.#close(conn);
  }

  /** Closes every idle connection (reload, stop). */
  closeAll(): void {
    for (const state of this.#servers.values()) {
      for (const conn of [...state.idle, ...state.safe]) this.#close(conn);
      state.purgeAt = -1;
    }
    if (this.#timer !== undefined) {
      this.#runtime.clearTimer(this.#timer);
      this.#timer = undefined;
      this.#timerAt = Infinity;
    }
  }

  #state(server: Server): ServerIdleConns {
    let state = this.#servers.get(server);
    if (state === undefined) {
      state = new ServerIdleConns(server);
      this.#servers.set(server, state);
    }
    return state;
  }

  /** Removes `conn` from the pool (it must be idle here) and closes it. */
  #close(conn: PooledConnection): void {
    this.#forget(conn);
    conn.socket.destroy();
  }

  #forget(conn: PooledConnection): void {
    const handler = conn.idleHandler;
    if (handler === undefined || !handler.parked) return;
    handler.parked = false;
    this.#idle--;
    this.#fds.idleServerConns--;
    const state = this.#servers.get(conn.server) as ServerIdleConns;
    const list = conn.uses > 1 ? state.safe : state.idle;
    const i = list.indexOf(conn);
    if (i >= 0) list.splice(i, 1);
  }

  #arm(at: number): void {
    if (at >= this.#timerAt) return;
    if (this.#timer !== undefined) this.#runtime.clearTimer(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#runtime.setTimer(this.#purgeDue, Math.max(0, at - this.#runtime.now()));
  }

  readonly #purgeDue = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#runtime.now();
    let next = Infinity;
    for (const state of this.#servers.values()) {
      if (state.purgeAt < 0) continue;
      if (state.purgeAt > now) {
        next = Math.min(next, state.purgeAt);
        continue;
      }
      this.#purge(state);
      // As HAProxy: the server stays scheduled while it has idle connections.
      state.purgeAt = state.count > 0 ? now + state.server.poolPurgeDelay : -1;
      if (state.purgeAt >= 0) next = Math.min(next, state.purgeAt);
    }
    if (next !== Infinity) this.#arm(next);
  };

  /** One purge period of one server (HAProxy's srv_cleanup_idle_conns). */
  #purge(state: ServerIdleConns): void {
    const idle = state.count;
    if (idle === 0) return;
    const used = state.server.active;
    // Half of the connections beyond what the period needed, rounded up (C integer division).
    let exceed = used + idle - Math.max(state.maxUsed, state.estNeed);
    exceed = Math.trunc(exceed / 2) + (exceed & 1);
    state.estNeed = Math.floor((state.estNeed + state.maxUsed) / 2);
    if (state.estNeed < state.maxUsed) state.estNeed = state.maxUsed;
    state.maxUsed = used;
    if (exceed <= 0) return;
    // HAProxy shares exceed over its threads as exceed * thread_idle / idle + 1 each: with
    // one thread that is exceed + 1. Idle (single-use) connections go first, oldest first.
    const toKill = exceed + 1;
    const victims = state.idle.splice(0, toKill);
    if (victims.length < toKill) victims.push(...state.safe.splice(0, toKill - victims.length));
    for (const victim of victims) {
      (victim.idleHandler as IdleConnectionHandler).parked = false;
      this.#idle--;
      this.#fds.idleServerConns--;
      victim.socket.destroy();
    }
  }

  /** An idle server must not talk: whatever it says cannot belong to any request. */
  dropIdle(conn: PooledConnection, socket: Socket): void {
    this.#forget(conn);
    socket.destroy();
  }

  /** An idle connection closed. */
  forgetIdle(conn: PooledConnection): void {
    this.#forget(conn);
  }
}

/** The socket handler of one pooled connection while it is idle (and harmless once it is not). */
export class IdleConnectionHandler implements SocketHandler {
  /** In the pool's lists now. */
  parked = false;
  readonly #pool: ServerConnectionPool;
  readonly #conn: PooledConnection;

  constructor(pool: ServerConnectionPool, conn: PooledConnection) {
    this.#pool = pool;
    this.#conn = conn;
  }

  servesPool(pool: ServerConnectionPool): boolean {
    return this.#pool === pool;
  }

  onData(socket: Socket): void {
    this.#pool.dropIdle(this.#conn, socket);
  }
  onEnd(socket: Socket): void {
    this.#pool.dropIdle(this.#conn, socket);
  }
  onDrain(): void {}
  onClose(): void {
    this.#pool.forgetIdle(this.#conn);
  }
}
