/**
 * The request side of HAProxy's FCGI filter (fcgi_flt_http_headers in fcgi-app.c), run once the
 * request is ready for the server: the fcgi-app's `set-param` rules give this request's extra
 * CGI parameters, and its header rules hide headers from the application (`pass-header` lets one
 * of the built-in hidden ones through). For each name the last rule whose condition matches
 * wins; parameters come out ordered by name (HAProxy keeps them in a tree keyed by name), and a
 * parameter whose value is empty is not sent. The parameters go to the FCGI mux
 * (src/mux/fcgi-server.ts) beside the request, as HAProxy's `:fcgi-` pseudo-headers do.
 */
import type { FcgiAppModel } from '../config/model.ts';
import { compileCondition, type CompiledCondition } from '../rules/condition.ts';
import { compileLogFormat, type LogFormat } from '../rules/log-format.ts';
import type { SampleContext } from '../rules/sample-context.ts';

interface CompiledParamRule {
  readonly name: string;
  readonly value: LogFormat;
  readonly condition: CompiledCondition | undefined;
}

interface CompiledHeaderRule {
  readonly name: string;
  readonly pass: boolean;
  readonly condition: CompiledCondition | undefined;
}

/** An fcgi-app's rules, compiled once per model. */
export interface CompiledFcgiApp {
  readonly params: readonly CompiledParamRule[];
  readonly headers: readonly CompiledHeaderRule[];
}

export type FcgiAppCompile = { readonly ok: true; readonly app: CompiledFcgiApp } | { readonly ok: false; readonly message: string };

/** Compiles the rules of `app` (the configuration checks the same, so a loaded model compiles). */
export function compileFcgiApp(app: FcgiAppModel): FcgiAppCompile {
  const lookup = (name: string): readonly FcgiAppModel['acls'][number][] => app.acls.filter((a) => a.name === name);
  const params: CompiledParamRule[] = [];
  const headers: CompiledHeaderRule[] = [];
  for (const rule of app.rules) {
    let condition: CompiledCondition | undefined;
    if (rule.condition !== undefined) {
      const compiled = compileCondition(rule.condition, lookup, 'request', 'fcgi-app rule');
      if (!compiled.ok) return { ok: false, message: compiled.message };
      condition = compiled.condition;
    }
    if (rule.kind === 'set-param') {
      const value = compileLogFormat(rule.value, 'request');
      if (!value.ok) return { ok: false, message: value.message };
      params.push({ name: rule.name, value: value.format, condition });
    } else {
      headers.push({ name: rule.name, pass: rule.kind === 'pass-header', condition });
    }
  }
  return { ok: true, app: { params, headers } };
}

const compiledApps = new WeakMap<FcgiAppModel, CompiledFcgiApp>();

function compiled(app: FcgiAppModel): CompiledFcgiApp {
  let out = compiledApps.get(app);
  if (out === undefined) {
    const result = compileFcgiApp(app);
    if (!result.ok) throw new Error(`fcgi-app '${app.name}': ${result.message}`);
    out = result.app;
    compiledApps.set(app, out);
  }
  return out;
}

/** A CGI parameter set by the fcgi-app: HAProxy's key (lowercase, '_' for other characters) and value. */
export type FcgiParam = readonly [key: string, value: string];

/** What the fcgi-app's rules decided for one request. */
export interface FcgiRequestRules {
  readonly params: FcgiParam[];
  /** Headers removed from what the application sees (HAProxy removes them from the HTX message). */
  readonly hidden: ReadonlySet<string>;
}

/**
 * Applies `app`'s rules to the request about to go to the server. The hidden headers stay on
 * the wire to the mux (Transfer-Encoding frames the body the mux reads) and are left out of
 * the PARAMS there.
 */
export function applyFcgiApp(app: FcgiAppModel, ctx: SampleContext): FcgiRequestRules {
  const rules = compiled(app);
  const params = new Map<string, LogFormat>();
  for (const rule of rules.params) {
    if (rule.condition !== undefined && !rule.condition.evaluate(ctx)) continue;
    params.set(rule.name, rule.value);
  }
  const verdicts = new Map<string, boolean>();
  for (const rule of rules.headers) {
    if (rule.condition !== undefined && !rule.condition.evaluate(ctx)) continue;
    verdicts.set(rule.name, !rule.pass);
  }
  const out: FcgiParam[] = [];
  for (const name of [...params.keys()].sort()) {
    const value = (params.get(name) as LogFormat).evaluate(ctx);
    if (value !== '') out.push([name, value]);
  }
  const hidden = new Set<string>();
  for (const [name, hide] of verdicts) if (hide) hidden.add(name);
  return { params: out, hidden };
}
