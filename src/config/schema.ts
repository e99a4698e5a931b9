/**
 * The ConfigModel as a valibot schema. Every model leaving defineConfig() is checked against
 * it, and every model leaving the haproxy.cfg parser too except in the command line (load.ts,
 * `checkModel`), so the invariants the rest of the proxy relies on (ports in range, weights
 * 0..256, known modes, ...) hold whatever produced the model. Its building blocks are reused
 * by the defineConfig() input schema.
 */

import { srvRecordOf } from '../dns/srv-name.ts';
import { tcpCheckModelEntries } from './tcp-check-schema.ts';
import { httpCheckSequenceEntries } from './http-check-schema.ts';
import type { StatsAccessRuleModel } from './stats-page-model.ts';
import { STICK_DATA_TYPES } from '../stick/stick-data.ts';
import * as v from 'valibot';
import { parseNetwork } from '../util/cidr.ts';
import { isIPv4, isIPv6 } from './address.ts';
import { INIT_ADDR_MAX_METHODS } from './keywords/server-init-addr.ts';
import type { ConfigModel, FrontendModel, RetryOnEvent } from './model.ts';
import { compileProxyRules } from '../rules/http-rules.ts';
import { latin1Bytes } from '../http/codec/chars.ts';
import { ERROR_STATUSES } from '../http/codec/error-pages.ts';
import { parseErrorMessage } from '../http/error-message.ts';
import { compileReplyBuilder } from '../rules/actions/reply-actions.ts';
import { logFormatProblem } from '../log/traffic-log.ts';
import { MAX_TIMER_MS } from './time.ts';
import { RETRY_ON_EVENTS } from './retry-on-events.ts';

/** TcpSocketModel (tcp-socket-model.ts): `option clitcpka|srvtcpka|tcpka`, `*tcpka-*`, `option nolinger`. */
const tcpSeconds = v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(0x7fffffff)));
const tcpSocketSchema = v.optional(
  v.object({
    keepAlive: v.optional(v.object({ idle: tcpSeconds, interval: tcpSeconds, count: tcpSeconds })),
    noLinger: v.optional(v.boolean()),
  }),
);

export const portSchema = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));
export const weightSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(256));
export const countSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2_147_483_647));
/** A CPU number of `cpu-map` (CPU_SETSIZE is 1024 on Linux). */
const cpuSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1023));
export const durationMsSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_TIMER_MS));
/** `pool-max-conn`: -1 = unlimited. */
export const poolMaxConnSchema = v.pipe(v.number(), v.integer(), v.minValue(-1), v.maxValue(2_147_483_647));
export const fdRatioSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100));
export const tuneSchema = v.object({
  poolLowFdRatio: fdRatioSchema,
  poolHighFdRatio: fdRatioSchema,
  idlePoolShared: v.boolean(),
  bufsize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(16))),
  maxrewrite: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  h2MaxConcurrentStreams: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  h2HeaderTableSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(4096), v.maxValue(65536))),
  h2InitialWindowSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0x7fffffff))),
  h2MaxFrameSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(16384), v.maxValue(16777215))),
  h2NoExtendedConnect: v.optional(v.boolean()),
});
export const modeSchema = v.picklist(['tcp', 'http']);
export const nameSchema = v.pipe(
  v.string(),
  v.minLength(1, 'a name cannot be empty'),
  v.regex(/^[A-Za-z0-9_.:-]+$/, "names may only contain letters, digits, '-', '_', '.' and ':'"),
);
/** A stick table's name: a proxy's, or `PEERS/TABLE` for a table declared in a peers section. */
export const tableNameSchema = v.pipe(
  v.string(),
  v.minLength(1, 'a name cannot be empty'),
  v.regex(/^[A-Za-z0-9_.:-]+(?:\/[A-Za-z0-9_.:-]+)?$/, "table names are a proxy's name or PEERS/TABLE"),
);
export const logFormatSchema = v.picklist(['raw', 'local', 'rfc3164', 'rfc5424', 'short', 'priority', 'timed', 'iso']);
/** A target's format in the model: 'unspec' when its line named none (HAProxy's LOG_FORMAT_UNSPEC). */
const logTargetFormatSchema = v.picklist(['unspec', 'raw', 'local', 'rfc3164', 'rfc5424', 'short', 'priority', 'timed', 'iso']);
export const logLevelSchema = v.picklist(['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug']);
export const simpleBalanceAlgorithmSchema = v.picklist(['roundrobin', 'static-rr', 'leastconn', 'first', 'source']);
export const hashFunctionSchema = v.picklist(['sdbm', 'djb2', 'wt6', 'crc32', 'none']);
export const hashMethodSchema = v.picklist(['map-based', 'consistent']);
/** `random(N)` draws. */
export const drawsSchema = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000));
export const connectionModeSchema = v.picklist(['keep-alive', 'server-close', 'close']);
export const httpReuseSchema = v.picklist(['never', 'safe', 'aggressive', 'always']);
export { RETRY_ON_EVENTS };
export const retryOnEventSchema = v.picklist(['none', ...RETRY_ON_EVENTS]);
export const verifySchema = v.picklist(['none', 'required']);
/** RFC 9110 field-name. */
export const headerNameSchema = v.pipe(v.string(), v.regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'expected a valid HTTP header name'));
export const alpnSchema = v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(255))), v.minLength(1));

const sourceSchema = v.object({ file: v.string(), line: v.pipe(v.number(), v.integer(), v.minValue(0)) });
const optionalMs = v.optional(durationMsSchema);

export const timeoutsSchema = v.object({
  connect: optionalMs,
  client: optionalMs,
  server: optionalMs,
  tunnel: optionalMs,
  clientFin: optionalMs,
  serverFin: optionalMs,
  queue: optionalMs,
  check: optionalMs,
  httpRequest: optionalMs,
  httpKeepAlive: optionalMs,
  tarpit: optionalMs,
});

export const logTargetSchema = v.object({
  target: v.pipe(v.string(), v.minLength(1)),
  format: logTargetFormatSchema,
  facility: v.undefinedable(v.string()),
  level: v.optional(logLevelSchema),
  minLevel: v.optional(logLevelSchema),
  maxLength: v.optional(v.pipe(v.number(), v.integer(), v.minValue(80), v.maxValue(65535))),
  sample: v.optional(
    v.object({
      ranges: v.array(v.object({ low: v.pipe(v.number(), v.integer(), v.minValue(1)), high: v.pipe(v.number(), v.integer(), v.minValue(1)) })),
      size: v.pipe(v.number(), v.integer(), v.minValue(1)),
    }),
  ),
  source: sourceSchema,
});

/** CrtListSslConf (crt-list-line.ts): a crt-list line's options in brackets. */
const crtListSslConfSchema = v.object({
  alpn: v.optional(v.string()),
  npn: v.optional(v.string()),
  verify: v.optional(v.picklist(['none', 'optional', 'required'])),
  noCaNames: v.optional(v.boolean()),
  allow0rtt: v.optional(v.boolean()),
  caFile: v.optional(v.string()),
  caVerifyFile: v.optional(v.string()),
  crlFile: v.optional(v.string()),
  ciphers: v.optional(v.string()),
  ciphersuites: v.optional(v.string()),
  curves: v.optional(v.string()),
  ecdhe: v.optional(v.string()),
  minVersion: v.optional(v.picklist(['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'])),
  maxVersion: v.optional(v.picklist(['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'])),
});

const certificateFileSchema = v.object({
  path: v.string(),
  certPem: v.pipe(v.string(), v.includes('-----BEGIN', 'certPem must be PEM text')),
  keyPem: v.pipe(v.string(), v.includes('PRIVATE KEY-----', 'keyPem must be a PEM private key')),
  serverNames: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))),
  crtList: v.optional(v.object({ path: v.string(), line: v.pipe(v.number(), v.integer(), v.minValue(1)) })),
  sslConf: v.optional(crtListSslConfSchema),
  sslConfFiles: v.optional(v.array(v.object({ path: v.string(), pem: v.string() }))),
  dhPem: v.optional(v.pipe(v.string(), v.includes('DH PARAMETERS-----', 'dhPem must be PEM DH parameters'))),
  ocspResponse: v.optional(v.instance(Uint8Array)),
  ocspIssuerPem: v.optional(v.string()),
});

const tlsVersionSchema = v.picklist(['TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);

/** TlsOptionsModel (tls-options.ts). */
const tlsOptionsSchema = v.object({
  minVersion: tlsVersionSchema,
  maxVersion: tlsVersionSchema,
  ciphers: v.optional(v.pipe(v.string(), v.minLength(1))),
  ciphersuites: v.optional(v.pipe(v.string(), v.minLength(1))),
  curves: v.optional(v.pipe(v.string(), v.minLength(1))),
  tickets: v.boolean(),
  preferClientCiphers: v.optional(v.boolean()),
});

const ignoreErrorsSchema = v.optional(v.union([v.literal('all'), v.array(v.pipe(v.number(), v.integer(), v.minValue(0)))]));

const bindSslSchema = v.object({
  certificates: v.pipe(v.array(certificateFileSchema), v.minLength(1)),
  tls: v.optional(tlsOptionsSchema),
  clientAuth: v.optional(
    v.object({
      verify: v.picklist(['optional', 'required']),
      caPem: v.undefinedable(v.pipe(v.string(), v.includes('-----BEGIN', 'caPem must be PEM text'))),
      crlPem: v.optional(v.pipe(v.string(), v.includes('-----BEGIN X509 CRL', 'crlPem must be PEM CRLs'))),
      caFile: v.optional(v.object({ path: v.string(), pem: v.string() })),
      caVerifyFile: v.optional(v.object({ path: v.string(), pem: v.string() })),
      crlFile: v.optional(v.string()),
      crtIgnoreErr: ignoreErrorsSchema,
      caIgnoreErr: ignoreErrorsSchema,
    }),
  ),
  strictSni: v.optional(v.boolean()),
  sessionLifetime: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  dhParams: v.optional(v.object({ pem: v.optional(v.string()), defaultBits: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1024))) })),
  generateCertificates: v.optional(
    v.object({
      caFile: v.string(),
      caCertPem: v.pipe(v.string(), v.includes('-----BEGIN', 'caCertPem must be PEM text')),
      caKeyPem: v.pipe(v.string(), v.includes('-----BEGIN', 'caKeyPem must be PEM text')),
      caPass: v.optional(v.string()),
      cacheSize: v.pipe(v.number(), v.integer(), v.minValue(0)),
    }),
  ),
  ticketKeys: v.optional(
    v.object({
      path: v.string(),
      bits: v.picklist([128, 256]),
      keys: v.pipe(
        v.array(v.object({ name: v.instance(Uint8Array), aesKey: v.instance(Uint8Array), hmacKey: v.instance(Uint8Array) })),
        v.minLength(1),
        v.check((keys) => keys.every((k) => k.name.length === 16 && k.aesKey.length === k.hmacKey.length && (k.aesKey.length === 16 || k.aesKey.length === 32)), 'ticket keys: 16-byte names, 16- or 32-byte AES and HMAC keys'),
      ),
    }),
  ),
});

const accountNameSchema = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1)),
  source: sourceSchema,
  unknown: v.optional(v.string()),
});
/** A process's identity or a UNIX socket's owner: ids, or names looked up at startup. */
const accountIdsSchema = v.strictObject({
  uid: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  gid: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  user: v.optional(accountNameSchema),
  group: v.optional(accountNameSchema),
});
const socketModeSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0o7777));

const objectIdSchema = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2_147_483_647));
const bindFields = v.object({
  id: v.optional(objectIdSchema),
  /** '' for an inherited socket (`fd`). */
  host: v.string(),
  /** 1..65535; 0 for a UNIX socket or an inherited one. */
  port: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535)),
  unix: v.optional(v.boolean()),
  fd: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  ssl: v.undefinedable(bindSslSchema),
  alpn: v.undefinedable(alpnSchema),
  name: v.undefinedable(v.string()),
  v6only: v.boolean(),
  backlog: v.undefinedable(v.pipe(v.number(), v.integer(), v.minValue(1))),
  acceptProxy: v.optional(v.boolean()),
  netscalerCipMagic: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(0xffffffff))),
  proto: v.optional(v.picklist(['h1', 'h2', 'none'])),
  mode: v.optional(socketModeSchema),
  owner: v.optional(accountIdsSchema),
  threads: v.optional(v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(0))), v.minLength(1))),
  source: sourceSchema,
});
const bindSchema = v.pipe(
  bindFields,
  v.check((b) => b.fd !== undefined || b.host !== '', 'a bind needs a host or a path unless it is an inherited socket (fd)'),
  v.check((b) => b.unix === true || b.fd !== undefined || b.port >= 1, 'a bind port is 1..65535 unless it is a UNIX socket or an inherited one'),
);

const serverCheckSchema = v.object({
  enabled: v.boolean(),
  inter: v.pipe(durationMsSchema, v.minValue(1)),
  fastinter: v.undefinedable(v.pipe(durationMsSchema, v.minValue(1))),
  downinter: v.undefinedable(v.pipe(durationMsSchema, v.minValue(1))),
  rise: v.pipe(countSchema, v.minValue(1)),
  fall: v.pipe(countSchema, v.minValue(1)),
  port: v.undefinedable(portSchema),
  addr: v.undefinedable(v.pipe(v.string(), v.minLength(1))),
  observe: v.optional(v.picklist(['layer4', 'layer7'])),
  errorLimit: v.optional(v.pipe(countSchema, v.minValue(1))),
  onError: v.optional(v.picklist(['fastinter', 'fail-check', 'sudden-death', 'mark-down'])),
  sni: v.optional(v.pipe(v.string(), v.minLength(1))),
  alpn: v.optional(alpnSchema),
  proto: v.optional(v.picklist(['h1', 'h2'])),
});

const ipAddressSchema = v.pipe(
  v.string(),
  v.check((text) => isIPv4(text) || isIPv6(text), 'expected an IPv4 or IPv6 address'),
);

const initAddrSchema = v.pipe(
  v.object({
    methods: v.pipe(v.array(v.picklist(['last', 'libc', 'none', 'ip'])), v.maxLength(INIT_ADDR_MAX_METHODS)),
    address: v.undefinedable(ipAddressSchema),
  }),
  v.check(
    (spec) => (spec.address !== undefined) === spec.methods.includes('ip'),
    "init-addr has an address exactly when one of its methods is 'ip'",
  ),
);

const serverSslSchema = v.object({
  verify: verifySchema,
  caPem: v.undefinedable(v.pipe(v.string(), v.includes('-----BEGIN', 'caPem must be PEM text'))),
  sni: v.undefinedable(v.pipe(v.string(), v.minLength(1))),
  alpn: v.undefinedable(alpnSchema),
  tls: v.optional(tlsOptionsSchema),
  certificate: v.optional(
    v.object({
      certPem: v.pipe(v.string(), v.includes('-----BEGIN', 'certPem must be PEM text')),
      keyPem: v.pipe(v.string(), v.includes('PRIVATE KEY-----', 'keyPem must be a PEM private key')),
      path: v.optional(v.string()),
    }),
  ),
  verifyHost: v.optional(v.pipe(v.string(), v.minLength(1))),
  crlPem: v.optional(v.pipe(v.string(), v.includes('-----BEGIN X509 CRL', 'crlPem must be PEM CRLs'))),
  caFile: v.optional(v.string()),
  crlFile: v.optional(v.string()),
  noSessionReuse: v.optional(v.boolean()),
});

/** `source ADDR[:PORT[-PORT]]` (ConnectSourceModel). */
const connectSourceSchema = v.object({
  address: v.pipe(v.string(), v.minLength(1)),
  port: v.optional(portSchema),
  ports: v.optional(v.pipe(v.object({ low: portSchema, high: portSchema }), v.check((r) => r.low <= r.high, 'source port range: low <= high'))),
});

const serverSchema = v.object({
  name: nameSchema,
  id: v.optional(objectIdSchema),
  forcedId: v.optional(v.boolean()),
  host: v.pipe(v.string(), v.minLength(1)),
  // An offset with `mapPorts` (checked with it below).
  port: v.pipe(v.number(), v.integer(), v.minValue(-65535), v.maxValue(65535)),
  mapPorts: v.optional(v.boolean()),
  /** `host` is a UNIX socket path (port 0). */
  unix: v.optional(v.boolean()),
  family: v.optional(v.picklist([4, 6])),
  initAddr: v.optional(initAddrSchema),
  resolvedAddress: v.optional(v.union([ipAddressSchema, v.literal(false)])),
  resolvers: v.optional(nameSchema),
  resolvePrefer: v.optional(v.picklist([4, 6])),
  resolveOpts: v.optional(v.object({ allowDupIp: v.boolean(), ignoreWeight: v.boolean() })),
  resolveNet: v.optional(v.array(v.string())),
  weight: weightSchema,
  maxconn: countSchema,
  minconn: v.optional(countSchema),
  disabled: v.boolean(),
  backup: v.boolean(),
  ssl: v.optional(serverSslSchema),
  /** `check-ssl`: the TLS settings health checks use (the server's own `ssl` ones when it has some). */
  checkSsl: v.optional(serverSslSchema),
  noSsl: v.optional(v.boolean()),
  sslContext: v.optional(serverSslSchema),
  maxqueue: v.optional(countSchema),
  slowstart: v.optional(durationMsSchema),
  poolMaxConn: v.optional(poolMaxConnSchema),
  maxReuse: v.optional(countSchema),
  poolLowConn: v.optional(countSchema),
  poolPurgeDelay: v.optional(durationMsSchema),
  cookie: v.optional(v.pipe(v.string(), v.minLength(1))),
  check: v.optional(serverCheckSchema),
  onMarkedDown: v.optional(v.literal('shutdown-sessions')),
  onMarkedUp: v.optional(v.literal('shutdown-backup-sessions')),
  proto: v.optional(v.picklist(['h1', 'h2', 'fcgi'])),
  ws: v.optional(v.picklist(['auto', 'h1', 'h2'])),
  sendProxy: v.optional(
    v.object({
      version: v.picklist([1, 2]),
      crc32c: v.optional(v.boolean()),
      authority: v.optional(v.boolean()),
      uniqueId: v.optional(v.boolean()),
      ssl: v.optional(v.boolean()),
      sslCipher: v.optional(v.boolean()),
    }),
  ),
  checkSendProxy: v.optional(v.boolean()),
  agent: v.optional(
    v.undefinedable(
      v.object({
        port: v.undefinedable(portSchema),
        addr: v.undefinedable(v.pipe(v.string(), v.minLength(1))),
        inter: v.undefinedable(v.pipe(durationMsSchema, v.minValue(1))),
        send: v.undefinedable(v.string()),
      }),
    ),
  ),
  agentTarget: v.optional(
    v.undefinedable(
      v.object({
        port: v.undefinedable(portSchema),
        addr: v.undefinedable(v.pipe(v.string(), v.minLength(1))),
      }),
    ),
  ),
  track: v.optional(v.object({ backend: v.pipe(v.string(), v.minLength(1)), server: v.pipe(v.string(), v.minLength(1)) })),
  socks4: v.optional(v.object({ host: v.pipe(v.string(), v.minLength(1)), port: portSchema })),
  connectSource: v.optional(connectSourceSchema),
  checkViaSocks4: v.optional(v.boolean()),
  redirectPrefix: v.optional(v.pipe(v.string(), v.minLength(1))),
  nonStick: v.optional(v.boolean()),
  source: sourceSchema,
});

export const balanceModelSchema = v.variant('algorithm', [
  v.object({ algorithm: simpleBalanceAlgorithmSchema }),
  v.object({
    algorithm: v.literal('uri'),
    len: countSchema,
    depth: countSchema,
    whole: v.boolean(),
    pathOnly: v.boolean(),
  }),
  v.object({ algorithm: v.literal('url_param'), param: v.pipe(v.string(), v.minLength(1)) }),
  v.object({
    algorithm: v.literal('hdr'),
    header: v.pipe(headerNameSchema, v.check((h) => h === h.toLowerCase(), 'the header name must be lower-case')),
    useDomainOnly: v.boolean(),
  }),
  v.object({ algorithm: v.literal('random'), draws: drawsSchema }),
  v.object({ algorithm: v.literal('hash'), expression: v.pipe(v.string(), v.minLength(1)) }),
  v.object({ algorithm: v.literal('rdp-cookie'), cookie: v.pipe(v.string(), v.minLength(1)) }),
]);

export const hashTypeModelSchema = v.object({ method: hashMethodSchema, function: hashFunctionSchema, avalanche: v.boolean() });

const cookieModelSchema = v.pipe(
  v.object({
    name: v.pipe(v.string(), v.minLength(1)),
    mode: v.picklist(['insert', 'rewrite', 'prefix', 'passive']),
    indirect: v.boolean(),
    nocache: v.boolean(),
    httponly: v.boolean(),
    secure: v.boolean(),
    postonly: v.boolean(),
    preserve: v.boolean(),
    domains: v.array(v.pipe(v.string(), v.minLength(1))),
    maxidle: v.undefinedable(v.pipe(durationMsSchema, v.minValue(1))),
    maxlife: v.undefinedable(v.pipe(durationMsSchema, v.minValue(1))),
    attrs: v.optional(v.undefinedable(v.pipe(v.string(), v.minLength(1)))),
    dynamic: v.optional(v.undefinedable(v.boolean())),
    source: sourceSchema,
  }),
  v.check((c) => c.mode === 'insert' || (c.maxidle === undefined && c.maxlife === undefined), 'maxidle/maxlife need insert mode'),
);

export const stickTableTypeSchema = v.picklist(['ip', 'ipv6', 'integer', 'string', 'binary']);

const stickTableModelSchema = v.object({
  type: stickTableTypeSchema,
  keyLength: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535)),
  size: v.pipe(v.number(), v.integer(), v.minValue(1)),
  expire: v.undefinedable(v.pipe(durationMsSchema, v.minValue(1))),
  nopurge: v.boolean(),
  store: v.optional(
    v.array(
      v.object({
        type: v.picklist(STICK_DATA_TYPES),
        period: v.optional(v.undefinedable(v.pipe(durationMsSchema, v.minValue(1)))),
        elements: v.optional(v.undefinedable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)))),
      }),
    ),
  ),
  peers: v.optional(v.undefinedable(v.pipe(v.string(), v.minLength(1)))),
  srvkey: v.optional(v.undefinedable(v.picklist(['name', 'addr']))),
  source: sourceSchema,
});

export const httpCheckExpectKindSchema = v.picklist(['status', 'rstatus', 'string', 'rstring', 'string-lf', 'hdr', 'fhdr', 'set-var', 'set-var-fmt', 'unset-var']);
const checkStatusNameSchema = v.picklist(['L4OK', 'L4TOUT', 'L4CON', 'L6OK', 'L6TOUT', 'L6RSP', 'L7OK', 'L7OKC', 'L7TOUT', 'L7RSP', 'L7STS']);
const httpCheckMatchSchema = v.picklist(['str', 'beg', 'end', 'sub', 'reg']);

const httpCheckExpectSchema = v.object({
  negate: v.boolean(),
  kind: httpCheckExpectKindSchema,
  pattern: v.pipe(v.string(), v.minLength(1)),
  header: v.optional(
    v.undefinedable(
      v.object({
        nameMatch: httpCheckMatchSchema,
        valueMatch: httpCheckMatchSchema,
        value: v.undefinedable(v.string()),
        nameFormat: v.optional(v.boolean()),
        valueFormat: v.optional(v.boolean()),
      }),
    ),
  ),
  expression: v.optional(v.string()),
  minRecv: v.optional(v.undefinedable(v.pipe(v.number(), v.integer(), v.minValue(-1)))),
  comment: v.optional(v.undefinedable(v.string())),
  okStatus: v.optional(v.undefinedable(checkStatusNameSchema)),
  errorStatus: v.optional(v.undefinedable(checkStatusNameSchema)),
  toutStatus: v.optional(v.undefinedable(checkStatusNameSchema)),
  onSuccess: v.optional(v.undefinedable(v.string())),
  onError: v.optional(v.undefinedable(v.string())),
  statusCode: v.optional(v.undefinedable(v.string())),
});

const healthCheckModelSchema = v.pipe(
  v.object({
    kind: v.picklist(['tcp', 'http']),
    http: v.undefinedable(
      v.object({
        method: v.pipe(v.string(), v.minLength(1)),
        uri: v.pipe(v.string(), v.minLength(1)),
        version: v.pipe(v.string(), v.minLength(1)),
        headers: v.array(v.tuple([headerNameSchema, v.string()])),
        body: v.undefinedable(v.string()),
        expect: v.array(httpCheckExpectSchema),
        ...httpCheckSequenceEntries(httpCheckExpectSchema, headerNameSchema),
      }),
    ),
    ...tcpCheckModelEntries,
  }),
  v.check((h) => (h.kind === 'http') === (h.http !== undefined), 'http settings are present exactly when kind is http'),
  v.check((h) => h.kind === 'tcp' || (h.tcpRules === undefined && h.protocol === undefined), 'tcp-check rules and protocol checks need kind tcp'),
);

const forwardForSchema = v.object({
  header: v.pipe(headerNameSchema, v.check((h) => h === h.toLowerCase(), 'the header name must be lower-case')),
  except: v.undefinedable(v.pipe(v.string(), v.check((n) => parseNetwork(n) !== undefined, 'expected an IPv4 or IPv6 address or network'))),
  ifNone: v.boolean(),
});

const originalToSchema = v.object({
  header: v.pipe(headerNameSchema, v.check((h) => h === h.toLowerCase(), 'the header name must be lower-case')),
  except: v.undefinedable(v.pipe(v.string(), v.check((n) => parseNetwork(n) !== undefined, 'expected an IPv4 or IPv6 address or network'))),
});

const httpEntries = {
  connectionMode: connectionModeSchema,
  forwardFor: v.undefinedable(forwardForSchema),
  originalTo: v.optional(originalToSchema),
};

const backendHttpSchema = v.object({
  ...httpEntries,
  reuse: httpReuseSchema,
  retryOn: v.pipe(
    v.array(retryOnEventSchema),
    v.check((events) => !events.includes('none') || events.length === 1, "'none' is only usable alone"),
  ),
});

export const aclMatchMethodSchema = v.picklist(['found', 'bool', 'int', 'ip', 'bin', 'str', 'beg', 'end', 'sub', 'reg', 'dir', 'dom', 'len']);

const aclModelSchema = v.object({
  name: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.:-]*$/, "ACL names may only contain letters, digits, '-', '_', '.' and ':'")),
  criterion: v.pipe(v.string(), v.minLength(1)),
  method: v.undefinedable(aclMatchMethodSchema),
  ignoreCase: v.boolean(),
  patterns: v.array(v.string()),
  files: v.optional(v.array(v.object({ path: v.string(), map: v.boolean(), count: v.pipe(v.number(), v.integer(), v.minValue(0)) }))),
  source: sourceSchema,
});

const aclTermSchema = v.object({ negate: v.boolean(), acl: v.union([v.pipe(v.string(), v.minLength(1)), aclModelSchema]) });

const conditionSchema = v.object({
  kind: v.picklist(['if', 'unless']),
  anyOf: v.pipe(v.array(v.pipe(v.array(aclTermSchema), v.minLength(1))), v.minLength(1)),
});

const stickRuleModelSchema = v.object({
  kind: v.picklist(['on', 'match', 'store-request', 'store-response']),
  expression: v.pipe(v.string(), v.minLength(1)),
  table: v.undefinedable(tableNameSchema),
  condition: v.optional(v.undefinedable(conditionSchema)),
  source: sourceSchema,
});

/** File contents are latin1 strings: one character per byte. */
const latin1 = v.check((text: string) => !/[^\x00-\xff]/.test(text), 'file contents are latin1 strings (one character per byte)');

/** An errorfile must be an HTTP response HAProxy would load (empty: no reply at all). */
const errorFileContent = v.rawCheck<string>(({ dataset, addIssue }) => {
  if (!dataset.typed) return;
  const parsed = parseErrorMessage(latin1Bytes(dataset.value));
  if (!parsed.ok) addIssue({ message: parsed.error });
});

const httpReplySchema = v.object({
  status: v.pipe(v.number(), v.integer(), v.minValue(200), v.maxValue(599)),
  contentType: v.undefinedable(v.string()),
  body: v.variant('kind', [
    v.object({ kind: v.literal('errorpage') }),
    v.object({ kind: v.literal('none') }),
    v.object({ kind: v.literal('string'), text: v.string() }),
    v.object({ kind: v.literal('lf-string'), format: v.string() }),
    v.object({ kind: v.literal('errorfile'), path: v.string(), content: v.pipe(v.string(), latin1, errorFileContent) }),
    v.object({ kind: v.literal('file'), path: v.string(), content: v.pipe(v.string(), latin1) }),
    v.object({ kind: v.literal('lf-file'), path: v.string(), format: v.string() }),
    v.object({ kind: v.literal('errorfiles'), name: v.pipe(v.string(), v.minLength(1)) }),
  ]),
  headers: v.array(v.object({ name: v.pipe(v.string(), v.minLength(1)), format: v.string() })),
});

/**
 * The proxy's replies by status (`errorfile`, `errorloc`, `errorfiles`, `http-error`): HAProxy's
 * http_err_codes only, and each must compile (the engine builds them on an error path).
 */
const errorRepliesSchema = v.pipe(
  v.array(v.object({ status: v.picklist(ERROR_STATUSES as number[]), reply: httpReplySchema })),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const { status, reply } of dataset.value) {
      const compiled = compileReplyBuilder(reply, 'request');
      if (!compiled.ok) addIssue({ message: `error reply for status ${status}: ${compiled.message}` });
    }
  }),
);

const redirectSchema = v.object({
  type: v.picklist(['location', 'prefix', 'scheme']),
  destination: v.string(),
  logFormat: v.boolean(),
  code: v.picklist([301, 302, 303, 307, 308]),
  dropQuery: v.boolean(),
  appendSlash: v.boolean(),
  ignoreEmpty: v.boolean(),
  cookie: v.undefinedable(v.object({ value: v.string(), set: v.boolean() })),
});

const varConditionSchema = v.picklist(['ifexists', 'ifnotexists', 'ifempty', 'ifnotempty', 'ifset', 'ifnotset', 'ifgt', 'iflt']);
/** `scope.name` (the rules compile checks it as HAProxy does). */
const variableSchema = v.pipe(v.string(), v.minLength(1));

/** `http-request` and `tcp-request content` `do-resolve(VAR,RESOLVERS[,ipv4|ipv6]) EXPR`. */
const doResolveRuleSchema = v.object({
  action: v.literal('do-resolve'),
  variable: variableSchema,
  resolvers: v.pipe(v.string(), v.minLength(1)),
  preferIPv4: v.boolean(),
  expression: v.pipe(v.string(), v.minLength(1)),
  condition: v.undefinedable(conditionSchema),
  source: sourceSchema,
});

/** `http-request` and `tcp-request content` `set-priority-class|set-priority-offset EXPR`. */
const priorityRuleSchema = v.object({
  action: v.picklist(['set-priority-class', 'set-priority-offset']),
  expression: v.pipe(v.string(), v.minLength(1)),
  condition: v.undefinedable(conditionSchema),
  source: sourceSchema,
});

/** `set-log-level LEVEL` in http rules and tcp content rules. */
const setLogLevelRuleSchema = v.object({
  action: v.literal('set-log-level'),
  level: v.picklist(['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug', 'silent']),
  condition: v.undefinedable(conditionSchema),
  source: sourceSchema,
});

/** `set-nice N` in http rules and tcp content rules. */
const setNiceRuleSchema = v.object({
  action: v.literal('set-nice'),
  nice: v.pipe(v.number(), v.integer(), v.minValue(-1024), v.maxValue(1024)),
  condition: v.undefinedable(conditionSchema),
  source: sourceSchema,
});

const varRuleSchemas = [
  v.object({
    action: v.literal('set-var'),
    variable: variableSchema,
    conditions: v.array(varConditionSchema),
    expression: v.pipe(v.string(), v.minLength(1)),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({
    action: v.literal('set-var-fmt'),
    variable: variableSchema,
    conditions: v.array(varConditionSchema),
    format: v.string(),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({ action: v.literal('unset-var'), variable: variableSchema, condition: v.undefinedable(conditionSchema), source: sourceSchema }),
] as const;

const requestLineRuleSchemas = [
  v.object({
    action: v.picklist(['set-method', 'set-path', 'set-pathq', 'set-query', 'set-uri']),
    format: v.string(),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({
    action: v.picklist(['replace-path', 'replace-pathq', 'replace-uri']),
    regex: v.pipe(v.string(), v.minLength(1)),
    format: v.string(),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({
    action: v.literal('normalize-uri'),
    normalizer: v.picklist([
      'path-merge-slashes',
      'path-strip-dot',
      'path-strip-dotdot',
      'path-strip-dotdot-full',
      'percent-decode-unreserved',
      'percent-decode-unreserved-strict',
      'percent-to-uppercase',
      'percent-to-uppercase-strict',
      'query-sort-by-name',
      'fragment-strip',
      'fragment-encode',
    ]),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
] as const;

const stickSlotSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2));

/** `track-sc0|1|2`, `sc-inc-gpc0|1`, `sc-set-gpt0` (src/stick/). */
const stickRuleSchemas = [
  v.object({
    action: v.literal('track-sc'),
    slot: stickSlotSchema,
    key: v.pipe(v.string(), v.minLength(1)),
    table: v.undefinedable(tableNameSchema),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({ action: v.picklist(['sc-inc-gpc0', 'sc-inc-gpc1']), slot: stickSlotSchema, condition: v.undefinedable(conditionSchema), source: sourceSchema }),
  v.object({
    action: v.literal('sc-set-gpt0'),
    slot: stickSlotSchema,
    value: v.pipe(v.string(), v.minLength(1)),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({
    action: v.literal('sc-inc-gpc'),
    index: v.pipe(v.number(), v.integer(), v.minValue(0)),
    slot: stickSlotSchema,
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({
    action: v.literal('sc-set-gpt'),
    index: v.pipe(v.number(), v.integer(), v.minValue(0)),
    slot: stickSlotSchema,
    value: v.pipe(v.string(), v.minLength(1)),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
] as const;

const httpRuleSchema = v.variant('action', [
  v.object({
    action: v.picklist(['set-map', 'del-map', 'add-acl', 'del-acl']),
    file: v.string(),
    key: v.string(),
    value: v.undefinedable(v.string()),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({
    action: v.literal('strict-mode'),
    on: v.boolean(),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({
    action: v.literal('set-timeout'),
    timeout: v.picklist(['server', 'tunnel']),
    value: v.undefinedable(v.pipe(v.number(), v.integer(), v.minValue(1))),
    expression: v.undefinedable(v.string()),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({
    action: v.picklist(['cache-use', 'cache-store']),
    cache: v.pipe(v.string(), v.minLength(1)),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({
    action: v.literal('use-service'),
    service: v.pipe(v.string(), v.minLength(1)),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  doResolveRuleSchema,
  v.object({
    action: v.literal('wait-for-body'),
    time: v.pipe(v.number(), v.integer(), v.minValue(0)),
    atLeast: v.pipe(v.number(), v.integer(), v.minValue(0)),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  setLogLevelRuleSchema,
  setNiceRuleSchema,
  v.object({
    action: v.literal('set-status'),
    status: v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(999)),
    reason: v.undefinedable(v.string()),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({ action: v.literal('allow'), condition: v.undefinedable(conditionSchema), source: sourceSchema }),
  v.object({
    action: v.picklist(['deny', 'return', 'tarpit']),
    reply: httpReplySchema,
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({ action: v.literal('redirect'), redirect: redirectSchema, condition: v.undefinedable(conditionSchema), source: sourceSchema }),
  v.object({ action: v.literal('auth'), realm: v.string(), condition: v.undefinedable(conditionSchema), source: sourceSchema }),
  v.object({
    action: v.picklist(['set-header', 'add-header']),
    header: v.pipe(v.string(), v.minLength(1)),
    format: v.string(),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({
    action: v.literal('del-header'),
    header: v.pipe(v.string(), v.minLength(1)),
    match: v.picklist(['str', 'beg', 'end', 'sub', 'reg']),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({
    action: v.picklist(['replace-header', 'replace-value']),
    header: v.pipe(v.string(), v.minLength(1)),
    regex: v.pipe(v.string(), v.minLength(1)),
    format: v.string(),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  ...varRuleSchemas,
  ...requestLineRuleSchemas,
  ...stickRuleSchemas,
  v.object({
    action: v.literal('capture'),
    expression: v.pipe(v.string(), v.minLength(1)),
    id: v.pipe(v.number(), v.integer()),
    len: v.undefinedable(v.pipe(v.number(), v.integer(), v.minValue(1))),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({ action: v.literal('reject'), condition: v.undefinedable(conditionSchema), source: sourceSchema }),
  v.object({ action: v.literal('silent-drop'), condition: v.undefinedable(conditionSchema), source: sourceSchema }),
  v.object({ action: v.literal('disable-l7-retry'), condition: v.undefinedable(conditionSchema), source: sourceSchema }),
  v.object({ action: v.literal('wait-for-handshake'), condition: v.undefinedable(conditionSchema), source: sourceSchema }),
  v.object({
    action: v.picklist(['set-src', 'set-src-port', 'set-dst', 'set-dst-port']),
    expression: v.pipe(v.string(), v.minLength(1)),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  priorityRuleSchema,
  v.object({
    action: v.literal('early-hint'),
    header: v.pipe(v.string(), v.minLength(1)),
    format: v.string(),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
]);

/** A frontend's capture slots (capture-model.ts). */
const captureSlotSchema = v.object({ header: v.undefinedable(v.pipe(v.string(), v.minLength(1))), len: v.pipe(v.number(), v.integer(), v.minValue(0)) });
const capturesSchema = v.object({
  request: v.array(captureSlotSchema),
  response: v.array(captureSlotSchema),
  cookie: v.undefinedable(v.object({ name: v.pipe(v.string(), v.minLength(1)), len: v.pipe(v.number(), v.integer(), v.minValue(0)) })),
});

const tcpRuleSchema = v.variant('action', [
  v.object({
    action: v.picklist(['accept', 'reject', 'close', 'expect-proxy', 'expect-netscaler-cip', 'switch-mode-http', 'silent-drop']),
    proto: v.optional(v.picklist(['h1', 'h2'])),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  v.object({
    action: v.picklist(['set-src', 'set-dst', 'set-src-port', 'set-dst-port']),
    expression: v.pipe(v.string(), v.minLength(1)),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
  ...varRuleSchemas,
  ...stickRuleSchemas,
  doResolveRuleSchema,
  priorityRuleSchema,
  setLogLevelRuleSchema,
  setNiceRuleSchema,
  v.object({
    action: v.literal('capture'),
    expression: v.pipe(v.string(), v.minLength(1)),
    id: v.pipe(v.number(), v.integer(), v.minValue(0)),
    len: v.pipe(v.number(), v.integer(), v.minValue(1)),
    condition: v.undefinedable(conditionSchema),
    source: sourceSchema,
  }),
]);

const tcpRulesSchema = v.object({
  connection: v.array(tcpRuleSchema),
  session: v.array(tcpRuleSchema),
  content: v.array(tcpRuleSchema),
  response: v.array(tcpRuleSchema),
  inspectDelay: v.optional(durationMsSchema),
  responseInspectDelay: v.optional(durationMsSchema),
});

const defaultRulesSchema = v.strictObject({
  name: v.string(),
  acls: v.array(aclModelSchema),
  httpRequestRules: v.array(httpRuleSchema),
  httpResponseRules: v.array(httpRuleSchema),
  httpAfterResponseRules: v.array(httpRuleSchema),
  tcpRules: v.optional(
    v.strictObject({
      connection: v.array(tcpRuleSchema),
      session: v.array(tcpRuleSchema),
      content: v.array(tcpRuleSchema),
      response: v.array(tcpRuleSchema),
    }),
  ),
});

const httpRulesEntries = {
  defaultRules: v.optional(defaultRulesSchema),
  tcpRules: v.optional(tcpRulesSchema),
  acls: v.optional(v.array(aclModelSchema)),
  httpRequestRules: v.optional(v.array(httpRuleSchema)),
  httpResponseRules: v.optional(v.array(httpRuleSchema)),
  httpAfterResponseRules: v.optional(v.array(httpRuleSchema)),
  redirectRules: v.optional(
    v.array(v.object({ redirect: redirectSchema, condition: v.undefinedable(conditionSchema), source: sourceSchema })),
  ),
  patternFiles: v.optional(v.record(v.string(), v.string())),
  errorReplies: v.optional(errorRepliesSchema),
};

/** The rules must compile (criteria, patterns, formats, ACL names): the engine then cannot fail on them. */
function rulesCompile<T extends Parameters<typeof compileProxyRules>[0]>(side: 'frontend' | 'backend') {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    try {
      compileProxyRules(dataset.value, side);
    } catch (error) {
      addIssue({ message: error instanceof Error ? error.message : String(error) });
    }
  });
}

/** The frontend's log-format strings must compile: the engine then cannot fail on them. */
function logFormatsCompile<T extends FrontendModel>() {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = logFormatProblem(dataset.value);
    if (problem !== undefined) addIssue({ message: problem });
  });
}

/** The stats page (stats-page-model.ts); its access rules are the `http-request` rules' allow/deny/auth. */
const statsPageSchema = v.object({
  uri: v.pipe(v.string(), v.minLength(1)),
  realm: v.optional(v.pipe(v.string(), v.minLength(1))),
  refresh: v.pipe(v.number(), v.integer(), v.minValue(0)),
  users: v.array(v.object({ user: v.string(), password: v.string() })),
  scopes: v.array(v.pipe(v.string(), v.minLength(1))),
  hideVersion: v.boolean(),
  showLegends: v.boolean(),
  showNode: v.optional(v.string()),
  showDesc: v.optional(v.string()),
  admin: v.array(conditionSchema),
  accessRules: v.array(
    v.pipe(
      httpRuleSchema,
      v.check((r) => r.action === 'allow' || r.action === 'deny' || r.action === 'auth', "stats http-request rules are 'allow', 'deny' or 'auth'"),
      v.transform((r) => r as StatsAccessRuleModel),
    ),
  ),
  source: sourceSchema,
});

const frontendSchema = v.object({
  clientSocket: tcpSocketSchema,
  compression: v.optional(
    v.object({
      algos: v.array(v.picklist(['identity', 'gzip', 'deflate', 'raw-deflate'])),
      types: v.array(v.pipe(v.string(), v.minLength(1))),
      offload: v.boolean(),
    }),
  ),
  filters: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))),
  monitor: v.optional(v.undefinedable(v.object({ uri: v.undefinedable(v.pipe(v.string(), v.minLength(1))), fail: v.array(conditionSchema) }))),
  name: nameSchema,
  id: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  mode: modeSchema,
  binds: v.array(bindSchema),
  defaultBackend: v.undefinedable(v.string()),
  stickTable: v.optional(stickTableModelSchema),
  switchingRules: v.optional(
    v.array(v.object({ backend: v.pipe(v.string(), v.minLength(1)), dynamic: v.boolean(), condition: v.undefinedable(conditionSchema), source: sourceSchema })),
  ),
  maxconn: countSchema,
  rateLimitSessions: v.optional(countSchema),
  maxSessionSrvConns: v.optional(v.pipe(v.number(), v.integer(), v.minValue(-1))),
  backlog: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  timeouts: timeoutsSchema,
  options: v.pipe(
    v.object({
      tcplog: v.boolean(),
      httplog: v.boolean(),
      dontlognull: v.boolean(),
      logasap: v.optional(v.boolean()),
      contstats: v.optional(v.boolean()),
      dontlogNormal: v.optional(v.boolean()),
      logSeparateErrors: v.optional(v.boolean()),
      abortOnClose: v.optional(v.boolean()),
      restrictHeaderNames: v.optional(v.picklist(['delete', 'reject'])),
      bufferRequest: v.optional(v.boolean()),
      socketStats: v.optional(v.boolean()),
      disableH2Upgrade: v.optional(v.boolean()),
      ignoreProbes: v.optional(v.boolean()),
      idleCloseOnResponse: v.optional(v.boolean()),
      independentStreams: v.optional(v.boolean()),
      acceptInvalidRequest: v.optional(v.boolean()),
      useProxyHeader: v.optional(v.boolean()),
      h1CaseAdjustBogusClient: v.optional(v.boolean()),
    }),
    v.check((o) => !(o.tcplog && o.httplog), 'tcplog and httplog are exclusive'),
  ),
  http: v.object(httpEntries),
  logs: v.array(logTargetSchema),
  logFormat: v.optional(v.string()),
  errorLogFormat: v.optional(v.string()),
  uniqueIdFormat: v.optional(v.string()),
  logFormatSd: v.optional(v.string()),
  uniqueIdHeader: v.optional(v.pipe(v.string(), v.minLength(1))),
  captures: v.optional(capturesSchema),
  disabled: v.boolean(),
  description: v.optional(v.string()),
  logTag: v.optional(v.pipe(v.string(), v.minLength(1))),
  ...httpRulesEntries,
  stats: v.optional(statsPageSchema),
  source: sourceSchema,
});

const fcgiAppSchema = v.object({
  name: v.pipe(v.string(), v.minLength(1)),
  docroot: v.string(),
  index: v.optional(v.pipe(v.string(), v.minLength(1))),
  pathInfo: v.optional(v.pipe(v.string(), v.minLength(1))),
  keepConn: v.boolean(),
  getValues: v.boolean(),
  mpxsConns: v.boolean(),
  maxReqs: v.pipe(v.number(), v.integer(), v.minValue(1)),
  logStderr: v.array(logTargetSchema),
  acls: v.array(aclModelSchema),
  rules: v.array(
    v.variant('kind', [
      v.object({ kind: v.literal('set-param'), name: v.pipe(v.string(), v.minLength(1)), value: v.string(), condition: v.undefinedable(conditionSchema) }),
      v.object({ kind: v.picklist(['pass-header', 'hide-header']), name: v.pipe(v.string(), v.minLength(1)), condition: v.undefinedable(conditionSchema) }),
    ]),
  ),
  source: sourceSchema,
});

const backendSchema = v.object({
  connectSource: v.optional(connectSourceSchema),
  serverSocket: tcpSocketSchema,
  fcgiApp: v.optional(fcgiAppSchema),
  compression: v.optional(
    v.object({
      algos: v.array(v.picklist(['identity', 'gzip', 'deflate', 'raw-deflate'])),
      types: v.array(v.pipe(v.string(), v.minLength(1))),
      offload: v.boolean(),
    }),
  ),
  filters: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))),
  name: nameSchema,
  id: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  forcedId: v.optional(v.boolean()),
  mode: modeSchema,
  balance: balanceModelSchema,
  hashType: v.optional(hashTypeModelSchema),
  hashBalanceFactor: v.optional(v.pipe(v.number(), v.integer(), v.minValue(101))),
  maxKeepAliveQueue: v.optional(countSchema),
  servers: v.array(
    v.pipe(
      serverSchema,
      // A server filled from an SRV record has port 0 until an answer gives it one.
      v.check((s) => s.mapPorts === true || s.unix === true || (s.port >= 1 && s.port <= 65535) || srvRecordOf(s) !== undefined, 'a server port is 1..65535 unless it maps ports, is a UNIX socket or comes from an SRV record'),
    ),
  ),
  cookie: v.optional(cookieModelSchema),
  dynamicCookieKey: v.optional(v.undefinedable(v.pipe(v.string(), v.minLength(1)))),
  rdpCookiePersist: v.optional(v.undefinedable(v.pipe(v.string(), v.minLength(1)))),
  stickTable: v.optional(stickTableModelSchema),
  stickRules: v.optional(v.array(stickRuleModelSchema)),
  serverRules: v.optional(v.array(v.object({ server: v.pipe(v.string(), v.minLength(1)), condition: conditionSchema, source: sourceSchema }))),
  persistRules: v.optional(v.array(v.object({ kind: v.picklist(['force', 'ignore']), condition: conditionSchema, source: sourceSchema }))),
  healthCheck: v.optional(healthCheckModelSchema),
  loadServerState: v.optional(v.strictObject({ from: v.picklist(['global', 'local']), path: v.pipe(v.string(), v.minLength(1)) })),
  emailAlert: v.optional(
    v.strictObject({
      mailers: v.pipe(v.string(), v.minLength(1)),
      from: v.string(),
      to: v.string(),
      myhostname: v.optional(v.string()),
      level: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(7)),
    }),
  ),
  logs: v.optional(v.array(logTargetSchema)),
  retries: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)),
  fullconn: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  timeouts: timeoutsSchema,
  options: v.object({
    redispatch: v.boolean(),
    allBackups: v.optional(v.boolean()),
    persist: v.optional(v.boolean()),
    bufferRequest: v.optional(v.boolean()),
    abortOnClose: v.optional(v.boolean()),
    restrictHeaderNames: v.optional(v.picklist(['delete', 'reject'])),
    preferLastServer: v.optional(v.boolean()),
    acceptInvalidResponse: v.optional(v.boolean()),
    pretendKeepAlive: v.optional(v.boolean()),
    checkCache: v.optional(v.boolean()),
    independentStreams: v.optional(v.boolean()),
    h1CaseAdjustBogusServer: v.optional(v.boolean()),
  }),
  http: backendHttpSchema,
  disabled: v.boolean(),
  description: v.optional(v.string()),
  logTag: v.optional(v.pipe(v.string(), v.minLength(1))),
  sendNameHeader: v.optional(v.pipe(v.string(), v.minLength(1))),
  direct: v.optional(
    v.variant('kind', [
      v.object({ kind: v.literal('dispatch'), host: v.pipe(v.string(), v.minLength(1)), port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535)) }),
      v.object({ kind: v.literal('transparent') }),
    ]),
  ),
  ...httpRulesEntries,
  stats: v.optional(statsPageSchema),
  source: sourceSchema,
});

const diagnosticSchema = v.object({
  file: v.string(),
  line: v.number(),
  column: v.number(),
  keyword: v.string(),
  message: v.string(),
});

/** A resolved userlist: unique names, every group a user is in declared by the userlist. */
const userlistSchema = v.pipe(
  v.object({
    name: nameSchema,
    users: v.array(
      v.object({
        name: v.pipe(v.string(), v.minLength(1)),
        password: v.undefinedable(
          v.variant('kind', [v.object({ kind: v.literal('hash'), hash: v.string() }), v.object({ kind: v.literal('insecure'), text: v.string() })]),
        ),
        groups: v.array(v.string()),
        source: sourceSchema,
      }),
    ),
    groups: v.array(nameSchema),
    source: sourceSchema,
  }),
  v.check((u) => new Set(u.users.map((x) => x.name)).size === u.users.length, 'user names must be unique within a userlist'),
  v.check((u) => new Set(u.groups).size === u.groups.length, 'group names must be unique within a userlist'),
  v.check((u) => u.users.every((x) => x.groups.every((g) => u.groups.includes(g))), "a user's groups must be groups of its userlist"),
);

const statsSchema = v.object({
  sockets: v.array(
    v.object({
      address: v.variant('kind', [
        v.object({ kind: v.literal('unix'), path: v.pipe(v.string(), v.minLength(1)) }),
        v.object({ kind: v.literal('tcp'), host: v.string(), port: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535)) }),
        v.object({ kind: v.literal('fd'), fd: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
      ]),
      level: v.picklist(['user', 'operator', 'admin']),
      mode: v.optional(socketModeSchema),
      owner: v.optional(accountIdsSchema),
      severityOutput: v.picklist(['none', 'number', 'string']),
      exposeFdListeners: v.boolean(),
      source: sourceSchema,
    }),
  ),
  timeout: v.pipe(v.number(), v.minValue(1)),
  maxconn: v.pipe(v.number(), v.integer(), v.minValue(1)),
});

const cacheSchema = v.object({
  name: v.pipe(v.string(), v.minLength(1)),
  totalMaxSize: v.pipe(v.number(), v.integer(), v.minValue(1)),
  maxObjectSize: v.pipe(v.number(), v.integer(), v.minValue(1)),
  maxAge: v.pipe(v.number(), v.integer()),
  processVary: v.boolean(),
  maxSecondaryEntries: v.pipe(v.number(), v.integer(), v.minValue(1)),
  source: sourceSchema,
});

const peerAddressFields = {
  host: v.optional(v.undefinedable(v.pipe(v.string(), v.minLength(1)))),
  port: v.optional(v.undefinedable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535)))),
};

const peersSchema = v.object({
  name: v.pipe(v.string(), v.minLength(1)),
  disabled: v.boolean(),
  peers: v.array(
    v.object({
      name: v.pipe(v.string(), v.minLength(1)),
      ...peerAddressFields,
      ssl: v.optional(v.undefinedable(v.boolean())),
      crt: v.optional(v.undefinedable(v.string())),
      verify: v.optional(v.undefinedable(v.picklist(['none', 'required']))),
      caFile: v.optional(v.undefinedable(v.string())),
      source: sourceSchema,
    }),
  ),
  bind: v.optional(
    v.undefinedable(
      v.object({
        host: v.string(),
        port: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535)),
        fd: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
        ssl: v.boolean(),
        crt: v.optional(v.undefinedable(v.string())),
        source: sourceSchema,
      }),
    ),
  ),
  tables: v.array(v.object({ name: v.pipe(v.string(), v.minLength(1)), table: stickTableModelSchema })),
  source: sourceSchema,
});

export const configModelSchema = v.object({
  global: v.object({
    maxconn: countSchema,
    maxConnRate: v.optional(countSchema),
    maxSessRate: v.optional(countSchema),
    maxSslRate: v.optional(countSchema),
    maxSslConn: v.optional(countSchema),
    nbthread: v.pipe(v.number(), v.integer(), v.minValue(1)),
    cpuMap: v.optional(v.object({ process: v.array(cpuSchema), threads: v.array(v.array(cpuSchema)) })),
    noReusePort: v.optional(v.boolean()),
    pp2NeverSendLocal: v.optional(v.boolean()),
    logs: v.array(logTargetSchema),
    hardStopAfter: v.undefinedable(durationMsSchema),
    serverTlsDefaults: v.optional(
      v.undefinedable(
        v.object({
          caBase: v.optional(v.undefinedable(v.string())),
          crtBase: v.optional(v.undefinedable(v.string())),
          verify: v.optional(v.undefinedable(v.picklist(['none', 'required']))),
        }),
      ),
    ),
    serverStateFile: v.optional(v.pipe(v.string(), v.minLength(1))),
    daemon: v.optional(v.boolean()),
    masterWorker: v.optional(v.boolean()),
    pidFile: v.optional(v.pipe(v.string(), v.minLength(1))),
    chroot: v.optional(v.pipe(v.string(), v.minLength(1))),
    identity: v.optional(accountIdsSchema),
    unixBind: v.optional(v.strictObject({ prefix: v.optional(v.string()), mode: v.optional(socketModeSchema), owner: v.optional(accountIdsSchema) })),
    localPeer: v.optional(v.undefinedable(v.string())),
    tune: v.optional(tuneSchema),
    stats: v.optional(statsSchema),
    sslLoadExtraDelExt: v.optional(v.boolean()),
    node: v.optional(v.undefinedable(v.pipe(v.string(), v.minLength(1)))),
    description: v.optional(v.undefinedable(v.string())),
    logTag: v.optional(v.undefinedable(v.pipe(v.string(), v.minLength(1)))),
    logSendHostname: v.optional(v.undefinedable(v.string())),
    h1CaseAdjust: v.optional(v.array(v.strictObject({ from: v.pipe(v.string(), v.minLength(1)), to: v.pipe(v.string(), v.minLength(1)) }))),
    spreadChecks: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(50))),
    maxSpreadChecks: v.optional(durationMsSchema),
    quiet: v.optional(v.boolean()),
    zeroWarning: v.optional(v.boolean()),
    compression: v.optional(
      v.object({
        maxLevel: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(9)),
        memLevel: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(9)),
        windowBits: v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(15)),
        rateLimit: v.pipe(v.number(), v.integer(), v.minValue(0)),
        maxZlibMemory: v.pipe(v.number(), v.integer(), v.minValue(0)),
        minIdle: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100)),
      }),
    ),
    ulimitN: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    fdLimit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(-1))),
    portKeywords: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    maxsock: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    strictLimits: v.optional(v.boolean()),
    grace: v.optional(durationMsSchema),
    closeSpreadTime: v.optional(v.union([v.pipe(durationMsSchema, v.minValue(1)), v.literal('infinite')])),
    mworkerMaxReloads: v.optional(countSchema),
    setVars: v.optional(
      v.array(v.object({ variable: variableSchema, conditions: v.array(varConditionSchema), kind: v.picklist(['expr', 'fmt']), value: v.string(), source: sourceSchema })),
    ),
  }),
  frontends: v.array(
    v.pipe(frontendSchema, rulesCompile<v.InferOutput<typeof frontendSchema>>('frontend'), logFormatsCompile<v.InferOutput<typeof frontendSchema>>()),
  ),
  backends: v.array(v.pipe(backendSchema, rulesCompile<v.InferOutput<typeof backendSchema>>('backend'))),
  warnings: v.array(diagnosticSchema),
  notices: v.optional(v.array(diagnosticSchema)),
  userlists: v.optional(
    v.pipe(
      v.array(userlistSchema),
      v.check((lists) => new Set(lists.map((u) => u.name)).size === lists.length, 'userlist names must be unique'),
    ),
  ),
  caches: v.optional(v.array(cacheSchema)),
  peers: v.optional(v.array(peersSchema)),
  logForwards: v.optional(
    v.array(
      v.strictObject({
        name: v.pipe(v.string(), v.minLength(1)),
        dgramBinds: v.array(v.strictObject({ host: v.pipe(v.string(), v.minLength(1)), port: portSchema })),
        binds: v.array(v.strictObject({ host: v.pipe(v.string(), v.minLength(1)), port: portSchema })),
        logs: v.array(logTargetSchema),
        maxconn: v.pipe(v.number(), v.integer()),
        backlog: v.optional(v.pipe(v.number(), v.integer())),
        timeoutClient: v.optional(durationMsSchema),
      }),
    ),
  ),
  mailers: v.optional(
    v.array(
      v.strictObject({
        name: v.pipe(v.string(), v.minLength(1)),
        timeoutMail: durationMsSchema,
        mailers: v.array(v.strictObject({ name: v.pipe(v.string(), v.minLength(1)), host: v.pipe(v.string(), v.minLength(1)), port: portSchema })),
      }),
    ),
  ),
  programs: v.optional(
    v.array(
      v.object({
        name: v.string(),
        command: v.pipe(v.array(v.string()), v.minLength(1)),
        user: v.optional(v.string()),
        group: v.optional(v.string()),
        startOnReload: v.boolean(),
        environment: v.optional(
          v.object({
            keptOnly: v.optional(v.array(v.string())),
            changes: v.array(v.tuple([v.string(), v.optional(v.string())])),
          }),
        ),
      }),
    ),
  ),
});

// Whatever the schema accepts must be a ConfigModel (compile-time check).
type SchemaOutput = v.InferOutput<typeof configModelSchema>;
const schemaOutputIsModel = (output: SchemaOutput): ConfigModel => output;
void schemaOutputIsModel;

/** "frontends.0.binds.1.port: Invalid value: Expected <=65535 but received 70000" for each issue. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue);
    return path === null ? issue.message : `${path}: ${issue.message}`;
  });
}

/** Problems with a model (empty when valid). */
export function checkConfigModel(model: unknown): string[] {
  const result = v.safeParse(configModelSchema, model);
  return result.success ? [] : describeIssues(result.issues);
}
