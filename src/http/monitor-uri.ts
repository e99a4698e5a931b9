/**
 * `monitor-uri` (HAProxy's http_wait_for_request): a request whose URI is the monitor URI is
 * answered by the proxy itself before any rule runs: 200 ("Service ready."), or 503 when one of
 * the `monitor fail` conditions holds. A URI written with a leading '/' also matches the path
 * of an absolute-form target (`http://host/health`); matching is case-sensitive. Compiled once
 * per frontend model.
 */
import type { FrontendModel } from '../config/model.ts';
import { compileCondition, type CompiledCondition } from '../rules/condition.ts';
import type { SampleContext } from '../rules/sample-context.ts';

export class FrontendMonitor {
  readonly uri: string;
  readonly #byPath: boolean;
  readonly #fail: readonly CompiledCondition[];

  constructor(model: FrontendModel, uri: string) {
    this.uri = uri;
    this.#byPath = uri.startsWith('/');
    const acls = model.acls ?? [];
    this.#fail = (model.monitor?.fail ?? []).map((c) => {
      const compiled = compileCondition(c, (name) => acls.filter((a) => a.name === name), 'request', "'monitor fail' condition");
      if (!compiled.ok) throw new Error(`frontend '${model.name}': ${compiled.message}`);
      return compiled.condition;
    });
  }

  get hasFailConditions(): boolean {
    return this.#fail.length > 0;
  }

  matches(target: string): boolean {
    if (target === this.uri) return true;
    return this.#byPath && absolutePath(target) === this.uri;
  }

  /** The status to answer: 503 when a `monitor fail` condition holds. */
  status(ctx: SampleContext | undefined): 200 | 503 {
    if (ctx !== undefined) for (const condition of this.#fail) if (condition.evaluate(ctx)) return 503;
    return 200;
  }
}

/** The path (with its query) of an absolute-form target; undefined for other forms or none. */
function absolutePath(target: string): string | undefined {
  const scheme = target.indexOf('://');
  if (scheme <= 0 || target.charCodeAt(0) === 0x2f) return undefined;
  const slash = target.indexOf('/', scheme + 3);
  return slash < 0 ? undefined : target.slice(slash);
}

const monitors = new WeakMap<FrontendModel, FrontendMonitor | null>();

export function monitorOf(model: FrontendModel): FrontendMonitor | undefined {
  let monitor = monitors.get(model);
  if (monitor === undefined) {
    const uri = model.monitor?.uri;
    monitor = uri === undefined ? null : new FrontendMonitor(model, uri);
    monitors.set(model, monitor);
  }
  return monitor ?? undefined;
}
