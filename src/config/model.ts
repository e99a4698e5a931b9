/**
 * The configuration model: what a parsed haproxy.cfg and a defineConfig() object both become.
 * Defaults sections are already applied (each proxy carries its effective settings), durations
 * are milliseconds, and every element remembers where it was written so later errors
 * (a listener that cannot bind, a backend that does not exist) can name the line.
 */

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

export type ProxyMode = 'tcp' | 'http';

/** All durations in milliseconds; undefined = not set (HAProxy's fallbacks apply where it has them). */
export interface Timeouts {
  readonly connect?: number | undefined;
  readonly client?: number | undefined;
  readonly server?: number | undefined;
  readonly tunnel?: number | undefined;
  readonly clientFin?: number | undefined;
  readonly serverFin?: number | undefined;
  readonly queue?: number | undefined;
  readonly check?: number | undefined;
  readonly httpRequest?: number | undefined;
  readonly httpKeepAlive?: number | undefined;
}

export interface LogTarget {
  /** "stdout", "stderr", or an address/path kept as written (only stdout/stderr are served for now). */
  readonly target: string;
  readonly format: 'raw' | 'rfc3164' | 'rfc5424' | 'short';
  readonly facility: string | undefined;
  /** Most verbose level sent (`log ... FACILITY LEVEL`); undefined = all levels. */
  readonly level?: LogLevelName | undefined;
  /** Messages more severe than this are sent at this level (`log ... FACILITY LEVEL MINLEVEL`). */
  readonly minLevel?: LogLevelName | undefined;
  /** `len N`: maximum line length in bytes; undefined = HAProxy's default (1024). */
  readonly maxLength?: number | undefined;
  readonly source: SourceLocation;
}

/** Syslog severities, most to least severe, as HAProxy names them. */
export type LogLevelName = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

export interface CertificateFile {
  /** Path of the PEM file (certificate chain, plus the key unless a sibling .key file holds it). */
  readonly path: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface BindSsl {
  /** `crt` arguments in order, each a file or a directory, resolved to certificate files. */
  readonly certificates: readonly CertificateFile[];
}

export interface BindModel {
  /** Host to listen on: "0.0.0.0" for `*` or empty, "::" for IPv6 any. */
  readonly host: string;
  readonly port: number;
  readonly ssl: BindSsl | undefined;
  /** ALPN protocols offered (from `alpn h2,http/1.1`). */
  readonly alpn: readonly string[] | undefined;
  readonly name: string | undefined;
  readonly v6only: boolean;
  readonly backlog: number | undefined;
  readonly source: SourceLocation;
}

export interface ServerModel {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** 0..256, default 1. */
  readonly weight: number;
  /** 0 = unlimited. */
  readonly maxconn: number;
  readonly disabled: boolean;
  readonly backup: boolean;
  /** `ssl [verify none|required] [ca-file F] [sni EXPR] [alpn LIST]`: TLS to this server. */
  readonly ssl?: ServerSsl | undefined;
  readonly source: SourceLocation;
}

export interface ServerSsl {
  /** HAProxy's default is `verify required` (with a CA); `verify none` skips verification. */
  readonly verify: 'none' | 'required';
  /** Contents of `ca-file` (resolved against ca-base), when given. */
  readonly caPem: string | undefined;
  /**
   * `sni EXPR` as written; the engine understands `str(NAME)` and `req.hdr(host)`
   * (HAProxy's two common forms). undefined = no SNI.
   */
  readonly sni: string | undefined;
  readonly alpn: readonly string[] | undefined;
}

/** `option http-keep-alive` (default), `option http-server-close`, `option httpclose`. */
export type HttpConnectionMode = 'keep-alive' | 'server-close' | 'close';

/** `option forwardfor [except NETWORK] [header NAME] [if-none]`. */
export interface ForwardForOption {
  /** Lower-case header name; default "x-forwarded-for". */
  readonly header: string;
  /** Source network (as written, e.g. "127.0.0.0/8") whose clients get no header. */
  readonly except: string | undefined;
  /** Only add the header when the request has none. */
  readonly ifNone: boolean;
}

/** HTTP behaviour set on a frontend or a backend; both sides' settings combine per request. */
export interface HttpProxyOptions {
  readonly connectionMode: HttpConnectionMode;
  readonly forwardFor: ForwardForOption | undefined;
}

/** `http-reuse` (backend): which idle server connections a new request may use. */
export type HttpReuseMode = 'never' | 'safe' | 'aggressive' | 'always';

/** `retry-on` events (backend); HAProxy's default is conn-failure only. */
export type RetryOnEvent =
  | 'none'
  | 'conn-failure'
  | 'empty-response'
  | 'junk-response'
  | 'response-timeout'
  | '0rtt-rejected'
  | '404'
  | '408'
  | '425'
  | '500'
  | '501'
  | '502'
  | '503'
  | '504';

export interface BalanceModel {
  readonly algorithm: 'roundrobin' | 'static-rr';
}

export interface FrontendOptions {
  readonly tcplog: boolean;
  /** `option httplog` (`clf` variant not supported yet). */
  readonly httplog?: boolean | undefined;
  readonly dontlognull: boolean;
}

export interface FrontendModel {
  readonly name: string;
  readonly mode: ProxyMode;
  readonly binds: readonly BindModel[];
  readonly defaultBackend: string | undefined;
  /** 0 = only the global limit applies. */
  readonly maxconn: number;
  readonly timeouts: Timeouts;
  readonly options: FrontendOptions;
  /** HTTP settings (mode http); defaults: keep-alive, no forwardfor. */
  readonly http?: HttpProxyOptions | undefined;
  /** `log global` or explicit targets; empty = no logging for this proxy. */
  readonly logs: readonly LogTarget[];
  readonly disabled: boolean;
  /** `description TEXT` (shown by the stats page). */
  readonly description?: string | undefined;
  readonly source: SourceLocation;
}

export interface BackendOptions {
  readonly redispatch: boolean;
}

export interface BackendHttpOptions extends HttpProxyOptions {
  /** Default "safe". */
  readonly reuse: HttpReuseMode;
  /** Default ["conn-failure"]. */
  readonly retryOn: readonly RetryOnEvent[];
}

export interface BackendModel {
  readonly name: string;
  readonly mode: ProxyMode;
  readonly balance: BalanceModel;
  readonly servers: readonly ServerModel[];
  /** Connection attempts after the first; default 3. */
  readonly retries: number;
  readonly timeouts: Timeouts;
  readonly options: BackendOptions;
  /** HTTP settings (mode http); defaults: keep-alive, reuse safe, retry-on conn-failure. */
  readonly http?: BackendHttpOptions | undefined;
  readonly disabled: boolean;
  /** `description TEXT` (shown by the stats page). */
  readonly description?: string | undefined;
  readonly source: SourceLocation;
}

export interface GlobalModel {
  /** 0 = unlimited. */
  readonly maxconn: number;
  /** Accepted for compatibility; one event loop per process (see docs/configuration.md). */
  readonly nbthread: number;
  readonly logs: readonly LogTarget[];
  /** Grace period for a soft stop (SIGTERM/SIGINT/reload), ms. */
  readonly hardStopAfter: number | undefined;
}

export interface ConfigModel {
  readonly global: GlobalModel;
  /** Includes the frontend half of every `listen` section. */
  readonly frontends: readonly FrontendModel[];
  /** Includes the backend half of every `listen` section (same name as its frontend). */
  readonly backends: readonly BackendModel[];
  /** Non-fatal findings (e.g. missing timeouts), printed at startup like HAProxy's [WARNING]s. */
  readonly warnings: readonly ConfigDiagnostic[];
}

export interface ConfigDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly keyword: string;
  readonly message: string;
}
