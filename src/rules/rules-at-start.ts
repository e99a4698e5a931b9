/**
 * Compiles every proxy's HTTP rules when a generation starts, in declaration order, rather
 * than at each proxy's first request: their map converters and `-f FILE` ACLs create the
 * generation's pattern references (pattern-ref.ts), which the CLI (`show map`, `add acl`) and
 * the `set-map`/`add-acl` actions of other proxies must find from the start, numbered in
 * configuration order as HAProxy numbers them.
 */
import type { ConfigModel, SourceLocation } from '../config/model.ts';
import { httpRulesOf } from './http-rules.ts';

function order(a: { source: SourceLocation }, b: { source: SourceLocation }): number {
  if (a.source.file !== b.source.file) return 0;
  return a.source.line - b.source.line;
}

export function compileRulesAtStart(config: ConfigModel): void {
  const proxies = [
    ...config.frontends.filter((f) => !f.disabled).map((model) => ({ source: model.source, compile: () => httpRulesOf(model, 'frontend') })),
    ...config.backends.filter((b) => !b.disabled).map((model) => ({ source: model.source, compile: () => httpRulesOf(model, 'backend') })),
  ];
  proxies.sort(order);
  for (const p of proxies) p.compile();
}
