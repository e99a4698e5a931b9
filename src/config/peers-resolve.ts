/**
 * Cross-section checks of the `peers` sections (HAProxy's check_config_validity): a proxy's
 * `stick-table ... peers NAME` must name a peers section.
 */
import type { DiagnosticList } from './errors.ts';
import type { PeersModel, StickTableModel } from './model.ts';

export function checkTablePeers(
  peers: readonly PeersModel[],
  proxies: readonly { readonly name: string; readonly stickTable?: StickTableModel | undefined }[],
  diagnostics: DiagnosticList,
): void {
  // HAProxy: "stick-table name 'T' conflicts with table declared in backend 'T'".
  for (const section of peers) {
    for (const { name, table } of section.tables) {
      const proxy = proxies.find((p) => p.name === name && p.stickTable !== undefined);
      if (proxy === undefined) continue;
      diagnostics.error({
        file: table.source.file,
        line: table.source.line,
        column: 1,
        keyword: 'table',
        message: `stick-table name '${name}' conflicts with table declared in proxy '${proxy.name}' at ${proxy.stickTable?.source.file}:${proxy.stickTable?.source.line}.`,
      });
    }
  }
  const reported = new Set<string>();
  for (const proxy of proxies) {
    const table = proxy.stickTable;
    if (table?.peers === undefined || reported.has(proxy.name)) continue;
    if (peers.some((p) => p.name === table.peers)) continue;
    reported.add(proxy.name);
    diagnostics.error({
      file: table.source.file,
      line: table.source.line,
      column: 1,
      keyword: 'stick-table',
      message: `Proxy '${proxy.name}': unable to find sync peers '${table.peers}'.`,
    });
  }
}
