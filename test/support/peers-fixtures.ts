/** A `peers` section and a stick table for the peers unit tests (peer NAME on 127.0.0.1:PORT). */
import type { PeersModel } from '../../src/config/model.ts';
import { StickTable } from '../../src/stick/stick-table.ts';

const source = { file: 'h.cfg', line: 1 };

/** Section `P` with these peers, in order, on ports 1001, 1002...: `peersSection('A', 'B')`. */
export function peersSection(...names: string[]): PeersModel {
  return {
    name: 'P',
    disabled: false,
    peers: names.map((name, i) => ({ name, host: '127.0.0.1', port: 1001 + i, source })),
    tables: [],
    source,
  };
}

/** Table `be`: string keys, 100 entries, gpc0 stored. */
export function stringTable(): StickTable {
  return new StickTable('be', { type: 'string', keyLength: 32, size: 100, expire: undefined, nopurge: false, source, store: [{ type: 'gpc0' }] });
}
