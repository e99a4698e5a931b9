/**
 * `http-request do-resolve(VAR,RESOLVERS[,ipv4|ipv6]) EXPR` (HAProxy 2.6's
 * resolv_action_do_resolve): the rules wait while the host name EXPR gives is resolved, then
 * VAR holds the address (an `ip` sample); a failed resolution leaves VAR as it was. No sample,
 * an invalid name or a variable HAProxy cannot set: the action does nothing.
 */
import type { StreamNameResolver } from '../../dns/stream-resolution.ts';
import { Verdict, type HttpAction, type HttpActionCompile, type HttpActionContext } from '../http-action.ts';
import { castSample } from '../sample-casts.ts';
import { Sample } from '../sample.ts';
import { compileSampleFetch, type SampleFetch } from '../sample-fetch.ts';
import { parseVarName, writeVar, type VarName } from '../vars.ts';

const SCRATCH = new Sample();

class DoResolve implements HttpAction {
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
  run(ctx: HttpActionContext): Verdict {
    const names: StreamNameResolver | undefined = ctx.names;
    if (names === undefined) return Verdict.continue;
    let pending = names.pending;
    if (pending === undefined) {
      if (!this.#fetch.sample(ctx, SCRATCH) || !castSample(SCRATCH, 'str')) return Verdict.continue;
      pending = names.resolve(this.#resolvers, SCRATCH.str, this.#preferIPv4);
      if (pending === undefined) return Verdict.continue;
    }
    if (!pending.done) return Verdict.yield;
    names.release();
    if (pending.address !== undefined && this.#variable !== undefined) {
      SCRATCH.setIp(pending.address);
      writeVar(ctx.vars, this.#variable, SCRATCH, 0);
    }
    return Verdict.continue;
  }
}

export function compileDoResolve(rule: { readonly variable: string; readonly resolvers: string; readonly preferIPv4: boolean; readonly expression: string }): HttpActionCompile {
  const compiled = compileSampleFetch(rule.expression, { direction: 'request' });
  if (!compiled.ok) return { ok: false, message: compiled.message };
  const variable = parseVarName(rule.variable);
  return { ok: true, action: new DoResolve(typeof variable === 'string' ? undefined : variable, rule.resolvers, rule.preferIPv4, compiled.fetch) };
}
