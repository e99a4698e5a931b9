/**
 * `http-request` / `tcp-request content do-resolve(VAR,RESOLVERS[,ipv4|ipv6]) EXPR` (HAProxy 2.6's
 * resolv_action_do_resolve): the rules wait while the host name EXPR gives is resolved, then
 * VAR holds the address (an `ip` sample); a failed resolution leaves VAR as it was. No sample,
 * an invalid name or a variable HAProxy cannot set: the action does nothing.
 */
import type { StreamNameResolver } from '../../dns/stream-resolution.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import { castSample } from '../sample-casts.ts';
import { Sample } from '../sample.ts';
import type { SampleContext } from '../sample-context.ts';
import { compileSampleFetch, type SampleFetch } from '../sample-fetch.ts';
import { parseVarName, writeVar, type VarName } from '../vars.ts';

const SCRATCH = new Sample();

/** What a `do-resolve` reads and writes: the sample context, its variables, the stream's names. */
export type DoResolveContext = SampleContext & { readonly vars?: HttpActionContext['vars']; readonly names?: StreamNameResolver | undefined };

/**
 * The action itself, shared by `http-request` and `tcp-request content` (one HAProxy function,
 * resolv_action_do_resolve): true while the rules must wait for the resolution. `final` is
 * HAProxy's ACT_OPT_FINAL (a content rule whose inspect delay is over, or that had none): the
 * action then waits no more, and gives up on a name not resolved yet.
 */
export class DoResolveStep {
  /** Undefined: a name HAProxy's vars_set_by_name refuses at run time (the action still waits). */
  readonly #variable: VarName | undefined;
  readonly #resolvers: string;
  readonly #preferIPv4: boolean;
  readonly #fetch: SampleFetch;
  constructor(variable: VarName | undefined, resolvers: string, preferIPv4: boolean, fetch: SampleFetch) {
    this.#variable = variable;
    this.#resolvers = resolvers;
    this.#preferIPv4 = preferIPv4;
    this.#fetch = fetch;
  }
  waits(ctx: DoResolveContext, final: boolean): boolean {
    const names = ctx.names;
    if (names === undefined) return false;
    let pending = names.pending;
    if (pending === undefined) {
      if (!this.#fetch.sample(ctx, SCRATCH) || !castSample(SCRATCH, 'str')) return false;
      pending = names.resolve(this.#resolvers, SCRATCH.str, this.#preferIPv4, final);
      if (pending === undefined) return false;
    }
    if (!pending.done) {
      if (!final) return true;
      names.release();
      return false;
    }
    names.release();
    if (pending.address !== undefined && this.#variable !== undefined) {
      SCRATCH.setIp(pending.address);
      writeVar(ctx.vars, this.#variable, SCRATCH, 0);
    }
    return false;
  }
}

class DoResolve implements HttpAction {
  readonly #step: DoResolveStep;
  constructor(step: DoResolveStep) {
    this.#step = step;
  }
  run(ctx: HttpActionContext): Verdict {
    return this.#step.waits(ctx, false) ? Verdict.yield : Verdict.continue;
  }
}

/** The shared step of a `do-resolve` rule model, or the message of its invalid expression. */
export function compileDoResolveStep(rule: { readonly variable: string; readonly resolvers: string; readonly preferIPv4: boolean; readonly expression: string }): { readonly ok: true; readonly step: DoResolveStep } | { readonly ok: false; readonly message: string } {
  const compiled = compileSampleFetch(rule.expression, { direction: 'request' });
  if (!compiled.ok) return { ok: false, message: compiled.message };
  const variable = parseVarName(rule.variable);
  return { ok: true, step: new DoResolveStep(typeof variable === 'string' ? undefined : variable, rule.resolvers, rule.preferIPv4, compiled.fetch) };
}

export function compileDoResolve(rule: { readonly variable: string; readonly resolvers: string; readonly preferIPv4: boolean; readonly expression: string }): HttpActionCompile {
  const compiled = compileDoResolveStep(rule);
  return compiled.ok ? { ok: true, action: new DoResolve(compiled.step) } : compiled;
}
