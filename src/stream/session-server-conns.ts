import type { Socket, SocketHandler } from '../runtime.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import type { ConnectionParking, PooledConnection } from '../http/server-pool.ts';

/** HAProxy's MAX_SRV_LIST, the default `max-session-srv-conns`: idle private connections one client session keeps. */
export const DEFAULT_MAX_SESSION_SRV_CONNS = 5;

/**
 * Whether the connection to `server` is private to its session (connect_server's
 * conn_set_private): `http-reuse never`, or no server (dispatch, transparent).
 */
export function isPrivate(backend: Backend, server: Server | undefined): boolean {
  return (backend.http?.reuse ?? 'safe') === 'never' || server?.direct !== undefined;
}

/**
 * One client session's private server connections (HAProxy's sess->priv_conns): those that
 * serve no other session — every connection under `http-reuse never`, and those to a backend's
 * `dispatch` address or `option transparent` destination (no server: conn_set_private). After a
 * transaction such a connection stays with the session, idle, and the session's next request
 * to the same target rides it (connect_server looks here first, whatever the reuse mode). They
 * are closed with the session.
 *
 * While a connection is idle here this store is its socket handler: bytes from an idle server
 * are a protocol violation (the connection is dropped), and a close simply removes it.
 */
export class SessionServerConns implements SocketHandler, ConnectionParking {
  readonly #conns: PooledConnection[] = [];
  /** The frontend's `max-session-srv-conns` (HAProxy's default 5): beyond it a finished private connection is closed (session_check_idle_conn). */
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#conns.length;
  }

  /** The idle private connection to `server` with reuse key `key` (connection-key.ts), taken out. */
  take(server: Server, key = ''): PooledConnection | undefined {
    const conns = this.#conns;
    for (let i = conns.length - 1; i >= 0; i--) {
      const conn = conns[i] as PooledConnection;
      if (conn.server !== server || (conn.key ?? '') !== key) continue;
      conns.splice(i, 1);
      return conn;
    }
    return undefined;
  }

  /** The server of the first connection (oldest parked) that `accepts`: prefer-last-server's candidate. */
  firstServer(accepts: (server: Server) => boolean): Server | undefined {
    for (const conn of this.#conns) if (accepts(conn.server)) return conn.server;
    return undefined;
  }

  /** A transaction ended with `conn` reusable: kept for this session's later requests, or closed. */
  park(conn: PooledConnection): boolean {
    if (this.#conns.length >= this.#max) {
      conn.socket.destroy();
      return false;
    }
    conn.socket.setHandler(this);
    this.#conns.push(conn);
    return true;
  }

  /** The session ends: its private connections close with it. */
  closeAll(): void {
    const conns = this.#conns.splice(0);
    for (const conn of conns) conn.socket.destroy();
  }

  onData(socket: Socket): void {
    this.#drop(socket)?.destroy();
  }

  onDrain(): void {}

  onEnd(socket: Socket): void {
    this.#drop(socket)?.destroy();
  }

  onClose(socket: Socket): void {
    this.#drop(socket);
  }

  #drop(socket: Socket): Socket | undefined {
    const conns = this.#conns;
    for (let i = 0; i < conns.length; i++) {
      if ((conns[i] as PooledConnection).socket !== socket) continue;
      conns.splice(i, 1);
      return socket;
    }
    return undefined;
  }
}
