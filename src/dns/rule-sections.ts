/** The `resolvers` sections the configuration's `do-resolve` rules name (frontends, backends and the named defaults they inherit). */
import type { ConfigModel, HttpRulesModel } from '../config/model.ts';

export function doResolveSections(config: ConfigModel): Set<string> {
  const names = new Set<string>();
  const scan = (rules: HttpRulesModel | undefined): void => {
    for (const rule of [...(rules?.httpRequestRules ?? []), ...(rules?.defaultRules?.httpRequestRules ?? [])]) {
      if (rule.action === 'do-resolve') names.add(rule.resolvers);
    }
  };
  for (const proxy of [...config.frontends, ...config.backends]) scan(proxy);
  return names;
}
