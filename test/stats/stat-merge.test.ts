import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STAT_FIELDS, statIndex, type StatField } from '../../src/stats/stat-fields.ts';
import { mergeThreadRows } from '../../src/stats/stat-merge.ts';
import type { StatCell, StatRow } from '../../src/stats/stat-rows.ts';

function row(type: 0 | 1 | 2, proxyId: number, serverId: number, cells: Partial<Record<StatField, StatCell>>): StatRow {
  const r: StatRow = { type, proxyId, serverId, cells: new Array<StatCell>(STAT_FIELDS.length).fill(undefined) };
  for (const [name, value] of Object.entries(cells)) r.cells[statIndex(name as StatField)] = value;
  return r;
}

const cell = (r: StatRow, name: StatField): StatCell => r.cells[statIndex(name)];

describe('mergeThreadRows (stats of nbthread N)', () => {
  it('sums counters, current figures and rates; keeps the highest maximum; keeps states and names of its own rows', () => {
    const own = [row(2, 3, 1, { pxname: 'be', svname: 's1', stot: 10, scur: 2, smax: 4, rate: 1, req_tot: 9, status: 'UP', weight: 1, qtime: 5 })];
    const other = [row(2, 3, 1, { pxname: 'be', svname: 's1', stot: 7, scur: 1, smax: 6, rate: 2, req_tot: 7, status: 'DOWN', weight: 0, qtime: 50 })];
    mergeThreadRows(own, [other]);
    const r = own[0] as StatRow;
    assert.deepEqual(
      ['stot', 'scur', 'smax', 'rate', 'req_tot', 'status', 'weight', 'qtime', 'svname'].map((f) => cell(r, f as StatField)),
      [17, 3, 6, 3, 16, 'UP', 1, 5, 's1'],
    );
  });

  it('matches rows by type, proxy and server id; a row only another thread has is left out, an empty cell takes the number', () => {
    const own = [row(0, 2, 0, { stot: 1 }), row(1, 2, 0, { stot: 2 })];
    mergeThreadRows(own, [[row(1, 2, 0, { stot: 5, bin: 10 }), row(2, 2, 9, { stot: 100 })], [row(0, 2, 0, { stot: 3 })]]);
    assert.deepEqual(
      own.map((r) => [cell(r, 'stot'), cell(r, 'bin')]),
      [
        [4, undefined],
        [7, 10],
      ],
    );
  });

  it('leaves the rows alone without other threads', () => {
    const own = [row(0, 1, 0, { stot: 1 })];
    mergeThreadRows(own, []);
    assert.equal(cell(own[0] as StatRow, 'stot'), 1);
  });
});
