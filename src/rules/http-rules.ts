/**
 * A proxy's `http-request` / `http-response` rules, compiled once per config generation (cached
 * per model object: a new generation brings new models), and the per-session runner the HTTP
 * session calls once per message head.
 *
 * Order, as HAProxy's http_process_req_common / http_process_res_common: request rules of the
 * frontend then of the backend; response rules of the backend then of the frontend. A `listen`
 * section is one proxy: its rules run once.
 */
import type { BackendModel, FrontendModel, HttpRuleModel, HttpRulesModel, SourceLocation } from '../config/model.ts';
import type { RequestHead, ResponseHead } from '../http/codec/head.ts';
import type { HeadEditor } from '../http/codec/serialize.ts';
import type { Runtime, Socket, TlsInfo } from '../runtime.ts';
import { compileCondition, type CompiledCondition } from './condition.ts';
import { compileHeaderAction, type HeaderAction } from './header-actions.ts';
import type { SampleContext } from './sample-context.ts';
import type { SampleDirection } from './sample-fetch.ts';

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
  readonly action: HeaderAction;
}

export interface ProxyHttpRules {
  readonly request: readonly CompiledRule[];
  readonly response: readonly CompiledRule[];
}

export interface CompiledProxyRules {
  /** undefined when the proxy has no HTTP rule. */
  readonly rules: ProxyHttpRules | undefined;
  /** HAProxy's warnings (ACLs that can never match where they are used), with their rule's place. */
  readonly warnings: readonly { readonly source: SourceLocation; readonly message: string }[];
}

type ProxyModel = HttpRulesModel & { readonly name: string };

/**
 * Compiles a proxy's rules (`side` names it in warnings, as HAProxy: "frontend http-response
 * header rule"). Throws HttpRuleError on an invalid rule.
 */
export function compileProxyRules(model: ProxyModel, side: 'frontend' | 'backend'): CompiledProxyRules {
  const acls = model.acls ?? [];
  const lookup = (name: string) => acls.filter((a) => a.name === name);
  const warnings: { source: SourceLocation; message: string }[] = [];
  const compile = (rules: readonly HttpRuleModel[] | undefined, direction: SampleDirection): CompiledRule[] =>
    (rules ?? []).map((rule) => {
      const keyword = `http-${direction} ${rule.action}`;
      const action = compileHeaderAction(rule, direction);
      if (!action.ok) throw new HttpRuleError(rule.source, model.name, keyword, action.message);
      let condition: CompiledCondition | undefined;
      if (rule.condition !== undefined) {
        const compiled = compileCondition(rule.condition, lookup, direction, `${side} http-${direction} header rule`);
        if (!compiled.ok) throw new HttpRuleError(rule.source, model.name, keyword, compiled.message);
        for (const message of compiled.warnings) warnings.push({ source: rule.source, message });
        condition = compiled.condition;
      }
      return { condition, action: action.action };
    });
  const request = compile(model.httpRequestRules, 'request');
  const response = compile(model.httpResponseRules, 'response');
  return { rules: request.length === 0 && response.length === 0 ? undefined : { request, response }, warnings };
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
function sameSection(frontend: FrontendModel, backend: BackendModel): boolean {
  return frontend.name === backend.name && frontend.source.file === backend.source.file && frontend.source.line === backend.source.line;
}

function run(rules: readonly CompiledRule[], ctx: HttpRuleRunner, head: RequestHead | ResponseHead, editor: HeadEditor): void {
  for (const rule of rules) {
    if (rule.condition !== undefined && !rule.condition.evaluate(ctx)) continue;
    try {
      rule.action.apply(ctx, head, editor);
    } catch {
      // A value no header may carry (a control character from a client-supplied sample): the
      // rewrite is skipped, as HAProxy counts a failed rewrite, rather than forwarding it.
      ctx.failedRewrites++;
    }
  }
}

/**
 * The rules of one client connection: the SampleContext its fetches read (one object per
 * session, reused for every request, so evaluating rules allocates no context).
 */
export class HttpRuleRunner implements SampleContext {
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly hostname: string | undefined;
  readonly frontendName: string;
  readonly pid: number;
  lbHead: RequestHead | undefined = undefined;
  requestEdits: HeadEditor | undefined = undefined;
  response: ResponseHead | undefined = undefined;
  responseEdits: HeadEditor | undefined = undefined;
  /** Header rewrites skipped because the value was not a valid field value. */
  failedRewrites = 0;
  readonly #client: Socket;
  readonly #frontend: ProxyHttpRules | undefined;
  readonly #backend: ProxyHttpRules | undefined;

  constructor(frontend: ProxyHttpRules | undefined, backend: ProxyHttpRules | undefined, client: Socket, runtime: Runtime, frontendName: string) {
    this.#frontend = frontend;
    this.#backend = backend;
    this.#client = client;
    this.clientAddress = client.remoteAddress;
    this.clientPort = client.remotePort;
    this.localAddress = client.localAddress;
    this.localPort = client.localPort;
    this.hostname = runtime.hostname;
    this.pid = runtime.pid;
    this.frontendName = frontendName;
  }

  get clientTls(): TlsInfo | undefined {
    return this.#client.tls;
  }

  /** Runs the http-request rules on a complete request head, editing it through `editor`. */
  applyRequest(head: RequestHead, editor: HeadEditor): void {
    this.lbHead = head;
    this.requestEdits = editor;
    this.response = undefined;
    this.responseEdits = undefined;
    if (this.#frontend !== undefined) run(this.#frontend.request, this, head, editor);
    if (this.#backend !== undefined) run(this.#backend.request, this, head, editor);
    // The editor moves on to other heads: later fetches read the request as received.
    this.requestEdits = undefined;
  }

  /** Runs the http-response rules on a final response head to `req`. */
  applyResponse(req: RequestHead, head: ResponseHead, editor: HeadEditor): void {
    this.lbHead = req;
    this.response = head;
    this.responseEdits = editor;
    if (this.#backend !== undefined) run(this.#backend.response, this, head, editor);
    if (this.#frontend !== undefined) run(this.#frontend.response, this, head, editor);
    this.response = undefined;
    this.responseEdits = undefined;
    this.lbHead = undefined;
  }
}

/** The runner for a session of `frontend` routed to `backend`, or undefined when neither has rules. */
export function createHttpRuleRunner(
  frontend: FrontendModel,
  backend: BackendModel | undefined,
  client: Socket,
  runtime: Runtime,
): HttpRuleRunner | undefined {
  const fe = httpRulesOf(frontend, 'frontend');
  const be = backend === undefined || sameSection(frontend, backend) ? undefined : httpRulesOf(backend, 'backend');
  if (fe === undefined && be === undefined) return undefined;
  return new HttpRuleRunner(fe, be, client, runtime, frontend.name);
}
