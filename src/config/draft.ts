/**
 * The mutable state a configuration is built into before it becomes a ConfigModel. Both the
 * haproxy.cfg parser and defineConfig() fill these drafts; resolve.ts then applies the same
 * cross-checks to both and freezes them into the model. Every element keeps the exact place
 * (file, line, column) it came from, so later checks can point at it.
 */

import type { ResolversDraft } from './keywords/resolvers.ts';
import type { PeersDraft } from './keywords/peers.ts';
import type { FcgiAppDraft } from './keywords/fcgi-app.ts';
import type { TcpKaDraft } from './keywords/tcp-keepalive.ts';
import type {
  AclModel,
  ConnectSourceModel,
  TcpRuleModel,
  BalanceModel,
  ConditionModel,
  CertificateFile,
  CookieModel,
  ForwardForOption,
  OriginalToOption,
  GlobalSetVarModel,
  HashTypeModel,
  HttpCheckExpectModel,
  HttpCheckConnectModel,
  HttpConnectionMode,
  HttpReuseMode,
  HttpFinalRuleModel,
  InitAddrModel,
  HttpRuleModel,
  HttpRulesModel,
  LogTarget,
  ObserveMode,
  OnErrorMode,
  ProxyMode,
  RetryOnEvent,
  SourceLocation,
  StickRuleModel,
  StickTableModel,
  SwitchingRuleModel,
  Timeouts,
  TuneModel,
} from './model.ts';
import type { CaptureSlotModel, CapturesModel } from './capture-model.ts';
import type { StatsPageDraft } from './keywords/stats-page.ts';
import type { ThreadSetDraft } from './keywords/bind-threads.ts';
import type { CompressionDraft } from './keywords/compression.ts';
import type { HttpErrorsDraft, ProxyErrorDraft, ReplyFileReference } from './error-drafts.ts';
import type { UserlistDraft, UserlistReference } from './userlist-draft.ts';
import type { ExtraFiles } from './certificates.ts';
import type { HeaderCasePair, LogForwardAddress, MonitorModel, ProcessIdentityModel, SocketOwnerModel, ProtocolCheckModel, StatsSocketModel, TcpCheckRuleModel } from './model.ts';
import type { TlsOptionsDraft } from './tls-options.ts';
import type { EnvironmentChanges } from './environment-changes.ts';
import type { CompressionTuningModel } from './compression-tuning-model.ts';

export interface Place extends SourceLocation {
  /** 1-based; 0 = unknown. */
  readonly column: number;
}

export type ProxyKind = 'defaults' | 'frontend' | 'backend' | 'listen';

export type MutableTimeouts = Record<keyof Timeouts, number | undefined>;

/** `log global` is kept as a marker and replaced by the global targets at the end. */
/** A `log-forward NAME` section being read (keywords/log-forward.ts). */
export interface LogForwardDraft {
  readonly name: string;
  readonly place: Place;
  dgramBinds: LogForwardAddress[];
  binds: LogForwardAddress[];
  logs: LogDraft[];
  maxconn: number;
  backlog?: number;
  timeoutClient?: number;
}

export type LogDraft = LogTarget | { readonly global: true; readonly source: SourceLocation };

/** A `ring NAME` section being read (keywords/ring.ts). */
export interface RingDraft {
  readonly name: string;
  readonly place: Place;
  description: string;
  format: LogTarget['format'];
  maxLength: number;
  size: number;
  servers: { readonly name: string; readonly address: string; readonly port: number; readonly octetCount: boolean; readonly place: Place }[];
  timeoutConnect?: number;
  timeoutServer?: number;
}

/** A `mailers NAME` section being read (keywords/mailers.ts). */
export interface MailersDraft {
  readonly name: string;
  readonly place: Place;
  /** `timeout mail` (ms); HAProxy's DEF_MAILALERTTIME, 10s, until set. */
  timeoutMail: number;
  mailers: { readonly name: string; readonly host: string; readonly port: number; readonly place: Place }[];
}

/** A proxy's `email-alert` lines (keywords/email-alert.ts), copied from its defaults section. */
export interface EmailAlertDraft {
  mailers?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  myhostname?: string | undefined;
  /** A syslog level, 0 (emerg) .. 7 (debug). */
  level: number;
}

/** A `ca-file` argument still to be read by the loader (resolved against `ca-base`). */
export interface CaFileReference {
  readonly path: string;
  readonly place: Place;
}

/** Where the CA certificates verifying a server come from. */
export type ServerCaDraft =
  /** `ca-file FILE` in haproxy.cfg, read by the loader. */
  | { readonly kind: 'file'; readonly file: CaFileReference }
  /** PEM text given to defineConfig(). */
  | { readonly kind: 'pem'; readonly pem: string }
  /** `ca-file @system-ca`: the runtime's default trust store. */
  | { readonly kind: 'system' };

/** What `default-server` sets and each `server` line starts from. */
export interface ServerSettings {
  /** `id N` (keywords/object-ids.ts): never from a default-server, which refuses it. */
  id?: number | undefined;
  /** A server-template's slot after the first: its template had an `id` (HAProxy copies the flag, not the id). */
  forcedId?: boolean | undefined;
  weight: number;
  maxconn: number;
  disabled: boolean;
  backup: boolean;
  /** `ssl` / `no-ssl`. */
  ssl: boolean;
  /** `no-ssl` was the last of the two written (HAProxy's use_ssl -1, kept from a default-server). */
  noSsl?: boolean;
  /** Where `ssl` was written on the current line (for the missing-CA error); undefined when inherited. */
  sslPlace: Place | undefined;
  /** HAProxy's default is `required` (or the global `ssl-server-verify`). */
  verify: 'none' | 'required';
  /** `verify` was written (on this line or a default-server): `ssl-server-verify` does not apply. */
  verifyExplicit?: boolean;
  ca: ServerCaDraft | undefined;
  /** `sni EXPR` as written. */
  sni: string | undefined;
  alpn: string[] | undefined;
  /** `check` / `no-check`. Health-check fields stay flat so a shallow copy of the settings is a full copy. */
  checkEnabled: boolean;
  /** `inter` ms (HAProxy: 2000). */
  inter: number;
  fastinter: number | undefined;
  downinter: number | undefined;
  rise: number;
  fall: number;
  /** `port`: the port checks connect to. */
  checkPort: number | undefined;
  /** `addr`: the address checks connect to. */
  checkAddr: string | undefined;
  /** `agent-check` and its `agent-port`, `agent-addr`, `agent-inter`, `agent-send`. */
  agentEnabled: boolean;
  agentPort: number | undefined;
  agentAddr: string | undefined;
  agentInter: number | undefined;
  agentSend: string | undefined;
  /** `observe layer4|layer7`; undefined = `observe none` (HAProxy's default). */
  observe: ObserveMode | undefined;
  /** `error-limit` (HAProxy: 10). */
  errorLimit: number;
  /** `on-error` (HAProxy: fail-check). */
  onError: OnErrorMode;
  /** `slowstart` ms; 0 = off. */
  slowstart: number;
  /** `maxqueue`; 0 = unlimited. */
  maxqueue: number;
  /** `minconn`; 0 = not set. */
  minconn: number;
  /** `pool-max-conn`: most idle connections kept; -1 = unlimited (HAProxy's default), 0 = none. */
  poolMaxConn: number;
  /** `max-reuse`: streams an HTTP/2 server connection carries past its first; -1 = unlimited. */
  maxReuse: number;
  /** `pool-low-conn`: idle connections kept beyond the estimated need (default 0). */
  poolLowConn: number;
  /** `send-proxy*` / `proxy-v2-options`: SendProxyBits (keywords/server-proxy-protocol.ts); 0 = none. */
  sendProxy: number;
  /** `check-send-proxy`: health-check connections start with a PROXY header too. */
  checkSendProxy: boolean;
  /** `socks4 ADDR:PORT` (keywords/server-socks4.ts). */
  socks4?: { readonly host: string; readonly port: number };
  /** `source ADDR[:PORT[-PORT]]` (keywords/server-source.ts). */
  connectSource?: ConnectSourceModel;
  /** `check-via-socks4`. */
  checkViaSocks4?: boolean;
  /** The port of `addr ADDR:PORT`: the check's port when `port` is not given. */
  checkAddrPort?: number;
  /** `check-ssl` / `no-check-ssl`, `check-sni`, `check-alpn` (keywords/server-check-tls.ts). */
  checkSsl?: boolean;
  checkSni?: string;
  checkAlpn?: readonly string[];
  /** `check-proto h1|h2`: the mux of HTTP checks (keywords/server-check-proto.ts). */
  checkProto?: 'h1' | 'h2';
  /** `pool-purge-delay` ms (default 5000); 0 = keep no idle connection. */
  poolPurgeDelay: number;
  /** `track [<proxy>/]<server>` as written: the server whose health state this one follows. */
  track?: string;
  /** `cookie VALUE` (never inherited from default-server: HAProxy refuses it there). */
  cookie: string | undefined;
  onMarkedDown: 'shutdown-sessions' | undefined;
  onMarkedUp: 'shutdown-backup-sessions' | undefined;
  /** `init-addr`; undefined = HAProxy's default (last,libc). */
  initAddr: InitAddrModel | undefined;
  /** `resolvers NAME` (keywords/resolvers.ts): the section that keeps the host name resolved at run time. */
  resolvers?: string | undefined;
  /** `resolve-prefer ipv4|ipv6`; undefined = HAProxy's default, ipv6. */
  resolvePrefer?: 4 | 6 | undefined;
  /** `resolve-opts` (keywords/resolvers.ts). */
  resolveOpts?: { allowDupIp: boolean; ignoreWeight: boolean } | undefined;
  /** `resolve-net` (keywords/resolvers.ts). */
  resolveNet?: string[] | undefined;
  /** `proto h1|h2`: the mux toward the server; undefined = HTTP/1 unless ALPN negotiates h2. */
  proto?: 'h1' | 'h2' | 'fcgi' | undefined;
  /** `ws auto|h1|h2`: the protocol of WebSocket streams (src/mux/websocket-protocol.ts). */
  ws?: 'auto' | 'h1' | 'h2' | undefined;
  /** TLS options (keywords/server-ssl.ts); copied per line as the rest of the settings. */
  tls?: ServerTlsDraft;
  /** `redir PREFIX` (keywords/server-stream-options.ts). */
  redirectPrefix?: string;
  /** `non-stick` (true) / `stick` (false). */
  nonStick?: boolean;
  /** `log-proto`: only a ring's servers use it (keywords/ring.ts); kept for nothing on a backend's, as HAProxy. */
  logProto?: 'legacy' | 'octet-count';
}

/** The TLS options of a `server`/`default-server` line beyond ssl/verify/ca-file/sni/alpn (keywords/server-ssl.ts). */
export interface ServerTlsDraft {
  readonly options: TlsOptionsDraft;
  readonly uses: TlsOptionPlace[];
  /** `crt FILE`: the client certificate presented to the server. */
  crt?: CertificateReference;
  /** `crl-file`: revoked server certificates. */
  crlFile?: CaFileReference;
  /** `no-ssl-reuse` (HAProxy reuses TLS sessions by default). */
  noSslReuse?: boolean;
  /** `verifyhost NAME`: the name the server certificate must carry. */
  verifyHost?: string;
}

export interface ServerDraft extends ServerSettings {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** No port, port 0 or an offset: the client's destination port (+ `port`). */
  readonly mapPorts?: boolean | undefined;
  /** A UNIX socket (`host` is its path). */
  readonly unix?: boolean | undefined;
  /** `ipv4@`/`ipv6@` in front of a host name. */
  readonly family?: 4 | 6 | undefined;
  /** The default-server had `ssl` when the line was read (HAProxy's SRV_F_DEFSRV_USE_SSL). */
  readonly defaultServerSsl?: boolean | undefined;
  readonly place: Place;
}

/** A `crt` argument still to be read: a file or a directory of PEM files. */
export interface CertificateReference {
  /** As resolved against `crt-base` and `default-path`. */
  readonly path: string;
  readonly place: Place;
  /** A crt-list's `default-path` directory, for the relative names in it; none: the process's. */
  readonly directory?: string;
}

export interface BindDraft {
  readonly host: string;
  readonly port: number;
  /** A UNIX socket (`host` is its path). */
  readonly unix?: boolean;
  /** `fd@N`: an inherited listening socket (BindModel.fd). */
  readonly fd?: number;
  /** `id N` (keywords/object-ids.ts): HAProxy's listener id (luid). */
  id?: number | undefined;
  /** The address as written, for messages. */
  readonly address: string;
  /** The line's whole address argument (`a:1,b:2`) when it names several, for HAProxy's messages. */
  readonly lineAddress?: string;
  ssl: boolean;
  /** `crt` arguments (haproxy.cfg); read by the loader. */
  crt: CertificateReference[];
  /** Certificates given inline (defineConfig). */
  certificates: CertificateFile[];
  alpn: string[] | undefined;
  name: string | undefined;
  v6only: boolean | undefined;
  backlog: number | undefined;
  /** `accept-proxy`: a PROXY protocol header (v1 or v2) precedes every connection. */
  acceptProxy?: boolean;
  /** `accept-netscaler-cip MAGIC` (a uint32, never 0). */
  netscalerCipMagic?: number;
  /** `proto h1|h2|none`. */
  proto?: 'h1' | 'h2' | 'none';
  /** A UNIX socket file's `mode` and owner (keywords/unix-socket-files.ts). */
  mode?: number;
  owner?: { -readonly [K in keyof SocketOwnerModel]: SocketOwnerModel[K] };
  /** TLS options of the line (keywords/bind-ssl.ts); global defaults are added at resolve. */
  tls?: BindTlsDraft;
  /** `thread` (and `process 1/T`) of the line (keywords/bind-threads.ts): one object for its addresses. */
  threadSet?: ThreadSetDraft;
  readonly place: Place;
}

/** The TLS options of one `bind` line beyond `ssl` and `crt` (keywords/bind-ssl.ts). */
export interface BindTlsDraft {
  readonly options: TlsOptionsDraft;
  /** Every TLS option written, where, for the per-runtime checks (runtime-tls-check.ts). */
  readonly uses: TlsOptionPlace[];
  /** `ca-file`: the CAs client certificates are verified against. */
  caFile?: CaFileReference;
  /** `ca-verify-file`: more CAs to verify against (HAProxy leaves them out of the CA names sent). */
  caVerifyFile?: CaFileReference;
  /** `crl-file`: revoked client certificates. */
  crlFile?: CaFileReference;
  /** `verify none|optional|required` (HAProxy's default: none). */
  verify?: 'none' | 'optional' | 'required';
  /** `crt-ignore-err` / `ca-ignore-err`: `all` or X509 error ids/names. */
  crtIgnoreErr?: string[];
  caIgnoreErr?: string[];
  /** `strict-sni`: no default certificate for clients whose SNI matches none. */
  strictSni?: boolean;
  /** `crt-list FILE`: read by the loader (certificates with SNI filters). */
  crtLists?: CertificateReference[];
  /** `no-alpn`. */
  noAlpn?: boolean;
  /** `generate-certificates`, `ca-sign-file` (read by the loader), `ca-sign-pass`. */
  generateCertificates?: boolean;
  caSignFile?: CaFileReference;
  caSignPass?: string;
  /** `tls-ticket-keys FILE`: read by the loader (tls-files.ts). */
  ticketKeys?: CaFileReference;
}

/** A TLS option word and where it was written. */
export interface TlsOptionPlace {
  readonly word: string;
  readonly place: Place;
}

export interface ProxyOptionsDraft {
  tcplog: boolean;
  httplog: boolean;
  dontlognull: boolean;
  logasap: boolean;
  contstats: boolean;
  dontlogNormal: boolean;
  logSeparateErrors: boolean;
  redispatch: boolean;
  allBackups: boolean;
  persist: boolean;
  /** `option http-buffer-request`: the analysers wait for the request body (or a full buffer) first. */
  bufferRequest: boolean;
  /** `option transparent`. */
  transparent: boolean;
  /** `option abortonclose`. */
  abortOnClose: boolean;
  /** `option socket-stats`: per-listener counters. */
  socketStats: boolean;
  /** `option disable-h2-upgrade`. */
  disableH2Upgrade: boolean;
  /** `option http-restrict-req-hdr-names`. */
  restrictHeaderNames: 'preserve' | 'delete' | 'reject';
  /** Whether the option was written (an FCGI backend defaults to `delete` only when it was not: fcgi-apps.ts). */
  restrictHeaderNamesFrom: 'builtin' | 'config';
  /** `option http-ignore-probes`. */
  ignoreProbes: boolean;
  /** `option idle-close-on-response`. */
  idleCloseOnResponse: boolean;
  /** `option prefer-last-server`. */
  preferLastServer: boolean;
  /** `option independent-streams`. */
  independentStreams: boolean;
  /** `option accept-invalid-http-request`. */
  acceptInvalidRequest: boolean;
  /** `option accept-invalid-http-response`. */
  acceptInvalidResponse: boolean;
  /** `option http-use-proxy-header`. */
  useProxyHeader: boolean;
  /** `option http-pretend-keepalive`. */
  pretendKeepAlive: boolean;
  /** `option checkcache`. */
  checkCache: boolean;
  /** `option h1-case-adjust-bogus-client` / `-server` (keywords/h1-case-adjust.ts). */
  h1CaseAdjustBogusClient: boolean;
  h1CaseAdjustBogusServer: boolean;
  /** `option clitcpka` / `srvtcpka` (`option tcpka` sets both on the sides the proxy has). */
  cliTcpKa: boolean;
  srvTcpKa: boolean;
  /** `option nolinger`, and where it was last written (runtime-socket-check.ts points there). */
  noLinger: boolean;
  noLingerPlace: Place | undefined;
  /** `clitcpka-idle` ... `srvtcpka-cnt`, by keyword (replaced, never mutated: defaults share it). */
  tcpKa: TcpKaDraft;
}

/**
 * The log-format of traffic lines. HAProxy keeps one slot that `log-format` and
 * `option httplog|tcplog [clf]` each overwrite (the last one wins); `origin` names the keyword
 * in its warnings ("'log-format' overrides previous 'option httplog'").
 */
export interface LogFormatDraft {
  readonly text: string;
  readonly origin: 'log-format' | 'option httplog' | 'option httplog clf' | 'option httpslog' | 'option tcplog';
  readonly place: Place;
}

/** A log-format string with where it was written (errors point at it). */
export interface FormatDraft {
  readonly text: string;
  readonly place: Place;
}

export interface OriginalToDraft extends OriginalToOption {
  /** The `option originalto` line (for the warning in tcp mode). */
  readonly place: Place;
}

export interface ForwardForDraft extends ForwardForOption {
  /** The `option forwardfor` line (for the warning in tcp mode). */
  readonly place: Place;
}

/** HTTP settings of a proxy (both sides; each model side takes what it uses). */
export interface HttpDraft {
  connectionMode: HttpConnectionMode;
  forwardFor: ForwardForDraft | undefined;
  /** `option originalto`; absent when never set. */
  originalTo?: OriginalToDraft | undefined;
  reuse: HttpReuseMode;
  /** Expanded (`all-retryable-errors`) and deduplicated; empty for `retry-on none`. */
  retryOn: RetryOnEvent[];
  /** The `retry-on` line, when one was written (for the warning in tcp mode). */
  retryOnPlace: Place | undefined;
}

/** `cookie NAME ...` with the line it was written on (for the warning in tcp mode). */
export interface CookieDraft extends Omit<CookieModel, 'source'> {
  readonly place: Place;
}

/** A `stick` rule; `tablePlace` points at the table name for the resolve-time error. */
export interface StickRuleDraft extends Omit<StickRuleModel, 'source'> {
  readonly place: Place;
  readonly tablePlace: Place | undefined;
}

/** `option httpchk [METHOD] [URI] [VERSION]` as written (headers come from a legacy `VERSION\r\nName: value`). */
export interface HttpChkOptionDraft {
  readonly method: string | undefined;
  readonly uri: string | undefined;
  readonly version: string | undefined;
  readonly headers: readonly (readonly [string, string])[];
}

/** `http-check send ...`: each field given overrides `option httpchk`. */
export interface HttpCheckSendDraft {
  method: string | undefined;
  uri: string | undefined;
  version: string | undefined;
  headers: (readonly [string, string])[];
  body: string | undefined;
  /** `uri-lf` / `body-lf`: the value is a log-format string. */
  uriFormat?: boolean;
  bodyFormat?: boolean;
}

/** The rules after an `http-check connect` that is not the first one (a further request). */
export interface HttpCheckSegmentDraft {
  connect: HttpCheckConnectModel;
  before: HttpCheckExpectModel[];
  send: HttpCheckSendDraft | undefined;
  expect: HttpCheckExpectModel[];
}

export interface HealthCheckDraft {
  /** `option httpchk` (http) or `option tcp-check` / nothing (tcp). */
  kind: 'tcp' | 'http';
  httpchk: HttpChkOptionDraft | undefined;
  send: HttpCheckSendDraft | undefined;
  expect: HttpCheckExpectModel[];
  /** `http-check connect` before the first send; undefined: the implicit default connect. */
  connect: HttpCheckConnectModel | undefined;
  /** `set-var` / `unset-var` lines before the first `http-check send`. */
  before: HttpCheckExpectModel[];
  /** The further requests, each after its own `http-check connect`. */
  segments: HttpCheckSegmentDraft[];
  /**
   * The last `connect`/`send`/`expect` rule (HAProxy's get_last_tcpcheck_rule, which skips
   * comments and set-var) and its step index, for HAProxy's rule-order errors.
   */
  lastRule: 'connect' | 'send' | 'expect' | undefined;
  lastIndex: number;
  /**
   * True while the `http-check` rules come from a defaults section: the proxy's first own
   * `http-check` line replaces them (HAProxy inherits the rules only of proxies defining none).
   */
  rulesInherited: boolean;
  /** The first `http-check` line of this proxy (for the unused-rules warning). */
  rulesPlace: Place | undefined;
  /** `tcp-check` lines, in order; used when `option tcp-check` is the check type. */
  tcpRules: TcpCheckRuleModel[];
  /** True while the `tcp-check` rules come from a defaults section (replaced at the first own line). */
  tcpRulesInherited: boolean;
  /** The first `tcp-check` line (for the unused-rules warning). */
  tcpRulesPlace: Place | undefined;
  /** `option redis-check`, `smtpchk`, ...: HAProxy's rule set for that protocol (kind stays tcp). */
  protocol: ProtocolCheckModel | undefined;
  /** `option log-health-checks`. */
  logHealthChecks: boolean;
  /** `option tcp-check` was given (the `tcp-check` rules then apply). */
  tcpOption: boolean;
  /** `http-check send-state`. */
  sendState: boolean;
  /** `http-check disable-on-404`. */
  disableOn404: boolean;
}

export interface ProxyDraft {
  readonly kind: ProxyKind;
  /** `use-fcgi-app NAME` (keywords/fcgi-app.ts). */
  useFcgiApp?: { readonly name: string; readonly place: Place } | undefined;
  /** `id N`: HAProxy's proxy uuid, set by hand (the others are numbered around it at resolve). */
  id?: number | undefined;
  /** '' for an anonymous defaults section. */
  readonly name: string;
  readonly place: Place;
  /** The defaults section this proxy inherited from, if any (for `default option X`). */
  readonly inheritedFrom: ProxyDraft | undefined;
  mode: ProxyMode;
  maxconn: number;
  /** `rate-limit sessions N` (frontend side); 0 = not set. */
  rateLimitSessions: number;
  /** `max-session-srv-conns N` (keywords/session-idle-conns.ts); undefined: HAProxy's default (src/stream/session-server-conns.ts). */
  maxSessionSrvConns: number | undefined;
  /** `fullconn N` (backend side); 0 = not set (computed at resolve). */
  fullconn: number;
  /** `email-alert ...`: undefined until one of its lines appears (HAProxy's email_alert.set). */
  emailAlert?: EmailAlertDraft | undefined;
  /** `backlog N` (frontend side); undefined = not set (0 in HAProxy). */
  backlog: number | undefined;
  retries: number;
  balance: BalanceModel;
  /** The `balance` line (for the layer-7 fallback warning); undefined = HAProxy's default. */
  balancePlace: Place | undefined;
  /** `dispatch ADDR:PORT` (not inherited: HAProxy refuses it in defaults). */
  dispatch: { readonly host: string; readonly port: number; readonly place: Place } | undefined;
  /** `source ADDR[:PORT]` (keywords/proxy.ts), inherited from defaults. */
  connectSource: ConnectSourceModel | undefined;
  hashType: HashTypeModel;
  /** `hash-balance-factor F` (keywords/hash-balance-factor.ts); 0 = off. */
  hashBalanceFactor: number;
  /** `max-keep-alive-queue N` (keywords/keep-alive-queue.ts); undefined = no limit (-1). */
  maxKeepAliveQueue: number | undefined;
  cookie: CookieDraft | undefined;
  /** `dynamic-cookie-key KEY`, inherited from defaults. */
  dynamicCookieKey: string | undefined;
  /** `persist rdp-cookie[(NAME)]`: the cookie name, inherited from defaults. */
  rdpCookiePersist: string | undefined;
  stickTable: StickTableModel | undefined;
  stickRules: StickRuleDraft[];
  healthCheck: HealthCheckDraft;
  timeouts: MutableTimeouts;
  options: ProxyOptionsDraft;
  /** Where `option tcplog` / `option httplog` was last set (HAProxy reports the fallback there). */
  logFormatPlace: Place | undefined;
  /** `log-format` or the format of `option httplog|tcplog [clf]`. */
  logFormat: LogFormatDraft | undefined;
  errorLogFormat: FormatDraft | undefined;
  uniqueIdFormat: FormatDraft | undefined;
  /** `log-format-sd`: the STRUCTURED-DATA of rfc5424 lines (frontends). */
  logFormatSd?: FormatDraft | undefined;
  uniqueIdHeader: string | undefined;
  http: HttpDraft;
  logs: LogDraft[];
  defaultBackend: { readonly name: string; readonly place: Place } | undefined;
  disabled: boolean;
  description: string | undefined;
  /** `log-tag` (keywords/log-header.ts), inherited from defaults. */
  logTag?: string | undefined;
  /** `http-send-name-header NAME`, lower-cased (keywords/server-name-header.ts), inherited from defaults. */
  sendNameHeader?: string | undefined;
  /** The stats page (keywords/stats-page.ts): the defaults' (shared) until a `stats` line of its own. */
  stats: StatsPageDraft | undefined;
  /** `monitor-uri` (inherited from defaults) and `monitor fail` conditions; absent when neither is given. */
  monitor?: MonitorModel | undefined;
  /** `compression` lines (keywords/compression.ts); algos and types come from defaults, not offload. */
  compression?: CompressionDraft | undefined;
  /** `filter NAME` lines in declaration order. */
  filters?: { readonly name: string; readonly place: Place }[] | undefined;
  /** `load-server-state-from-file` (inherited from defaults) and `server-state-file-name` (keywords/server-state.ts). */
  serverState?: ServerStateDraft | undefined;
  statsOwn: boolean;
  binds: BindDraft[];
  servers: ServerDraft[];
  defaultServer: ServerSettings;
  /** `acl` lines in order (keywords/http-rules.ts). */
  acls: AclModel[];
  httpRequestRules: (HttpRuleModel | HttpFinalRuleModel)[];
  httpResponseRules: (HttpRuleModel | HttpFinalRuleModel)[];
  httpAfterResponseRules: (HttpRuleModel | HttpFinalRuleModel)[];
  /** `tcp-request` / `tcp-response` rules (keywords/tcp-rules.ts); the delays inherit from defaults. */
  tcpRules: { connection: TcpRuleModel[]; session: TcpRuleModel[]; content: TcpRuleModel[]; response: TcpRuleModel[] };
  tcpInspectDelay: number | undefined;
  tcpResponseInspectDelay: number | undefined;
  /** The first http-request/http-response line (for the tcp-mode warning). */
  httpRulesPlace: Place | undefined;
  /** `redirect` keyword rules (keywords/switching.ts). */
  redirectRules: NonNullable<HttpRulesModel['redirectRules']>[number][];
  /** `use-server` rules (checked against the servers once the section is complete). */
  serverRules: { readonly server: string; readonly condition: ConditionModel; readonly source: SourceLocation; readonly place: Place }[];
  /** `force-persist` / `ignore-persist`. */
  persistRules: { readonly kind: 'force' | 'ignore'; readonly condition: ConditionModel; readonly source: SourceLocation }[];
  /** `use_backend` rules, with where each names its backend (checked once every backend is known). */
  switchingRules: { readonly rule: SwitchingRuleModel; readonly place: Place }[];
  /** Error-page lines (`errorfile`, `errorloc`, `errorfiles`, `http-error`), defaults' first. */
  errors: ProxyErrorDraft[];
  /** Capture slots (keywords/capture.ts; refused in defaults: never inherited). */
  captures: { request: CaptureSlotModel[]; response: CaptureSlotModel[]; cookie: CapturesModel['cookie'] };
}

/** Where a backend's servers' states come from at startup; `fileName` undefined = the backend's name. */
export interface ServerStateDraft {
  load: 'global' | 'local' | 'none';
  fileName: string | undefined;
}

/** `ssl-default-{bind,server}-*`, `ssl-server-verify`, `tune.ssl.*` (keywords/ssl-global.ts). */
export interface GlobalSslDraft {
  readonly bind: TlsOptionsDraft;
  readonly server: TlsOptionsDraft;
  /** Where each default was written, for the per-runtime checks. */
  readonly bindUses: TlsOptionPlace[];
  readonly serverUses: TlsOptionPlace[];
  /** `ssl-server-verify none|required`. */
  serverVerify?: 'none' | 'required';
  /** `tune.ssl.default-dh-param` bits. */
  defaultDhParam?: number;
  /** `ssl-dh-param-file`. */
  dhParamFile?: CaFileReference;
  /** `tune.ssl.lifetime` seconds. */
  lifetime?: number;
  /** `tune.ssl.ssl-ctx-cache-size`: forged certificates kept (generate-certificates). */
  ctxCacheSize?: number;
  /** `ssl-load-extra-del-ext`: `foo.crt`'s companions are `foo.key`, `foo.ocsp`, `foo.issuer`. */
  loadExtraDelExt?: boolean;
  /** `ssl-load-extra-files`: the companions looked for; all of them when unset. */
  extraFiles?: ExtraFiles;
}

export interface GlobalDraft {
  maxconn: number;
  /** `maxconnrate` / `maxsessrate` (keywords/global.ts); 0 = not set. */
  maxConnRate: number;
  maxSessRate: number;
  /** `maxsslrate` (keywords/rate-limits.ts) and `maxsslconn` (keywords/ssl-global.ts); 0 = not set. */
  maxSslRate: number;
  maxSslConn: number;
  nbthread: number;
  /** `cpu-map` (keywords/cpu-map.ts): process and per-thread CPU sets; undefined without one. */
  cpuMap?: { process: number[]; threads: number[][] };
  /** `noreuseport`: listeners without SO_REUSEPORT. */
  noReusePort?: boolean;
  /** `pp2-never-send-local`. */
  pp2NeverSendLocal?: boolean;
  logs: LogTarget[];
  hardStopAfter: number | undefined;
  /** Prefix for relative `crt` paths. */
  crtBase: string | undefined;
  /** Prefix for relative `ca-file` paths. */
  caBase: string | undefined;
  /** Every `ca-file` argument (server and default-server lines), read by the loader. */
  caFiles: CaFileReference[];
  /** Global TLS defaults and tunables (keywords/ssl-global.ts). */
  ssl?: GlobalSslDraft;
  /** `tune.pool-*-fd-ratio`, `tune.idle-pool.shared` (keywords/idle-pool.ts). */
  tune: { -readonly [K in keyof TuneModel]: TuneModel[K] };
  /** `expose-experimental-directives` (HAProxy requires it before `normalize-uri`). */
  experimental: boolean;
  /** `set-var` / `set-var-fmt` lines. */
  setVars: GlobalSetVarModel[];
  /** `http-errors` sections in order (a repeated name keeps its first section for lookups). */
  httpErrors: HttpErrorsDraft[];
  /** `resolvers` sections in order (keywords/resolvers.ts). */
  resolvers: ResolversDraft[];
  /** `peers` sections in order (keywords/peers.ts). */
  peers?: PeersDraft[];
  /** `localpeer NAME` (keywords/peers.ts); `-L` takes precedence. */
  localPeer?: string;
  /** `h1-case-adjust` pairs in order, then the `h1-case-adjust-file` ones (keywords/h1-case-adjust.ts). */
  h1CaseAdjust?: HeaderCasePair[];
  /** `h1-case-adjust-file`: the last one named, read by the loader after the parsing (as HAProxy's post-parser). */
  h1CaseAdjustFile?: { readonly path: string; readonly place: Place };
  /** `spread-checks` (0..50 %) and `max-spread-checks` (ms). */
  spreadChecks?: number;
  maxSpreadChecks?: number;
  /** Files replies are read from (errorfiles, `file`, `lf-file`), read by the loader. */
  replyFiles: ReplyFileReference[];
  /** `default-path origin DIR` directories, checked by the loader (HAProxy's chdir() fails on a missing one). */
  defaultPathOrigins?: { readonly path: string; readonly place: Place }[];
  /** `stats socket|timeout|maxconn` (keywords/stats-socket.ts); undefined until one appears. */
  stats: { sockets: StatsSocketModel[]; timeout: number; maxconn: number } | undefined;
  /** `thread` on `stats socket` lines, checked against `nbthread` once the configuration is read. */
  statsSocketThreads?: { set: ThreadSetDraft; address: string; place: Place }[];
  /** `cache NAME` sections in order (keywords/cache.ts). */
  caches?: CacheDraft[];
  /** `ring NAME` sections in order (keywords/ring.ts). */
  rings?: RingDraft[];
  /** `log-forward NAME` sections in order (keywords/log-forward.ts). */
  logForwards?: LogForwardDraft[];
  /** `mailers NAME` sections in order (keywords/mailers.ts). */
  mailers?: MailersDraft[];
  /** `log tcp@...` lines read so far: the implicit rings are `ring#1`, `ring#2`... in that order. */
  implicitRings?: number;
  /** `daemon`, `master-worker`, `pidfile`, `user`/`uid`, `group`/`gid` (keywords/process-management.ts). */
  daemon?: boolean;
  masterWorker?: boolean;
  pidFile?: string;
  /** `chroot DIR`, and where it was written (refused on a runtime that cannot). */
  chroot?: { readonly dir: string; readonly place: Place };
  identity?: { -readonly [K in keyof ProcessIdentityModel]: ProcessIdentityModel[K] };
  /** `unix-bind`: a prefix for the UNIX paths of `bind` lines and their socket files' defaults (keywords/unix-socket-files.ts). */
  unixBind?: { prefix?: string; mode?: number; owner: { -readonly [K in keyof SocketOwnerModel]: SocketOwnerModel[K] } };
  /** `server-state-file` / `server-state-base` (keywords/server-state.ts). */
  serverStateFile?: string;
  serverStateBase?: string;
  /** Caches named by `filter cache`, `cache-use` and `cache-store`, checked once every section is read. */
  cacheReferences?: { readonly name: string; readonly proxy: string; readonly proxyKind: string; readonly place: Place; readonly keyword: string }[];
  /** `program NAME` sections in order (keywords/program.ts). */
  programs?: ProgramDraft[];
  /** What `setenv`, `presetenv`, `unsetenv` and `resetenv` changed (set by the parser at the end). */
  environment?: EnvironmentChanges;
  /** `fcgi-app NAME` sections in order (keywords/fcgi-app.ts). */
  fcgiApps?: FcgiAppDraft[];
  /** `node`, `description` (keywords/node-identity.ts). */
  node?: string;
  description?: string;
  /** `log-tag`, `log-send-hostname` ('' for the host's name) (keywords/log-header.ts). */
  logTag?: string;
  logSendHostname?: string;
  /** `quiet`, `zero-warning` (keywords/startup-output.ts). */
  quiet?: boolean;
  zeroWarning?: boolean;
  /** `tune.comp.maxlevel`, `tune.zlib.*`, `maxcomprate`, `maxzlibmem` (keywords/compression-tuning.ts). */
  compression?: CompressionTuningModel;
  /** `ulimit-n`, `[no] strict-limits` (keywords/fd-limits.ts). */
  ulimitN?: number;
  /** `port` and `agent-port` keywords read on server lines (see ConfigModel's global portKeywords). */
  portKeywords?: number;
  strictLimits?: boolean;
  /** `grace`, `mworker-max-reloads` (keywords/process-management.ts). */
  grace?: number;
  /** `close-spread-time`, ms or 'infinite' (keywords/close-spread-time.ts). */
  closeSpreadTime?: number | 'infinite';
  mworkerMaxReloads?: number;
}

/** A `program NAME` section as read. */
export interface ProgramDraft {
  name: string;
  place: Place;
  command: string[] | undefined;
  user: string | undefined;
  group: string | undefined;
  startOnReload: boolean;
}

/** A `cache NAME` section as read (0: not given). */
export interface CacheDraft {
  name: string;
  place: Place;
  totalMaxSize: number;
  maxObjectSize: number;
  maxAge: number;
  processVary: boolean;
  maxSecondaryEntries: number;
}

export interface ConfigDraft {
  readonly global: GlobalDraft;
  /** Frontends, backends and listens in declaration order (defaults sections excluded). */
  readonly proxies: ProxyDraft[];
  /** `userlist` sections in declaration order. */
  readonly userlists?: UserlistDraft[] | undefined;
  /** Fetches naming a userlist, checked against `userlists` once everything is read. */
  readonly userlistReferences?: UserlistReference[] | undefined;
}

/** HAProxy's defaults: 20 % and 25 % of the process's fds, pools shared between threads. */
const DEFAULT_TUNE = { poolLowFdRatio: 20, poolHighFdRatio: 25, idlePoolShared: true } as const;

export function newGlobalDraft(): GlobalDraft {
  return {
    maxconn: 0,
    maxConnRate: 0,
    maxSessRate: 0,
    maxSslRate: 0,
    maxSslConn: 0,
    nbthread: 1,
    logs: [],
    hardStopAfter: undefined,
    crtBase: undefined,
    caBase: undefined,
    caFiles: [],
    tune: { ...DEFAULT_TUNE },
    experimental: false,
    setVars: [],
    httpErrors: [],
    resolvers: [],
    replyFiles: [],
    stats: undefined,
  };
}

export function emptyTimeouts(): MutableTimeouts {
  return {
    connect: undefined,
    client: undefined,
    server: undefined,
    tunnel: undefined,
    clientFin: undefined,
    serverFin: undefined,
    queue: undefined,
    check: undefined,
    httpRequest: undefined,
    httpKeepAlive: undefined,
    tarpit: undefined,
  };
}

/** HAProxy's server defaults: weight 1, no limit, TLS off (`verify required` once enabled). */
export function newServerSettings(): ServerSettings {
  return {
    weight: 1,
    maxconn: 0,
    disabled: false,
    backup: false,
    ssl: false,
    sslPlace: undefined,
    verify: 'required',
    ca: undefined,
    sni: undefined,
    alpn: undefined,
    checkEnabled: false,
    inter: 2000,
    fastinter: undefined,
    downinter: undefined,
    rise: 2,
    fall: 3,
    checkPort: undefined,
    checkAddr: undefined,
    agentEnabled: false,
    agentPort: undefined,
    agentAddr: undefined,
    agentInter: undefined,
    agentSend: undefined,
    observe: undefined,
    errorLimit: 10,
    onError: 'fail-check',
    slowstart: 0,
    maxqueue: 0,
    minconn: 0,
    poolMaxConn: -1,
    maxReuse: -1,
    poolLowConn: 0,
    sendProxy: 0,
    checkSendProxy: false,
    poolPurgeDelay: 5000,
    cookie: undefined,
    onMarkedDown: undefined,
    onMarkedUp: undefined,
    initAddr: undefined,
  };
}

/** HAProxy's default: `hash-type map-based sdbm`, no avalanche. */
export function defaultHashType(): HashTypeModel {
  return { method: 'map-based', function: 'sdbm', avalanche: false };
}

/** A TCP connect check, no HTTP rules. */
export function newHealthCheckDraft(): HealthCheckDraft {
  return {
    kind: 'tcp',
    httpchk: undefined,
    send: undefined,
    expect: [],
    connect: undefined,
    before: [],
    segments: [],
    lastRule: undefined,
    lastIndex: -1,
    rulesInherited: false,
    rulesPlace: undefined,
    tcpRules: [],
    tcpRulesInherited: false,
    tcpRulesPlace: undefined,
    protocol: undefined,
    logHealthChecks: false,
    tcpOption: false,
    sendState: false,
    disableOn404: false,
  };
}

/** A proxy's copy of its defaults section's health-check settings (rules marked as inherited). */
function inheritHealthCheck(base: HealthCheckDraft): HealthCheckDraft {
  return {
    kind: base.kind,
    httpchk: base.httpchk,
    send: base.send === undefined ? undefined : { ...base.send, headers: [...base.send.headers] },
    expect: [...base.expect],
    connect: base.connect,
    before: [...base.before],
    segments: base.segments.map((s) => ({ ...s, before: [...s.before], expect: [...s.expect] })),
    lastRule: base.lastRule,
    lastIndex: base.lastIndex,
    rulesInherited: base.send !== undefined || base.expect.length > 0 || base.connect !== undefined || base.before.length > 0,
    rulesPlace: base.rulesPlace,
    tcpRules: [...base.tcpRules],
    tcpRulesInherited: base.tcpRules.length > 0,
    tcpRulesPlace: base.tcpRulesPlace,
    protocol: base.protocol,
    logHealthChecks: base.logHealthChecks,
    tcpOption: base.tcpOption,
    sendState: base.sendState,
    disableOn404: base.disableOn404,
  };
}

/** HAProxy's HTTP defaults: keep-alive, no forwardfor, `http-reuse safe`, `retry-on conn-failure`. */
export function newHttpDraft(): HttpDraft {
  return { connectionMode: 'keep-alive', forwardFor: undefined, reuse: 'safe', retryOn: ['conn-failure'], retryOnPlace: undefined };
}

/** HAProxy's built-in defaults (what a proxy gets with no `defaults` section). */
export function newProxyDraft(kind: ProxyKind, name: string, place: Place, inheritedFrom?: ProxyDraft): ProxyDraft {
  const base = inheritedFrom;
  // The optional fields are assigned after the literal, not spread into it: a spread in a
  // literal makes every later field a runtime definition (V8, JavaScriptCore), for each proxy.
  const draft: ProxyDraft = {
    kind,
    name,
    place,
    inheritedFrom: base,
    mode: base?.mode ?? 'tcp',
    maxconn: base?.maxconn ?? 0,
    rateLimitSessions: base?.rateLimitSessions ?? 0,
    maxSessionSrvConns: base?.maxSessionSrvConns,
    fullconn: base?.fullconn ?? 0,
    backlog: base?.backlog,
    retries: base?.retries ?? 3,
    balance: base?.balance ?? { algorithm: 'roundrobin' },
    balancePlace: base?.balancePlace,
    dispatch: undefined,
    connectSource: base?.connectSource,
    hashType: base ? { ...base.hashType } : defaultHashType(),
    hashBalanceFactor: base?.hashBalanceFactor ?? 0,
    maxKeepAliveQueue: base?.maxKeepAliveQueue,
    cookie: base?.cookie === undefined ? undefined : { ...base.cookie, domains: [...base.cookie.domains] },
    dynamicCookieKey: base?.dynamicCookieKey,
    rdpCookiePersist: base?.rdpCookiePersist,
    // HAProxy refuses stick-table and stick rules in defaults sections: nothing to inherit.
    stickTable: undefined,
    stickRules: [],
    healthCheck: base ? inheritHealthCheck(base.healthCheck) : newHealthCheckDraft(),
    timeouts: base ? { ...base.timeouts } : emptyTimeouts(),
    options: base
      ? { ...base.options }
      : {
          tcplog: false,
          httplog: false,
          dontlognull: false,
          logasap: false,
          contstats: false,
          dontlogNormal: false,
          logSeparateErrors: false,
          redispatch: false,
          allBackups: false,
          persist: false,
          bufferRequest: false,
          transparent: false,
          abortOnClose: false,
          socketStats: false,
          disableH2Upgrade: false,
          restrictHeaderNames: 'preserve',
          restrictHeaderNamesFrom: 'builtin',
          ignoreProbes: false,
          idleCloseOnResponse: false,
          preferLastServer: false,
          independentStreams: false,
          acceptInvalidRequest: false,
          acceptInvalidResponse: false,
          useProxyHeader: false,
          pretendKeepAlive: false,
          checkCache: false,
          h1CaseAdjustBogusClient: false,
          h1CaseAdjustBogusServer: false,
          cliTcpKa: false,
          srvTcpKa: false,
          noLinger: false,
          noLingerPlace: undefined,
          tcpKa: {},
        },
    logFormatPlace: base?.logFormatPlace,
    logFormat: base?.logFormat,
    errorLogFormat: base?.errorLogFormat,
    uniqueIdFormat: base?.uniqueIdFormat,
    logFormatSd: base?.logFormatSd,
    uniqueIdHeader: base?.uniqueIdHeader,
    http: base ? { ...base.http, retryOn: [...base.http.retryOn] } : newHttpDraft(),
    logs: base ? [...base.logs] : [],
    defaultBackend: base?.defaultBackend,
    disabled: base?.disabled ?? false,
    description: undefined,
    stats: base?.stats,
    statsOwn: false,
    binds: [],
    servers: [],
    defaultServer: base ? { ...base.defaultServer } : newServerSettings(),
    // A named defaults section's ACLs and rules are not copied: they stay its own and run
    // before the proxy's (HttpRulesModel.defaultRules, built from `inheritedFrom`).
    acls: [],
    httpRequestRules: [],
    httpResponseRules: [],
    httpAfterResponseRules: [],
    tcpRules: { connection: [], session: [], content: [], response: [] },
    tcpInspectDelay: base?.tcpInspectDelay,
    tcpResponseInspectDelay: base?.tcpResponseInspectDelay,
    httpRulesPlace: undefined,
    redirectRules: [],
    switchingRules: [],
    serverRules: [],
    persistRules: [],
    errors: base ? [...base.errors] : [],
    // The capture slots a named defaults section's `http-request capture ... len N` rules
    // declared come first in its inheritors (HAProxy copies nb_req_cap and req_cap).
    captures: base
      ? { request: [...base.captures.request], response: [...base.captures.response], cookie: base.captures.cookie }
      : { request: [], response: [], cookie: undefined },
  };
  if (base === undefined) return draft;
  if (base.emailAlert !== undefined) draft.emailAlert = { ...base.emailAlert };
  if (base.logTag !== undefined) draft.logTag = base.logTag;
  if (base.sendNameHeader !== undefined) draft.sendNameHeader = base.sendNameHeader;
  // HAProxy copies `monitor-uri` from the defaults section; `monitor fail` is not allowed there.
  if (base.monitor?.uri !== undefined) draft.monitor = { uri: base.monitor.uri, fail: [] };
  // HAProxy's proxy_cfg_ensure... copies the defaults' algorithms and types, not `offload`.
  if (base.compression !== undefined) draft.compression = { algos: [...base.compression.algos], types: [...base.compression.types], offload: false, place: base.compression.place };
  // HAProxy copies the mode, not the file name (a defaults section's name is its own).
  if (base.serverState !== undefined) draft.serverState = { load: base.serverState.load, fileName: undefined };
  return draft;
}

/** Whether a (defaults) section defines HTTP rules its inheritors run (HAProxy: TCP/HTTP rules). */
export function definesHttpRules(proxy: ProxyDraft): boolean {
  return proxy.httpRequestRules.length > 0 || proxy.httpResponseRules.length > 0 || proxy.httpAfterResponseRules.length > 0;
}

/** Whether a (defaults) section defines tcp rules its inheritors run. */
export function definesTcpRules(proxy: ProxyDraft): boolean {
  const r = proxy.tcpRules;
  return r.connection.length > 0 || r.session.length > 0 || r.content.length > 0 || r.response.length > 0;
}

/** HAProxy's "defines TCP/HTTP rules": its inheritors keep a reference to it, with restrictions. */
export function definesRules(proxy: ProxyDraft): boolean {
  return definesHttpRules(proxy) || definesTcpRules(proxy);
}

export function hasFrontendSide(kind: ProxyKind): boolean {
  return kind === 'frontend' || kind === 'listen';
}

export function hasBackendSide(kind: ProxyKind): boolean {
  return kind === 'backend' || kind === 'listen';
}
