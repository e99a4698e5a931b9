/**
 * The defineConfig() input for balancing, server health checks and persistence, and how each
 * becomes the draft the haproxy.cfg parser would have built from the equivalent lines:
 *
 *   balance: 'leastconn' | { algorithm: 'hdr', header: 'host', useDomainOnly: true } | ...
 *   hashType: 'consistent' | { method: 'map-based', function: 'djb2', avalanche: true }
 *   servers: { s1: { address: '10.0.0.1:80', check: true, inter: '5s', rise: 3, cookie: 's1' } }
 *   cookie: { name: 'SRV', mode: 'insert', indirect: true, nocache: true }
 *   stickTable: { type: 'ip', size: '100k', expire: '30m' }
 *   stick: [{ kind: 'on', expression: 'src' }]
 *   healthCheck: 'tcp' | { kind: 'http', method: 'GET', uri: '/health', expect: [{ kind: 'status', pattern: '200' }] }
 *
 * Defaults and rules are HAProxy's, as in the cfg keywords (keywords/balance.ts, persistence.ts,
 * health-check.ts): `consistent` alone means sdbm with avalanche, `random` draws 2, string keys
 * are 32 bytes long, an HTTP check is `OPTIONS / HTTP/1.0`.
 */

import * as v from 'valibot';
import { compileSampleFetch } from '../rules/sample-fetch.ts';
import { isIPv4, isIPv6 } from './address.ts';
import { newHealthCheckDraft, type CookieDraft, type HealthCheckDraft, type Place, type StickRuleDraft } from './draft.ts';
import { parseSize } from './keywords/args.ts';
import type { BalanceModel, HashTypeModel, StickStoreModel, StickTableModel } from './model.ts';
import { parseStoreList } from './keywords/stick-store.ts';
import {
  countSchema,
  drawsSchema,
  durationMsSchema,
  hashFunctionSchema,
  hashMethodSchema,
  headerNameSchema,
  httpCheckExpectKindSchema,
  nameSchema,
  portSchema,
  simpleBalanceAlgorithmSchema,
  stickTableTypeSchema,
} from './schema.ts';
import { parseDuration } from './time.ts';

/** Milliseconds, or a HAProxy time string ("5s"). */
export const durationInputSchema = v.union(
  [
    durationMsSchema,
    v.pipe(
      v.string(),
      v.check((text) => parseDuration(text).ok, 'expected a duration such as 500, "500ms", "5s", "1m", "2h" or "1d"'),
      v.transform((text) => {
        const parsed = parseDuration(text);
        return parsed.ok ? parsed.ms : 0;
      }),
    ),
  ],
  'expected a duration: milliseconds as a number, or a string such as "5s"',
);

const positiveDurationSchema = v.pipe(durationInputSchema, v.minValue(1, 'must be greater than 0'));

const sampleExpressionSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.check((expression) => compileSampleFetch(expression).ok, 'expected a sample expression such as "src", "req.hdr(host)" or "url_param(id)"'),
);

export const balanceInputSchema = v.union([
  simpleBalanceAlgorithmSchema,
  v.picklist(['uri', 'random']),
  v.strictObject({ algorithm: simpleBalanceAlgorithmSchema }),
  v.strictObject({
    algorithm: v.literal('uri'),
    len: v.optional(v.pipe(countSchema, v.minValue(1))),
    depth: v.optional(v.pipe(countSchema, v.minValue(1))),
    whole: v.optional(v.boolean()),
    pathOnly: v.optional(v.boolean()),
  }),
  v.strictObject({ algorithm: v.literal('url_param'), param: v.pipe(v.string(), v.minLength(1)) }),
  v.strictObject({ algorithm: v.literal('hdr'), header: headerNameSchema, useDomainOnly: v.optional(v.boolean()) }),
  v.strictObject({ algorithm: v.literal('random'), draws: v.optional(drawsSchema) }),
  v.strictObject({ algorithm: v.literal('hash'), expression: sampleExpressionSchema }),
]);

export function toBalance(input: v.InferOutput<typeof balanceInputSchema>): BalanceModel {
  const spec = typeof input === 'string' ? { algorithm: input } : input;
  switch (spec.algorithm) {
    case 'uri': {
      const uri = spec as { len?: number; depth?: number; whole?: boolean; pathOnly?: boolean };
      return { algorithm: 'uri', len: uri.len ?? 0, depth: uri.depth ?? 0, whole: uri.whole ?? false, pathOnly: uri.pathOnly ?? false };
    }
    case 'random':
      return { algorithm: 'random', draws: 'draws' in spec && spec.draws !== undefined ? spec.draws : 2 };
    case 'url_param':
    case 'hash':
      return spec;
    case 'hdr':
      return { algorithm: 'hdr', header: spec.header.toLowerCase(), useDomainOnly: spec.useDomainOnly ?? false };
    default:
      return { algorithm: spec.algorithm };
  }
}

export const hashTypeInputSchema = v.union([
  hashMethodSchema,
  v.strictObject({ method: hashMethodSchema, function: v.optional(hashFunctionSchema), avalanche: v.optional(v.boolean()) }),
]);

/** HAProxy's rule: `hash-type consistent` without a function means sdbm with avalanche. */
export function toHashType(input: v.InferOutput<typeof hashTypeInputSchema>): HashTypeModel {
  const spec = typeof input === 'string' ? { method: input } : input;
  const fn = 'function' in spec ? spec.function : undefined;
  const avalanche = 'avalanche' in spec && spec.avalanche !== undefined ? spec.avalanche : fn === undefined && spec.method === 'consistent';
  return { method: spec.method, function: fn ?? 'sdbm', avalanche };
}

const ipLiteralSchema = v.pipe(
  v.string(),
  v.check((text) => isIPv4(text) || isIPv6(text), 'expected an IPv4 or IPv6 address (without port)'),
);

/** Server options shared by servers and defaultServer (health checks, queue, slow start). */
export const serverCheckEntries = {
  check: v.optional(v.boolean()),
  inter: v.optional(positiveDurationSchema),
  fastinter: v.optional(positiveDurationSchema),
  downinter: v.optional(positiveDurationSchema),
  rise: v.optional(v.pipe(countSchema, v.minValue(1))),
  fall: v.optional(v.pipe(countSchema, v.minValue(1))),
  /** `port`: the port health checks connect to. */
  checkPort: v.optional(portSchema),
  /** `addr`: the address health checks connect to. */
  checkAddr: v.optional(ipLiteralSchema),
  slowstart: v.optional(durationInputSchema),
  maxqueue: v.optional(countSchema),
  onMarkedDown: v.optional(v.literal('shutdown-sessions')),
  onMarkedUp: v.optional(v.literal('shutdown-backup-sessions')),
  /** `proto`: 'h2' speaks HTTP/2 to the server (h2c in clear), 'h1' HTTP/1.1 whatever ALPN says. */
  proto: v.optional(v.picklist(['h1', 'h2'])),
  /** `observe`: passive health observation (needs `check`; layer7 needs mode http). */
  observe: v.optional(v.picklist(['none', 'layer4', 'layer7'])),
  /** `error-limit`: consecutive observed errors that trigger `onError` (default 10). */
  errorLimit: v.optional(v.pipe(countSchema, v.minValue(1))),
  /** `on-error` (default 'fail-check'). */
  onError: v.optional(v.picklist(['fastinter', 'fail-check', 'sudden-death', 'mark-down'])),
  /**
   * `init-addr`: 'last,libc,none' as in haproxy.cfg, or the methods as an array
   * (['libc', '10.0.0.1']); checked by the builder, which reports HAProxy's messages.
   */
  initAddr: v.optional(v.union([v.string(), v.pipe(v.array(v.string()), v.minLength(1))])),
};

/** Server-only options (HAProxy refuses `cookie` on default-server). */
export const serverOnlyEntries = {
  cookie: v.optional(v.pipe(v.string(), v.minLength(1))),
};

const cookieInputSchema = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1)),
  /** `passive`: haproxy.cfg's `cookie NAME` without a mode word (the servers set the cookie). */
  mode: v.picklist(['insert', 'rewrite', 'prefix', 'passive']),
  indirect: v.optional(v.boolean()),
  nocache: v.optional(v.boolean()),
  postonly: v.optional(v.boolean()),
  preserve: v.optional(v.boolean()),
  httponly: v.optional(v.boolean()),
  secure: v.optional(v.boolean()),
  domains: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))),
  maxidle: v.optional(positiveDurationSchema),
  maxlife: v.optional(positiveDurationSchema),
});

const stickTableInputSchema = v.strictObject({
  type: stickTableTypeSchema,
  /** Key length for string and binary tables (default 32). */
  len: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535))),
  /** Entries: a number or a HAProxy size ("100k", "1m"). */
  size: v.union([
    v.pipe(v.number(), v.integer(), v.minValue(1)),
    v.pipe(
      v.string(),
      v.check((text) => (parseSize(text) ?? 0) > 0, 'expected a positive size such as 1000, "100k" or "1m"'),
      v.transform((text) => parseSize(text) ?? 0),
    ),
  ]),
  expire: v.optional(positiveDurationSchema),
  nopurge: v.optional(v.boolean()),
  /** HAProxy's `store` list: "http_req_rate(10s),gpc0,conn_cur". */
  store: v.optional(
    v.pipe(
      v.string(),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const stores: StickStoreModel[] = [];
        const parsed = parseStoreList(dataset.value, stores);
        if (!parsed.ok) {
          addIssue({ message: parsed.message });
          return NEVER;
        }
        return stores;
      }),
    ),
  ),
});

const stickRuleInputSchema = v.strictObject({
  kind: v.picklist(['on', 'match', 'store-request']),
  expression: sampleExpressionSchema,
  table: v.optional(nameSchema),
});

const httpCheckExpectInputSchema = v.strictObject({
  negate: v.optional(v.boolean()),
  kind: httpCheckExpectKindSchema,
  pattern: v.pipe(v.string(), v.minLength(1)),
});

const healthCheckInputSchema = v.union([
  v.literal('tcp'),
  v.strictObject({
    kind: v.literal('http'),
    method: v.optional(v.pipe(v.string(), v.regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'expected an HTTP method'))),
    uri: v.optional(v.pipe(v.string(), v.minLength(1))),
    version: v.optional(v.pipe(v.string(), v.minLength(1))),
    headers: v.optional(v.array(v.tuple([headerNameSchema, v.string()]))),
    body: v.optional(v.string()),
    expect: v.optional(v.array(httpCheckExpectInputSchema)),
  }),
]);

/** Backend keys (also accepted in defaults where HAProxy accepts the keyword there). */
export const backendBalancingEntries = {
  hashType: v.optional(hashTypeInputSchema),
  cookie: v.optional(cookieInputSchema),
  healthCheck: v.optional(healthCheckInputSchema),
  /** `load-server-state-from-file`. */
  loadServerState: v.optional(v.picklist(['global', 'local', 'none'])),
};

/** Backend-only keys (HAProxy refuses them in defaults). */
export const backendStickEntries = {
  /** `server-state-file-name` (the file of `loadServerState: 'local'`; default the backend's name). */
  serverStateFileName: v.optional(v.pipe(v.string(), v.minLength(1))),
  stickTable: v.optional(stickTableInputSchema),
  stick: v.optional(v.array(stickRuleInputSchema)),
};

export function toCookie(input: v.InferOutput<typeof cookieInputSchema>, place: Place): CookieDraft {
  return {
    name: input.name,
    mode: input.mode,
    indirect: input.indirect ?? false,
    nocache: input.nocache ?? false,
    postonly: input.postonly ?? false,
    preserve: input.preserve ?? false,
    httponly: input.httponly ?? false,
    secure: input.secure ?? false,
    domains: [...(input.domains ?? [])],
    maxidle: input.maxidle,
    maxlife: input.maxlife,
    place,
  };
}

/** Problems HAProxy reports for a cookie line, as messages (empty when valid). */
export function cookieProblems(input: v.InferOutput<typeof cookieInputSchema>): string[] {
  const problems: string[] = [];
  if (input.mode === 'rewrite' && input.indirect === true) problems.push("cookie 'rewrite' and 'indirect' modes are incompatible.");
  if (input.preserve === true && input.mode !== 'insert' && input.indirect !== true) {
    problems.push("cookie 'preserve' requires at least 'insert' or 'indirect'.");
  }
  if (input.mode !== 'insert' && (input.maxidle !== undefined || input.maxlife !== undefined)) {
    problems.push("cookie 'maxidle' and 'maxlife' only apply to 'insert' mode.");
  }
  return problems;
}

export function toStickTable(input: v.InferOutput<typeof stickTableInputSchema>, place: Place): StickTableModel {
  return {
    type: input.type,
    keyLength: input.type === 'string' || input.type === 'binary' ? (input.len ?? 32) : input.type === 'ipv6' ? 16 : 4,
    size: input.size,
    expire: input.expire,
    nopurge: input.nopurge ?? false,
    ...(input.store !== undefined && input.store.length > 0 ? { store: input.store } : {}),
    source: { file: place.file, line: place.line },
  };
}

export function toStickRule(input: v.InferOutput<typeof stickRuleInputSchema>, place: Place): StickRuleDraft {
  return { kind: input.kind, expression: input.expression, table: input.table, place, tablePlace: input.table === undefined ? undefined : place };
}

export function toHealthCheck(input: v.InferOutput<typeof healthCheckInputSchema>): HealthCheckDraft {
  if (input === 'tcp') return newHealthCheckDraft();
  return {
    ...newHealthCheckDraft(),
    kind: 'http',
    httpchk: { method: input.method, uri: input.uri, version: input.version, headers: [] },
    send:
      input.headers === undefined && input.body === undefined
        ? undefined
        : { method: undefined, uri: undefined, version: undefined, headers: [...(input.headers ?? [])], body: input.body },
    expect: (input.expect ?? []).map((e) => ({ negate: e.negate ?? false, kind: e.kind, pattern: e.pattern })),
    rulesInherited: false,
    rulesPlace: undefined,
  };
}
