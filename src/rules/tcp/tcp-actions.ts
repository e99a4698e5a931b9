/**
 * Every compiled `tcp-request` / `tcp-response` action, by action keyword (the tcp twin of
 * ../actions/index.ts). A new action is one entry in TCP_COMPILERS plus its parser entry in
 * src/config/keywords/tcp-actions.ts. The stick counter actions are in tcp-stick-actions.ts.
 */
import type { HttpVarRuleModel, TcpRuleModel } from '../../config/model.ts';
import { compileVarAction } from '../actions/var-actions.ts';
import { compileDoResolveStep, type DoResolveStep } from '../actions/resolve-action.ts';
import { compilePriorityAction, type SetPriority } from '../actions/priority-actions.ts';
import { compileSetLogLevel } from '../actions/stream-actions.ts';
import type { HttpActionContext } from '../http-action.ts';
import { Sample } from '../sample.ts';
import { compileSampleFetch, type SampleDirection, type SampleFetch } from '../sample-fetch.ts';
import { TcpVerdict, type TcpAction, type TcpActionCompile, type TcpActionContext } from './tcp-action.ts';
import { compileTcpStickAction } from './tcp-stick-actions.ts';
import { compileTcpCapture } from './tcp-capture-action.ts';

type RuleOf<A extends TcpRuleModel['action']> = Extract<TcpRuleModel, { action: A }>;
type Compiler<A extends TcpRuleModel['action']> = (rule: RuleOf<A>, direction: SampleDirection) => TcpActionCompile;

/** A verdict action: it always returns the same outcome. */
class Fixed implements TcpAction {
  readonly #verdict: TcpVerdict;
  constructor(verdict: TcpVerdict) {
    this.#verdict = verdict;
  }
  run(): TcpVerdict {
    return this.#verdict;
  }
}

const ACCEPT = new Fixed(TcpVerdict.accept);
const REJECT = new Fixed(TcpVerdict.reject);
const CLOSE = new Fixed(TcpVerdict.close);
const DROP = new Fixed(TcpVerdict.drop);
/** `set-nice`: HAProxy's task priority; there is no scheduler here to give it to. */
const NICE = new Fixed(TcpVerdict.continue);

class ExpectProxy implements TcpAction {
  run(ctx: TcpActionContext): TcpVerdict {
    ctx.expectProxy = true;
    return TcpVerdict.continue;
  }
}

class ExpectNetscalerCip implements TcpAction {
  run(ctx: TcpActionContext): TcpVerdict {
    ctx.expectNetscalerCip = true;
    return TcpVerdict.continue;
  }
}

class SwitchModeHttp implements TcpAction {
  readonly #proto: 'h1' | 'h2' | undefined;
  constructor(proto: 'h1' | 'h2' | undefined) {
    this.#proto = proto;
  }
  run(ctx: TcpActionContext): TcpVerdict {
    ctx.switchToHttp = true;
    ctx.switchProto = this.#proto;
    // HAProxy's switch-mode is final: the content rules stop here.
    return TcpVerdict.accept;
  }
}

const SCRATCH = new Sample();

type AddressAction = 'set-src' | 'set-dst' | 'set-src-port' | 'set-dst-port';

/** `set-src|set-dst EXPR`: a new address, the port kept; `set-src-port|set-dst-port EXPR`: a new port (tcp_act.c). */
class SetAddress implements TcpAction {
  readonly #fetch: SampleFetch;
  readonly #which: AddressAction;
  constructor(which: AddressAction, fetch: SampleFetch) {
    this.#which = which;
    this.#fetch = fetch;
  }
  run(ctx: TcpActionContext): TcpVerdict {
    if (!this.#fetch.sample(ctx, SCRATCH)) return TcpVerdict.continue;
    const c = ctx.connection;
    switch (this.#which) {
      case 'set-src':
        if (SCRATCH.type === 'ip') c.clientAddress = SCRATCH.str;
        break;
      case 'set-dst':
        if (SCRATCH.type === 'ip') c.localAddress = SCRATCH.str;
        break;
      case 'set-src-port':
        if (SCRATCH.type === 'int' || SCRATCH.type === 'bool') c.clientPort = SCRATCH.num & 0xffff;
        break;
      case 'set-dst-port':
        if (SCRATCH.type === 'int' || SCRATCH.type === 'bool') c.localPort = SCRATCH.num & 0xffff;
        break;
    }
    return TcpVerdict.continue;
  }
}

function address(rule: RuleOf<AddressAction>, direction: SampleDirection): TcpActionCompile {
  const compiled = compileSampleFetch(rule.expression, { direction });
  if (!compiled.ok) return compiled;
  const wantsIp = rule.action === 'set-src' || rule.action === 'set-dst';
  const type = compiled.fetch.type;
  if (type !== 'any' && (wantsIp ? type !== 'ip' && type !== 'str' : type === 'ip')) {
    return { ok: false, message: `fetch method '${rule.expression}' : cannot be converted to ${wantsIp ? 'an address' : 'an integer'}` };
  }
  return { ok: true, action: new SetAddress(rule.action, compiled.fetch) };
}

/** The variable actions of the HTTP rules, which read nothing but the context. */
class VarAsTcp implements TcpAction {
  readonly #inner: { run(ctx: HttpActionContext): unknown };
  constructor(inner: { run(ctx: HttpActionContext): unknown }) {
    this.#inner = inner;
  }
  run(ctx: TcpActionContext): TcpVerdict {
    // SetVar / SetVarFmt / UnsetVar read only the sample context and its variables.
    this.#inner.run(ctx as unknown as HttpActionContext);
    return TcpVerdict.continue;
  }
}

function variable(rule: HttpVarRuleModel, direction: SampleDirection): TcpActionCompile {
  const compiled = compileVarAction(rule, direction);
  if (!compiled.ok) return compiled;
  return { ok: true, action: new VarAsTcp(compiled.action as unknown as { run(ctx: HttpActionContext): unknown }) };
}

/**
 * `tcp-request content do-resolve`: the http action's step. The list waits for the name unless
 * the payload is final (inspect delay over, or none): HAProxy's ACT_OPT_FINAL, where the action
 * gives up on a name not resolved yet. Run on a complete HTTP message (no payload), it is final.
 */
class DoResolveAsTcp implements TcpAction {
  readonly #step: DoResolveStep;
  constructor(step: DoResolveStep) {
    this.#step = step;
  }
  run(ctx: TcpActionContext): TcpVerdict {
    return this.#step.waits(ctx, ctx.requestPayload?.final ?? true) ? TcpVerdict.yield : TcpVerdict.continue;
  }
}

function doResolve(rule: RuleOf<'do-resolve'>): TcpActionCompile {
  const compiled = compileDoResolveStep(rule);
  return compiled.ok ? { ok: true, action: new DoResolveAsTcp(compiled.step) } : compiled;
}

/** `set-priority-class|set-priority-offset EXPR`: the stream's place in the queues. */
class PriorityAsTcp implements TcpAction {
  readonly #inner: SetPriority;
  constructor(inner: SetPriority) {
    this.#inner = inner;
  }
  run(ctx: TcpActionContext): TcpVerdict {
    this.#inner.apply(ctx);
    return TcpVerdict.continue;
  }
}

function priority(rule: RuleOf<'set-priority-class' | 'set-priority-offset'>): TcpActionCompile {
  const compiled = compilePriorityAction(rule.action, rule.expression);
  return compiled.ok ? { ok: true, action: new PriorityAsTcp(compiled.action) } : compiled;
}

const TCP_COMPILERS: { readonly [A in TcpRuleModel['action']]: Compiler<A> } = {
  accept: () => ({ ok: true, action: ACCEPT }),
  reject: () => ({ ok: true, action: REJECT }),
  close: () => ({ ok: true, action: CLOSE }),
  'silent-drop': () => ({ ok: true, action: DROP }),
  'expect-proxy': () => ({ ok: true, action: new ExpectProxy() }),
  'expect-netscaler-cip': () => ({ ok: true, action: new ExpectNetscalerCip() }),
  'switch-mode-http': (rule: { readonly proto?: 'h1' | 'h2' | undefined }) => ({ ok: true, action: new SwitchModeHttp(rule.proto) }),
  'set-src': address,
  'set-dst': address,
  'set-src-port': address,
  'set-dst-port': address,
  'set-var': variable,
  'set-var-fmt': variable,
  'unset-var': variable,
  'track-sc': compileTcpStickAction,
  'sc-inc-gpc0': compileTcpStickAction,
  'sc-inc-gpc1': compileTcpStickAction,
  'sc-set-gpt0': compileTcpStickAction,
  'sc-inc-gpc': compileTcpStickAction,
  'sc-set-gpt': compileTcpStickAction,
  'do-resolve': doResolve,
  'set-priority-class': priority,
  'set-priority-offset': priority,
  capture: compileTcpCapture,
  'set-log-level': (rule) => compileSetLogLevel(rule.level),
  'set-nice': () => ({ ok: true, action: NICE }),
};

export function compileTcpAction(rule: TcpRuleModel, direction: SampleDirection): TcpActionCompile {
  const compile = TCP_COMPILERS[rule.action] as Compiler<TcpRuleModel['action']>;
  return compile(rule as never, direction);
}
