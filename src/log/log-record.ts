/**
 * What log-format variables read. Three stages, as in HAProxy where every log-format string
 * is built from the stream as it is at that moment:
 *
 * - a SampleContext (the connection, and the request or response an HTTP rule runs on): what
 *   header values see (`%ci`, `%HM`, `%ST`...);
 * - a StreamContext adds the facts known once a stream (an HTTP request, a tcp connection)
 *   started: its accept date and id, its unique id (`%t`, `%Ts`, `%rt`, `%ID`) — what
 *   `unique-id-format` sees;
 * - a LogRecord adds what is known at the end: timers, bytes, counts, termination state,
 *   server... (HAProxy's struct strm_logs and the txn fields sess_build_logline reads). A
 *   session builds one per log line.
 */
import type { SampleContext } from '../rules/sample-context.ts';

export interface StreamContext extends SampleContext {
  /** Wall-clock time the stream was accepted, ms since the epoch (HAProxy's logs.accept_date). */
  readonly acceptWall: number;
  /** HAProxy's uniq_id: the process-wide number of the stream (%rt). */
  readonly streamId: number;
  /** The unique id, when one was generated for this stream (%ID). */
  readonly uniqueIdIfGenerated?: string | undefined;
}

export interface LogRecord extends StreamContext {
  readonly mode: 'tcp' | 'http';
  readonly frontendName: string;
  /** The backend, or the frontend's name before one was chosen (HAProxy logs `fe/<NOSRV>`). */
  readonly backendName: string;
  /** `<NOSRV>` when no server was reached. */
  readonly serverName: string;
  /** The server connection's peer (%si %sp) and local end (%bi %bp), when there is one. */
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
  readonly sourceAddress: string | undefined;
  readonly sourcePort: number | undefined;
  /**
   * HAProxy's stream timers, ms since the stream was accepted, -1 when the step was not
   * reached: t_handshake, t_idle, t_request (head complete), t_queue (server assigned),
   * t_connect (connected), t_data (response head), t_close (end).
   */
  readonly tHandshake: number;
  readonly tIdle: number;
  readonly tRequest: number;
  readonly tQueue: number;
  readonly tConnect: number;
  readonly tData: number;
  readonly tClose: number;
  /** HTTP status (-1 before any); 0 in tcp mode. */
  readonly status: number;
  /** Bytes from the client (%U) and to the client (%B), heads included. */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** The two characters of %ts (cause, phase). */
  readonly termination: string;
  /** The two cookie persistence characters of %tsc ("--" when the backend has no `cookie`). */
  readonly cookieFlags: string;
  /** %ac %fc %bc %sc. */
  readonly actconn: number;
  readonly feconn: number;
  readonly beconn: number;
  readonly srvconn: number;
  /** %rc, prefixed with '+' when redispatched. */
  readonly retries: number;
  readonly redispatched: boolean;
  /** %sq %bq: requests served before this one in the server's / the backend's queue. */
  readonly serverQueuePos: number;
  readonly backendQueuePos: number;
  /** Lines the frontend logged before this one (%lc). */
  readonly logCount: number;
}

/**
 * Whether HAProxy counts the stream as an error for `option dontlog-normal` and
 * `option log-separate-errors` (strm_log, as fixed in 2.6.1): redispatched, ended by anything
 * but a normal or local end, retried, or answered with a 5xx.
 */
export function isErrorRecord(r: LogRecord): boolean {
  const cause = r.termination.charCodeAt(0);
  if (r.redispatched) return true;
  if (cause !== 0x2d /* - */ && cause !== 0x4c /* L */) return true;
  if (cause === 0x2d && r.retries > 0) return true;
  return r.mode === 'http' && r.status >= 500;
}
