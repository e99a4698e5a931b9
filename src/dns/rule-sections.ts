/** The `resolvers` sections the configuration's `do-resolve` rules (http-request, tcp-request content) name (frontends, backends and the named defaults they inherit). */
import type { ConfigModel, HttpRulesModel } from '../config/model.ts';

export function doResolveSections(config: ConfigModel): Set<string> {
  const names = new Set<string>();
  const scan = (rules: HttpRulesModel | undefined): void => {
    const lists: readonly (readonly { readonly action: string; readonly resolvers?: string }[] | undefined)[] = [
      rules?.httpRequestRules, rules?.defaultRules?.httpRequestRules, rules?.tcpRules?.content, rules?.defaultRules?.tcpRules?.content,
    ];
    for (const rule of lists.flatMap((list) => list ?? [])) {
      if (rule.action === 'do-resolve' && rule.resolvers !== undefined) names.add(rule.resolvers);
    }
  };
  for (const proxy of [...config.frontends, ...config.backends]) scan(proxy);
  return names;
}
