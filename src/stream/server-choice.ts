/**
 * Which server a request is directed to before the balancer is asked (HAProxy's persistence
 * analysers, in their order): `ignore-persist` and `force-persist` conditions, the cookie's
 * server, then `use-server` rules (process_server_rules), then stick-table matches. Rules are
 * compiled once per configuration generation (cached per backend model).
 */
import type { BackendModel } from '../config/model.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import { compileCondition, type CompiledCondition } from '../rules/condition.ts';
import type { SampleContext } from '../rules/sample-context.ts';

interface CompiledServerRules {
  readonly useServer: readonly { readonly condition: CompiledCondition; readonly server: Server }[];
  readonly ignore: readonly CompiledCondition[];
  readonly force: readonly CompiledCondition[];
}

const NONE: CompiledServerRules = { useServer: [], ignore: [], force: [] };
const cache = new WeakMap<BackendModel, CompiledServerRules>();

function compile(backend: Backend): CompiledServerRules {
  const model = backend.model;
  let rules = cache.get(model);
  if (rules !== undefined) return rules;
  if ((model.serverRules?.length ?? 0) === 0 && (model.persistRules?.length ?? 0) === 0) {
    rules = NONE;
  } else {
    const acls = model.acls ?? [];
    const lookup = (name: string) => acls.filter((a) => a.name === name);
    const cond = (c: Parameters<typeof compileCondition>[0], where: string): CompiledCondition => {
      const compiled = compileCondition(c, lookup, 'request', where);
      if (!compiled.ok) throw new Error(`backend '${model.name}': ${where}: ${compiled.message}`);
      return compiled.condition;
    };
    const useServer: { condition: CompiledCondition; server: Server }[] = [];
    for (const rule of model.serverRules ?? []) {
      const server = backend.server(rule.server);
      if (server !== undefined) useServer.push({ condition: cond(rule.condition, 'use-server'), server });
    }
    const persist = model.persistRules ?? [];
    rules = {
      useServer,
      ignore: persist.filter((r) => r.kind === 'ignore').map((r) => cond(r.condition, 'ignore-persist')),
      force: persist.filter((r) => r.kind === 'force').map((r) => cond(r.condition, 'force-persist')),
    };
  }
  cache.set(model, rules);
  return rules;
}

export interface ServerChoice {
  /** The server to offer first, if any (the balancer chooses otherwise). */
  readonly server: Server | undefined;
  /** `force-persist` matched: the server may be offered even when DOWN. */
  readonly force: boolean;
}

const NO_CHOICE: ServerChoice = { server: undefined, force: false };

/** The choice before the stick tables are read; `ignore`: `ignore-persist` matched (no stick match either). */
export interface DirectChoice extends ServerChoice {
  readonly ignore: boolean;
}

const UNDECIDED: DirectChoice = { server: undefined, force: false, ignore: false };

/**
 * The server a request goes to before balancing. `cookieServer` is the server the request's
 * persistence cookie names (mode http), `stickServer` reads the stick tables (called only
 * when needed).
 */
export function chooseServer(
  backend: Backend,
  ctx: SampleContext,
  cookieServer: Server | undefined,
  stickServer: () => Server | undefined,
): ServerChoice {
  return withStickServer(directServer(backend, ctx, cookieServer), stickServer);
}

/**
 * The cookie's server or the first matching `use-server`'s: HAProxy's SF_DIRECT|SF_ASSIGNED
 * once its server rules and cookie analysis ran, before the sticking rules (which come after
 * the wait for a POST body that `balance url_param` may hash). No server: not decided yet.
 */
export function directServer(backend: Backend, ctx: SampleContext, cookieServer: Server | undefined): DirectChoice {
  const rules = compile(backend);
  if (rules === NONE) return cookieServer === undefined ? UNDECIDED : { server: cookieServer, force: false, ignore: false };
  const ignore = rules.ignore.some((c) => c.evaluate(ctx));
  const force = rules.force.some((c) => c.evaluate(ctx));
  if (!ignore && cookieServer !== undefined) return { server: cookieServer, force, ignore };
  for (const rule of rules.useServer) {
    if (!rule.condition.evaluate(ctx)) continue;
    const s = rule.server;
    // HAProxy goes on with the next rule when the server is stopped, unless persistence is forced.
    if ((s.status !== 'DOWN' && s.status !== 'MAINT') || backend.persist || force) return { server: s, force: true, ignore };
  }
  return ignore || force ? { server: undefined, force, ignore } : UNDECIDED;
}

/** A direct choice completed by the stick tables' match, unless it has a server or persistence is ignored. */
export function withStickServer(direct: DirectChoice, stickServer: () => Server | undefined): ServerChoice {
  if (direct.server !== undefined) return direct;
  const stick = direct.ignore ? undefined : stickServer();
  if (stick === undefined) return direct.force ? direct : NO_CHOICE;
  return { server: stick, force: direct.force };
}
