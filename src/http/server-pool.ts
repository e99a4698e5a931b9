import type { Runtime, Socket, SocketHandler, TimerHandle } from '../runtime.ts';
import type { Server } from '../proxy/server.ts';

/** HAProxy's pool-purge-delay default: idle server connections older than this are closed. */
const PURGE_DELAY_MS = 5000;

/** A server connection kept open between HTTP transactions. */
export interface PooledConnection {
  readonly socket: Socket;
  readonly server: Server;
  /** Requests already carried (a connection used twice is known to support keep-alive). */
  uses: number;
  idleSince: number;
}

/**
 * Idle keep-alive connections to the servers of one backend (HAProxy's per-server idle conns).
 * While a connection is idle the pool is its socket handler: bytes from an idle server are a
 * protocol violation (the connection is dropped), and a close simply removes it.
 */
export class ServerConnectionPool implements SocketHandler {
  readonly #runtime: Runtime;
  readonly #idle = new Map<Server, PooledConnection[]>();
  readonly #bySocket = new Map<Socket, PooledConnection>();
  #sweeper: TimerHandle | undefined;

  constructor(runtime: Runtime) {
    this.#runtime = runtime;
  }

  get idleCount(): number {
    return this.#bySocket.size;
  }

  /** Parks a healthy connection for later reuse. */
  park(conn: PooledConnection): void {
    conn.idleSince = this.#runtime.now();
    conn.socket.setHandler(this);
    let list = this.#idle.get(conn.server);
    if (list === undefined) {
      list = [];
      this.#idle.set(conn.server, list);
    }
    list.push(conn);
    this.#bySocket.set(conn.socket, conn);
    if (this.#sweeper === undefined) this.#sweeper = this.#runtime.setTimer(this.#sweep, PURGE_DELAY_MS);
  }

  /** Takes the most recently parked connection to `server` accepted by `allow`, if any. */
  take(server: Server, allow: (conn: PooledConnection) => boolean): PooledConnection | undefined {
    const list = this.#idle.get(server);
    if (list === undefined) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const conn = list[i] as PooledConnection;
      if (!allow(conn)) continue;
      // Nearly always the last one: pop() allocates nothing where splice() returns an array.
      if (i === list.length - 1) list.pop();
      else list.splice(i, 1);
      this.#bySocket.delete(conn.socket);
      return conn;
    }
    return undefined;
  }

  /** Closes every idle connection (reload, stop). */
  closeAll(): void {
    for (const conn of [...this.#bySocket.values()]) conn.socket.destroy();
    this.#bySocket.clear();
    this.#idle.clear();
    if (this.#sweeper !== undefined) {
      this.#runtime.clearTimer(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  #remove(socket: Socket): void {
    const conn = this.#bySocket.get(socket);
    if (conn === undefined) return;
    this.#bySocket.delete(socket);
    const list = this.#idle.get(conn.server);
    if (list !== undefined) {
      const i = list.indexOf(conn);
      if (i >= 0) list.splice(i, 1);
    }
  }

  readonly #sweep = (): void => {
    this.#sweeper = undefined;
    const cutoff = this.#runtime.now() - PURGE_DELAY_MS;
    for (const conn of [...this.#bySocket.values()]) {
      if (conn.idleSince <= cutoff) conn.socket.destroy();
    }
    if (this.#bySocket.size > 0) this.#sweeper = this.#runtime.setTimer(this.#sweep, PURGE_DELAY_MS);
  };

  onData(socket: Socket): void {
    // An idle server must not talk: whatever it says cannot belong to any request.
    this.#remove(socket);
    socket.destroy();
  }
  onEnd(socket: Socket): void {
    this.#remove(socket);
    socket.destroy();
  }
  onDrain(): void {}
  onClose(socket: Socket): void {
    this.#remove(socket);
    if (this.#bySocket.size === 0 && this.#sweeper !== undefined) {
      this.#runtime.clearTimer(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}
