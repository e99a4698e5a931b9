/**
 * defineConfig(): a configuration written in TypeScript instead of haproxy.cfg.
 *
 *   export default defineConfig({
 *     defaults: { mode: 'http', timeouts: { connect: '5s', client: '30s', server: '30s' } },
 *     frontends: { web: { bind: ':8080', defaultBackend: 'app' } },
 *     backends: { app: { servers: { s1: '127.0.0.1:3000', s2: { address: '127.0.0.1:3001', weight: 2 } } } },
 *   }, 'switchyard.config.ts');
 *
 * The input is validated by a valibot schema (typos in keys are errors; each error names its
 * path, e.g. `backends.app.servers.s2.weight`), then goes through the same draft -> checks ->
 * model path as haproxy.cfg, so both produce the same ConfigModel with the same defaults
 * (mode tcp, retries 3, roundrobin, weight 1, keep-alive, http-reuse safe, retry-on
 * conn-failure, ...). Durations are milliseconds or HAProxy strings ("500ms", "5s", "1m"). TLS
 * certificates and CA certificates are given as PEM text, errorfiles as their content (`errorFiles:
 * { 503: { path, content } }`): read the files in the config module (e.g. with readFileSync) —
 * defineConfig itself reads nothing.
 */

import * as v from 'valibot';
import { parseAddress } from './address.ts';
import { readPemBlocks } from './certificates.ts';
import {
  newGlobalDraft,
  newProxyDraft,
  type BindDraft,
  type ConfigDraft,
  type GlobalDraft,
  type LogDraft,
  type Place,
  type ProxyDraft,
  type ProxyKind,
  type ServerSettings,
} from './draft.ts';
import { DiagnosticList } from './errors.ts';
import { normalizeNetwork, normalizeRetryOn } from './keywords/http.ts';
import { canonicalLogTarget, isServedLogTarget, isStdioLogTarget, LOG_FACILITIES, parseLogSample, parseTcpLogTarget, unservedLogTargetReason } from './keywords/log.ts';
import { parseSources } from './parser.ts';
import { parseInitAddr } from './keywords/server-init-addr.ts';
import { sniExpressionError, SYSTEM_CA } from './keywords/server-ssl.ts';
import type { ConfigModel, HttpConnectionMode, HttpReplyModel, LogSample, LogTarget, ProxyMode } from './model.ts';
import { ERROR_STATUSES } from '../http/codec/error-pages.ts';
import { parseErrorMessage } from '../http/error-message.ts';
import { resolveConfig } from './resolve.ts';
import {
  backendBalancingEntries,
  backendStickEntries,
  balanceInputSchema,
  cookieProblems,
  durationInputSchema,
  hashTypeInputSchema,
  serverCheckEntries,
  serverOnlyEntries,
  toBalance,
  toCookie,
  toHashType,
  toHealthCheck,
  toStickRule,
  toStickTable,
} from './define-backend-input.ts';
import {
  RETRY_ON_EVENTS,
  alpnSchema,
  checkConfigModel,
  countSchema,
  headerNameSchema,
  httpReuseSchema,
  logFormatSchema,
  logLevelSchema,
  modeSchema,
  fdRatioSchema,
  nameSchema,
  poolMaxConnSchema,
  verifySchema,
  weightSchema,
} from './schema.ts';
import { didYouMean } from './suggest.ts';
import { draftUserlists, userlistsInputSchema } from './define-userlists.ts';
import { backendRuleEntries, frontendRuleEntries, linesInputSchema, ruleEntries } from './define-rules-input.ts';
import { RuleDrafter } from './define-rules.ts';
import { GivenFiles, filesInputSchema } from './define-files.ts';
import { attachPatternFiles } from './load.ts';
import { withPatternFiles } from '../rules/pattern-files.ts';
import { issueMessages } from './define-issues.ts';
import { draftHttpErrors, errorfileFromContent, httpErrorsInputSchema, type ErrorfileContent } from './define-http-errors.ts';

const durationSchema = durationInputSchema;

const timeoutsInputSchema = v.strictObject({
  connect: v.optional(durationSchema),
  client: v.optional(durationSchema),
  server: v.optional(durationSchema),
  tunnel: v.optional(durationSchema),
  clientFin: v.optional(durationSchema),
  serverFin: v.optional(durationSchema),
  queue: v.optional(durationSchema),
  check: v.optional(durationSchema),
  httpRequest: v.optional(durationSchema),
  httpKeepAlive: v.optional(durationSchema),
  tarpit: v.optional(durationSchema),
});

const logTargetInputSchema = v.union([
  v.picklist(['stdout', 'stderr']),
  v.strictObject({
    target: v.pipe(v.string(), v.minLength(1)),
    format: v.optional(logFormatSchema),
    facility: v.optional(v.picklist(LOG_FACILITIES)),
    level: v.optional(logLevelSchema),
    minLevel: v.optional(logLevelSchema),
    maxLength: v.optional(v.pipe(v.number(), v.integer(), v.minValue(80), v.maxValue(65535))),
    /** `sample RANGES:SIZE`, as in haproxy.cfg (`'1,3:5'`). */
    sample: v.optional(v.string()),
  }),
]);

const proxyLogInputSchema = v.union([v.literal('global'), logTargetInputSchema]);

const forwardForInputSchema = v.union([
  v.boolean(),
  v.strictObject({
    except: v.optional(
      v.pipe(
        v.string(),
        v.check((n) => normalizeNetwork(n) !== undefined, 'expected an IPv4 or IPv6 address or network such as "10.0.0.0/8"'),
      ),
    ),
    header: v.optional(headerNameSchema),
    ifNone: v.optional(v.boolean()),
  }),
]);

/** `option X` as `X: true`, `no option X` as `X: false`. */
const optionsInputSchema = v.strictObject({
  tcplog: v.optional(v.boolean()),
  httplog: v.optional(v.boolean()),
  dontlognull: v.optional(v.boolean()),
  logasap: v.optional(v.boolean()),
  contstats: v.optional(v.boolean()),
  dontlogNormal: v.optional(v.boolean()),
  logSeparateErrors: v.optional(v.boolean()),
  redispatch: v.optional(v.boolean()),
  allbackups: v.optional(v.boolean()),
  persist: v.optional(v.boolean()),
  httpBufferRequest: v.optional(v.boolean()),
  abortonclose: v.optional(v.boolean()),
  httpKeepAlive: v.optional(v.boolean()),
  httpServerClose: v.optional(v.boolean()),
  httpclose: v.optional(v.boolean()),
  forwardfor: v.optional(forwardForInputSchema),
});

const RETRY_ON_WORDS = [...RETRY_ON_EVENTS, 'all-retryable-errors', 'none'] as const;

const retryOnInputSchema = v.pipe(
  v.array(v.picklist(RETRY_ON_WORDS)),
  v.minLength(1, "needs at least one event (use ['none'] to never retry)"),
  v.check((events) => !events.includes('none') || events.length === 1, "'none' is only usable alone"),
);

const certificateInputSchema = v.strictObject({
  certPem: v.pipe(v.string(), v.includes('-----BEGIN', 'certPem must be PEM text')),
  keyPem: v.pipe(v.string(), v.includes('PRIVATE KEY-----', 'keyPem must be a PEM private key')),
  /** Where it came from, for messages. */
  path: v.optional(v.string()),
});

const bindInputSchema = v.union([
  v.pipe(v.string(), v.minLength(1)),
  v.strictObject({
    address: v.pipe(v.string(), v.minLength(1)),
    ssl: v.optional(v.strictObject({ certificates: v.pipe(v.array(certificateInputSchema), v.minLength(1)) })),
    alpn: v.optional(v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(255))), v.minLength(1))),
    name: v.optional(v.string()),
    v6only: v.optional(v.boolean()),
    backlog: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    /** `accept-proxy`: every connection starts with a PROXY protocol header. */
    acceptProxy: v.optional(v.boolean()),
    /** `accept-netscaler-cip MAGIC`: every connection starts with a NetScaler Client IP header with this magic number. */
    netscalerCipMagic: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(0xffffffff))),
    /** `proto h2`: HTTP/2 with prior knowledge (h2c on clear binds). */
    proto: v.optional(v.picklist(['h1', 'h2'])),
    /** A UNIX socket's (`/path` or `unix@path`) permission bits, e.g. 0o660. */
    mode: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0o7777))),
    /** A UNIX socket's owner and group: ids, or names looked up in /etc/passwd and /etc/group at startup. */
    uid: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    gid: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    user: v.optional(v.pipe(v.string(), v.minLength(1))),
    group: v.optional(v.pipe(v.string(), v.minLength(1))),
  }),
]);

const serverSettingsEntries = {
  weight: v.optional(weightSchema),
  maxconn: v.optional(countSchema),
  /** `minconn`: with `maxconn`, the limit grows from minconn to maxconn with the backend's load (`fullconn`). */
  minconn: v.optional(countSchema),
  disabled: v.optional(v.boolean()),
  backup: v.optional(v.boolean()),
  ssl: v.optional(v.boolean()),
  verify: v.optional(verifySchema),
  /** The `ca-file` contents (PEM certificates), or "@system-ca". */
  caPem: v.optional(
    v.pipe(
      v.string(),
      v.check(
        (text) => text === SYSTEM_CA || readPemBlocks(text).certificates.length > 0,
        `caPem must be PEM certificates or "${SYSTEM_CA}"`,
      ),
    ),
  ),
  sni: v.optional(v.pipe(v.string(), v.minLength(1))),
  alpn: v.optional(alpnSchema),
  ...serverCheckEntries,
  /** `pool-max-conn`: most idle connections kept; -1 = unlimited (default), 0 = none. */
  poolMaxConn: v.optional(poolMaxConnSchema),
  /** `max-reuse`: streams an HTTP/2 server connection carries past its first; -1 = unlimited (default). */
  maxReuse: v.optional(v.pipe(v.number(), v.integer(), v.minValue(-1), v.maxValue(2_147_483_647))),
  /** `pool-low-conn`: idle connections kept beyond the estimated need (default 0). */
  poolLowConn: v.optional(countSchema),
  /** `pool-purge-delay` (default "5s"; 0 = keep no idle connection). */
  poolPurgeDelay: v.optional(durationSchema),
};

const serverInputSchema = v.union([
  v.pipe(v.string(), v.minLength(1)),
  v.strictObject({ address: v.pipe(v.string(), v.minLength(1)), ...serverSettingsEntries, ...serverOnlyEntries }),
]);

const namedServerInputSchema = v.strictObject({
  name: nameSchema,
  address: v.pipe(v.string(), v.minLength(1)),
  ...serverSettingsEntries,
  ...serverOnlyEntries,
});

/**
 * `errorfile CODE FILE` as `errorFiles: { CODE: { path, content } }`: the file's content (text,
 * sent as UTF-8, or bytes) is given, as PEM text is: defineConfig reads nothing.
 */
const errorFilesInputSchema = v.record(
  v.pipe(v.string(), v.regex(/^\d+$/, 'expected a status code')),
  v.strictObject({ path: v.optional(v.string()), content: v.union([v.string(), v.instance(Uint8Array)]) }),
);

const commonEntries = {
  mode: v.optional(modeSchema),
  errorFiles: v.optional(errorFilesInputSchema),
  timeouts: v.optional(timeoutsInputSchema),
  options: v.optional(optionsInputSchema),
  log: v.optional(v.array(proxyLogInputSchema)),
  /** `log-format` (replaces `options.httplog` / `options.tcplog`), `error-log-format`, `unique-id-format`, `unique-id-header`. */
  logFormat: v.optional(v.string()),
  errorLogFormat: v.optional(v.string()),
  uniqueIdFormat: v.optional(v.string()),
  uniqueIdHeader: v.optional(headerNameSchema),
  disabled: v.optional(v.boolean()),
};

/** `backlog`: the listen queue of binds without their own (haproxy.cfg's `backlog N`). */
const backlogSchema = v.pipe(v.number(), v.integer(), v.minValue(1));

const frontendEntries = {
  bind: v.union([bindInputSchema, v.pipe(v.array(bindInputSchema), v.minLength(1))]),
  defaultBackend: v.optional(nameSchema),
  maxconn: v.optional(countSchema),
  backlog: v.optional(backlogSchema),
  description: v.optional(v.string()),
};

const backendEntries = {
  servers: v.optional(v.union([v.record(nameSchema, serverInputSchema), v.array(namedServerInputSchema)])),
  defaultServer: v.optional(v.strictObject(serverSettingsEntries)),
  balance: v.optional(balanceInputSchema),
  ...backendBalancingEntries,
  ...backendStickEntries,
  retries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000))),
  httpReuse: v.optional(httpReuseSchema),
  retryOn: v.optional(retryOnInputSchema),
  description: v.optional(v.string()),
};

const defaultsInputSchema = v.strictObject({
  ...commonEntries,
  /** haproxy.cfg lines of the section, for keywords without a key of their own. */
  lines: v.optional(linesInputSchema),
  maxconn: v.optional(countSchema),
  backlog: v.optional(backlogSchema),
  retries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000))),
  balance: v.optional(balanceInputSchema),
  ...backendBalancingEntries,
  defaultBackend: v.optional(nameSchema),
  defaultServer: v.optional(v.strictObject(serverSettingsEntries)),
  httpReuse: v.optional(httpReuseSchema),
  retryOn: v.optional(retryOnInputSchema),
});

const frontendInputSchema = v.strictObject({ ...commonEntries, ...frontendEntries, ...ruleEntries, ...frontendRuleEntries });
const backendInputSchema = v.strictObject({ ...commonEntries, ...backendEntries, ...ruleEntries, ...backendRuleEntries });
const listenInputSchema = v.strictObject({
  ...commonEntries,
  ...backendEntries,
  ...frontendEntries,
  ...ruleEntries,
  ...frontendRuleEntries,
  ...backendRuleEntries,
  defaultBackend: v.optional(nameSchema),
});

/** The defineConfig() input, as a schema (exported for tooling, e.g. JSON config files). */
export const configInputSchema = v.strictObject({
  global: v.optional(
    v.strictObject({
      maxconn: v.optional(countSchema),
      nbthread: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(4096))),
      log: v.optional(v.array(logTargetInputSchema)),
      hardStopAfter: v.optional(durationSchema),
      /** `server-state-file` and `server-state-base`. */
      serverStateFile: v.optional(v.pipe(v.string(), v.minLength(1))),
      serverStateBase: v.optional(v.pipe(v.string(), v.minLength(1))),
      /** `tune.pool-low-fd-ratio`, `tune.pool-high-fd-ratio` (percent), `tune.idle-pool.shared`. */
      tune: v.optional(
        v.strictObject({
          poolLowFdRatio: v.optional(fdRatioSchema),
          poolHighFdRatio: v.optional(fdRatioSchema),
          idlePoolShared: v.optional(v.boolean()),
          /** `tune.h2.max-concurrent-streams` (0 = unlimited), `tune.h2.header-table-size`, `tune.h2.initial-window-size`, `tune.h2.max-frame-size`. */
          h2MaxConcurrentStreams: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
          h2HeaderTableSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(4096), v.maxValue(65536))),
          h2InitialWindowSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0x7fffffff))),
          h2MaxFrameSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(16384), v.maxValue(16777215))),
        }),
      ),
    }),
  ),
  defaults: v.optional(defaultsInputSchema),
  frontends: v.optional(v.record(nameSchema, frontendInputSchema)),
  backends: v.optional(v.record(nameSchema, backendInputSchema)),
  listen: v.optional(v.record(nameSchema, listenInputSchema)),
  userlists: v.optional(userlistsInputSchema),
  /** Contents of the files rules name (reply payloads, errorfiles, ACL pattern and map files), by path. */
  files: v.optional(filesInputSchema),
  /** `http-errors NAME` sections: `{ NAME: { CODE: { path?, content } } }`. */
  httpErrors: v.optional(httpErrorsInputSchema),
  /**
   * haproxy.cfg text of the sections without keys of their own (`ring`, `resolvers`, `peers`,
   * `cache`, `program`, `fcgi-app`, `mailers`...) and of `global` keywords without a key, read
   * by the haproxy.cfg parser; the typed keys apply after it. Proxies and `defaults` go in
   * their keys, not here.
   */
  sections: v.optional(v.string()),
});

export type {
  AclDefinition,
  ErrorfilesFromRule,
  HttpAfterResponseRule,
  HttpErrorRule,
  HttpRequestRule,
  HttpResponseRule,
  PersistRule,
  RedirectRule,
  TypedHttpRule,
  UseBackendRule,
  UseServerRule,
} from './define-rules-input.ts';

/** What defineConfig() accepts. */
export type SwitchyardConfig = v.InferInput<typeof configInputSchema>;
type ParsedInput = v.InferOutput<typeof configInputSchema>;
type ParsedCommon = v.InferOutput<typeof defaultsInputSchema>;
type ParsedLog = v.InferOutput<typeof proxyLogInputSchema>;
type ParsedBind = v.InferOutput<typeof bindInputSchema>;
type ParsedOptions = v.InferOutput<typeof optionsInputSchema>;
type ParsedStick = v.InferOutput<v.ObjectSchema<typeof backendStickEntries, undefined>>;
type ParsedServerSettings = v.InferOutput<v.ObjectSchema<typeof serverSettingsEntries, undefined>> & { cookie?: string | undefined };

/** The three `option` names of the HTTP connection modes, as defineConfig keys. */
const CONNECTION_MODES: readonly (readonly ['httpKeepAlive' | 'httpServerClose' | 'httpclose', HttpConnectionMode])[] = [
  ['httpKeepAlive', 'keep-alive'],
  ['httpServerClose', 'server-close'],
  ['httpclose', 'close'],
];

/** A `defaults` section header on a line of `sections`. */
const DEFAULTS_SECTION = /^[ \t]*defaults(?:[ \t]|$)/m;

/** Builds drafts from validated input, reporting semantic errors with their input path. */
class DraftBuilder {
  readonly #file: string;
  readonly #diagnostics: DiagnosticList;
  readonly #place: Place;
  readonly #files: GivenFiles;
  /** The global draft build() fills (log targets count the implicit rings in it). */
  #global: GlobalDraft | undefined;

  constructor(file: string, diagnostics: DiagnosticList, files: GivenFiles) {
    this.#files = files;
    this.#file = file;
    this.#diagnostics = diagnostics;
    this.#place = { file, line: 0, column: 0 };
  }

  #error(path: string, message: string): void {
    this.#diagnostics.error({ ...this.#place, keyword: path, message: `${path}: ${message}` });
  }

  #warning(path: string, message: string): void {
    this.#diagnostics.warning({ ...this.#place, keyword: path, message: `${path}: ${message}` });
  }

  build(input: ParsedInput): ConfigDraft {
    const fromSections = input.sections === undefined ? undefined : this.#sections(input.sections);
    const global = fromSections?.global ?? newGlobalDraft();
    this.#global = global;
    if (input.global?.maxconn !== undefined) global.maxconn = input.global.maxconn;
    if (input.global?.nbthread !== undefined) global.nbthread = input.global.nbthread;
    if (input.global?.hardStopAfter !== undefined) global.hardStopAfter = input.global.hardStopAfter;
    if (input.global?.serverStateFile !== undefined) global.serverStateFile = input.global.serverStateFile;
    if (input.global?.serverStateBase !== undefined) global.serverStateBase = input.global.serverStateBase;
    const tune = input.global?.tune;
    if (tune?.poolLowFdRatio !== undefined) global.tune.poolLowFdRatio = tune.poolLowFdRatio;
    if (tune?.poolHighFdRatio !== undefined) global.tune.poolHighFdRatio = tune.poolHighFdRatio;
    if (tune?.idlePoolShared !== undefined) global.tune.idlePoolShared = tune.idlePoolShared;
    if (tune?.h2MaxConcurrentStreams !== undefined) global.tune.h2MaxConcurrentStreams = tune.h2MaxConcurrentStreams;
    if (tune?.h2HeaderTableSize !== undefined) global.tune.h2HeaderTableSize = tune.h2HeaderTableSize;
    if (tune?.h2InitialWindowSize !== undefined) global.tune.h2InitialWindowSize = tune.h2InitialWindowSize;
    if (tune?.h2MaxFrameSize !== undefined) global.tune.h2MaxFrameSize = tune.h2MaxFrameSize;
    (input.global?.log ?? []).forEach((log, i) => {
      global.logs.push(this.#logTarget(log, `global.log.${i}`));
    });

    if (input.httpErrors !== undefined) draftHttpErrors(input.httpErrors, global, this.#file, this.#diagnostics);
    const rules = new RuleDrafter(this.#file, global, this.#diagnostics, (path) => this.#files.has(path));
    const defaults = input.defaults === undefined ? undefined : this.#proxy('defaults', '', input.defaults, undefined, 'defaults');
    if (defaults !== undefined && input.defaults !== undefined) rules.draft(defaults, input.defaults, 'defaults');
    const proxies: ProxyDraft[] = [];
    for (const [name, fe] of Object.entries(input.frontends ?? {})) {
      const proxy = this.#proxy('frontend', name, fe, defaults, `frontends.${name}`);
      this.#frontendPart(proxy, fe, `frontends.${name}`);
      rules.draft(proxy, fe, `frontends.${name}`);
      proxies.push(proxy);
    }
    for (const [name, be] of Object.entries(input.backends ?? {})) {
      const proxy = this.#proxy('backend', name, be, defaults, `backends.${name}`);
      this.#backendPart(proxy, be, `backends.${name}`);
      rules.draft(proxy, be, `backends.${name}`);
      proxies.push(proxy);
    }
    for (const [name, li] of Object.entries(input.listen ?? {})) {
      const path = `listen.${name}`;
      if (input.frontends?.[name] !== undefined || input.backends?.[name] !== undefined) {
        this.#error(path, `listen '${name}' has the same name as a frontend or backend.`);
      }
      const proxy = this.#proxy('listen', name, li, defaults, path);
      this.#frontendPart(proxy, li, path);
      this.#backendPart(proxy, li, path);
      rules.draft(proxy, li, path);
      proxies.push(proxy);
    }
    const typedUserlists = input.userlists === undefined ? [] : draftUserlists(input.userlists, this.#place, this.#diagnostics);
    const userlists = [...(fromSections?.userlists ?? []), ...typedUserlists];
    return {
      global,
      proxies,
      userlists: input.userlists === undefined && fromSections?.userlists === undefined ? undefined : userlists,
      userlistReferences: rules.userlistReferences,
    };
  }

  /** `sections`: read as a haproxy.cfg file of its own; its messages name `FILE (sections)`. */
  #sections(text: string): ConfigDraft {
    const file = `${this.#file} (sections)`;
    const { draft, diagnostics } = parseSources([{ file, text: text.endsWith('\n') ? text : `${text}\n` }]);
    for (const error of diagnostics.errors) this.#diagnostics.error(error);
    for (const warning of diagnostics.warnings) this.#diagnostics.warning(warning);
    for (const notice of diagnostics.notices) this.#diagnostics.notice(notice);
    // A `defaults` section there would apply to no proxy (they are all typed): refused, not ignored.
    if (DEFAULTS_SECTION.test(text)) this.#error('sections', "'defaults' sections are written under defaults.");
    if (draft.proxies.length > 0) {
      this.#error('sections', `'${draft.proxies.map((p) => `${p.kind} ${p.name}`).join("', '")}': proxies are written under frontends, backends and listen.`);
    }
    return draft;
  }

  #logTarget(log: Exclude<ParsedLog, 'global'>, path: string): LogTarget {
    const spec = typeof log === 'string' ? { target: log } : log;
    const target = canonicalLogTarget(spec.target);
    // As the `log` line: a `ring` section's buffer, or syslog over TCP through the next implicit ring.
    let ring: string | undefined;
    if (target.startsWith('ring@')) ring = target.slice(5);
    else if (/^tcp[46]?@/.test(target)) {
      if (parseTcpLogTarget(target) === undefined) this.#error(path, `'log' : invalid address: '${target}' (syslog over TCP takes an IP address and an optional port: tcp@127.0.0.1:514).`);
      const global = this.#global as GlobalDraft;
      global.implicitRings = (global.implicitRings ?? 0) + 1;
      ring = `ring#${global.implicitRings}`;
    } else if (!isServedLogTarget(target)) this.#error(path, unservedLogTargetReason(target));
    return {
      ...(ring === undefined ? {} : { ring }),
      target,
      // stdout/stderr lines are usually read by a collector that adds its own timestamp.
      format: 'format' in spec && spec.format !== undefined ? spec.format : isStdioLogTarget(target) ? 'raw' : 'unspec',
      facility: ('facility' in spec ? spec.facility : undefined) ?? 'local0',
      level: 'level' in spec ? spec.level : undefined,
      minLevel: 'minLevel' in spec ? spec.minLevel : undefined,
      maxLength: 'maxLength' in spec ? spec.maxLength : undefined,
      ...this.#logSample('sample' in spec ? spec.sample : undefined, path),
      source: { file: this.#file, line: 0 },
    };
  }

  #logSample(text: string | undefined, path: string): { sample?: LogSample } {
    if (text === undefined) return {};
    const parsed = parseLogSample(text);
    if (typeof parsed !== 'string') return { sample: parsed };
    this.#error(`${path}.sample`, `log : ${parsed}`);
    return {};
  }

  #proxy(
    kind: ProxyKind,
    name: string,
    input: Partial<ParsedCommon> & { description?: string | undefined },
    defaults: ProxyDraft | undefined,
    path: string,
  ): ProxyDraft {
    const proxy = newProxyDraft(kind, name, this.#place, defaults);
    if (input.mode !== undefined) proxy.mode = input.mode;
    if (input.maxconn !== undefined) proxy.maxconn = input.maxconn;
    if (input.backlog !== undefined) proxy.backlog = input.backlog;
    if (input.retries !== undefined) proxy.retries = input.retries;
    if (input.balance !== undefined) proxy.balance = toBalance(input.balance);
    if (input.hashType !== undefined) proxy.hashType = toHashType(input.hashType);
    if (input.cookie !== undefined) {
      for (const problem of cookieProblems(input.cookie)) this.#error(`${path}.cookie`, problem);
      proxy.cookie = toCookie(input.cookie, this.#place);
    }
    if (input.healthCheck !== undefined) proxy.healthCheck = toHealthCheck(input.healthCheck);
    if (input.loadServerState !== undefined) proxy.serverState = { load: input.loadServerState, fileName: proxy.serverState?.fileName };
    for (const [key, value] of Object.entries(input.timeouts ?? {})) {
      if (value !== undefined) proxy.timeouts[key as keyof ProxyDraft['timeouts']] = value;
    }
    if (input.options !== undefined) this.#options(proxy, input.options, `${path}.options`);
    if (input.logFormat !== undefined) {
      proxy.logFormat = { text: input.logFormat, origin: 'log-format', place: this.#place };
      proxy.options.tcplog = false;
      proxy.options.httplog = false;
    }
    if (input.errorLogFormat !== undefined) proxy.errorLogFormat = { text: input.errorLogFormat, place: this.#place };
    if (input.uniqueIdFormat !== undefined) proxy.uniqueIdFormat = { text: input.uniqueIdFormat, place: this.#place };
    if (input.uniqueIdHeader !== undefined) proxy.uniqueIdHeader = input.uniqueIdHeader;
    if (input.httpReuse !== undefined) proxy.http.reuse = input.httpReuse;
    if (input.retryOn !== undefined) proxy.http.retryOn = normalizeRetryOn(input.retryOn);
    if (input.log !== undefined) {
      // An explicit list replaces what defaults gave (there is no `no log` here).
      proxy.logs = input.log.map(
        (log, i): LogDraft =>
          log === 'global' ? { global: true, source: { file: this.#file, line: 0 } } : this.#logTarget(log, `${path}.log.${i}`),
      );
    }
    if (input.disabled !== undefined) proxy.disabled = input.disabled;
    if (input.description !== undefined) proxy.description = input.description;
    if (input.defaultBackend !== undefined) proxy.defaultBackend = { name: input.defaultBackend, place: this.#place };
    if (input.defaultServer !== undefined) this.#serverSettings(proxy.defaultServer, input.defaultServer, `${path}.defaultServer`, proxy.mode);
    for (const [code, file] of Object.entries(input.errorFiles ?? {})) this.#errorFile(proxy, Number(code), file, `${path}.errorFiles.${code}`);
    return proxy;
  }

  /** `errorfile CODE FILE` with the file's content given: checked as the loader checks a file. */
  #errorFile(proxy: ProxyDraft, status: number, file: ErrorfileContent, path: string): void {
    const built = errorfileFromContent(status, file);
    if (!built.ok) {
      this.#error(path, built.message);
      return;
    }
    proxy.errors.push({ kind: 'reply', status, reply: built.reply, place: this.#place, keyword: path });
  }

  /** `X: true` is `option X`, `X: false` is `no option X`, with haproxy.cfg's semantics. */
  #options(proxy: ProxyDraft, options: ParsedOptions, path: string): void {
    if (options.tcplog === true && options.httplog === true) {
      this.#error(path, "'tcplog' and 'httplog' cannot both be true (in haproxy.cfg the last one written wins).");
    }
    for (const format of ['tcplog', 'httplog'] as const) {
      const value = options[format];
      if (value === undefined) continue;
      proxy.options[format] = value;
      if (value) proxy.options[format === 'tcplog' ? 'httplog' : 'tcplog'] = false;
      // The format then follows the options (resolve.ts); an inherited log-format is replaced.
      proxy.logFormat = undefined;
    }
    if (options.dontlognull !== undefined) proxy.options.dontlognull = options.dontlognull;
    if (options.logasap !== undefined) proxy.options.logasap = options.logasap;
    if (options.contstats !== undefined) proxy.options.contstats = options.contstats;
    if (options.dontlogNormal !== undefined) proxy.options.dontlogNormal = options.dontlogNormal;
    if (options.logSeparateErrors !== undefined) proxy.options.logSeparateErrors = options.logSeparateErrors;
    if (options.redispatch !== undefined) proxy.options.redispatch = options.redispatch;
    if (options.allbackups !== undefined) proxy.options.allBackups = options.allbackups;
    if (options.persist !== undefined) proxy.options.persist = options.persist;
    if (options.httpBufferRequest !== undefined) proxy.options.bufferRequest = options.httpBufferRequest;
    if (options.abortonclose !== undefined) proxy.options.abortOnClose = options.abortonclose;

    const enabled = CONNECTION_MODES.filter(([key]) => options[key] === true);
    if (enabled.length > 1) {
      this.#error(path, `only one of ${enabled.map(([key]) => `'${key}'`).join(', ')} may be true (they replace each other).`);
    }
    for (const [key, mode] of CONNECTION_MODES) {
      // `no option X` returns to keep-alive only when X is the current mode.
      if (options[key] === false && proxy.http.connectionMode === mode) proxy.http.connectionMode = 'keep-alive';
    }
    const chosen = enabled[0];
    if (chosen !== undefined) proxy.http.connectionMode = chosen[1];

    const forwardfor = options.forwardfor;
    if (forwardfor === false) proxy.http.forwardFor = undefined;
    else if (forwardfor !== undefined) {
      const spec = forwardfor === true ? {} : forwardfor;
      proxy.http.forwardFor = {
        header: (spec.header ?? 'x-forwarded-for').toLowerCase(),
        except: spec.except === undefined ? undefined : normalizeNetwork(spec.except),
        ifNone: spec.ifNone ?? false,
        place: this.#place,
      };
    }
  }

  #serverSettings(target: ServerSettings, input: ParsedServerSettings, path: string, mode: ProxyMode): void {
    if (input.weight !== undefined) target.weight = input.weight;
    if (input.maxconn !== undefined) target.maxconn = input.maxconn;
    if (input.disabled !== undefined) target.disabled = input.disabled;
    if (input.backup !== undefined) target.backup = input.backup;
    if (input.ssl !== undefined) {
      target.ssl = input.ssl;
      // `ssl: false` is haproxy.cfg's `no-ssl` (use_ssl -1).
      target.noSsl = !input.ssl;
    }
    if (input.verify !== undefined) target.verify = input.verify;
    if (input.caPem !== undefined) target.ca = input.caPem === SYSTEM_CA ? { kind: 'system' } : { kind: 'pem', pem: input.caPem };
    if (input.sni !== undefined) {
      const error = sniExpressionError(input.sni);
      if (error !== undefined) this.#error(`${path}.sni`, `'${input.sni}' : ${error}`);
      target.sni = input.sni;
    }
    if (input.alpn !== undefined) target.alpn = [...input.alpn];
    if (input.check !== undefined) target.checkEnabled = input.check;
    if (input.inter !== undefined) target.inter = input.inter;
    if (input.fastinter !== undefined) target.fastinter = input.fastinter;
    if (input.downinter !== undefined) target.downinter = input.downinter;
    if (input.rise !== undefined) target.rise = input.rise;
    if (input.fall !== undefined) target.fall = input.fall;
    if (input.checkPort !== undefined) {
      target.checkPort = input.checkPort;
      // As haproxy.cfg's `port` keyword: a socket reserved (src/proxy/ideal-maxconn.ts).
      const global = this.#global as GlobalDraft;
      global.portKeywords = (global.portKeywords ?? 0) + 1;
    }
    if (input.checkAddr !== undefined) target.checkAddr = input.checkAddr;
    if (input.slowstart !== undefined) target.slowstart = input.slowstart;
    if (input.maxqueue !== undefined) target.maxqueue = input.maxqueue;
    if (input.minconn !== undefined) target.minconn = input.minconn;
    if (input.poolMaxConn !== undefined) target.poolMaxConn = input.poolMaxConn;
    if (input.maxReuse !== undefined) target.maxReuse = input.maxReuse;
    if (input.poolLowConn !== undefined) target.poolLowConn = input.poolLowConn;
    if (input.poolPurgeDelay !== undefined) target.poolPurgeDelay = input.poolPurgeDelay;
    if (input.onMarkedDown !== undefined) target.onMarkedDown = input.onMarkedDown;
    if (input.onMarkedUp !== undefined) target.onMarkedUp = input.onMarkedUp;
    if (input.proto !== undefined) target.proto = input.proto;
    if (input.observe !== undefined) {
      // As haproxy.cfg: layer7 needs the proxy to be in http mode already.
      if (input.observe === 'layer7' && mode !== 'http') this.#error(`${path}.observe`, "'layer7' can only be used in http proxies.");
      else target.observe = input.observe === 'none' ? undefined : input.observe;
    }
    if (input.errorLimit !== undefined) target.errorLimit = input.errorLimit;
    if (input.onError !== undefined) target.onError = input.onError;
    if (input.initAddr !== undefined) {
      const parsed = parseInitAddr(typeof input.initAddr === 'string' ? input.initAddr : input.initAddr.join(','));
      if (parsed.ok) target.initAddr = parsed.value;
      else this.#error(`${path}.initAddr`, parsed.message);
    }
  }

  /** `mode`, `uid`/`user`, `gid`/`group` of a UNIX bind; refused on a TCP one, where they mean nothing. */
  #socketFile(draft: BindDraft, bind: Exclude<ParsedBind, string>, path: string): void {
    const written = (['mode', 'uid', 'gid', 'user', 'group'] as const).filter((k) => bind[k] !== undefined);
    if (written.length === 0) return;
    if (draft.unix !== true) {
      this.#error(path, `${written.join(', ')} only apply to a UNIX socket address ('/path' or 'unix@path').`);
      return;
    }
    if ((bind.uid !== undefined && bind.user !== undefined) || (bind.gid !== undefined && bind.group !== undefined)) {
      this.#error(path, `give the owner as uid or user, the group as gid or group, not both.`);
      return;
    }
    if (bind.mode !== undefined) draft.mode = bind.mode;
    const source = { file: this.#place.file, line: this.#place.line };
    const named = (kind: 'user' | 'group', name: string) => ({ name, source, unknown: `${path}.${kind}: unknown ${kind} name '${name}'` });
    draft.owner = {
      ...(bind.uid !== undefined ? { uid: bind.uid } : {}),
      ...(bind.gid !== undefined ? { gid: bind.gid } : {}),
      ...(bind.user !== undefined ? { user: named('user', bind.user) } : {}),
      ...(bind.group !== undefined ? { group: named('group', bind.group) } : {}),
    };
  }

  #frontendPart(proxy: ProxyDraft, input: { bind: ParsedBind | ParsedBind[] }, path: string): void {
    const binds = Array.isArray(input.bind) ? input.bind : [input.bind];
    binds.forEach((bind, i) => {
      const bindPath = Array.isArray(input.bind) ? `${path}.bind.${i}` : `${path}.bind`;
      const spec = typeof bind === 'string' ? { address: bind } : bind;
      for (const part of spec.address.split(',')) {
        const parsed = parseAddress(part, true, { unix: true, fd: true });
        if (!parsed.ok) {
          this.#error(bindPath, `${parsed.message}.`);
          continue;
        }
        const draft: BindDraft = {
          host: parsed.value.host,
          port: parsed.value.port,
          ...(parsed.value.unix === true ? { unix: true } : {}),
          ...(parsed.value.fd !== undefined ? { fd: parsed.value.fd } : {}),
          address: part,
          ssl: false,
          crt: [],
          certificates: [],
          alpn: undefined,
          name: undefined,
          v6only: undefined,
          backlog: undefined,
          place: this.#place,
        };
        if (typeof bind !== 'string') {
          if (bind.ssl !== undefined) {
            draft.ssl = true;
            draft.certificates = bind.ssl.certificates.map((c, k) => ({
              path: c.path ?? `${bindPath}.ssl.certificates.${k}`,
              certPem: c.certPem,
              keyPem: c.keyPem,
            }));
          }
          draft.alpn = bind.alpn;
          draft.name = bind.name;
          draft.v6only = bind.v6only;
          draft.backlog = bind.backlog;
          if (bind.acceptProxy === true) draft.acceptProxy = true;
          if (bind.netscalerCipMagic !== undefined) draft.netscalerCipMagic = bind.netscalerCipMagic;
          if (bind.proto !== undefined) draft.proto = bind.proto;
          this.#socketFile(draft, bind, bindPath);
        }
        proxy.binds.push(draft);
      }
    });
  }

  #backendPart(
    proxy: ProxyDraft,
    input: {
      servers?: Record<string, string | ({ address: string } & ParsedServerSettings)> | ({ name: string; address: string } & ParsedServerSettings)[] | undefined;
    } & ParsedStick,
    path: string,
  ): void {
    if (input.stickTable !== undefined) proxy.stickTable = toStickTable(input.stickTable, this.#place);
    if (input.serverStateFileName !== undefined) proxy.serverState = { load: proxy.serverState?.load ?? 'none', fileName: input.serverStateFileName };
    for (const rule of input.stick ?? []) proxy.stickRules.push(toStickRule(rule, this.#place));
    const servers = input.servers;
    if (servers === undefined) return;
    const entries: [string, string | ({ address: string } & ParsedServerSettings), string][] = Array.isArray(servers)
      ? servers.map((s, i) => [s.name, s, `${path}.servers.${i}`])
      : Object.entries(servers).map(([name, s]) => [name, s, `${path}.servers.${name}`]);
    for (const [name, server, serverPath] of entries) {
      const address = typeof server === 'string' ? server : server.address;
      const parsed = parseAddress(address, false);
      if (!parsed.ok) {
        this.#error(serverPath, `${parsed.message}.`);
        continue;
      }
      const settings: ServerSettings = { ...proxy.defaultServer };
      if (typeof server !== 'string') {
        this.#serverSettings(settings, server, serverPath, proxy.mode);
        if (server.cookie !== undefined) settings.cookie = server.cookie;
      }
      const { host, port, family } = parsed.value;
      proxy.servers.push({
        ...settings,
        name,
        host,
        port,
        ...(family !== undefined ? { family } : {}),
        // As haproxy.cfg's server lines: a default-server with ssl prepares an SSL context (set server ... ssl).
        ...(proxy.defaultServer.ssl ? { defaultServerSsl: true } : {}),
        place: this.#place,
      });
    }
  }
}

/** Every key the input schema knows, for "did you mean" on a misspelt key. */
function collectKeys(schema: unknown, into: Set<string>, seen = new Set<unknown>()): Set<string> {
  if (typeof schema !== 'object' || schema === null || seen.has(schema)) return into;
  seen.add(schema);
  const node = schema as { entries?: Record<string, unknown>; wrapped?: unknown; options?: unknown; item?: unknown; value?: unknown };
  if (node.entries !== undefined) {
    for (const [key, child] of Object.entries(node.entries)) {
      into.add(key);
      collectKeys(child, into, seen);
    }
  }
  for (const child of [node.wrapped, node.item, node.value]) collectKeys(child, into, seen);
  if (Array.isArray(node.options)) for (const child of node.options) collectKeys(child, into, seen);
  return into;
}

let knownKeys: Set<string> | undefined;

function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    const key = issue.path?.[issue.path.length - 1]?.key;
    if (typeof key === 'string') {
      knownKeys ??= collectKeys(configInputSchema, new Set());
      return `unknown key '${key}'${didYouMean(key, knownKeys)}`;
    }
  }
  return issue.message;
}

/**
 * Validates a TypeScript configuration and returns the resolved model (HAProxy defaults
 * applied, cross-checks done). Throws a ConfigError listing every problem. `file` names the
 * configuration in messages and source locations (line 0).
 */
export function defineConfig(input: SwitchyardConfig, file = 'defineConfig()'): ConfigModel {
  const diagnostics = new DiagnosticList();
  const parsed = v.safeParse(configInputSchema, input);
  if (!parsed.success) {
    for (const { path, message } of parsed.issues.flatMap((issue) => issueMessages(issue, describeIssue))) {
      diagnostics.error({ file, line: 0, column: 0, keyword: path, message: `${path}: ${message}` });
    }
    diagnostics.throwIfFailed();
  }
  const output = parsed.output as ParsedInput;
  // Pattern files are read while rules compile, in drafting and in resolving alike.
  const files = new GivenFiles(output.files);
  const draft = withPatternFiles(files, () => new DraftBuilder(file, diagnostics, files).build(output));
  const replyFiles = files.replyFiles(draft.global.replyFiles, diagnostics);
  const resolved = withPatternFiles(files, () => resolveConfig(draft, diagnostics, undefined, undefined, replyFiles));
  diagnostics.throwIfFailed();
  const patternFiles = files.patternTexts;
  const model = patternFiles === undefined ? resolved : attachPatternFiles(resolved, patternFiles);
  for (const problem of checkConfigModel(model)) {
    diagnostics.error({ file, line: 0, column: 0, keyword: '', message: `internal error: invalid model: ${problem}` });
  }
  diagnostics.throwIfFailed();
  return model;
}

