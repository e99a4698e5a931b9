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
  /**
   * The stream as it is now, for the end-of-stream variables of a rule's value (`%Tr`, `%si`,
   * `%ts`...), as HAProxy's sess_build_logline reads its strm_logs while the stream runs: the
   * steps not reached yet at -1, `t_request` only once the request's analysis ended, `t_close`
   * 0 and the byte counts 0 (they are set at the end of the stream).
   */
  liveRecord?(): LogRecord;
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
  /**
   * A live record's durations and %B get a '+' (as a line does with `option logasap`): the
   * frontend has no format that waits for the end of the stream, or `option logasap`
   * (HAProxy's `!(fe->to_log & LW_BYTES)`).
   */
  readonly plusUnfinished?: boolean;
}

/**
 * The record a rule's end-of-stream variables read: the stream's live one, or, where a value is
 * evaluated outside any stream (a `tcp-request connection` rule, a health check), HAProxy's
 * record of a session without stream (sess_build_logline's tmp_strm_log): no step reached,
 * a proxy condition at the request phase (`PR`).
 */
export function liveRecordOf(ctx: SampleContext): LogRecord {
  const own = (ctx as Partial<StreamContext>).liveRecord;
  if (own !== undefined) return own.call(ctx);
  const stream = ctx.stream;
  if (stream?.liveRecord !== undefined) return stream.liveRecord();
  return streamlessRecord(ctx, 'PR');
}

/**
 * A record where no stream (of Switchyard's) runs yet: no step reached, no counts. `termination`
 * `PR` for HAProxy's session without stream, `--` where HAProxy's stream exists already (a
 * frontend's `tcp-request content` rules, which Switchyard runs before its stream starts).
 */
export function streamlessRecord(ctx: SampleContext, termination: 'PR' | '--'): LogRecord {
  return {
    ...SESSION_WITHOUT_STREAM,
    termination,
    mode: 'tcp',
    clientAddress: ctx.clientAddress,
    clientPort: ctx.clientPort,
    localAddress: ctx.localAddress,
    localPort: ctx.localPort,
    frontendName: ctx.frontendName ?? '',
    backendName: ctx.backend?.name ?? ctx.frontendName ?? '',
    serverName: '<NOSRV>',
    lbHead: undefined,
  };
}

/**
 * HAProxy's record of a session without stream (sess_build_logline's tmp_strm_log, with the
 * flags SF_ERR_PRXCOND | SF_FINST_R): no step reached, nothing counted. The facts of a record
 * that the session supplies (its connection, its proxy, its times) are the caller's.
 */
export const SESSION_WITHOUT_STREAM = {
  acceptWall: 0,
  streamId: 0,
  serverAddress: undefined,
  serverPort: undefined,
  sourceAddress: undefined,
  sourcePort: undefined,
  tHandshake: 0,
  tIdle: 0,
  tRequest: -1,
  tQueue: -1,
  tConnect: -1,
  tData: -1,
  tClose: 0,
  status: 0,
  bytesIn: 0,
  bytesOut: 0,
  termination: 'PR',
  cookieFlags: '--',
  actconn: 0,
  feconn: 0,
  beconn: 0,
  srvconn: 0,
  retries: 0,
  redispatched: false,
  serverQueuePos: 0,
  backendQueuePos: 0,
  logCount: 0,
} as const;

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
