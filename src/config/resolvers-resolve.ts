/**
 * The `resolvers` sections once everything is read (HAProxy's resolvers_finalize_config): each
 * server naming a section must find it, and so must each `do-resolve` rule
 * (check_action_do_resolve); a section without any nameserver (its own lines or
 * `parse-resolv-conf`) draws HAProxy's warning.
 */
import type { DiagnosticList } from './errors.ts';
import type { BackendModel, HttpRulesModel, ResolversModel, ServerModel, TcpRuleModel } from './model.ts';
import type { ResolversDraft } from './keywords/resolvers.ts';
import type { ServerSettings } from './draft.ts';

/** The model fields of a server's resolution settings (none unless it names a resolvers section). */
export function serverResolution(server: ServerSettings): Pick<ServerModel, 'resolvers' | 'resolvePrefer' | 'resolveOpts' | 'resolveNet'> {
  if (server.resolvers === undefined) return {};
  return {
    resolvers: server.resolvers,
    ...(server.resolvePrefer === undefined ? {} : { resolvePrefer: server.resolvePrefer }),
    ...(server.resolveOpts === undefined ? {} : { resolveOpts: { ...server.resolveOpts } }),
    ...(server.resolveNet === undefined ? {} : { resolveNet: [...server.resolveNet] }),
  };
}

/** HAProxy's "Proxy 'f': Can't find resolvers section 'x' for do-resolve action." (once per rule: a listen's two halves share theirs). */
function checkDoResolveSections(proxies: readonly (HttpRulesModel & { readonly name: string })[], names: ReadonlySet<string>, diagnostics: DiagnosticList): void {
  const reported = new Set<string>();
  for (const proxy of proxies) {
    // HAProxy checks `http-request` and `tcp-request content` do-resolve rules alike (check_action_do_resolve).
    type Rules = readonly (NonNullable<HttpRulesModel['httpRequestRules']>[number] | TcpRuleModel)[] | undefined;
    const owners: [string, Rules][] = [
      [proxy.name, proxy.httpRequestRules],
      [proxy.name, proxy.tcpRules?.content],
    ];
    if (proxy.defaultRules !== undefined) owners.push([proxy.defaultRules.name, proxy.defaultRules.httpRequestRules], [proxy.defaultRules.name, proxy.defaultRules.tcpRules?.content]);
    for (const [owner, rules] of owners) {
      for (const rule of rules ?? []) {
        if (rule.action !== 'do-resolve' || names.has(rule.resolvers)) continue;
        const key = `${owner}\n${rule.source.file}:${rule.source.line}`;
        if (reported.has(key)) continue;
        reported.add(key);
        diagnostics.error({
          file: rule.source.file,
          line: rule.source.line,
          column: 1,
          keyword: rules === proxy.tcpRules?.content || rules === proxy.defaultRules?.tcpRules?.content ? 'tcp-request' : 'http-request',
          message: `Proxy '${owner}': Can't find resolvers section '${rule.resolvers}' for do-resolve action.`,
        });
      }
    }
  }
}

export function resolversOf(
  drafts: readonly ResolversDraft[],
  backends: readonly BackendModel[],
  diagnostics: DiagnosticList,
  ruleProxies: readonly (HttpRulesModel & { readonly name: string })[] = backends,
): { resolvers?: readonly ResolversModel[] } {
  const names = new Set(drafts.map((d) => d.name));
  checkDoResolveSections(ruleProxies, names, diagnostics);
  for (const backend of backends) {
    for (const server of backend.servers) {
      if (server.resolvers === undefined || names.has(server.resolvers)) continue;
      diagnostics.error({
        file: server.source.file,
        line: server.source.line,
        column: 1,
        keyword: 'server',
        message: `backend '${backend.name}', server '${server.name}': unable to find required resolvers '${server.resolvers}'`,
      });
    }
  }
  for (const draft of drafts) {
    if (draft.nameservers.length > 0 || draft.parseResolvConf) continue;
    // HAProxy only warns: such a section never resolves anything (its servers keep their addresses).
    diagnostics.warning({
      file: draft.source.file,
      line: draft.source.line,
      column: 1,
      keyword: 'resolvers',
      message: `resolvers '${draft.name}' has no nameservers configured!`,
    });
  }
  if (drafts.length === 0) return {};
  return { resolvers: drafts.map((d) => ({ ...d, nameservers: [...d.nameservers], hold: { ...d.hold } })) };
}
