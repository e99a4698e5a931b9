/**
 * The configuration model: what a parsed haproxy.cfg and a defineConfig() object both become.
 * Defaults sections are already applied (each proxy carries its effective settings), durations
 * are milliseconds, and every element remembers where it was written so later errors
 * (a listener that cannot bind, a backend that does not exist) can name the line.
 */
import type { StatsPageModel } from './stats-page-model.ts';
import type { CapturesModel, HttpCaptureRuleModel, TcpCaptureRuleModel } from './capture-model.ts';
import type { HttpStreamRuleModel, PriorityRuleModel } from './stream-action-model.ts';
import type { EnvironmentChanges } from './environment-changes.ts';
import type { CompressionTuningModel } from './compression-tuning-model.ts';
export type { CompressionTuningModel } from './compression-tuning-model.ts';
import type { HttpStrictModeRuleModel } from './strict-mode-model.ts';
import type { HttpMapRuleModel } from './map-action-model.ts';
import type { TlsOptionsModel } from './tls-options.ts';
import type { TlsTicketKey } from '../runtime.ts';
import type { CrtListSslConf } from './crt-list-line.ts';
import type { TcpSocketModel } from './tcp-socket-model.ts';

export type { CaptureSlotModel, CapturesModel, HttpCaptureRuleModel, TcpCaptureRuleModel } from './capture-model.ts';
export type { HttpStreamRuleModel, PriorityRuleModel } from './stream-action-model.ts';
export type { HttpStrictModeRuleModel } from './strict-mode-model.ts';
export type { HttpMapRuleModel } from './map-action-model.ts';

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
  /** How long `http-request tarpit` holds a request (falls back to `timeout connect`). */
  readonly tarpit?: number | undefined;
}

export interface LogTarget {
  /** "stdout", "stderr", or a syslog address or socket path kept as written. */
  readonly target: string;
  /** 'unspec': no `format` given (rfc3164 with `log-send-hostname`, otherwise local). */
  readonly format: 'unspec' | 'raw' | 'local' | 'rfc3164' | 'rfc5424' | 'short' | 'priority' | 'timed' | 'iso';
  readonly facility: string | undefined;
  /** Most verbose level sent (`log ... FACILITY LEVEL`); undefined = all levels. */
  readonly level?: LogLevelName | undefined;
  /** Messages more severe than this are sent at this level (`log ... FACILITY LEVEL MINLEVEL`). */
  readonly minLevel?: LogLevelName | undefined;
  /** `len N`: maximum line length in bytes; undefined = HAProxy's default (1024). */
  readonly maxLength?: number | undefined;
  /** `sample RANGES:SIZE`: the target takes only the lines of those indexes in each SIZE. */
  readonly sample?: LogSample | undefined;
  /**
   * The ring the lines go to: `ring@NAME` targets name a `ring` section (or `buf0`); a
   * `tcp@ADDRESS` target gets an implicit ring of its own, `ring#N` (RingModel.implicit).
   */
  readonly ring?: string | undefined;
  readonly source: SourceLocation;
}

/** A listening address of a `log-forward` section. */
export interface LogForwardAddress {
  readonly host: string;
  readonly port: number;
}

/** A `log-forward NAME` section (HAProxy 2.6's section 3.10, src/log/log-forwarder.ts): a syslog relay. */
export interface LogForwardModel {
  readonly name: string;
  /** `dgram-bind`: UDP addresses receiving one message per datagram. */
  readonly dgramBinds: readonly LogForwardAddress[];
  /** `bind`: TCP addresses (RFC 6587 octet counting or LF-ended lines). */
  readonly binds: readonly LogForwardAddress[];
  /** Where each message goes, `log global` expanded. */
  readonly logs: readonly LogTarget[];
  /** Concurrent TCP connections (HAProxy's default 10). */
  readonly maxconn: number;
  readonly backlog?: number | undefined;
  /** `timeout client` (ms); none when undefined. */
  readonly timeoutClient?: number | undefined;
}

/** A `mailers NAME` section (HAProxy 2.6's section 3.6): the SMTP servers email alerts go to. */
export interface MailersModel {
  readonly name: string;
  /** `timeout mail` (ms; HAProxy's default 10s): bounds each alert's whole SMTP exchange. */
  readonly timeoutMail: number;
  readonly mailers: readonly { readonly name: string; readonly host: string; readonly port: number }[];
}

/** A proxy's `email-alert` settings, as HAProxy keeps them once complete (src/health/email-alerts.ts). */
export interface EmailAlertModel {
  /** The `mailers` section's name (ConfigModel.mailers). */
  readonly mailers: string;
  readonly from: string;
  readonly to: string;
  /** `email-alert myhostname`; undefined: the host's name (HAProxy's gethostname()). */
  readonly myhostname?: string | undefined;
  /** `email-alert level` (default alert, 1): the least severe syslog level mailed, 0..7. */
  readonly level: number;
}

/** A `ring` section, or the implicit ring of a `log tcp@...` target (src/log/rings.ts). */
export interface RingModel {
  readonly name: string;
  /** `description` (the name by default; HAProxy's text for an implicit ring). */
  readonly description: string;
  /** The header the ring puts on its lines: `format` (raw by default), a tcp@ target's own format. */
  readonly format: LogTarget['format'];
  /** `maxlen`: the longest line stored, in bytes. */
  readonly maxLength: number;
  /** `size` in bytes (HAProxy's BUFSIZE, 16384, at least). */
  readonly size: number;
  readonly servers: readonly RingServerModel[];
  /** `timeout connect` / `timeout server` (ms); none when undefined. */
  readonly timeoutConnect?: number | undefined;
  readonly timeoutServer?: number | undefined;
  /** Created for a `log tcp@...` line rather than declared. */
  readonly implicit?: true;
}

/** A ring's `server NAME ADDRESS:PORT [log-proto legacy|octet-count]`. */
export interface RingServerModel {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly octetCount: boolean;
}

/** `log ... sample 1,3-4:5`: sorted, non-overlapping 1-based ranges within `size`. */
export interface LogSample {
  readonly ranges: readonly { readonly low: number; readonly high: number }[];
  readonly size: number;
}

/** Syslog severities, most to least severe, as HAProxy names them. */
export type LogLevelName = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

export interface CertificateFile {
  /** Path of the PEM file (certificate chain, plus the key unless a sibling .key file holds it). */
  readonly path: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** `crt-list` SNI filters of this certificate (see TlsCertificate.serverNames). */
  readonly serverNames?: readonly string[] | undefined;
  /** The `crt-list` file and line it comes from (the runtime API's `show/add/del ssl crt-list`). */
  readonly crtList?: { readonly path: string; readonly line: number } | undefined;
  /** The `crt-list` line's options in brackets (crt-list-line.ts). */
  readonly sslConf?: CrtListSslConf | undefined;
  /** The CA and CRL files sslConf names, as read (or as the runtime API's CA store holds them). */
  readonly sslConfFiles?: readonly PemFile[] | undefined;
  /** DH parameters the file carries (a `DH PARAMETERS` block). */
  readonly dhPem?: string | undefined;
  /** The DER OCSP response of `<path>.ocsp`, stapled to handshakes (HAProxy's ssl-load-extra-files). */
  readonly ocspResponse?: Uint8Array | undefined;
  /** The issuer of the certificate for its OCSP CertID, from `<path>.issuer` when the chain has none. */
  readonly ocspIssuerPem?: string | undefined;
}

export interface BindSsl {
  /** `crt` arguments in order, each a file or a directory, resolved to certificate files. */
  readonly certificates: readonly CertificateFile[];
  /** Versions, ciphers, curves, tickets, with the global `ssl-default-bind-*` applied. */
  readonly tls?: TlsOptionsModel | undefined;
  /** `verify optional|required` (with `ca-file`, `crl-file`, `*-ignore-err`); undefined = `verify none`. */
  readonly clientAuth?: BindClientAuth | undefined;
  readonly strictSni?: boolean | undefined;
  /** `tune.ssl.lifetime` seconds. */
  readonly sessionLifetime?: number | undefined;
  /** `ssl-dh-param-file` (its PEM) and `tune.ssl.default-dh-param` (bits). */
  readonly dhParams?: { readonly pem?: string | undefined; readonly defaultBits?: number | undefined } | undefined;
  /** `generate-certificates` with `ca-sign-file` (proxy/generated-certificates.ts). */
  readonly generateCertificates?: GenerateCertificates | undefined;
  /** `tls-ticket-keys`: the file and its keys (tls-ticket-keys.ts). */
  readonly ticketKeys?: BindTicketKeys | undefined;
}

/** A `tls-ticket-keys` file's keys: the encryption key first, then the others in the order HAProxy tries them. */
export interface BindTicketKeys {
  readonly path: string;
  readonly bits: 128 | 256;
  readonly keys: readonly TlsTicketKey[];
}

/** The CA `generate-certificates` signs with, and how many forged certificates are kept. */
export interface GenerateCertificates {
  /** The `ca-sign-file` path, for messages. */
  readonly caFile: string;
  /** Its certificates (the CA first, then its chain) and its key. */
  readonly caCertPem: string;
  readonly caKeyPem: string;
  /** `ca-sign-pass`. */
  readonly caPass?: string | undefined;
  /** `tune.ssl.ssl-ctx-cache-size` (HAProxy's default 1000; 0: no cache). */
  readonly cacheSize: number;
}

/** Client certificates on a bind (HAProxy's verify, ca-file, crl-file, crt-ignore-err, ca-ignore-err). */
export interface BindClientAuth {
  readonly verify: 'optional' | 'required';
  readonly caPem: string | undefined;
  readonly crlPem?: string | undefined;
  /** The files caPem is read from (`ca-file`, then `ca-verify-file`), by path for the runtime API's `set ssl ca-file`. */
  readonly caFile?: PemFile | undefined;
  readonly caVerifyFile?: PemFile | undefined;
  /** The `crl-file` crlPem is read from. */
  readonly crlFile?: string | undefined;
  /** Verify errors (X509_V_ERR ids) let through; 'all' = every one. */
  readonly crtIgnoreErr?: 'all' | readonly number[] | undefined;
  readonly caIgnoreErr?: 'all' | readonly number[] | undefined;
}

/** A file of PEM blocks, by path (CA and CRL files the runtime API may replace). */
export interface PemFile {
  readonly path: string;
  readonly pem: string;
}

export interface BindModel {
  /** `id N`: HAProxy's listener id (luid), forced; the others are numbered around the forced ones. */
  readonly id?: number | undefined;
  /** Host to listen on: "0.0.0.0" for `*` or empty, "::" for IPv6 any; a UNIX socket's path. */
  readonly host: string;
  /** 0 for a UNIX socket. */
  readonly port: number;
  /** `/path` or `unix@path`: a UNIX stream socket at `host`. */
  readonly unix?: boolean | undefined;
  /**
   * `fd@N`: accept on the listening socket this process inherited as descriptor N (its parent
   * opened and bound it); `host` is '' and `port` 0.
   */
  readonly fd?: number | undefined;
  readonly ssl: BindSsl | undefined;
  /** ALPN protocols offered (from `alpn h2,http/1.1`). */
  readonly alpn: readonly string[] | undefined;
  readonly name: string | undefined;
  readonly v6only: boolean;
  readonly backlog: number | undefined;
  /** `accept-proxy`: every connection starts with a PROXY protocol header (v1 or v2). */
  readonly acceptProxy?: boolean | undefined;
  /** `accept-netscaler-cip MAGIC`: every connection starts with a NetScaler Client IP header carrying this magic number. */
  readonly netscalerCipMagic?: number | undefined;
  /** `proto h2`: HTTP/2 with prior knowledge on every connection (h2c on clear binds); `h1` forces HTTP/1; `none` (tcp only): never upgraded to HTTP. */
  readonly proto?: 'h1' | 'h2' | 'none' | undefined;
  /** A UNIX socket's permission bits (`mode`, or `unix-bind mode`); the umask's when undefined. */
  readonly mode?: number | undefined;
  /** A UNIX socket's owner (`user`/`uid`, `group`/`gid`, or `unix-bind`'s). */
  readonly owner?: SocketOwnerModel | undefined;
  /**
   * `thread SET`: the threads (0-based, as the `thread` fetch numbers them) that accept on this
   * bind; every thread when undefined. A UNIX socket or an inherited one is opened by the first.
   */
  readonly threads?: readonly number[] | undefined;
  readonly source: SourceLocation;
}

export interface ServerModel {
  readonly name: string;
  /** `id N`: HAProxy's puid, forced; the others are numbered around the forced ones (src/proxy/auto-ids.ts). */
  readonly id?: number | undefined;
  /** SRV_F_FORCED_ID without an id of its own: a server-template's slot after the first, when the template had `id`. */
  readonly forcedId?: boolean | undefined;
  /** As written: an IP literal, or a host name that startup resolves once (see `initAddr`). */
  readonly host: string;
  /** 1..65535; with `mapPorts`, an offset (0 = none) added to the port the client connected to. */
  readonly port: number;
  /** No port, port 0 or `+N`/`-N` written (HAProxy's SRV_F_MAPPORTS). */
  readonly mapPorts?: boolean | undefined;
  /** `/path` or `unix@path`: `host` is a UNIX stream socket's path, `port` 0. */
  readonly unix?: boolean | undefined;
  /** A host name's `ipv4@`/`ipv6@` prefix: resolve it to this family only. */
  readonly family?: 4 | 6 | undefined;
  /**
   * `init-addr`: how a host name gets its address at startup, tried in order; undefined is
   * HAProxy's default, `last,libc`. Has no effect on an IP literal.
   */
  readonly initAddr?: InitAddrModel | undefined;
  /** `resolvers NAME`: the `resolvers` section that keeps `host` resolved while running (src/dns/). */
  readonly resolvers?: string | undefined;
  /** `resolve-prefer`: the address family asked first and preferred; undefined is HAProxy's ipv6. */
  readonly resolvePrefer?: 4 | 6 | undefined;
  /** `resolve-opts`: `allow-dup-ip` (true) / `prevent-dup-ip` (false, the default), `ignore-weight` (SRV weights ignored). */
  readonly resolveOpts?: { readonly allowDupIp: boolean; readonly ignoreWeight: boolean } | undefined;
  /** `resolve-net NET[,NET...]`: preferred networks (CIDR text, at most 5). */
  readonly resolveNet?: readonly string[] | undefined;
  /**
   * Set by startup resolution (src/proxy/init-addr.ts) for a host name: the address it is dialled
   * at, or false when `init-addr` left it without one (it then stays in maintenance, HAProxy's
   * "MAINT (resolution)"). Undefined for IP literals, and for a model that did not go through
   * that step (an embedder's Proxy: the runtime's connect then resolves `host` itself).
   */
  readonly resolvedAddress?: string | false | undefined;
  /** 0..256, default 1. */
  readonly weight: number;
  /** 0 = unlimited. */
  readonly maxconn: number;
  /**
   * `minconn N` below maxconn: the limit grows from minconn to maxconn with the backend's load
   * (src/proxy/dynamic-maxconn.ts); absent = maxconn (a `minconn` alone becomes the maxconn).
   */
  readonly minconn?: number | undefined;
  /** `maxqueue N`: most sessions waiting in this server's own queue; 0 = unlimited. */
  readonly maxqueue?: number | undefined;
  /** `slowstart T` (ms): weight and maxconn ramp up over T after the server comes UP; 0 = off. */
  readonly slowstart?: number | undefined;
  /** `pool-max-conn N`: most idle connections kept for reuse; -1 (default) = unlimited, 0 = none. */
  readonly poolMaxConn?: number | undefined;
  /** `max-reuse N`: an HTTP/2 server connection carries at most N+1 streams; absent = unlimited. */
  readonly maxReuse?: number | undefined;
  /** `pool-low-conn N`: idle connections kept beyond the estimated need (default 0). */
  readonly poolLowConn?: number | undefined;
  /** `pool-purge-delay T` (ms, default 5000): period of the idle-connection purge; 0 = keep none. */
  readonly poolPurgeDelay?: number | undefined;
  /** `cookie VALUE`: the value `cookie NAME ...` persistence uses for this server (undefined = none). */
  readonly cookie?: string | undefined;
  /** Health-check settings (`check`, `inter`, `rise`, ...); `check` off when undefined. */
  readonly check?: ServerCheckModel | undefined;
  /** `on-marked-down shutdown-sessions`: kill the server's sessions when it goes DOWN. */
  readonly onMarkedDown?: 'shutdown-sessions' | undefined;
  /** `on-marked-up shutdown-backup-sessions`: kill backup servers' sessions when this one comes UP. */
  readonly onMarkedUp?: 'shutdown-backup-sessions' | undefined;
  readonly disabled: boolean;
  readonly backup: boolean;
  /** `ssl [verify none|required] [ca-file F] [sni EXPR] [alpn LIST]`: TLS to this server. */
  readonly ssl?: ServerSsl | undefined;
  /** `proto h2`: HTTP/2 with prior knowledge (h2c in clear); `h1` HTTP/1 even when ALPN says h2; undefined: by ALPN. */
  readonly proto?: 'h1' | 'h2' | 'fcgi' | undefined;
  /** `ws auto|h1|h2`: the protocol of WebSocket streams (undefined: auto). */
  readonly ws?: 'auto' | 'h1' | 'h2' | undefined;
  /** `send-proxy` / `send-proxy-v2 [proxy-v2-options ...]`: a PROXY header starts every connection. */
  readonly sendProxy?: SendProxyModel | undefined;
  /** `check-send-proxy`: health-check connections send one too. */
  readonly checkSendProxy?: boolean | undefined;
  /** `check-ssl`: checks run over TLS with these settings (built as `ssl`'s), even when traffic is plain or the check is redirected. */
  readonly checkSsl?: ServerSsl | undefined;
  /** `agent-check`: an agent on the server reports its weight and state (src/health/agent-check.ts). */
  readonly agent?: AgentCheckModel | undefined;
  /**
   * `agent-addr` / `agent-port` on a server without `agent-check`: no agent runs, but HAProxy
   * keeps (and resolves) them all the same, and `show servers state` shows them.
   */
  readonly agentTarget?: AgentTargetModel | undefined;
  /** `no-ssl` was written (here or on a default-server): HAProxy's use_ssl -1 (`show servers state`'s srv_use_ssl). */
  readonly noSsl?: boolean | undefined;
  /**
   * The TLS settings of a server without `ssl` that has an SSL context all the same (its
   * default-server had `ssl`, or `check-ssl`): `set server ... ssl on` turns them on.
   */
  readonly sslContext?: ServerSsl | undefined;
  /** `track [<proxy>/]<server>`: follows that server's health and maintenance (src/proxy/server-tracking.ts). */
  readonly track?: ServerTrackModel | undefined;
  /** `socks4 ADDR:PORT`: connections go through this SOCKS4 proxy (src/proxy/socks4-connect.ts). */
  readonly socks4?: { readonly host: string; readonly port: number } | undefined;
  /** `check-via-socks4`: the server's default-connect checks go through its `socks4` proxy too. */
  readonly checkViaSocks4?: boolean | undefined;
  /** `source ADDR[:PORT[-PORT]]`: the local address of its connections (before the backend's). */
  readonly connectSource?: ConnectSourceModel | undefined;
  /** `redir PREFIX`: GET and HEAD requests get a 302 to PREFIX and their path instead (src/stream/server-redirect.ts). */
  readonly redirectPrefix?: string | undefined;
  /** `non-stick`: stick rules store no entry for the streams this server gets. */
  readonly nonStick?: boolean | undefined;
  readonly source: SourceLocation;
}

/**
 * `source ADDR[:PORT[-PORT]]`: the local address of connections to the servers and of their
 * health checks. No port: the system chooses one; `ports`: one of the range, in turn.
 */
export interface ConnectSourceModel {
  /** An IP literal; "0.0.0.0" / "::" for any. */
  readonly address: string;
  readonly port?: number | undefined;
  readonly ports?: { readonly low: number; readonly high: number } | undefined;
}

/** The server a `track` names; `backend` is the tracker's own when the line gives no proxy. */
export interface ServerTrackModel {
  readonly backend: string;
  readonly server: string;
}

/** `agent-check` with `agent-port`, `agent-addr`, `agent-inter`, `agent-send`. */
export interface AgentCheckModel {
  /** Default: the check `port`, then the server's port. */
  readonly port: number | undefined;
  readonly addr: string | undefined;
  /** Default: the check's `inter`. */
  readonly inter: number | undefined;
  /** The string sent to the agent once connected; nothing when undefined. */
  readonly send: string | undefined;
}

/** Where an agent would be dialled: `agent-addr`, `agent-port`. */
export interface AgentTargetModel {
  readonly port: number | undefined;
  readonly addr: string | undefined;
}

/** What a server's PROXY header carries (HAProxy's pp_opts). */
export interface SendProxyModel {
  readonly version: 1 | 2;
  /** `proxy-v2-options`: the TLVs added to a v2 header. */
  readonly crc32c?: boolean | undefined;
  readonly authority?: boolean | undefined;
  readonly uniqueId?: boolean | undefined;
  readonly ssl?: boolean | undefined;
  readonly sslCipher?: boolean | undefined;
}

/** One `init-addr` method: `ip` is the address given in the list (`InitAddrModel.address`). */
export type InitAddrMethod = 'last' | 'libc' | 'none' | 'ip';

/** `init-addr last,libc,none,10.0.0.1`: the methods in order and the one IP address allowed among them. */
export interface InitAddrModel {
  readonly methods: readonly InitAddrMethod[];
  /** The IP literal of the `ip` method (IPv6 without brackets); undefined when there is none. */
  readonly address: string | undefined;
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
  /** Versions, ciphers, curves, tickets, with the global `ssl-default-server-*` applied. */
  readonly tls?: TlsOptionsModel | undefined;
  /** `crt FILE`: the client certificate presented. */
  readonly certificate?: { readonly certPem: string; readonly keyPem: string; readonly path?: string | undefined } | undefined;
  /** `verifyhost NAME`: checked instead of the SNI / host name. */
  readonly verifyHost?: string | undefined;
  /** `crl-file`: PEM CRLs the server's certificate is checked against. */
  readonly crlPem?: string | undefined;
  /** The `ca-file` and `crl-file` caPem and crlPem are read from, for the runtime API (`set ssl ca-file`). */
  readonly caFile?: string | undefined;
  readonly crlFile?: string | undefined;
  /** `no-ssl-reuse`: every connection makes a full handshake (HAProxy resumes the last session by default). */
  readonly noSessionReuse?: boolean | undefined;
}

/** A server's active health-check settings (HAProxy defaults: inter 2s, rise 2, fall 3). */
export interface ServerCheckModel {
  /** `check` was given: checks run. (inter/rise/fall may be set without it; they then do nothing.) */
  readonly enabled: boolean;
  /** `inter` ms, default 2000. */
  readonly inter: number;
  /** `fastinter` ms while the server is changing state; default = inter. */
  readonly fastinter: number | undefined;
  /** `downinter` ms while the server is fully DOWN; default = inter. */
  readonly downinter: number | undefined;
  /** Consecutive successes to go UP, default 2. */
  readonly rise: number;
  /** Consecutive failures to go DOWN, default 3. */
  readonly fall: number;
  /** `port`: check this port instead of the server's. */
  readonly port: number | undefined;
  /** `addr`: check this address instead of the server's. */
  readonly addr: string | undefined;
  /**
   * `observe layer4|layer7`: passive health observation of the traffic (HAProxy's health
   * analyze); undefined = off (`observe none`). Works only with `check`, as in HAProxy.
   */
  readonly observe?: ObserveMode | undefined;
  /** `error-limit N`: consecutive observed errors that trigger `on-error` (default 10). */
  readonly errorLimit?: number | undefined;
  /** `on-error MODE`: what `error-limit` consecutive errors do (default fail-check). */
  readonly onError?: OnErrorMode | undefined;
  /** `check-sni NAME`: the SNI of TLS checks (HAProxy sends none without it, whatever `sni` says). */
  readonly sni?: string | undefined;
  /** `check-alpn LIST`: the ALPN of TLS checks. */
  readonly alpn?: readonly string[] | undefined;
  /** `check-proto h1|h2`: the mux of HTTP checks; undefined: the server's `proto`. */
  readonly proto?: 'h1' | 'h2' | undefined;
}

/** `observe`: layer4 judges connection attempts; layer7 (http mode only) also HTTP responses. */
export type ObserveMode = 'layer4' | 'layer7';

/** `on-error`: HAProxy's HANA_ONERR_* actions. */
export type OnErrorMode = 'fastinter' | 'fail-check' | 'sudden-death' | 'mark-down';

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

/** `option originalto [except NETWORK] [header NAME]`. */
export interface OriginalToOption {
  /** Lower-case header name; default "x-original-to". */
  readonly header: string;
  /** Destination network (as written) whose connections get no header. */
  readonly except: string | undefined;
}

/** HTTP behaviour set on a frontend or a backend; both sides' settings combine per request. */
export interface HttpProxyOptions {
  readonly connectionMode: HttpConnectionMode;
  readonly forwardFor: ForwardForOption | undefined;
  /** Present only when set. */
  readonly originalTo?: OriginalToOption | undefined;
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

/** `balance ALGO [ARGS]`; HAProxy's default is roundrobin. */
export type BalanceModel =
  | { readonly algorithm: 'roundrobin' | 'static-rr' | 'leastconn' | 'first' | 'source' }
  /** `balance uri [len N] [depth N] [whole] [path-only]`. */
  | {
      readonly algorithm: 'uri';
      /** Hash only the first N characters (0 = all). */
      readonly len: number;
      /** Hash only the first N directories (0 = all). */
      readonly depth: number;
      /** Hash the query string too (`whole`). */
      readonly whole: boolean;
      /** Hash the path only, dropping scheme/authority of absolute-form targets (`path-only`). */
      readonly pathOnly: boolean;
    }
  /** `balance url_param NAME [check_post]` (check_post changes nothing, as in HAProxy 2.6: POST bodies are always looked into). */
  | { readonly algorithm: 'url_param'; readonly param: string }
  /** `balance hdr(NAME) [use_domain_only]`; name lower-cased. */
  | { readonly algorithm: 'hdr'; readonly header: string; readonly useDomainOnly: boolean }
  /** `balance random[(N)]`: power of N choices, default 2. */
  | { readonly algorithm: 'random'; readonly draws: number }
  /** `balance hash EXPR`: a sample expression as written (e.g. `req.hdr(host)`, `src`, `path`). */
  | { readonly algorithm: 'hash'; readonly expression: string }
  /** `balance rdp-cookie[(NAME)]`: hash of the RDP connection request's cookie NAME (default `mstshash`). */
  | { readonly algorithm: 'rdp-cookie'; readonly cookie: string };

export type HashFunctionName = 'sdbm' | 'djb2' | 'wt6' | 'crc32' | 'none';

/** `hash-type map-based|consistent [FUNCTION] [avalanche]`; HAProxy's default is map-based sdbm. */
export interface HashTypeModel {
  readonly method: 'map-based' | 'consistent';
  readonly function: HashFunctionName;
  readonly avalanche: boolean;
}

/** `cookie NAME insert|rewrite|prefix [indirect] [nocache] [httponly] [secure] [domain D]* [maxidle T] [maxlife T] [preserve] [postonly]`. */
export interface CookieModel {
  readonly name: string;
  /** `passive`: no mode word, the servers set the cookie themselves (the proxy only reads it, and with `indirect` removes it from direct hits' responses). */
  readonly mode: 'insert' | 'rewrite' | 'prefix' | 'passive';
  readonly indirect: boolean;
  readonly nocache: boolean;
  readonly httponly: boolean;
  readonly secure: boolean;
  readonly postonly: boolean;
  readonly preserve: boolean;
  readonly domains: readonly string[];
  /** ms; undefined = no limit. insert mode only (HAProxy stores dates in the cookie value). */
  readonly maxidle: number | undefined;
  readonly maxlife: number | undefined;
  /** `attr VALUE`s joined by "; ", appended to every inserted Set-Cookie. */
  readonly attrs?: string | undefined;
  /** `dynamic`: servers without `cookie VALUE` get one from the backend's dynamicCookieKey. */
  readonly dynamic?: boolean | undefined;
  readonly source: SourceLocation;
}

/** A stick table's stored data types (HAProxy's stktable_data_types); `*_rate` ones take a period. */
export type StickDataTypeName =
  | 'server_id' | 'gpt0' | 'gpc0' | 'gpc0_rate' | 'conn_cnt' | 'conn_rate' | 'conn_cur' | 'sess_cnt' | 'sess_rate'
  | 'http_req_cnt' | 'http_req_rate' | 'http_err_cnt' | 'http_err_rate' | 'bytes_in_cnt' | 'bytes_in_rate'
  | 'bytes_out_cnt' | 'bytes_out_rate' | 'gpc1' | 'gpc1_rate' | 'http_fail_cnt' | 'http_fail_rate'
  | 'gpt' | 'gpc' | 'gpc_rate';

/** One `store` item: a data type and, for a rate, its period. */
export interface StickStoreModel {
  readonly type: StickDataTypeName;
  /** ms; rates only. */
  readonly period?: number | undefined;
  /** Elements of an array type (`gpc(N)`, `gpc_rate(N,P)`, `gpt(N)`: 1..100); others undefined. */
  readonly elements?: number | undefined;
}

/** `stick-table type ip|ipv6|integer|string [len N]|binary [len N] size N [expire T] [nopurge] [store ...]`. */
export interface StickTableModel {
  readonly type: 'ip' | 'ipv6' | 'integer' | 'string' | 'binary';
  /** Key length for string/binary (default 32). */
  readonly keyLength: number;
  /** Most entries kept; the least recently used is evicted (unless nopurge). */
  readonly size: number;
  /** ms since last use before an entry expires; undefined = never. */
  readonly expire: number | undefined;
  readonly nopurge: boolean;
  /** `store TYPE[(PERIOD)],...`: the data each entry keeps (src/stick/stick-data.ts); absent = none. */
  readonly store?: readonly StickStoreModel[] | undefined;
  /** `peers NAME`: the peers section keeping this table in sync with other processes (src/peers/). */
  readonly peers?: string | undefined;
  /** `srvkey name|addr`: how a stick rule names its server in the table (default name). */
  readonly srvkey?: 'name' | 'addr' | undefined;
  readonly source: SourceLocation;
}

/** `stick on|match|store-request|store-response EXPR [table NAME]`. */
export interface StickRuleModel {
  readonly kind: 'on' | 'match' | 'store-request' | 'store-response';
  /** Sample expression as written: `src`, `req.cookie(NAME)`, `req.hdr(NAME)`, `url_param(NAME)`, `path`... */
  readonly expression: string;
  /** Table's proxy name; undefined = this backend's own table. */
  readonly table: string | undefined;
  /** `if|unless COND`: the rule applies only when it holds (on the request; on the response for store-response). */
  readonly condition?: ConditionModel | undefined;
  readonly source: SourceLocation;
}

/** The options of an `http-check expect` rule (HAProxy's parse_tcpcheck_expect). */
export interface CheckExpectOptions {
  /** Accepted as HAProxy does; the whole response (up to the check buffer) is read before matching anyway. */
  readonly minRecv?: number | undefined;
  /** Appended to the check's info on failure (" comment: TEXT"). */
  readonly comment?: string | undefined;
  /** The check's status when the rule decides a pass / a failure / a timeout while waiting for it. */
  readonly okStatus?: TcpCheckStatusName | undefined;
  readonly errorStatus?: TcpCheckStatusName | undefined;
  readonly toutStatus?: TcpCheckStatusName | undefined;
  /** Log-format strings: the check's info on a pass / a failure. */
  readonly onSuccess?: string | undefined;
  readonly onError?: string | undefined;
  /** Sample expression: the check's code once the rule decided. */
  readonly statusCode?: string | undefined;
}

/** `http-check expect [!] status|rstatus|string|rstring|string-lf|hdr|fhdr PATTERN [options]`. */
export interface HttpCheckExpectModel extends CheckExpectOptions {
  readonly negate: boolean;
  /**
   * `set-var` / `unset-var` / `set-var-fmt`: an `http-check set-var(check.NAME) EXPR` line (or
   * `set-var-fmt(check.NAME) FMT`, `unset-var(check.NAME)`) written among the expects, run at its
   * place once the response arrived. `string-lf`: `string` with a log-format pattern.
   */
  readonly kind: 'status' | 'rstatus' | 'string' | 'rstring' | 'string-lf' | 'hdr' | 'fhdr' | 'set-var' | 'set-var-fmt' | 'unset-var';
  /** For `status`: a code, a list `200,301` or range `200-399` as written; for `hdr`/`fhdr`: the name pattern; for set/unset-var: the variable (`check.NAME`). */
  readonly pattern: string;
  /** `hdr|fhdr name [-m M] NAME [value [-m M] VALUE]`: how the name and the value match. */
  readonly header?: HttpCheckHeaderExpect | undefined;
  /** `set-var`: the sample expression; `set-var-fmt`: the log-format string. */
  readonly expression?: string | undefined;
}

export type HttpCheckMatch = 'str' | 'beg' | 'end' | 'sub' | 'reg';

export interface HttpCheckHeaderExpect {
  readonly nameMatch: HttpCheckMatch;
  readonly valueMatch: HttpCheckMatch;
  /** undefined: any header whose name matches passes. */
  readonly value: string | undefined;
  /** `name-lf` / `value-lf`: the pattern is a log-format string built for each check. */
  readonly nameFormat?: boolean | undefined;
  readonly valueFormat?: boolean | undefined;
}

/** `option httpchk [METHOD] [URI] [VERSION]` plus `http-check send` / `http-check expect`. */
export interface HttpCheckModel {
  /** Default OPTIONS. */
  readonly method: string;
  /** Default "/". */
  readonly uri: string;
  /** Default "HTTP/1.0". */
  readonly version: string;
  /** `http-check send hdr NAME VALUE` (in order). */
  readonly headers: readonly (readonly [string, string])[];
  /** `http-check send body STRING`. */
  readonly body: string | undefined;
  /** All must pass, in order; empty = any 2xx/3xx status passes (HAProxy's default). */
  readonly expect: readonly HttpCheckExpectModel[];
  /** `uri-lf`: the URI is a log-format string built for each check. */
  readonly uriFormat?: boolean | undefined;
  /** `body-lf`: the body is a log-format string built for each check. */
  readonly bodyFormat?: boolean | undefined;
  /** `http-check connect` leading the rules; undefined: the implicit default connect. */
  readonly connect?: HttpCheckConnectModel | undefined;
  /** `set-var` / `unset-var` lines written before the `http-check send`: run before the request is built. */
  readonly before?: readonly HttpCheckExpectModel[] | undefined;
  /** The requests after the first, each opened by its own `http-check connect` (src/health/http-check-sequence.ts). */
  readonly next?: readonly HttpCheckSegmentModel[] | undefined;
}

/** `http-check connect ...`: tcp-check's connect, with `proto h1|h2` (the check's mux). */
export type HttpCheckConnectModel = Extract<TcpCheckRuleModel, { action: 'connect' }> & { readonly proto?: 'h1' | 'h2' | undefined };

/** One `http-check connect` + `send` + `expect`s of a check with several requests. */
export interface HttpCheckSegmentModel {
  readonly connect: HttpCheckConnectModel;
  readonly before: readonly HttpCheckExpectModel[];
  /** HAProxy's defaults for an `http-check send` not merged with `option httpchk`: OPTIONS / HTTP/1.0. */
  readonly method: string;
  readonly uri: string;
  readonly uriFormat: boolean;
  readonly version: string;
  /** Values are log-format strings (as every `http-check send hdr` value). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string | undefined;
  readonly bodyFormat: boolean;
  /** Empty only for the last segment: HAProxy's implicit `expect status 200-399` then applies. */
  readonly expect: readonly HttpCheckExpectModel[];
}

/** How a backend checks its `check` servers: a TCP connect, or an HTTP request. */
export interface HealthCheckModel {
  readonly kind: 'tcp' | 'http';
  /** Present when kind is http. */
  readonly http: HttpCheckModel | undefined;
  /** `option tcp-check` with `tcp-check` rules (kind tcp): the rule sequence, in order. */
  readonly tcpRules?: readonly TcpCheckRuleModel[] | undefined;
  /** `option redis-check`, `smtpchk`, ... (kind tcp): HAProxy's shipped rule set for the protocol. */
  readonly protocol?: ProtocolCheckModel | undefined;
  /** `option log-health-checks`: every check result change is logged. */
  readonly logHealthChecks?: boolean | undefined;
  /** `http-check send-state`: HTTP checks carry an X-Haproxy-Server-State header. */
  readonly sendState?: boolean | undefined;
  /** `http-check disable-on-404`: a 404 from a running server sets it stopping (NOLB). */
  readonly disableOn404?: boolean | undefined;
}

/** The status keywords of `tcp-check expect ok-status|error-status|tout-status`. */
export type TcpCheckStatusName = 'L4OK' | 'L4TOUT' | 'L4CON' | 'L6OK' | 'L6TOUT' | 'L6RSP' | 'L7OK' | 'L7OKC' | 'L7TOUT' | 'L7RSP' | 'L7STS';

/** One `tcp-check` line (comments included: they name the following rules in messages). */
export type TcpCheckRuleModel =
  | {
      readonly action: 'connect';
      /** `default`: the server's check address, port, TLS and PROXY settings. */
      readonly isDefault: boolean;
      readonly port: number | undefined;
      readonly addr: string | undefined;
      readonly sendProxy: boolean;
      readonly ssl: boolean;
      readonly sni: string | undefined;
      readonly alpn: string | undefined;
      readonly linger: boolean;
      readonly comment: string | undefined;
      /** `via-socks4`: through the server's `socks4` proxy (when it has one). */
      readonly viaSocks4?: boolean | undefined;
    }
  | {
      readonly action: 'send';
      /**
       * `send` (text, escapes already applied), `send-binary` (hex digits), `send-lf` /
       * `send-binary-lf` (log-format strings building text / hex digits for each check).
       */
      readonly encoding: 'string' | 'binary' | 'string-lf' | 'binary-lf';
      readonly data: string;
      readonly comment: string | undefined;
    }
  | {
      readonly action: 'expect';
      readonly negate: boolean;
      /** `string-lf` / `binary-lf`: the pattern is a log-format string (building hex digits for binary-lf). */
      readonly match: 'string' | 'rstring' | 'binary' | 'rbinary' | 'string-lf' | 'binary-lf';
      readonly pattern: string;
      /** `min-recv N`; -1 when not given. */
      readonly minRecv: number;
      readonly okStatus: TcpCheckStatusName | undefined;
      readonly errorStatus: TcpCheckStatusName | undefined;
      readonly toutStatus: TcpCheckStatusName | undefined;
      /** `on-success` / `on-error` log-format strings. */
      readonly onSuccess: string | undefined;
      readonly onError: string | undefined;
      readonly comment: string | undefined;
      /** `status-code EXPR`: the check's code once the rule decided. */
      readonly statusCode?: string | undefined;
    }
  | { readonly action: 'comment'; readonly comment: string }
  /**
   * `set-var(SCOPE.NAME) EXPR` / `set-var-fmt(SCOPE.NAME) FMT` / `unset-var(SCOPE.NAME)`: `name`
   * without its scope (absent: `check`); `expression` is set-var's sample expression or
   * set-var-fmt's log-format string.
   */
  | {
      readonly action: 'set-var' | 'set-var-fmt' | 'unset-var';
      readonly scope?: 'proc' | 'sess' | 'txn' | 'req' | 'res' | 'check' | undefined;
      readonly name: string;
      readonly expression?: string | undefined;
    };

/** A protocol check HAProxy builds from its own tcp-check rule sets. */
export type ProtocolCheckModel =
  | { readonly kind: 'redis' }
  | { readonly kind: 'ldap' }
  | { readonly kind: 'ssl-hello' }
  /** `option spop-check`: the SPOE HELLO exchange (health/tcp-check/spop.ts). */
  | { readonly kind: 'spop' }
  /** `option smtpchk [EHLO|HELO domain]`: the command sent after the banner (default `HELO localhost`). */
  | { readonly kind: 'smtp'; readonly command: string }
  | { readonly kind: 'pgsql'; readonly user: string }
  /** `option mysql-check [user U [post-41|pre-41]]`; without a user only the handshake is read. */
  | { readonly kind: 'mysql'; readonly user: string | undefined; readonly post41: boolean };

/** ACL pattern matching methods (`-m`). */
export type AclMatchMethod = 'found' | 'bool' | 'int' | 'ip' | 'bin' | 'str' | 'beg' | 'end' | 'sub' | 'reg' | 'dir' | 'dom' | 'len';

/** `acl NAME CRITERION [-i] [-m METHOD] [--] PATTERN...`, or an anonymous `{ CRITERION ... }` (name ''). */
export interface AclModel {
  readonly name: string;
  /** Fetch expression or ACL keyword as written: `path_beg`, `hdr(host)`, `req.hdr(x),lower`, `ssl_fc`. */
  readonly criterion: string;
  /** `-m METHOD`; undefined = implied by the criterion (`path_beg` = beg) or its type (string = str). */
  readonly method: AclMatchMethod | undefined;
  /** `-i`. */
  readonly ignoreCase: boolean;
  readonly patterns: readonly string[];
  /**
   * `-f FILE`s in order: `patterns` begins with their `count` patterns each (as read with the
   * configuration), before the inline ones; the compiled ACL reads the files' live references.
   */
  readonly files?: readonly AclPatternFileModel[] | undefined;
  readonly source: SourceLocation;
}

/** One `-f FILE` of an ACL (`map`: read as a two-column file, `-M`). */
export interface AclPatternFileModel {
  readonly path: string;
  readonly map: boolean;
  readonly count: number;
}

/** One term of a condition: a named ACL (or a predefined one such as METH_GET), or an anonymous one. */
export interface AclTermModel {
  readonly negate: boolean;
  readonly acl: string | AclModel;
}

/** `if|unless COND`: alternatives (`||`, `or`), each a list of terms that must all match. */
export interface ConditionModel {
  readonly kind: 'if' | 'unless';
  readonly anyOf: readonly (readonly AclTermModel[])[];
}

/** How `del-header NAME -m METHOD` matches header names (default str). */
export type HeaderNameMatch = 'str' | 'beg' | 'end' | 'sub' | 'reg';

/**
 * An `http-request` / `http-response` action that does not end the rule list: a header action,
 * a variable action, a request-line rewrite.
 */
export type HttpRuleModel =
  | HttpHeaderRuleModel
  | HttpVarRuleModel
  | HttpRequestLineRuleModel
  | HttpStickRuleModel
  | HttpCaptureRuleModel
  | HttpStreamRuleModel
  | HttpStrictModeRuleModel
  | HttpMapRuleModel;

/**
 * Stick counter actions (src/stick/): `track-sc0|1|2 KEY [table T]`, `sc-inc-gpc0|1(N)`,
 * `sc-set-gpt0(N) VALUE`. `table` undefined = the rule's own proxy's table.
 */
export type HttpStickRuleModel =
  | {
      readonly action: 'track-sc';
      /** 0..2 */
      readonly slot: number;
      /** A sample expression giving the key (`src`, `req.hdr(x-api-key)`...). */
      readonly key: string;
      readonly table: string | undefined;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | { readonly action: 'sc-inc-gpc0' | 'sc-inc-gpc1'; readonly slot: number; readonly condition: ConditionModel | undefined; readonly source: SourceLocation }
  | {
      readonly action: 'sc-set-gpt0';
      readonly slot: number;
      /** An integer, or a sample expression cast to one. */
      readonly value: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  /** `sc-inc-gpc(I,N)`: element I of the gpc/gpc_rate arrays of what slot N tracks. */
  | { readonly action: 'sc-inc-gpc'; readonly index: number; readonly slot: number; readonly condition: ConditionModel | undefined; readonly source: SourceLocation }
  /** `sc-set-gpt(I,N) VALUE`: element I of the gpt array. */
  | {
      readonly action: 'sc-set-gpt';
      readonly index: number;
      readonly slot: number;
      readonly value: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    };

/** An `http-request` / `http-response` header action. Formats are log-format strings as written. */
export type HttpHeaderRuleModel =
  | {
      readonly action: 'set-header' | 'add-header';
      readonly header: string;
      readonly format: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | {
      readonly action: 'del-header';
      readonly header: string;
      readonly match: HeaderNameMatch;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | {
      readonly action: 'replace-header' | 'replace-value';
      readonly header: string;
      /** Matched case-sensitively against each value; `\1`... in the format refer to its groups. */
      readonly regex: string;
      readonly format: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    };

/** set-var conditions (`set-var(txn.x,ifnotexists)`). */
export type VarConditionModel = 'ifexists' | 'ifnotexists' | 'ifempty' | 'ifnotempty' | 'ifset' | 'ifnotset' | 'ifgt' | 'iflt';

/** `set-var(VAR[,COND...]) EXPR`, `set-var-fmt(VAR[,COND...]) FMT`, `unset-var(VAR)`; VAR is `scope.name`. */
export type HttpVarRuleModel =
  | {
      readonly action: 'set-var';
      readonly variable: string;
      readonly conditions: readonly VarConditionModel[];
      /** A sample expression (`req.hdr(host),lower`); the variable keeps the type it gives. */
      readonly expression: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | {
      readonly action: 'set-var-fmt';
      readonly variable: string;
      readonly conditions: readonly VarConditionModel[];
      /** A log-format string; the variable is a string. */
      readonly format: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | { readonly action: 'unset-var'; readonly variable: string; readonly condition: ConditionModel | undefined; readonly source: SourceLocation };

/** `http-request normalize-uri` normalizers (HAProxy 2.6). */
export type UriNormalizerModel =
  | 'path-merge-slashes'
  | 'path-strip-dot'
  | 'path-strip-dotdot'
  | 'path-strip-dotdot-full'
  | 'percent-decode-unreserved'
  | 'percent-decode-unreserved-strict'
  | 'percent-to-uppercase'
  | 'percent-to-uppercase-strict'
  | 'query-sort-by-name'
  | 'fragment-strip'
  | 'fragment-encode';

/** The `http-request` actions rewriting the request line. Formats are log-format strings. */
export type HttpRequestLineRuleModel =
  | {
      readonly action: 'set-method' | 'set-path' | 'set-pathq' | 'set-query' | 'set-uri';
      readonly format: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | {
      readonly action: 'replace-path' | 'replace-pathq' | 'replace-uri';
      /** Matched against the path (without, or with its query) or the whole URI; the format replaces it all. */
      readonly regex: string;
      readonly format: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | { readonly action: 'normalize-uri'; readonly normalizer: UriNormalizerModel; readonly condition: ConditionModel | undefined; readonly source: SourceLocation };

/** The global `set-var proc.NAME EXPR` / `set-var-fmt proc.NAME FMT`, applied when a generation starts. */
export interface GlobalSetVarModel {
  readonly variable: string;
  readonly conditions: readonly VarConditionModel[];
  /** A sample expression (expr) or a log-format string (fmt), of constant fetches only. */
  readonly kind: 'expr' | 'fmt';
  readonly value: string;
  readonly source: SourceLocation;
}

/**
 * A local reply (HAProxy's `struct http_reply`) of `http-request deny|return`: status, optional
 * `content-type`, payload and `hdr NAME FMT` headers.
 */
export interface HttpReplyModel {
  readonly status: number;
  /** Sent with a non-empty payload only (HAProxy drops it otherwise, with a warning). */
  readonly contentType: string | undefined;
  /**
   * `errorpage`: the proxy's page for the status (deny without payload, `default-errorfiles`);
   * `none`: no payload (content-length: 0); `string` / `lf-string`: the payload as written;
   * the others come from files read when the configuration loads (see ReplyBodyFromFile).
   */
  readonly body:
    | { readonly kind: 'errorpage' }
    | { readonly kind: 'none' }
    | { readonly kind: 'string'; readonly text: string }
    | { readonly kind: 'lf-string'; readonly format: string }
    | ReplyBodyFromFile;
  /** `hdr NAME FMT`, in order (never content-length, transfer-encoding or content-type). */
  readonly headers: readonly { readonly name: string; readonly format: string }[];
}

/**
 * Reply payloads read from files. File contents are kept as latin1 strings (one character per
 * byte), so any byte survives and the model stays plain data.
 *
 * - `errorfile`: a whole HTTP response sent as HAProxy sends errorfiles (`errorfile CODE FILE`,
 *   `errorloc`, `http-errors` sections, the `errorfile`/`errorfiles` reply arguments); an empty
 *   `content` answers nothing and closes. `path` names the file (`errorloc302 URL` for errorloc).
 * - `file`: a payload sent as it is (`file FILE`).
 * - `lf-file`: a log-format payload read from a file (`lf-file FILE`), as UTF-8 text.
 * - `errorfiles`: `errorfiles NAME` before the configuration is resolved; loading replaces it
 *   with the section's `errorfile` for the status, or `none` when the section has none.
 */
export type ReplyBodyFromFile =
  | { readonly kind: 'errorfile'; readonly path: string; readonly content: string }
  | { readonly kind: 'file'; readonly path: string; readonly content: string }
  | { readonly kind: 'lf-file'; readonly path: string; readonly format: string }
  | { readonly kind: 'errorfiles'; readonly name: string };

/**
 * The reply a proxy gives for a status instead of HAProxy's built-in page (`errorfile`,
 * `errorloc`, `errorfiles`, `http-error`, defaults inherited), used for the errors the proxy
 * generates and for deny/return rules without their own payload.
 */
export interface ProxyErrorReply {
  readonly status: number;
  readonly reply: HttpReplyModel;
}

/** HAProxy's redirect rule (`http-request redirect` and the `redirect` keyword). */
export interface RedirectModel {
  readonly type: 'location' | 'prefix' | 'scheme';
  /** A log-format string (`http-request redirect`) or a literal (the `redirect` keyword). */
  readonly destination: string;
  readonly logFormat: boolean;
  readonly code: 301 | 302 | 303 | 307 | 308;
  readonly dropQuery: boolean;
  readonly appendSlash: boolean;
  /** `ignore-empty`: a location format that evaluates empty does not redirect. */
  readonly ignoreEmpty: boolean;
  /** `set-cookie NAME[=VALUE]` (set true) or `clear-cookie NAME[=]` (set false). */
  readonly cookie: { readonly value: string; readonly set: boolean } | undefined;
}

/**
 * `http-request` / `http-response` actions other than header edits: those that end the rule
 * list (HAProxy's final actions) and those that change the message's start line.
 */
export type HttpFinalRuleModel =
  | {
      /** `set-timeout server|tunnel VALUE|EXPR`: this transaction's timeout (ms, or an int expression). */
      readonly action: 'set-timeout';
      readonly timeout: 'server' | 'tunnel';
      readonly value: number | undefined;
      readonly expression: string | undefined;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | {
      /** `http-request cache-use NAME` / `http-response cache-store NAME` (src/cache/). */
      readonly action: 'cache-use' | 'cache-store';
      readonly cache: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | {
      /** `use-service NAME`: an internal service (HAProxy's applet) answers the request. */
      readonly action: 'use-service';
      readonly service: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | DoResolveRuleModel
  | {
      /**
       * `wait-for-body time TIME [at-least BYTES]`: the rules wait until the whole body arrived,
       * the buffer is full or BYTES came (0: the whole body); past TIME, 408 (request) or 504.
       */
      readonly action: 'wait-for-body';
      readonly time: number;
      readonly atLeast: number;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | SetLogLevelRuleModel
  | SetNiceRuleModel
  | {
      readonly action: 'set-status';
      readonly status: number;
      /** The reason phrase; HAProxy's for the status when undefined. */
      readonly reason: string | undefined;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | { readonly action: 'allow'; readonly condition: ConditionModel | undefined; readonly source: SourceLocation }
  | {
      /** `tarpit`: a denial answered only after `timeout tarpit`. */
      readonly action: 'deny' | 'return' | 'tarpit';
      readonly reply: HttpReplyModel;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | {
      readonly action: 'redirect';
      readonly redirect: RedirectModel;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | {
      /** `http-request auth [realm REALM]`: 401 with `WWW-Authenticate: Basic realm="REALM"`. */
      readonly action: 'auth';
      /** The realm sent (the rule's proxy's name when the rule names none). */
      readonly realm: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    };

/** `use_backend NAME [if|unless COND]`: NAME is a backend name or a log-format string. */
export interface SwitchingRuleModel {
  readonly backend: string;
  /** True when `backend` holds `%[...]` and is resolved per request. */
  readonly dynamic: boolean;
  readonly condition: ConditionModel | undefined;
  readonly source: SourceLocation;
}

/**
 * The ACLs, HTTP and tcp rules of the named defaults section a frontend or backend inherits from
 * (HAProxy 2.5+): they run before the proxy's own rules of each list, as one list (an `allow`
 * among them ends the proxy's evaluation too), and their conditions see only the defaults'
 * ACLs. A listen, or a defaults section, cannot inherit rules; frontends and backends cannot
 * share such a defaults section.
 */
export interface DefaultRulesModel {
  /** The defaults section's name. */
  readonly name: string;
  readonly acls: readonly AclModel[];
  readonly httpRequestRules: readonly (HttpRuleModel | HttpFinalRuleModel)[];
  readonly httpResponseRules: readonly (HttpRuleModel | HttpFinalRuleModel)[];
  readonly httpAfterResponseRules: readonly (HttpRuleModel | HttpFinalRuleModel)[];
  /** Its `tcp-request` / `tcp-response content` rules (the inspect delays are inherited as values). */
  readonly tcpRules?: Pick<TcpRulesModel, 'connection' | 'session' | 'content' | 'response'> | undefined;
}

/** A proxy's ACLs and HTTP rules (both sides of a `listen` carry the same ones). */
export interface HttpRulesModel {
  /** The rules of the named defaults section this proxy inherits from, run before its own. */
  readonly defaultRules?: DefaultRulesModel | undefined;
  /** Every `acl` line, in order; several lines with one name OR together. */
  readonly acls?: readonly AclModel[] | undefined;
  readonly httpRequestRules?: readonly (HttpRuleModel | HttpFinalRuleModel)[] | undefined;
  readonly httpResponseRules?: readonly (HttpRuleModel | HttpFinalRuleModel)[] | undefined;
  /** `http-after-response` rules: every response, the proxy's own included, just before it leaves. */
  readonly httpAfterResponseRules?: readonly (HttpRuleModel | HttpFinalRuleModel)[] | undefined;
  /** The `redirect` keyword's rules, run after the proxy's `http-request` rules. */
  readonly redirectRules?: readonly { readonly redirect: RedirectModel; readonly condition: ConditionModel | undefined; readonly source: SourceLocation }[] | undefined;
  /** The map and ACL pattern files the configuration names (path -> text), read when it loaded. */
  readonly patternFiles?: Readonly<Record<string, string>> | undefined;
  /** The proxy's error replies by status (both halves of a `listen` carry the same ones). */
  readonly errorReplies?: readonly ProxyErrorReply[] | undefined;
  /** `tcp-request` / `tcp-response` rules and inspect delays; undefined when the proxy has none. */
  readonly tcpRules?: TcpRulesModel | undefined;
}

/**
 * `http-request|tcp-request content do-resolve(VAR,RESOLVERS[,ipv4|ipv6]) EXPR`: the rules wait
 * while the name EXPR gives is resolved through the section, then VAR holds its address (unset on failure).
 */
export interface DoResolveRuleModel {
  readonly action: 'do-resolve';
  readonly variable: string;
  readonly resolvers: string;
  /** `ipv4`: A first; `ipv6` (HAProxy's default): AAAA first. */
  readonly preferIPv4: boolean;
  readonly expression: string;
  readonly condition: ConditionModel | undefined;
  readonly source: SourceLocation;
}

/** `set-log-level LEVEL` (http and tcp content rules): the level of the stream's log line (`silent`: none). */
export interface SetLogLevelRuleModel {
  readonly action: 'set-log-level';
  readonly level: 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug' | 'silent';
  readonly condition: ConditionModel | undefined;
  readonly source: SourceLocation;
}

/**
 * `set-nice N` (http and tcp content rules): HAProxy's scheduler priority of the stream's task,
 * -1024..1024. Switchyard has no task scheduler: the rule runs and changes nothing (a startup notice says so).
 */
export interface SetNiceRuleModel {
  readonly action: 'set-nice';
  readonly nice: number;
  readonly condition: ConditionModel | undefined;
  readonly source: SourceLocation;
}

/** The rule sets of `tcp-request connection|session|content` and `tcp-response content`. */
export type TcpRuleSet = 'connection' | 'session' | 'content' | 'response';

/** A tcp rule: a verdict, an address rewrite, or a variable action (the http rules' models). */
export type TcpRuleModel =
  | {
      readonly action: 'accept' | 'reject' | 'close' | 'expect-proxy' | 'expect-netscaler-cip' | 'switch-mode-http' | 'silent-drop';
      /** `switch-mode http proto h1|h2`: the mux the connection is served with (default: h2 on its preface, else h1). */
      readonly proto?: 'h1' | 'h2' | undefined;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | {
      readonly action: 'set-src' | 'set-dst' | 'set-src-port' | 'set-dst-port';
      readonly expression: string;
      readonly condition: ConditionModel | undefined;
      readonly source: SourceLocation;
    }
  | HttpVarRuleModel
  | HttpStickRuleModel
  | DoResolveRuleModel
  | PriorityRuleModel
  | SetLogLevelRuleModel
  | SetNiceRuleModel
  | TcpCaptureRuleModel;

export interface TcpRulesModel {
  readonly connection: readonly TcpRuleModel[];
  readonly session: readonly TcpRuleModel[];
  readonly content: readonly TcpRuleModel[];
  readonly response: readonly TcpRuleModel[];
  /** `tcp-request inspect-delay` (ms); undefined = content rules decide on what the first read brought. */
  readonly inspectDelay?: number | undefined;
  /** `tcp-response inspect-delay` (ms). */
  readonly responseInspectDelay?: number | undefined;
}

export interface FrontendOptions {
  readonly tcplog: boolean;
  /** `option httplog` (`option httplog clf` too: then `logFormat` holds the CLF format). */
  readonly httplog?: boolean | undefined;
  readonly dontlognull: boolean;
  /** `option logasap`: log as soon as the response head is known (tcp: the server connected). */
  readonly logasap?: boolean | undefined;
  /**
   * `option contstats`: the stream's byte counts as its rules see them (`%B`, `%U` in a rule's
   * value) are those so far, not 0 until the end. (The stats page's counters always are.)
   */
  readonly contstats?: boolean | undefined;
  /** `option dontlog-normal`: log only errors, retries, redispatches and 5xx. */
  readonly dontlogNormal?: boolean | undefined;
  /** `option log-separate-errors`: errors are logged at level `err` instead of `info`. */
  readonly logSeparateErrors?: boolean | undefined;
  /** `option http-buffer-request`: the request's analysers wait for its body, or a full buffer, first. */
  readonly bufferRequest?: boolean | undefined;
  /** `option socket-stats`: per-listener counters (the exporter's `haproxy_listener_*`). */
  readonly socketStats?: boolean | undefined;
  /** `option disable-h2-upgrade`: an HTTP/1 connection never turns HTTP/2 on the preface. */
  readonly disableH2Upgrade?: boolean | undefined;
  /** `option http-ignore-probes`: a connection that sent nothing is closed without a 400/408 and without a log. */
  readonly ignoreProbes?: boolean | undefined;
  /**
   * `option idle-close-on-response`: a soft stop leaves the idle HTTP/1 connections open until
   * their next request, whose response says `Connection: close` (or their own timeout).
   */
  readonly idleCloseOnResponse?: boolean | undefined;
  /**
   * `option abortonclose` reached the frontend from a defaults section (or a listen): HAProxy
   * then keeps reading the client after a complete request, so it sees a FIN in time for the
   * backend's abortonclose to act; a frontend without it notices the FIN only after the response.
   */
  readonly abortOnClose?: boolean | undefined;
  /** `option http-restrict-req-hdr-names delete|reject` (absent: preserve), applied after this proxy's http-request rules. */
  readonly restrictHeaderNames?: 'delete' | 'reject' | undefined;
  /** `option independent-streams`: the client's read timeout is not refreshed by data sent to it. */
  readonly independentStreams?: boolean | undefined;
  /** `option accept-invalid-http-request`: the H1 request parser's relaxations (head-parser.ts `relaxed`). */
  readonly acceptInvalidRequest?: boolean | undefined;
  /** `option http-use-proxy-header`: a proxied request (target not starting with '/' or '*') uses Proxy-Authorization / 407. */
  readonly useProxyHeader?: boolean | undefined;
  /** `option h1-case-adjust-bogus-client`: HTTP/1 responses spell the global `h1-case-adjust` names their way. */
  readonly h1CaseAdjustBogusClient?: boolean | undefined;
}

/** HAProxy's compression algorithms (`compression algo`). */
export type CompressionAlgo = 'identity' | 'gzip' | 'deflate' | 'raw-deflate';

/** `compression algo|type|offload` of one proxy (HAProxy's struct comp; src/http/compression/). */
export interface CompressionModel {
  /** In HAProxy's list order: each `compression algo` word goes first, so the last declared comes first. */
  readonly algos: readonly CompressionAlgo[];
  /** `compression type` prefixes, in HAProxy's list order (the last declared first). */
  readonly types: readonly string[];
  /** `compression offload`: Accept-Encoding is removed from requests once an algorithm is chosen. */
  readonly offload: boolean;
}

/** `monitor-uri URI` + `monitor fail if|unless COND` (HAProxy's monitor requests, mode http). */
export interface MonitorModel {
  /** undefined: only `monitor fail` lines were given (they then do nothing, as in HAProxy). */
  readonly uri: string | undefined;
  readonly fail: readonly ConditionModel[];
}

export interface FrontendModel extends HttpRulesModel {
  /** `option clitcpka` / `clitcpka-*` / `option nolinger`: options of accepted connections; absent when none. */
  readonly clientSocket?: TcpSocketModel | undefined;
  /** `compression ...` lines (the response compression filter); absent when none. */
  readonly compression?: CompressionModel | undefined;
  /** `filter NAME` lines in declaration order (the response filters, src/stream/response-filter.ts). */
  readonly filters?: readonly string[] | undefined;
  /** `monitor-uri` / `monitor fail`: answered before any rule; absent when not configured. */
  readonly monitor?: MonitorModel | undefined;
  readonly name: string;
  /** HAProxy's proxy uuid (`fe_id`): 1, 2... over the proxies in declaration order (a listen counts once); absent in hand-built models. */
  readonly id?: number | undefined;
  readonly mode: ProxyMode;
  readonly binds: readonly BindModel[];
  readonly defaultBackend: string | undefined;
  /** The frontend's own `stick-table` (a `listen` has one table, also on its backend side). */
  readonly stickTable?: StickTableModel | undefined;
  /** `use_backend` rules in order; the first whose condition matches picks the backend. */
  readonly switchingRules?: readonly SwitchingRuleModel[] | undefined;
  /** 0 = only the global limit applies. */
  readonly maxconn: number;
  /** `rate-limit sessions N`: new sessions per second the frontend accepts (fe_sps_lim); absent or 0 = none. */
  readonly rateLimitSessions?: number | undefined;
  /** `max-session-srv-conns N`: idle private server connections one client session keeps (HAProxy's MAX_SRV_LIST, 5, when undefined). */
  readonly maxSessionSrvConns?: number | undefined;
  /**
   * `backlog N`: the listen queue of binds without their own `backlog`; undefined = maxconn's
   * (see proxy/listener-backlog.ts).
   */
  readonly backlog?: number | undefined;
  readonly timeouts: Timeouts;
  readonly options: FrontendOptions;
  /** HTTP settings (mode http); defaults: keep-alive, no forwardfor. */
  readonly http?: HttpProxyOptions | undefined;
  /** `log global` or explicit targets; empty = no logging for this proxy. */
  readonly logs: readonly LogTarget[];
  /**
   * The log-format of traffic lines: `log-format`, or the format `option httplog [clf]` /
   * `option tcplog` stands for. Undefined: `options.httplog` / `options.tcplog` decide.
   */
  readonly logFormat?: string | undefined;
  /** `error-log-format`: for the errors HAProxy's H1 layer reports itself (400, 408, 501). */
  readonly errorLogFormat?: string | undefined;
  /** `unique-id-format`: the `unique-id` fetch and %ID. */
  readonly uniqueIdFormat?: string | undefined;
  /** `log-format-sd`: the STRUCTURED-DATA field of the frontend's rfc5424 lines ('-' when undefined). */
  readonly logFormatSd?: string | undefined;
  /** `unique-id-header`: request header carrying the unique id to the server. */
  readonly uniqueIdHeader?: string | undefined;
  /** `capture ...`, `declare capture`, `http-request capture ... len N` slots (capture-model.ts). */
  readonly captures?: CapturesModel | undefined;
  readonly disabled: boolean;
  /** `description TEXT` (shown by the stats page). */
  readonly description?: string | undefined;
  /** `log-tag`: the syslog tag of this proxy's lines (the global one when undefined). */
  readonly logTag?: string | undefined;
  /** `stats enable`, `stats uri`...: the stats page this proxy serves (stats-page-model.ts). */
  readonly stats?: StatsPageModel | undefined;
  readonly source: SourceLocation;
}

export interface BackendOptions {
  readonly redispatch: boolean;
  /** `option allbackups`: use every UP backup server (not only the first) when no active one is UP. */
  readonly allBackups?: boolean | undefined;
  /** `option persist`: keep cookie/stick persistence to a DOWN server. */
  readonly persist?: boolean | undefined;
  /** `option http-buffer-request`: the backend's request rules wait for the body, or a full buffer, first. */
  readonly bufferRequest?: boolean | undefined;
  /**
   * `option abortonclose`: a client that closes its side (FIN) while its request waits in a
   * queue or for a connection aborts it; while the server works on it, the FIN is passed on.
   */
  readonly abortOnClose?: boolean | undefined;
  /** `option http-restrict-req-hdr-names delete|reject` (absent: preserve), applied after this proxy's http-request rules. */
  readonly restrictHeaderNames?: 'delete' | 'reject' | undefined;
  /**
   * `option prefer-last-server` (mode http): a request goes to the server of a connection its
   * client session already holds (HAProxy's sess->srv_list), while that server is usable.
   */
  readonly preferLastServer?: boolean | undefined;
  /** `option accept-invalid-http-response`: the H1 response parser's relaxations (head-parser.ts `relaxed`). */
  readonly acceptInvalidResponse?: boolean | undefined;
  /**
   * `option http-pretend-keepalive`: HTTP/1 requests to servers never carry `Connection: close`
   * (an HTTP/1.0 one gets `keep-alive`), even where the connection closes after the response.
   */
  readonly pretendKeepAlive?: boolean | undefined;
  /**
   * `option checkcache`: a response a shared cache could keep with the cookie its server sets is
   * blocked (502, as `http-response deny`), with HAProxy's alert.
   */
  readonly checkCache?: boolean | undefined;
  /** `option independent-streams`: the server's read timeout is not refreshed by data sent to it. */
  readonly independentStreams?: boolean | undefined;
  /** `option h1-case-adjust-bogus-server`: HTTP/1 requests spell the global `h1-case-adjust` names their way. */
  readonly h1CaseAdjustBogusServer?: boolean | undefined;
}

export interface BackendHttpOptions extends HttpProxyOptions {
  /** Default "safe". */
  readonly reuse: HttpReuseMode;
  /** Default ["conn-failure"]. */
  readonly retryOn: readonly RetryOnEvent[];
}

export interface BackendModel extends HttpRulesModel {
  /** `option srvtcpka` / `srvtcpka-*` / `option nolinger`: options of server connections; absent when none. */
  readonly serverSocket?: TcpSocketModel | undefined;
  /** `use-fcgi-app NAME`: the section its `proto fcgi` servers speak for (src/mux/fcgi-server.ts). */
  readonly fcgiApp?: FcgiAppModel | undefined;
  /** As FrontendModel's. */
  readonly compression?: CompressionModel | undefined;
  readonly filters?: readonly string[] | undefined;
  readonly name: string;
  /** HAProxy's proxy uuid (`be_id`), as FrontendModel's. */
  readonly id?: number | undefined;
  /** The `id` was written (HAProxy's PR_O_FORCED_ID: `show servers state`'s bk_f_forced_id). */
  readonly forcedId?: boolean | undefined;
  readonly mode: ProxyMode;
  readonly balance: BalanceModel;
  /** Default map-based sdbm without avalanche. */
  readonly hashType?: HashTypeModel | undefined;
  /** `hash-balance-factor F` (> 100): bounded loads for `hash-type consistent` and `balance random`; off when undefined. */
  readonly hashBalanceFactor?: number | undefined;
  /** `max-keep-alive-queue N`: prefer-last-server keeps a full server only while fewer than N sessions wait in its queue; no limit when undefined. */
  readonly maxKeepAliveQueue?: number | undefined;
  readonly servers: readonly ServerModel[];
  /** `cookie NAME ...` persistence (mode http). */
  readonly cookie?: CookieModel | undefined;
  /** `persist rdp-cookie[(NAME)]`: the cookie name (src/stick/rdp-cookie-persistence.ts). */
  readonly rdpCookiePersist?: string | undefined;
  /** `dynamic-cookie-key KEY`: the secret of `cookie ... dynamic` (src/proxy/dynamic-cookie.ts). */
  readonly dynamicCookieKey?: string | undefined;
  /** This backend's `stick-table`. */
  readonly stickTable?: StickTableModel | undefined;
  /** `stick ...` rules in order. */
  readonly stickRules?: readonly StickRuleModel[] | undefined;
  /** `use-server NAME if|unless COND` rules in order. */
  readonly serverRules?: readonly { readonly server: string; readonly condition: ConditionModel; readonly source: SourceLocation }[] | undefined;
  /** `force-persist` and `ignore-persist` conditions, in order. */
  readonly persistRules?: readonly { readonly kind: 'force' | 'ignore'; readonly condition: ConditionModel; readonly source: SourceLocation }[] | undefined;
  /** How `check` servers are checked; default tcp connect. */
  readonly healthCheck?: HealthCheckModel | undefined;
  /**
   * `load-server-state-from-file global|local`: the state file its servers start from (the
   * global `server-state-file`, or its own under `server-state-base`); absent for `none`.
   */
  readonly loadServerState?: { readonly from: 'global' | 'local'; readonly path: string } | undefined;
  /** `email-alert`: server state changes at or above its level are mailed; absent when not (fully) configured. */
  readonly emailAlert?: EmailAlertModel | undefined;
  /** Log targets for server state changes (health checks), as the frontend's. */
  readonly logs?: readonly LogTarget[] | undefined;
  /** Connection attempts after the first; default 3. */
  readonly retries: number;
  /**
   * `fullconn N`, or HAProxy's default (a tenth of the maxconn of the frontends reaching the
   * backend, src/config/fullconn.ts): the load at which dynamic servers reach their maxconn.
   * Absent when a frontend reaching it has no limit (no maxconn there nor in global).
   */
  readonly fullconn?: number | undefined;
  readonly timeouts: Timeouts;
  readonly options: BackendOptions;
  /** HTTP settings (mode http); defaults: keep-alive, reuse safe, retry-on conn-failure. */
  readonly http?: BackendHttpOptions | undefined;
  readonly disabled: boolean;
  /** `description TEXT` (shown by the stats page). */
  readonly description?: string | undefined;
  /** `log-tag`: the syslog tag of this proxy's lines (the global one when undefined). */
  readonly logTag?: string | undefined;
  /** `http-send-name-header NAME` (lower-cased): the header naming the server the request goes to. */
  readonly sendNameHeader?: string | undefined;
  /**
   * Where connections go without a server, in a backend with no `balance` (HAProxy's
   * PR_O_DISPATCH / PR_O_TRANSP): `dispatch ADDR:PORT`, or `option transparent` (the client's
   * destination, as `set-dst` / `set-dst-port` may have changed it). Servers are then unused.
   */
  readonly direct?: DirectTargetModel | undefined;
  /** `source ADDR[:PORT]`: the local address of connections to servers that set none. */
  readonly connectSource?: ConnectSourceModel | undefined;
  /** The stats page, as the frontend's (a `listen`'s two halves share it). */
  readonly stats?: StatsPageModel | undefined;
  readonly source: SourceLocation;
}

export type DirectTargetModel = { readonly kind: 'dispatch'; readonly host: string; readonly port: number } | { readonly kind: 'transparent' };

/** An `h1-case-adjust` entry: <to> differs from <from> in case only. */
export interface HeaderCasePair {
  readonly from: string;
  readonly to: string;
}

/**
 * `cpu-map` lines, applied as HAProxy 2.6's cpu_map: the process's CPU set, and by thread index
 * (0 for thread 1) each thread's; an empty set binds nothing. A thread is bound to its set
 * intersected with the process's (to its own set when they do not intersect).
 */
export interface CpuMap {
  readonly process: readonly number[];
  readonly threads: readonly (readonly number[])[];
}

export interface GlobalModel {
  /** 0 = unlimited. */
  readonly maxconn: number;
  /** `maxconnrate N` / `maxsessrate N`: process-wide connections / sessions per second; absent or 0 = none. */
  readonly maxConnRate?: number | undefined;
  readonly maxSessRate?: number | undefined;
  /** `maxsslrate N`: connections accepted per second on `ssl` binds, process-wide; absent or 0 = none. */
  readonly maxSslRate?: number | undefined;
  /** `maxsslconn N`: TLS connections open at once, on binds and towards servers; absent or 0 = none. */
  readonly maxSslConn?: number | undefined;
  /** Accepted for compatibility; one event loop per process (see docs/configuration.md). */
  readonly nbthread: number;
  /** `cpu-map`: the CPUs the process and its threads are bound to; absent without one. */
  readonly cpuMap?: CpuMap | undefined;
  /**
   * `noreuseport`: listeners are opened without SO_REUSEPORT, so no other process binds the same
   * address beside them; a reload's new worker then binds once the old ones closed theirs.
   */
  readonly noReusePort?: boolean | undefined;
  /**
   * `pp2-never-send-local`: the PROXY v2 header of health checks is a PROXY command with the
   * check connection's addresses instead of a LOCAL one (src/health/check-probe.ts).
   */
  readonly pp2NeverSendLocal?: boolean | undefined;
  readonly logs: readonly LogTarget[];
  /** Grace period for a soft stop (SIGTERM/SIGINT/reload), ms. */
  readonly hardStopAfter: number | undefined;
  /**
   * `ca-base`, `crt-base`, `ssl-server-verify`: kept for the server lines `add server` parses at
   * run time, which take them as configured ones do.
   */
  readonly serverTlsDefaults?: { readonly caBase?: string | undefined; readonly crtBase?: string | undefined; readonly verify?: 'none' | 'required' | undefined } | undefined;
  /** `daemon` (as -D), `master-worker` (as -W), `pidfile` (as -p; the command line wins). */
  readonly daemon?: boolean | undefined;
  readonly masterWorker?: boolean | undefined;
  readonly pidFile?: string | undefined;
  /** `chroot DIR`: the serving process's root once its listeners are bound (a -W master keeps its own). */
  readonly chroot?: string | undefined;
  /** `user`/`uid`, `group`/`gid`: who the serving process becomes once its listeners are bound. */
  readonly identity?: ProcessIdentityModel | undefined;
  /** `unix-bind`: applied to UNIX `bind` lines while parsing; kept so that its names are checked at startup, used or not, as HAProxy does. */
  readonly unixBind?: { readonly prefix?: string | undefined; readonly mode?: number | undefined; readonly owner?: SocketOwnerModel | undefined } | undefined;
  /** `server-state-file`, joined to `server-state-base` when relative: the states `load-server-state-from-file global` applies. */
  readonly serverStateFile?: string | undefined;
  /** `localpeer NAME`: this process's name in `peers` sections when `-L` is not given. */
  readonly localPeer?: string | undefined;
  /** `set-var` / `set-var-fmt` lines, in order. */
  readonly setVars?: readonly GlobalSetVarModel[] | undefined;
  /** `tune.*` settings of the idle server connection pools; HAProxy's defaults when undefined. */
  readonly tune?: TuneModel | undefined;
  /** `stats socket` / `stats timeout` / `stats maxconn`: the runtime API (src/runtime-api/); none when undefined. */
  readonly stats?: StatsModel | undefined;
  /**
   * `h1-case-adjust FROM TO` lines, then the `h1-case-adjust-file` entries: the header names the
   * HTTP/1 muxes of the proxies with `option h1-case-adjust-bogus-client|server` rewrite.
   */
  readonly h1CaseAdjust?: readonly HeaderCasePair[] | undefined;
  /** `spread-checks`: each check interval randomly changed by up to ± this % (0..50); none when undefined. */
  readonly spreadChecks?: number | undefined;
  /** `max-spread-checks`, ms: the first checks start within this time at most (HAProxy's start_checks). */
  readonly maxSpreadChecks?: number | undefined;
  /** `ssl-load-extra-del-ext`: `.key` beside `foo.crt` is `foo.key` (and `set ssl cert foo.key` updates `foo.crt`). */
  readonly sslLoadExtraDelExt?: boolean | undefined;
  /** `node NAME`: the process's name in `show info` and on the stats page; the host's name when undefined. */
  readonly node?: string | undefined;
  /** `description TEXT`: `show info`'s description and the stats page's `show-desc` default. */
  readonly description?: string | undefined;
  /** `log-tag`: the syslog tag of the lines of proxies without their own; the program's name when undefined. */
  readonly logTag?: string | undefined;
  /** `log-send-hostname [NAME]`: the syslog header's host name ('' for the host's own name); none when undefined. */
  readonly logSendHostname?: string | undefined;
  /** The address each `log` target written with a host name resolved to at startup (src/log/log-hosts.ts), by target text. */
  readonly logHosts?: ReadonlyMap<string, { readonly family: 4 | 6; readonly address: string; readonly port: number }> | undefined;
  /** `quiet` (as -q) and `zero-warning` (as -dW): src/cli.ts. */
  readonly quiet?: boolean | undefined;
  readonly zeroWarning?: boolean | undefined;
  /** `tune.comp.maxlevel`, `tune.zlib.*`, `maxcomprate`, `maxzlibmem`; HAProxy's defaults when undefined. */
  readonly compression?: CompressionTuningModel | undefined;
  /** `ulimit-n N`: the file descriptors the process must be allowed (src/proxy/fd-limit.ts). */
  readonly ulimitN?: number | undefined;
  /**
   * HAProxy's global.rlimit_nofile: the soft file descriptor limit the process set at start
   * (`ulimit-n`, else maxsock; src/proxy/fd-limit.ts), show info's Ulimit-n. Unset where the
   * runtime cannot set it; -1 for unlimited, as HAProxy's int shows it.
   */
  readonly fdLimit?: number | undefined;
  /**
   * `port` and `agent-port` keywords read on `server` and `default-server` lines: HAProxy
   * reserves a file descriptor for each as it reads them, which the default `maxconn` counts
   * (src/proxy/ideal-maxconn.ts).
   */
  readonly portKeywords?: number | undefined;
  /**
   * HAProxy's global.maxsock: the sockets the configuration reserves, two per `maxconn`
   * connection and 3 per thread; set where the process loads its configuration
   * (src/proxy/ideal-maxconn.ts), which knows its role (a master-worker worker reserves more).
   */
  readonly maxsock?: number | undefined;
  /** `no strict-limits`: a limit the process cannot have is a warning, not a failure (HAProxy's default: strict). */
  readonly strictLimits?: boolean | undefined;
  /** `grace`, ms: how long a soft stop keeps the listeners open, the `stopping` fetch already true. */
  readonly grace?: number | undefined;
  /**
   * `close-spread-time`: the ms over which a soft stop closes the front connections, or
   * 'infinite' (it closes none of them); all at once when undefined (src/proxy/soft-stop-closing.ts).
   */
  readonly closeSpreadTime?: number | 'infinite' | undefined;
  /** `mworker-max-reloads N`: a worker still running after more than N reloads is told to stop (SIGTERM). */
  readonly mworkerMaxReloads?: number | undefined;
}

/** Access level of a runtime API session, HAProxy's ACCESS_LVL_* (each includes the ones before it). */
export type CliLevel = 'user' | 'operator' | 'admin';

/** Severity prefix of runtime API feedback messages (`severity-output`). */
export type SeverityOutput = 'none' | 'number' | 'string';

/** Where a `stats socket` listens: a UNIX socket path, or a TCP address. */
export type StatsSocketAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  /** `fd@N`: a listening socket inherited as descriptor N. */
  | { readonly kind: 'fd'; readonly fd: number };

/** One `stats socket` line of the global section. */
export interface StatsSocketModel {
  readonly address: StatsSocketAddress;
  /** `level`, HAProxy's default `operator`. */
  readonly level: CliLevel;
  /** `mode OCTAL`: permission bits of a UNIX socket file; the umask's when undefined. */
  readonly mode?: number | undefined;
  /** `user`/`uid`, `group`/`gid`: the owner of a UNIX socket file; the process's when undefined. */
  readonly owner?: SocketOwnerModel | undefined;
  readonly severityOutput: SeverityOutput;
  /** `expose-fd listeners`: accepted; nothing hands listening sockets over yet (see docs/runtime-api.md). */
  readonly exposeFdListeners: boolean;
  readonly source: SourceLocation;
}

/** The runtime API's settings (HAProxy's GLOBAL CLI frontend). */
export interface StatsModel {
  readonly sockets: readonly StatsSocketModel[];
  /** `stats timeout`, ms: idle time before a session is closed (HAProxy's default 10 s). */
  readonly timeout: number;
  /** `stats maxconn`: concurrent sessions per socket (HAProxy's default 10). */
  readonly maxconn: number;
}

export interface TuneModel {
  /** `tune.pool-low-fd-ratio` (default 20): % of fds in use above which a server keeps one idle connection at most. */
  readonly poolLowFdRatio: number;
  /** `tune.pool-high-fd-ratio` (default 25): % of fds in use above which no idle connection is kept. */
  readonly poolHighFdRatio: number;
  /** `tune.idle-pool.shared` (default on): accepted; one event loop means one pool either way. */
  readonly idlePoolShared: boolean;
  /** `tune.bufsize` (default 16384), rounded up to 16 bytes: see src/http/buffer-sizes.ts. */
  readonly bufsize?: number | undefined;
  /** `tune.maxrewrite` (default 1024; at most half the buffer). */
  readonly maxrewrite?: number | undefined;
  /** `tune.h2.max-concurrent-streams` (default 100, 0 = unlimited): streams an HTTP/2 client may have open at once. */
  readonly h2MaxConcurrentStreams?: number | undefined;
  /** `tune.h2.header-table-size` (default 4096): the HPACK table size we decode with. */
  readonly h2HeaderTableSize?: number | undefined;
  /** `tune.h2.initial-window-size` (default 65535): a stream's receive window. */
  readonly h2InitialWindowSize?: number | undefined;
  /** `tune.h2.max-frame-size` (accepted; announced at most 16384, as HAProxy caps it at tune.bufsize). */
  readonly h2MaxFrameSize?: number | undefined;
  /** `h2-workaround-bogus-websocket-clients`: extended CONNECT (RFC 8441) is not announced in our SETTINGS. */
  readonly h2NoExtendedConnect?: boolean | undefined;
}

export interface ConfigModel {
  readonly global: GlobalModel;
  /** Includes the frontend half of every `listen` section. */
  readonly frontends: readonly FrontendModel[];
  /** Includes the backend half of every `listen` section (same name as its frontend). */
  readonly backends: readonly BackendModel[];
  /** Non-fatal findings (e.g. missing timeouts), printed at startup like HAProxy's [WARNING]s. */
  readonly warnings: readonly ConfigDiagnostic[];
  /** Startup notices (HAProxy's [NOTICE]: `.notice`, tuning keywords with no counterpart here); not warnings. */
  readonly notices?: readonly ConfigDiagnostic[] | undefined;
  /** `userlist` sections, for `http_auth(NAME)` / `http_auth_group(NAME)`. */
  readonly userlists?: readonly UserlistModel[] | undefined;
  /** `resolvers` sections (DNS service discovery, src/dns/). */
  readonly resolvers?: readonly ResolversModel[] | undefined;
  /** `cache NAME` sections (`http-request cache-use`, `http-response cache-store`). */
  readonly caches?: readonly CacheModel[] | undefined;
  /** `ring NAME` sections, then the implicit rings of `log tcp@...` targets, in HAProxy's sink order. */
  readonly rings?: readonly RingModel[] | undefined;
  /** `log-forward NAME` sections in order. */
  readonly logForwards?: readonly LogForwardModel[] | undefined;
  /** `peers NAME` sections (src/peers/): stick tables kept in sync with other processes. */
  readonly peers?: readonly PeersModel[] | undefined;
  /** `mailers NAME` sections some proxy's `email-alert mailers` names (the others are dropped, as HAProxy). */
  readonly mailers?: readonly MailersModel[] | undefined;
  /** `program NAME` sections: commands the master of master-worker mode runs beside its workers. */
  readonly programs?: readonly ProgramModel[] | undefined;
}

/** One `peer NAME ADDR:PORT` / `server NAME [ADDR:PORT]` line of a peers section. */
export interface PeerModel {
  readonly name: string;
  /** Absent on the local peer's `server NAME` line (2.x form, with `bind`). */
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  /** `ssl` (with `default-server ssl`): the connection to this peer is TLS. */
  readonly ssl?: boolean | undefined;
  /** `crt FILE`: the client certificate presented (PEM path, read when the section starts). */
  readonly crt?: string | undefined;
  /** `verify none|required` (default none for peers, as HAProxy's servers without ca-file). */
  readonly verify?: 'none' | 'required' | undefined;
  readonly caFile?: string | undefined;
  readonly source: SourceLocation;
}

/** A `peers NAME` section (HAProxy 2.6's section 3.5). */
export interface PeersModel {
  readonly name: string;
  /** `disabled` (and not re-`enabled`): no listener, no connections. */
  readonly disabled: boolean;
  readonly peers: readonly PeerModel[];
  /** The `bind ADDR:PORT [ssl crt FILE]` line (2.x form); else the local `peer` line's address. */
  /** `fd`: `bind fd@N`, a listening socket inherited as descriptor N (host '' and port 0). */
  readonly bind?:
    | { readonly host: string; readonly port: number; readonly fd?: number; readonly ssl: boolean; readonly crt?: string | undefined; readonly source: SourceLocation }
    | undefined;
  /** `table NAME ...` lines: tables owned by the section, named `SECTION/NAME` elsewhere. */
  readonly tables: readonly { readonly name: string; readonly table: StickTableModel }[];
  readonly source: SourceLocation;
}

/** A `program NAME` section (HAProxy's mworker-prog.c). */
export interface ProgramModel {
  readonly name: string;
  /** The command and its arguments (run through the PATH, as execvp). */
  readonly command: readonly string[];
  /** `user` / `group`: names the program runs as. */
  readonly user?: string | undefined;
  readonly group?: string | undefined;
  /** `option start-on-reload` (the default): a reload restarts it; `no option start-on-reload` keeps it running. */
  readonly startOnReload: boolean;
  /** What `setenv`, `unsetenv`, `resetenv`... did: the program starts with the environment changed so. */
  readonly environment?: EnvironmentChanges | undefined;
}

/** A user or group named in the configuration, looked up in /etc/passwd or /etc/group at startup. */
export interface AccountNameModel {
  readonly name: string;
  readonly source: SourceLocation;
  /** The alert when the name is unknown, in the words of the keyword that named it (HAProxy's differ by keyword). */
  readonly unknown?: string | undefined;
}

/** `uid`/`user` and `gid`/`group` (names are looked up in /etc/passwd and /etc/group at startup). */
export interface ProcessIdentityModel {
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  readonly user?: AccountNameModel | undefined;
  readonly group?: AccountNameModel | undefined;
}

/**
 * The owner given to a UNIX socket file (`user`/`uid`, `group`/`gid` on a bind or stats socket,
 * or `unix-bind`'s defaults): ids, or names looked up at startup (src/proxy/socket-owners.ts);
 * an id left undefined keeps the process's.
 */
export type SocketOwnerModel = ProcessIdentityModel;

/** One nameserver of a `resolvers` section (UDP). */
export interface NameserverModel {
  readonly name: string;
  /** An IP address. */
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly source: SourceLocation;
}

/** A `resolvers NAME` section (HAProxy's section 5.3.2), with HAProxy's defaults filled in. */
export interface ResolversModel {
  readonly name: string;
  readonly nameservers: readonly NameserverModel[];
  /** `parse-resolv-conf`: the nameservers of /etc/resolv.conf are added when the resolvers start. */
  readonly parseResolvConf: boolean;
  /** EDNS0 UDP payload size announced, and the largest answer read (512..65535, default 512). */
  readonly acceptedPayloadSize: number;
  /** Queries sent for one resolution before it times out (default 3). */
  readonly resolveRetries: number;
  /** `timeout resolve`: time between two resolutions of a name (default 1 s). */
  readonly timeoutResolve: number;
  /** `timeout retry`: time to wait for an answer before the query is sent again (default 1 s). */
  readonly timeoutRetry: number;
  /** `hold STATUS`: how long the last valid answer is kept after a failure of each kind (ms). */
  readonly hold: {
    readonly valid: number;
    readonly nx: number;
    readonly other: number;
    readonly refused: number;
    readonly timeout: number;
    readonly obsolete: number;
  };
  readonly source: SourceLocation;
}

/** A `cache NAME` section (HAProxy 2.6's cache.c), sizes in bytes, ages in seconds. */
export interface CacheModel {
  readonly name: string;
  /** `total-max-size` (given in megabytes). */
  readonly totalMaxSize: number;
  /** `max-object-size`; a 256th of the total when not given. */
  readonly maxObjectSize: number;
  /** `max-age`, 60 by default. */
  readonly maxAge: number;
  /** `process-vary on|off` (off by default: a response with `Vary` is not stored). */
  readonly processVary: boolean;
  /** `max-secondary-entries`, 10 by default. */
  readonly maxSecondaryEntries: number;
  readonly source: SourceLocation;
}

/** A `userlist NAME` section (HAProxy's section 3.4), cross-references resolved. */
export interface UserlistModel {
  readonly name: string;
  /** In declaration order; a duplicated user name keeps its first declaration (as HAProxy). */
  readonly users: readonly UserModel[];
  /** Group names, in declaration order. */
  readonly groups: readonly string[];
  readonly source: SourceLocation;
}

export interface UserModel {
  readonly name: string;
  /**
   * `password HASH`: a crypt(3) hash ($1$, $5$ or $6$ are checked); `insecure-password TEXT`:
   * compared as is; undefined: the user never authenticates.
   */
  readonly password: { readonly kind: 'hash'; readonly hash: string } | { readonly kind: 'insecure'; readonly text: string } | undefined;
  /** Every group the user is in: its own `groups` and those whose `users` name it. */
  readonly groups: readonly string[];
  readonly source: SourceLocation;
}

export interface ConfigDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly keyword: string;
  readonly message: string;
}

/** One rule of an `fcgi-app` section, in order (HAProxy's fcgi_rule_conf). */
export type FcgiRuleModel =
  /** `set-param NAME FMT [if|unless COND]`; `name` is HAProxy's parameter key (lowercase, non-alphanumerics as '_'). */
  | { readonly kind: 'set-param'; readonly name: string; readonly value: string; readonly condition: ConditionModel | undefined }
  /** `pass-header NAME [if|unless COND]`, and the section's built-in hidden headers (`hide-header`); lowercase names. */
  | { readonly kind: 'pass-header' | 'hide-header'; readonly name: string; readonly condition: ConditionModel | undefined };

/** An `fcgi-app NAME` section (HAProxy 2.6's fcgi-app.c) used by a backend's `use-fcgi-app`. */
export interface FcgiAppModel {
  readonly name: string;
  readonly docroot: string;
  /** `index FILE`: appended to a SCRIPT_NAME ending with '/'. */
  readonly index?: string | undefined;
  /** `path-info REGEX` (source, PCRE-like): capture 1 the script name, capture 2 the path info. */
  readonly pathInfo?: string | undefined;
  /** `option keep-conn` (on by default): FCGI_KEEP_CONN on requests; off: the application closes. */
  readonly keepConn: boolean;
  /** `option get-values`, `option mpxs-conns`, `option max-reqs N` (1 unless multiplexing is allowed). */
  readonly getValues: boolean;
  readonly mpxsConns: boolean;
  readonly maxReqs: number;
  /** `log-stderr` targets, `global` expanded. */
  readonly logStderr: readonly LogTarget[];
  /** The section's `acl` lines, for the rules' conditions. */
  readonly acls: readonly AclModel[];
  readonly rules: readonly FcgiRuleModel[];
  readonly source: SourceLocation;
}
