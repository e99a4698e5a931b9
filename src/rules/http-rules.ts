/**
 * A proxy's `http-request` / `http-response` rules, compiled once per config generation (cached
 * per model object: a new generation brings new models), and the per-session runner the HTTP
 * session calls once per message head.
 *
 * Order, as HAProxy's http_process_req_common / http_process_res_common: request rules of the
 * frontend then of the backend; response rules of the backend then of the frontend. A `listen`
 * section is one proxy: its rules run once.
 */
import type { StreamContext } from '../log/log-record.ts';
import type { StreamNameResolver } from '../dns/stream-resolution.ts';
import { listenerIdOf } from '../proxy/auto-ids.ts';
import type { StreamCaching } from '../cache/caching.ts';
import { ConnectionInfo } from '../proxy/connection-info.ts';
import type { AclModel, BackendModel, BindModel, FrontendModel, HttpFinalRuleModel, HttpRuleModel, HttpRulesModel, RedirectModel, SourceLocation, SwitchingRuleModel } from '../config/model.ts';
import type { HttpHead, RequestHead, ResponseHead } from '../http/codec/head.ts';
import type { HeadEditor } from '../http/codec/serialize.ts';
import type { LocalReply } from '../http/local-reply.ts';
import type { Runtime, Socket, TlsInfo } from '../runtime.ts';
import { NO_USERLISTS, type UserlistTable } from '../auth/userlist.ts';
import { patternFilesOf, withPatternFiles } from './pattern-files.ts';
import { compileRuleAction } from './actions/index.ts';
import { compileRedirect } from './actions/redirect-action.ts';
import { compileCondition, type CompiledCondition, type ConditionCompile } from './condition.ts';
import { Verdict, type HttpAction, type HttpActionContext } from './http-action.ts';
import { compileLogFormat, compilingProxyFormats, type LogFormat } from './log-format.ts';
import type { RuleSource, SampleBackend, SampleContext, SampleFrontend, SampleServer } from './sample-context.ts';
import type { SampleDirection } from './sample-fetch.ts';
import type { MessageBody } from './message-body.ts';
import { ProcessVars, SessionVars } from './vars.ts';
import { withStickTableScope } from '../stick/table-scope.ts';
import type { StickTable } from '../stick/stick-table.ts';
import { StickTracking } from '../stick/tracking.ts';
import type { StreamCaptures } from '../stream/captures.ts';

/** A rule the engine cannot compile (a hand-built or unvalidated model). */
export class HttpRuleError extends Error {
  readonly code = 'HTTP_RULE_INVALID';
  readonly source: SourceLocation;
  constructor(source: SourceLocation, proxy: string, rule: string, reason: string) {
    super(`[${source.file}:${source.line}] proxy '${proxy}': '${rule}': ${reason}`);
    this.source = source;
  }
}

interface CompiledRule {
  readonly condition: CompiledCondition | undefined;
  readonly action: HttpAction;
  /** Where the rule was written, for `last_rule_file`; undefined for `redirect` lines, which HAProxy does not record. */
  readonly source: SourceLocation | undefined;
}

/** A `use_backend` rule: a backend name, or a log-format giving one per request. */
interface CompiledSwitchingRule {
  readonly condition: CompiledCondition | undefined;
  readonly backend: string | LogFormat;
}

export interface ProxyHttpRules {
  readonly request: readonly CompiledRule[];
  readonly response: readonly CompiledRule[];
  /** `http-after-response` rules: every response, the proxy's own replies and errors included. */
  readonly afterResponse: readonly CompiledRule[];
  /** The `redirect` keyword's rules, after the `http-request` ones (HAProxy's order). */
  readonly redirects: readonly CompiledRule[];
  /** `use_backend` rules (frontends). */
  readonly switching: readonly CompiledSwitchingRule[];
  /** A value among them has a variable final only at the end of the stream (compilingProxyFormats). */
  readonly waitsForEnd?: boolean;
}

export interface CompiledProxyRules {
  /** undefined when the proxy has no HTTP rule. */
  readonly rules: ProxyHttpRules | undefined;
  /** HAProxy's warnings (ACLs that can never match where they are used), with their rule's place. */
  readonly warnings: readonly { readonly source: SourceLocation; readonly message: string }[];
}

type ProxyModel = HttpRulesModel & { readonly name: string; readonly switchingRules?: readonly SwitchingRuleModel[] | undefined };

/**
 * Compiles a proxy's rules (`side` names it in warnings, as HAProxy: "frontend http-response
 * header rule"). Throws HttpRuleError on an invalid rule.
 */
export function compileProxyRules(model: ProxyModel, side: 'frontend' | 'backend'): CompiledProxyRules {
  // Map converters read the pattern files the model carries; `src_*` and `track-sc` default to the proxy's own table.
  const { compiled, waitsForEnd } = compilingProxyFormats(() =>
    withPatternFiles(patternFilesOf(model.patternFiles), () => withStickTableScope(model.name, () => compileRules(model, side))),
  );
  return compiled.rules === undefined || !waitsForEnd ? compiled : { ...compiled, rules: { ...compiled.rules, waitsForEnd } };
}

function compileRules(model: ProxyModel, side: 'frontend' | 'backend'): CompiledProxyRules {
  const acls = model.acls ?? [];
  const lookup = (name: string) => acls.filter((a) => a.name === name);
  const warnings: { source: SourceLocation; message: string }[] = [];
  const conditionIn = (
    proxyName: string,
    acls: (name: string) => AclModel[],
    rule: { condition: HttpRuleModel['condition']; source: SourceLocation },
    keyword: string,
    direction: SampleDirection,
    where: string,
  ) => {
    if (rule.condition === undefined) return undefined;
    const compiled: ConditionCompile = compileCondition(rule.condition, acls, direction, where);
    if (!compiled.ok) throw new HttpRuleError(rule.source, proxyName, keyword, compiled.message);
    for (const message of compiled.warnings) warnings.push({ source: rule.source, message });
    return compiled.condition;
  };
  const condition = (rule: { condition: HttpRuleModel['condition']; source: SourceLocation }, keyword: string, direction: SampleDirection, where: string) =>
    conditionIn(model.name, lookup, rule, keyword, direction, where);
  const compileIn = (
    proxyName: string,
    acls: (name: string) => AclModel[],
    rules: readonly (HttpRuleModel | HttpFinalRuleModel)[] | undefined,
    direction: SampleDirection,
  ): CompiledRule[] =>
    (rules ?? []).map((rule) => {
      const keyword = `http-${direction} ${rule.action}`;
      const action = compileRuleAction(rule, direction);
      if (!action.ok) throw new HttpRuleError(rule.source, proxyName, keyword, action.message);
      return { condition: conditionIn(proxyName, acls, rule, keyword, direction, `${side} http-${direction} header rule`), action: action.action, source: rule.source };
    });
  // A named defaults section's rules run first, as one list with the proxy's own, and see
  // only the defaults' ACLs (HAProxy compiles them in the defaults proxy).
  const defaults = model.defaultRules;
  const defaultAcls = defaults === undefined ? lookup : (name: string) => defaults.acls.filter((a) => a.name === name);
  const compile = (own: readonly (HttpRuleModel | HttpFinalRuleModel)[] | undefined, inherited: readonly (HttpRuleModel | HttpFinalRuleModel)[] | undefined, direction: SampleDirection): CompiledRule[] => [
    ...(defaults === undefined ? [] : compileIn(defaults.name, defaultAcls, inherited, direction)),
    ...compileIn(model.name, lookup, own, direction),
  ];
  const request = compile(model.httpRequestRules, defaults?.httpRequestRules, 'request');
  const response = compile(model.httpResponseRules, defaults?.httpResponseRules, 'response');
  const afterResponse = compile(model.httpAfterResponseRules, defaults?.httpAfterResponseRules, 'response');
  const redirects = (model.redirectRules ?? []).map((rule) => {
    const action = compileRedirect(rule.redirect satisfies RedirectModel, 'request');
    if (!action.ok) throw new HttpRuleError(rule.source, model.name, 'redirect', action.message);
    return { condition: condition(rule, 'redirect', 'request', `${side} redirect rule`), action: action.action, source: undefined };
  });
  const switching = (model.switchingRules ?? []).map((rule): CompiledSwitchingRule => {
    let backend: string | LogFormat = rule.backend;
    if (rule.dynamic) {
      const format = compileLogFormat(rule.backend, 'request');
      if (!format.ok) throw new HttpRuleError(rule.source, model.name, 'use_backend', format.message);
      backend = format.format;
    }
    return { condition: condition(rule, 'use_backend', 'request', `${side} switching rule`), backend };
  });
  const empty = request.length === 0 && response.length === 0 && afterResponse.length === 0 && redirects.length === 0 && switching.length === 0;
  return { rules: empty ? undefined : { request, response, afterResponse, redirects, switching }, warnings };
}

const cache = new WeakMap<object, ProxyHttpRules | null>();

/** The compiled rules of a frontend or backend model (compiled on first use, then cached). */
export function httpRulesOf(model: FrontendModel | BackendModel, side: 'frontend' | 'backend'): ProxyHttpRules | undefined {
  let rules = cache.get(model);
  if (rules === undefined) {
    rules = compileProxyRules(model, side).rules ?? null;
    cache.set(model, rules);
  }
  return rules ?? undefined;
}

/** Frontend and backend halves of one `listen` section share their rules: run them once. */
export function sameSection(frontend: FrontendModel, backend: BackendModel): boolean {
  return frontend.name === backend.name && frontend.source.file === backend.source.file && frontend.source.line === backend.source.line;
}

/**
 * The backend the first matching `use_backend` rule names (a dynamic name evaluated), or
 * undefined when none matches. Used by HTTP streams (on the edited request) and by tcp
 * sessions at connection time (layer-4 fetches only).
 */
export function switchingTarget(rules: readonly CompiledSwitchingRule[], ctx: SampleContext): string | undefined {
  for (const rule of rules) {
    if (rule.condition !== undefined && !rule.condition.evaluate(ctx)) continue;
    return typeof rule.backend === 'string' ? rule.backend : rule.backend.evaluate(ctx);
  }
  return undefined;
}

/** What the runner asks its frontend: backends by name, the generation's stick tables. */
export interface RunnerHost {
  backendNamed(name: string): SampleBackend | undefined;
  readonly stickTables?: ReadonlyMap<string, StickTable> | undefined;
}

/** What a stream offers `wait-for-body`: whether the message's body is ready (else it arms the wait). */
export interface BodyWaiter {
  bodyReady(response: boolean, time: number, atLeast: number): boolean;
}

/** What the runner may ask the frontend: the configuration's backends, the frontend's binds. */
export interface RunnerHost {
  backendNamed(name: string): SampleBackend | undefined;
  readonly model?: { readonly binds: readonly BindModel[] } | undefined;
  /** Frontends by name (`fe_conn(NAME)`...); the runner's own is found by its name. */
  frontendNamed?(name: string): SampleFrontend | undefined;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The bind a connection to `address`:`port` came through: the one on that port and address,
 * else a wildcard one on that port (the socket does not say which listener accepted it).
 */
function acceptingBind(binds: readonly BindModel[] | undefined, address: string, port: number): BindModel | undefined {
  if (binds === undefined) return undefined;
  let wildcard: BindModel | undefined;
  for (const bind of binds) {
    if (bind.port !== port) continue;
    if (bind.host === address) return bind;
    if (WILDCARDS.has(bind.host)) wildcard ??= bind;
  }
  return wildcard;
}

/**
 * The variables a runner serves: its connection's (kept from its `tcp-request` rules), or its
 * own. An HTTP/2 connection's streams are concurrent transactions: each runner gets its own
 * `txn` and message stores beside the connection's shared `sess` store.
 */
function runnerVars(client: Socket | ConnectionInfo, process: ProcessVars): SessionVars {
  if (!(client instanceof ConnectionInfo)) return new SessionVars(process);
  if (!client.http2) return client.sessionVars ?? new SessionVars(process);
  return new SessionVars(process, (client.sessionVars ??= new SessionVars(process)));
}

/**
 * The rules of one client connection: the context its fetches and actions read (one object per
 * session, reused for every request, so evaluating rules allocates no context). The session
 * drives it through HAProxy's analysers: the frontend's request rules, the backend choice,
 * the backend's request rules; later the backend's then the frontend's response rules.
 */
export class HttpRuleRunner implements HttpActionContext {
  /**
   * `set-src`/`set-dst` (and ports) for this request only; undefined = the connection's. Read
   * through the getters, so a request without them costs no getsockname for `dst`.
   */
  #srcAddress: string | undefined = undefined;
  #srcPort: number | undefined = undefined;
  #dstAddress: string | undefined = undefined;
  #dstPort: number | undefined = undefined;
  /** The client connection's record (addresses, TLS, PROXY header facts). */
  readonly connection: ConnectionInfo;
  readonly hostname: string | undefined;
  readonly frontendName: string;
  readonly pid: number;
  lbHead: RequestHead | undefined = undefined;
  requestEdits: HeadEditor | undefined = undefined;
  /** The frontend's `option http-use-proxy-header` (set once by the stream). */
  useProxyHeader = false;
  proxiedRequest = false;
  response: ResponseHead | undefined = undefined;
  responseEdits: HeadEditor | undefined = undefined;
  reply: LocalReply | undefined = undefined;
  denied = false;
  tarpit = false;
  responseStatus: number | undefined = undefined;
  backendTimeouts: { readonly server?: number | undefined; readonly tunnel?: number | undefined } | undefined = undefined;
  serverTimeout: number | undefined = undefined;
  tunnelTimeout: number | undefined = undefined;
  /** The transaction's queue priority (`set-priority-class|offset`, actions/priority-actions.ts). */
  priorityClass = 0;
  priorityOffset = 0;
  logLevel: number | undefined = undefined;
  invalidRequest = false;
  rejected = false;
  service: string | undefined = undefined;
  /** The caches, when the configuration has `cache` sections (set by the stream). */
  caching: StreamCaching | undefined = undefined;
  /** Set by the session: writes `early-hint` responses to the client. */
  sendInterim: ((bytes: Uint8Array) => void) | undefined = undefined;
  /** Set by the stream: where `wait-for-body` asks whether the body is there. */
  bodyWaiter: BodyWaiter | undefined = undefined;
  /** Set by the stream when the configuration uses `do-resolve`: the names its rules wait for. */
  names: StreamNameResolver | undefined = undefined;
  /** The request and response payloads the stream holds (`req.body*`, `res.body*`). */
  requestBody: MessageBody | undefined = undefined;
  responseBody: MessageBody | undefined = undefined;
  /** The list a `wait-for-body` stopped (yielded) in, and the rule it stopped at. */
  #resumeList: readonly CompiledRule[] | undefined = undefined;
  #resumeAt = 0;
  failedRewrites = 0;
  /** `strict-mode off` for the message being analysed; a strict failed rewrite sets `rewriteError` (rules/actions/strict-mode.ts). */
  softRewrites = false;
  rewriteError = false;
  silentDrop = false;
  l7RetryDisabled = false;
  readonly runtime: Runtime;
  /** The backend chosen for the request (`be_name`, `nbsrv`). */
  backend: SampleBackend | undefined = undefined;
  /** The server the request went to, set by the session once connected (`srv_id`, `srv_name`). */
  chosenServer: SampleServer | undefined = undefined;
  /** The stream the rules run for (set by it): `%t`, `%Ts`, `%ms`, `%rt`, `%ID` in values. */
  stream: StreamContext | undefined = undefined;
  /** TLS of the server connection, set with chosenServer (`ssl_bc*`, `ssl_s_*`). */
  serverTls: TlsInfo | undefined = undefined;
  /** The accepting bind's `name` (`so_name`) and listener id (`so_id`). */
  readonly bindName: string | undefined;
  readonly bindId: number | undefined;
  /** The session's variables (`sess`, and `txn`/`req`/`res` of the transaction in flight). */
  readonly vars: SessionVars;
  /** TcpActionContext: a backend's tcp rules run in an HTTP stream with this context (never set there). */
  expectProxy = false;
  expectNetscalerCip = false;
  switchToHttp = false;
  lastRule: RuleSource | undefined = undefined;
  /** The buffer room the current message's rewrites may take (HttpActionContext.rewriteRoom). */
  rewriteRoom: number | undefined = undefined;
  readonly userlists: UserlistTable;
  /** The session's unique id (`unique-id-format`), for the `unique-id` fetch. */
  uniqueIds: { readonly value: string } | undefined = undefined;
  /** The transaction's captures (set by the session when its frontend declares any). */
  captures: StreamCaptures | undefined = undefined;
  readonly #frontend: ProxyHttpRules | undefined;
  readonly #backends: RunnerHost | undefined;
  #stick: StickTracking | undefined = undefined;

  /**
   * `process`: the generation's `proc` variables (a fresh set when omitted); `backends`: the
   * configuration's backends by name (`nbsrv(NAME)`).
   */
  constructor(
    frontend: ProxyHttpRules | undefined,
    client: Socket | ConnectionInfo,
    runtime: Runtime,
    frontendName: string,
    process: ProcessVars = new ProcessVars(),
    userlists: UserlistTable = NO_USERLISTS,
    backends?: RunnerHost,
  ) {
    this.vars = runnerVars(client, process);
    // Counters a `tcp-request` rule tracks for the connection: every request counts on them.
    if (client instanceof ConnectionInfo && client.stick !== undefined) this.#stick = client.stick;
    this.#frontend = frontend;
    this.userlists = userlists;
    this.runtime = runtime;
    this.#backends = backends;
    this.connection = client instanceof ConnectionInfo ? client : new ConnectionInfo(client);
    this.hostname = runtime.hostname;
    this.pid = runtime.pid;
    this.frontendName = frontendName;
    const binds = backends?.model?.binds;
    // An inherited socket's (`fd@N`) address is none of the configuration's: the accept tells.
    const accepted = client instanceof ConnectionInfo ? client.bind : undefined;
    const bind = accepted !== undefined && binds?.includes(accepted) === true ? accepted : acceptingBind(binds, client.localAddress, client.localPort);
    this.bindName = bind?.name;
    this.bindId = bind === undefined || binds === undefined ? undefined : listenerIdOf(binds, bind);
  }

  get clientTls(): TlsInfo | undefined {
    return this.connection.tls;
  }

  get uniqueId(): string | undefined {
    return this.uniqueIds?.value;
  }

  /** The stream's addresses: the connection's (after a PROXY header or `tcp-request` set-src/dst), unless this request's rules changed them. */
  get clientAddress(): string {
    return this.#srcAddress ?? this.connection.clientAddress;
  }
  get clientPort(): number {
    return this.#srcPort ?? this.connection.clientPort;
  }
  get localAddress(): string {
    return this.#dstAddress ?? this.connection.localAddress;
  }
  get localPort(): number {
    return this.#dstPort ?? this.connection.localPort;
  }

  /** Each request starts from the connection's addresses. */
  #resetAddresses(): void {
    this.#srcAddress = undefined;
    this.#srcPort = undefined;
    this.#dstAddress = undefined;
    this.#dstPort = undefined;
  }

  /** `set-src`, `set-dst` and their ports (actions/address-actions.ts). */
  setStreamAddress(side: 'src' | 'dst', address: string | undefined, port: number | undefined): void {
    if (side === 'src') {
      if (address !== undefined) this.#srcAddress = address;
      if (port !== undefined) this.#srcPort = port;
    } else {
      if (address !== undefined) this.#dstAddress = address;
      if (port !== undefined) this.#dstPort = port;
    }
  }

  backendNamed(name: string): SampleBackend | undefined {
    return this.#backends?.backendNamed(name);
  }

  /** Proxy-state fetches (rules/fetches-proxy-state.ts): the session's frontend, others by name. */
  get frontend(): SampleFrontend | undefined {
    return this.#backends?.frontendNamed?.(this.frontendName);
  }
  frontendNamed(name: string): SampleFrontend | undefined {
    return this.#backends?.frontendNamed?.(name);
  }

  /** Stick-table tracking of this connection, created on first use when the generation has tables. */
  get stick(): StickTracking | undefined {
    if (this.#stick === undefined) {
      const tables = this.#backends?.stickTables;
      if (tables !== undefined && tables.size > 0) this.#stick = new StickTracking(tables, this.runtime);
    }
    return this.#stick;
  }

  /** The tracking if anything used it (the session's hooks: counting, releasing), never creating it. */
  get stickTracking(): StickTracking | undefined {
    return this.#stick;
  }

  /** Uses the tracking a connection-level rule (tcp-request connection/session) already started. */
  adoptStickTracking(tracking: StickTracking): void {
    this.#stick = tracking;
  }

  /** Starts a request: fetches read `head` as `editor` changes it until endRequest(). */
  beginRequest(head: RequestHead, editor: HeadEditor): void {
    this.names?.release();
    this.lbHead = head;
    this.requestEdits = editor;
    if (this.useProxyHeader) {
      // http_wait_for_request: decided on the target as received, before any rule rewrites it
      const c = head.targetBuffer[head.targetStart];
      this.proxiedRequest = c !== 0x2f && c !== 0x2a;
    }
    this.response = undefined;
    this.responseEdits = undefined;
    this.reply = undefined;
    this.backendTimeouts = undefined;
    this.backend = undefined;
    this.chosenServer = undefined;
    this.serverTls = undefined;
    this.serverTimeout = undefined;
    this.tunnelTimeout = undefined;
    this.logLevel = undefined;
    this.invalidRequest = false;
    this.rejected = false;
    this.l7RetryDisabled = false;
    this.service = undefined;
    this.#resumeList = undefined;
    // A stream's last rule and priority: the first request's may come from the frontend's content rules run at accept.
    this.lastRule = this.connection.takeAcceptRule();
    const priority = this.connection.takeAcceptPriority();
    this.priorityClass = priority?.priorityClass ?? 0;
    this.priorityOffset = priority?.priorityOffset ?? 0;
    this.logLevel = priority?.logLevel;
    this.softRewrites = this.rewriteError = false;
    this.#resetAddresses();
    this.vars.beginTransaction();
    // HAProxy's stream_inc_http_req_ctr: the session's trackers count every request.
    this.#stick?.countHttpRequest(this.runtime.now());
  }

  waitForBody(time: number, atLeast: number): Verdict {
    const waiter = this.bodyWaiter;
    if (waiter === undefined) return Verdict.continue;
    return waiter.bodyReady(this.response !== undefined, time, atLeast) ? Verdict.continue : Verdict.yield;
  }

  /** A list stopped by a yield (`wait-for-body`) is waiting to be resumed. */
  get yielded(): boolean {
    return this.#resumeList !== undefined;
  }

  /**
   * Runs a rule list; returns continue when it ran to its end or an `allow` stopped it. A list
   * that yielded resumes at its rule, whose action runs again (its condition held already).
   */
  #run(rules: readonly CompiledRule[], head: HttpHead, editor: HeadEditor): Verdict {
    let i = 0;
    let resumed = false;
    if (this.#resumeList === rules) {
      i = this.#resumeAt;
      resumed = true;
      this.#resumeList = undefined;
    }
    for (; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      if (!resumed && rule.condition !== undefined && !rule.condition.evaluate(this)) continue;
      resumed = false;
      const verdict = rule.action.run(this, head, editor);
      if (verdict === Verdict.continue) continue;
      if (verdict === Verdict.yield) {
        this.#resumeList = rules;
        this.#resumeAt = i;
      } else if (rule.source !== undefined) {
        this.lastRule = rule.source;
      }
      return verdict === Verdict.stop ? Verdict.continue : verdict;
    }
    return Verdict.continue;
  }

  /** One proxy's `http-request` rules, then its `redirect` rules; `reply` is set on Verdict.reply. */
  requestRules(rules: ProxyHttpRules | undefined): Verdict {
    if (rules === undefined) return Verdict.continue;
    const head = this.lbHead as RequestHead;
    const editor = this.requestEdits as HeadEditor;
    const verdict = this.#run(rules.request, head, editor);
    if (verdict !== Verdict.continue) {
      // A denied or tarpitted request counts as an HTTP error on the tracked entries (http_ana.c).
      if (verdict === Verdict.reply && (this.denied || this.tarpit)) this.#stick?.countHttpError(this.runtime.now());
      return verdict;
    }
    return this.#run(rules.redirects, head, editor);
  }

  /** The frontend's rules. */
  frontendRequest(): Verdict {
    return this.requestRules(this.#frontend);
  }

  /**
   * The backend named by the first matching `use_backend` rule, or undefined (then the
   * default backend). A dynamic name is returned as evaluated; the caller falls back to the
   * default backend when no backend has that name, as HAProxy does.
   */
  switchingTarget(): string | undefined {
    const rules = this.#frontend?.switching;
    return rules === undefined ? undefined : switchingTarget(rules, this);
  }

  /**
   * The edits end with the request head: later fetches read the request as received. From
   * here on (balancing, the response) `req` variables are gone and `res` ones may be set.
   */
  endRequest(): void {
    this.requestEdits = undefined;
    this.rewriteRoom = undefined;
    this.reply = undefined;
    this.service = undefined;
    this.denied = false;
    this.tarpit = false;
    this.invalidRequest = false;
    this.rejected = false;
    this.vars.beginResponse();
  }

  /** `http-response` rules on a final response to `req`: the backend's, then the frontend's. */
  applyResponse(req: RequestHead, head: ResponseHead, editor: HeadEditor, backend: ProxyHttpRules | undefined): Verdict {
    this.lbHead = req;
    this.response = head;
    this.responseEdits = editor;
    this.reply = undefined;
    const resumeList = this.#resumeList;
    // A resumed evaluation keeps what the rules before the wait set, and skips the lists they finished.
    if (resumeList === undefined) {
      this.responseStatus = undefined;
      this.softRewrites = this.rewriteError = false;
    }
    const frontendList = this.#frontend?.response;
    let verdict: Verdict = Verdict.continue;
    if (backend !== undefined && (resumeList === undefined || resumeList !== frontendList)) verdict = this.#run(backend.response, head, editor);
    if (verdict === Verdict.continue && frontendList !== undefined) verdict = this.#run(frontendList, head, editor);
    this.response = undefined;
    this.responseEdits = undefined;
    this.lbHead = undefined;
    return verdict;
  }
  /**
   * `http-after-response` rules (backend's, then frontend's) on a response about to leave, the
   * server's (after its http-response rules: `responseStatus` is kept) or one the proxy built
   * (`fresh`). They cannot answer in its place: `allow` only stops a list.
   */
  applyAfterResponse(req: RequestHead | undefined, head: ResponseHead, editor: HeadEditor, backend: ProxyHttpRules | undefined, fresh: boolean): void {
    this.lbHead = req;
    this.response = head;
    this.responseEdits = editor;
    if (fresh) this.responseStatus = undefined;
    this.rewriteError = false;
    if (backend !== undefined && backend !== this.#frontend && this.#run(backend.afterResponse, head, editor) === Verdict.reply) return this.#leaveResponse();
    if (this.#frontend !== undefined) this.#run(this.#frontend.afterResponse, head, editor);
    this.#leaveResponse();
  }

  #leaveResponse(): void {
    this.response = undefined;
    this.responseEdits = undefined;
    this.lbHead = undefined;
  }

}

/** True when the frontend or the backend has `http-after-response` rules. */
export function hasAfterResponseRules(frontend: ProxyHttpRules | undefined, backend: ProxyHttpRules | undefined): boolean {
  return (frontend !== undefined && frontend.afterResponse.length > 0) || (backend !== undefined && backend.afterResponse.length > 0);
}

/** The runner for a session of `frontend`, or undefined when no proxy it can reach has rules. */
export function createHttpRuleRunner(
  frontend: FrontendModel,
  client: Socket,
  runtime: Runtime,
  anyBackendRules: boolean,
  process?: ProcessVars,
): HttpRuleRunner | undefined {
  const fe = httpRulesOf(frontend, 'frontend');
  if (fe === undefined && !anyBackendRules) return undefined;
  return new HttpRuleRunner(fe, client, runtime, frontend.name, process);
}

/** The backend's own rules for a request of `frontend` (none for the other half of a `listen`). */
export function backendRulesFor(frontend: FrontendModel, backend: BackendModel): ProxyHttpRules | undefined {
  return sameSection(frontend, backend) ? undefined : httpRulesOf(backend, 'backend');
}
