/**
 * The busy HTTP/2 server connections a client connection owns (HAProxy's sess->srv_list for a
 * multiplexing mux): under `http-reuse safe` a new HTTP/2 connection, or one taken from the
 * idle pool, serves the other streams of the same client connection only (h2 marks its mux
 * MX_FL_HOL_RISK: another client's streams could stall behind this one's), and under `never`
 * every connection is the session's. An HTTP/2 client's concurrent streams then share it;
 * an HTTP/1 client has one stream at a time, so for it the list stays empty.
 *
 * Each connection adds itself while it has a stream and a free slot, and removes itself when
 * it has none (src/mux/h2-server.ts, `AvailList`); idle ones go to the pool or the session's
 * private store as before.
 */
import type { PooledConnection } from '../http/server-pool.ts';
import type { AvailList } from '../mux/h2-server.ts';
import type { Server } from '../proxy/server.ts';

export class SessionMuxConns implements AvailList {
  readonly #conns: PooledConnection[] = [];

  addAvail(conn: PooledConnection): void {
    if (!this.#conns.includes(conn)) this.#conns.push(conn);
  }

  removeAvail(conn: PooledConnection): void {
    const i = this.#conns.indexOf(conn);
    if (i >= 0) this.#conns.splice(i, 1);
  }

  /** The server of the first listed connection that `accepts`: prefer-last-server's candidate. */
  firstServer(accepts: (server: Server) => boolean): Server | undefined {
    for (const conn of this.#conns) if (accepts(conn.server)) return conn.server;
    return undefined;
  }

  /** A connection to `server` with reuse key `key` and a free stream slot (it stays listed). */
  find(server: Server, key: string): PooledConnection | undefined {
    for (const conn of this.#conns) {
      if (conn.server !== server || (conn.key ?? '') !== key) continue;
      if (((conn.socket as { availStreams?: number }).availStreams ?? 0) > 0) return conn;
    }
    return undefined;
  }
}

/** Per client connection (its ConnectionInfo, shared by all its streams). */
const sessions = new WeakMap<object, SessionMuxConns>();

export function sessionMuxConns(session: object): SessionMuxConns {
  let conns = sessions.get(session);
  if (conns === undefined) {
    conns = new SessionMuxConns();
    sessions.set(session, conns);
  }
  return conns;
}

export function existingSessionMuxConns(session: object): SessionMuxConns | undefined {
  return sessions.get(session);
}
