import type { LbRequest } from '../balance/balancer.ts';
import type { StreamCaching } from '../cache/caching.ts';
import type { ResponseHead } from '../http/codec/head.ts';
import type { HeadEditor } from '../http/codec/serialize.ts';
import type { Runtime, TlsInfo } from '../runtime.ts';
import type { UserlistTable } from '../auth/userlist.ts';
import type { VarScopes } from './vars.ts';
import type { StickTracking } from '../stick/tracking.ts';
import type { StreamCaptures } from '../stream/captures.ts';
import type { ConnectionInfo } from '../proxy/connection-info.ts';
import type { ServerConnectionStatus } from '../proxy/connection-error.ts';
import type { Payload } from './payload.ts';
import type { MessageBody } from './message-body.ts';
import type { StreamContext } from '../log/log-record.ts';

/** What fetches and converters may ask the host: the clock (`date`), the environment (`env`), digests (`sha2`, `hmac`). */
export type SampleRuntime = Pick<Runtime, 'wallClock' | 'env' | 'digest' | 'publicKey'>;

/** A backend as fetches see it (`be_name`, `nbsrv`; the live state for `be_conn`, `queue`, `srv_*`...). */
export interface SampleBackend {
  readonly name: string;
  /** HAProxy's be_usable_srv: active usable servers, else 1 when a backup serves, else the usable backups. */
  readonly usableServers: number;
  /** HAProxy's proxy uuid (`be_id`). */
  readonly id?: number | undefined;
  /** Current sessions (beconn), sessions queued anywhere in the backend (totpend), sessions per second: this thread's. */
  readonly counters?: { readonly scur: number; readonly qcur: number; readonly sessRate: Float64Array } | undefined;
  /** beconn and totpend of the process, every thread's (`nbthread`); absent: the counters' are. */
  readonly processSessions?: number | undefined;
  readonly processQueued?: number | undefined;
  readonly servers?: readonly SampleServerState[] | undefined;
  /** `option allbackups`. */
  readonly allBackups?: boolean | undefined;
}

/** A server's live state (`srv_conn`, `srv_is_up`, `connslots`...): src/proxy/server.ts's Server. */
export interface SampleServerState {
  readonly name: string;
  readonly status: 'UP' | 'DOWN' | 'MAINT' | 'DRAIN' | 'NOLB';
  readonly backup: boolean;
  /** Health checks configured. */
  readonly check: unknown;
  /** Configured and effective (slowstart) maxconn; 0 = unlimited. */
  readonly maxconnConfigured: number;
  readonly maxconn: number;
  readonly maxqueue: number;
  /** Sessions using the server (cur_sess) and waiting in its own queue, in every thread. */
  readonly processActive: number;
  readonly processQueued: number;
  readonly usable: boolean;
  readonly counters: { readonly sessRate: Float64Array };
}

/** A frontend as fetches see it (`fe_id`, `fe_conn`, `fe_req_rate`, `fe_sess_rate`, `stopping`). */
export interface SampleFrontend {
  readonly name: string;
  readonly id?: number | undefined;
  readonly counters: { readonly scur: number; readonly sessRate: Float64Array; readonly reqRate: Float64Array };
  /** The process is stopping (soft stop): HAProxy's global `stopping`. */
  readonly stopping: boolean;
}

/** The server a request went to, as fetches see it (`srv_id`, `srv_name`). */
export interface SampleServer {
  readonly name: string;
  /** HAProxy's puid: the server's position in its backend, from 1. */
  readonly id: number;
  /** Set for a backend's dispatch or transparent target, which is no server (the fetches find none). */
  readonly direct?: string | undefined;
}

/**
 * What sample fetches read. LbRequest already is one (balancing and stick rules pass the session
 * itself); everything beyond it is optional and reads as "absent" when missing, so a fetch
 * never fails on a context that lacks a field. The HTTP rules engine passes a richer context,
 * one object per session reused for every request (see http-rules.ts).
 */
export interface SampleContext extends LbRequest {
  /** `src_port`. */
  readonly clientPort?: number | undefined;
  /** `dst`: the address the client connected to (the bind's local address). */
  readonly localAddress?: string | undefined;
  /** `dst_port`. */
  readonly localPort?: number | undefined;
  /** TLS on the client connection (`ssl_fc`, `ssl_fc_sni`, `ssl_fc_alpn`); undefined = plain TCP. */
  readonly clientTls?: TlsInfo | undefined;
  /** TLS on the server connection of the transaction, once connected (`ssl_bc*`, `ssl_s_*`). */
  readonly serverTls?: TlsInfo | undefined;
  /** The transaction's server connection, once one was attempted (`bc_err`, `ssl_bc_err`). */
  readonly serverConnection?: ServerConnectionStatus | undefined;
  /** `hostname`: the proxy host's name. */
  readonly hostname?: string | undefined;
  /** `%f`: the frontend's name. */
  readonly frontendName?: string | undefined;
  /** `%pid`. */
  readonly pid?: number | undefined;
  /** The request head's edits so far (header fetches see earlier rules' changes). */
  readonly requestEdits?: HeadEditor | undefined;
  /** The chosen backend's configured timeouts (`be_server_timeout`, `be_tunnel_timeout`). */
  readonly backendTimeouts?: { readonly server?: number | undefined; readonly tunnel?: number | undefined } | undefined;
  /** The stream's queue priority (`prio_class`, `prio_offset`); undefined outside a stream. */
  readonly priorityClass?: number | undefined;
  readonly priorityOffset?: number | undefined;
  /** This transaction's timeouts as `set-timeout` changed them (`cur_server_timeout`...). */
  readonly serverTimeout?: number | undefined;
  readonly tunnelTimeout?: number | undefined;
  /** The status as `set-status` changed it (`status` reads it); undefined = the response's own. */
  readonly responseStatus?: number | undefined;
  /** The response head, once received (`status`, `res.hdr`). */
  readonly response?: ResponseHead | undefined;
  /** The response head's edits so far. */
  readonly responseEdits?: HeadEditor | undefined;
  /** The caches and this transaction's dealings with them (`cache-use`, `res.cache_hit`). */
  readonly caching?: StreamCaching | undefined;
  /** The algorithm (its configuration name) compressing the response, once the filter took it (`res.comp`). */
  readonly compression?: string | undefined;
  /** The host services; fetches and converters needing one yield nothing without it. */
  readonly runtime?: SampleRuntime | undefined;
  /** The backend chosen for the request, once known (`be_name`, `nbsrv` without argument). */
  readonly backend?: SampleBackend | undefined;
  /**
   * The stream a rule runs for (its accept date, id and unique id: `%t`, `%Ts`, `%ms`, `%rt`,
   * `%ID` in a header value); absent where there is none (connection rules, health checks).
   */
  readonly stream?: StreamContext | undefined;
  /** The server the request was sent to, once connected (`srv_id`, `srv_name`). */
  readonly chosenServer?: SampleServer | undefined;
  /** The `name` of the bind that accepted the client connection (`so_name`). */
  readonly bindName?: string | undefined;
  /** The listener id (luid) of the bind that accepted the client connection (`so_id`). */
  readonly bindId?: number | undefined;
  /** A backend of the configuration by name (`nbsrv(NAME)`). */
  backendNamed?(name: string): SampleBackend | undefined;
  /** The frontend that accepted the connection (`fe_id`, `fe_conn`...). */
  readonly frontend?: SampleFrontend | undefined;
  /**
   * HAProxy's TX_USE_PX_CONN: the frontend has `option http-use-proxy-header` and the request
   * target, as received, starts with neither '/' nor '*'. Authentication then reads
   * Proxy-Authorization and `auth` answers 407 with Proxy-Authenticate.
   */
  readonly proxiedRequest?: boolean | undefined;
  /** A frontend of the configuration by name (`fe_conn(NAME)`). */
  frontendNamed?(name: string): SampleFrontend | undefined;
  /** Variables (`var()`, `set-var`); undefined where none can exist. */
  readonly vars?: VarScopes | undefined;
  /** The generation's userlists (`http_auth(NAME)`, `http_auth_group(NAME)`). */
  readonly userlists?: UserlistTable | undefined;
  /**
   * `unique-id`: the stream's unique id from the frontend's `unique-id-format`, generated on
   * first read (a getter where the context can generate one); undefined without a format.
   */
  readonly uniqueId?: string | undefined;
  /** Stick-table tracking (`track-scN`, `sc*_` / `src_*` fetches, `table_*` converters); undefined without tables. */
  readonly stick?: StickTracking | undefined;
  /** The transaction's captures (`capture ...`, %hr, `capture.req.hdr`); undefined when the frontend declares none. */
  readonly captures?: StreamCaptures | undefined;
  /** The client connection's record (PROXY header facts: `fc_pp_authority`, `fc_pp_unique_id`). */
  readonly connection?: ConnectionInfo | undefined;
  /** The request channel's first bytes, while or after `tcp-request content` rules inspect them (`req.*` payload fetches). */
  readonly requestPayload?: Payload | undefined;
  /** The response channel's first bytes under `tcp-response content` rules (`res.*` payload fetches). */
  readonly responsePayload?: Payload | undefined;
  /** The response payload the stream holds while `http-response wait-for-body` waits (`res.body*`). */
  readonly responseBody?: MessageBody | undefined;
  /**
   * The last rule of the stream that ended its list with a final verdict (`last_rule_file`,
   * `last_rule_line`): HAProxy's s->last_rule_file/line, set by tcp content, tcp-response,
   * http-request, http-response and http-after-response rules, never by `redirect` lines.
   */
  readonly lastRule?: RuleSource | undefined;
}

/** Where a rule was written (a SourceLocation of the configuration model). */
export interface RuleSource {
  readonly file: string;
  readonly line: number;
}
