/**
 * Which tables each `peers` section shares, and with whom (HAProxy's check_config_validity and
 * peers_init_sync): the section's own `table` lines (`SECTION/NAME`, sent as `/NAME`) and the
 * proxies' `stick-table ... peers SECTION` (sent as the proxy's name). A disabled section shares
 * nothing; a section without the local peer is dropped with HAProxy's warning, unless a proxy's
 * table needs it (then HAProxy refuses the configuration).
 */
import type { ConfigModel, StickTableModel } from '../config/model.ts';
import type { Runtime } from '../runtime.ts';
import type { StickTable } from '../stick/stick-table.ts';
import { localPeerOf, PeersSync, type PeersTable } from './peers-sync.ts';

export function createPeersSyncs(
  runtime: Runtime,
  config: ConfigModel,
  tables: ReadonlyMap<string, StickTable>,
  localName: string,
  warn: (text: string) => void,
): PeersSync[] {
  const syncs: PeersSync[] = [];
  const proxies: { readonly name: string; readonly disabled?: boolean; readonly stickTable?: StickTableModel | undefined }[] = [...config.backends, ...config.frontends];
  for (const model of config.peers ?? []) {
    if (model.disabled) continue;
    const shared: PeersTable[] = [];
    const seen = new Set<string>();
    for (const proxy of proxies) {
      if (proxy.stickTable?.peers !== model.name || seen.has(proxy.name)) continue;
      const table = tables.get(proxy.name);
      if (table === undefined) continue;
      seen.add(proxy.name);
      shared.push({ wireName: proxy.name, table });
    }
    const local = localPeerOf(model, localName);
    if (local === undefined) {
      const user = shared[0];
      if (user !== undefined) throw new Error(`Proxy '${user.wireName}': unable to find local peer '${localName}' in peers section '${model.name}'.`);
      warn(`Removing incomplete section 'peers ${model.name}' (no peer named '${localName}').`);
      continue;
    }
    for (const { name } of model.tables) {
      const table = tables.get(`${model.name}/${name}`);
      if (table !== undefined) shared.push({ wireName: `/${name}`, table });
    }
    const sync = new PeersSync(runtime, model, local, shared);
    sync.sharesPort = config.global.noReusePort !== true;
    syncs.push(sync);
  }
  return syncs;
}
