/**
 * The array data types of HAProxy 2.5+ (`store gpc(N)`, `gpc_rate(N,P)`, `gpt(N)`): their
 * parsing and layout, the element arithmetic, the legacy gpc0/gpc1/gpt0 names falling back on
 * elements 0 and 1, and the array actions, fetches and converters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StickStoreModel, StickTableModel } from '../../src/config/model.ts';
import { parseStoreList } from '../../src/config/keywords/stick-store.ts';
import { IncGpcAction, SetGptAction } from '../../src/rules/actions/stick-actions.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import { StickDataLayout } from '../../src/stick/stick-data.ts';
import { StickTable } from '../../src/stick/stick-table.ts';
import { withStickTableScope } from '../../src/stick/table-scope.ts';
import { StickTracking } from '../../src/stick/tracking.ts';
import { backendErrors, cfg, errors, parse } from '../config/support.ts';

function stores(text: string): StickStoreModel[] | string {
  const list: StickStoreModel[] = [];
  const r = parseStoreList(text, list);
  return r.ok ? list : r.message;
}

function table(name: string, store: string, extra: Partial<StickTableModel> = {}): StickTable {
  const list = stores(store);
  assert.ok(Array.isArray(list), String(list));
  return new StickTable(name, { type: 'ip', keyLength: 4, size: 100, expire: 10_000, nopurge: false, store: list, source: { file: 't', line: 1 }, ...extra });
}

class Clock {
  t = 100_000;
  now(): number {
    return this.t;
  }
}

describe('stick table arrays: store', () => {
  it('parses element counts and periods as HAProxy does (atoi; the period after the last comma)', () => {
    assert.deepEqual(stores('gpc(3),gpc_rate(2,10s),gpt(1)'), [
      { type: 'gpc', elements: 3 },
      { type: 'gpc_rate', period: 10_000, elements: 2 },
      { type: 'gpt', elements: 1 },
    ]);
    assert.deepEqual(stores('gpc(3x)'), [{ type: 'gpc', elements: 3 }]);
    assert.deepEqual(stores('gpc_rate(2,10s,5)'), [{ type: 'gpc_rate', period: 5, elements: 2 }]);
    assert.deepEqual(stores('gpc(100)'), [{ type: 'gpc', elements: 100 }]);
  });

  it('refuses what HAProxy 2.6 refuses, with its messages', () => {
    const range = "stick-table: array size is out of allowed range (1-100) for store option 'gpc'.";
    assert.equal(stores('gpc(0)'), range);
    assert.equal(stores('gpc(101)'), range);
    assert.equal(stores('gpc(x)'), range);
    assert.equal(stores('gpc'), "stick-table: missing argument to store option 'gpc'.");
    assert.equal(stores('gpc_rate(2)'), "stick-table: missing argument to store option 'gpc_rate'.");
    assert.equal(stores('gpt(2,3)'), "stick-table: unexpected argument to store option 'gpt'.");
    assert.equal(stores('gpc(2),gpc1'), "stick-table: simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'.");
    assert.equal(stores('gpt0,gpt(1)'), "stick-table: simultaneous usage of 'gpt' and 'gpt0' in a same table is not permitted as 'gpt' overrides 'gpt0'.");
    assert.match(String(stores('gpc0_rate(1s),gpc_rate(1,1s)')), /simultaneous usage of 'gpc_rate' and 'gpc\[0\/1\]_rate'/);
  });

  it('a configuration stores them; errors name the line', async () => {
    const model = await parse(cfg('backend b', '  stick-table type ip size 10 store gpc(2),gpt(3)', '  server s 127.0.0.1:1'));
    assert.deepEqual(model.backends[0]?.stickTable?.store, [{ type: 'gpc', elements: 2 }, { type: 'gpt', elements: 3 }]);
    assert.deepEqual(await backendErrors('  stick-table type ip size 10 store gpc(0)'), [
      [2, 37, 'stick-table', "stick-table: array size is out of allowed range (1-100) for store option 'gpc'."],
    ]);
  });
});

describe('stick table arrays: layout and arithmetic', () => {
  it('lays out N elements (a rate three slots each); an element past the end is not stored', () => {
    const layout = new StickDataLayout([{ type: 'gpc', elements: 3 }, { type: 'gpc_rate', period: 1000, elements: 2 }, { type: 'gpt', elements: 1 }]);
    assert.equal(layout.slots, 1 + 3 + 2 * 3 + 1);
    assert.deepEqual([0, 1, 2, 3].map((i) => layout.element('gpc', i)), [1, 2, 3, -1]);
    assert.deepEqual([0, 1, 2].map((i) => layout.element('gpc_rate', i)), [4, 7, -1]);
    assert.equal(layout.element('gpt', 0), 10);
    assert.equal(layout.elements('gpc'), 3);
    assert.equal(layout.elements('gpc_rate'), 2);
  });

  it('countGpc counts the element and its rate; elements are independent; clear and set', () => {
    const t = table('t', 'gpc(2),gpc_rate(2,1s),gpt(2)');
    const e = t.getEntry('10.0.0.1', 100_000);
    assert.ok(e);
    assert.equal(t.countGpc(e, 1, 1, 100_000), true);
    assert.equal(t.countGpc(e, 1, 1, 100_200), true);
    assert.equal(t.countGpc(e, 0, 1, 100_200), true);
    assert.deepEqual([t.element(e, 'gpc', 0), t.element(e, 'gpc', 1)], [1, 2]);
    assert.deepEqual([t.elementRate(e, 0, 100_500), t.elementRate(e, 1, 100_500)], [1, 2]);
    // HAProxy's rolling window: half of the previous period's count remains halfway through.
    assert.equal(t.elementRate(e, 1, 101_500), 1);
    assert.equal(t.elementRate(e, 1, 102_000), 0);
    assert.equal(t.countGpc(e, 2, 1, 100_000), false, 'past the arrays');
    assert.equal(t.element(e, 'gpc', 2), undefined);
    assert.equal(t.setElement(e, 'gpt', 1, 7), true);
    assert.deepEqual([t.element(e, 'gpt', 0), t.element(e, 'gpt', 1)], [0, 7]);
    assert.equal(t.setElement(e, 'gpc', 1, 0), true);
    assert.equal(t.element(e, 'gpc', 1), 0);
  });

  it('gpc0/gpc1/gpt0 (and their rates) fall back on elements 0 and 1 when the table stores the arrays', () => {
    const t = table('t', 'gpc(2),gpc_rate(1,1s),gpt(1)');
    const e = t.getEntry('10.0.0.1', 100_000);
    assert.ok(e);
    assert.equal(t.count(e, 'gpc1', 1, 100_000), true, 'gpc1 is gpc[1]');
    assert.equal(t.element(e, 'gpc', 1), 1);
    assert.equal(t.count(e, 'gpc0', 1, 100_000), true);
    assert.deepEqual([t.counter(e, 'gpc0'), t.element(e, 'gpc', 0), t.elementRate(e, 0, 100_000), t.rate(e, 'gpc0_rate', 100_000)], [1, 1, 1, 1]);
    assert.equal(t.rate(e, 'gpc1_rate', 100_000), undefined, 'gpc_rate has one element');
    t.setCounter(e, 'gpt0', 9);
    assert.equal(t.element(e, 'gpt', 0), 9);
    assert.equal(t.layout.stores('gpc0'), false, 'not shown as gpc0 by show table');
    const small = table('s', 'gpc(1)');
    assert.equal(small.layout.offset('gpc1'), -1, 'gpc1 needs two elements');
  });
});

/** A SampleContext with stick tracking, from 10.0.0.1. */
function context(tracking: StickTracking, clientAddress = '10.0.0.1'): SampleContext {
  return { clientAddress, lbHead: undefined, stick: tracking } as unknown as SampleContext;
}

function read(expression: string, ctx: SampleContext, scope = 'fe'): string | undefined {
  const compiled = withStickTableScope(scope, () => compileSampleFetch(expression));
  assert.ok(compiled.ok, compiled.ok ? '' : compiled.message);
  return compiled.fetch.fetch(ctx);
}

describe('stick table arrays: actions, fetches, converters', () => {
  const clock = new Clock();
  const fe = table('fe', 'gpc(2),gpc_rate(2,1s),gpt(2)');
  const other = table('other', 'gpc(1)');
  const tracking = new StickTracking(new Map([['fe', fe], ['other', other]]), clock);

  it('nothing tracked: the actions do nothing, sc_ fetches give no sample', () => {
    const ctx = context(tracking);
    new IncGpcAction(0, 1).run(ctx);
    assert.equal(fe.entries, 0);
    assert.equal(read('sc_get_gpc(1,0)', ctx), undefined);
  });

  it('sc-inc-gpc(I,N) and sc-set-gpt(I,N) change element I of what slot N tracks; sc_ fetches read it', () => {
    const ctx = context(tracking);
    tracking.track(tracking.stream, 0, fe, '10.0.0.1', clock.t);
    new IncGpcAction(0, 1).run(ctx);
    new IncGpcAction(0, 1).run(ctx);
    new IncGpcAction(0, 5).run(ctx);
    new SetGptAction(0, 4_294_967_297, 1).run(ctx);
    assert.equal(read('sc_get_gpc(1,0)', ctx), '2');
    assert.equal(read('sc_get_gpc(0,0)', ctx), '0');
    assert.equal(read('sc_gpc_rate(1,0)', ctx), '2');
    assert.equal(read('sc_get_gpt(1,0)', ctx), '1', 'an unsigned 32-bit tag');
    assert.equal(read('sc_get_gpc(2,0)', ctx), undefined, 'past the array');
    assert.equal(read('sc_get_gpc(-1,0)', ctx), undefined, 'unsigned in HAProxy: past the array');
    assert.equal(read('sc_get_gpc(0,1)', ctx), undefined, 'slot 1 tracks nothing');
    assert.equal(read('sc_get_gpc0(0)', ctx), '0', 'gpc0 reads gpc[0]');
    assert.equal(read('sc_get_gpc1(0)', ctx), '2', 'gpc1 reads gpc[1]');
    assert.equal(read('sc_get_gpt0(0)', ctx), '0', 'gpt0 reads gpt[0]');
  });

  it('sc_inc_gpc returns the new value, sc_clr_gpc the old one; a table argument looks the key up there', () => {
    const ctx = context(tracking);
    assert.equal(read('sc_inc_gpc(1,0)', ctx), '3');
    assert.equal(read('sc_clr_gpc(1,0)', ctx), '3');
    assert.equal(read('sc_get_gpc(1,0)', ctx), '0');
    assert.equal(read('sc_gpc_rate(1,0)', ctx), '3', 'clearing keeps the rate');
    assert.equal(read('sc_get_gpc(0,0,other)', ctx), '0', 'absent there: 0');
    assert.equal(read('sc_inc_gpc(0,0,other)', ctx), '0', 'no entry there: nothing to count');
  });

  it('src_ forms (the table argument is mandatory, as in HAProxy); inc and clr create the entry', () => {
    assert.equal(read('src_get_gpt(1,fe)', context(tracking)), '1');
    assert.equal(read('src_gpc_rate(1,fe)', context(tracking)), '3');
    assert.equal(read('src_get_gpc(0,fe)', context(tracking, '10.0.0.9')), '0');
    assert.equal(fe.find('10.0.0.9', clock.t), undefined);
    assert.equal(read('src_inc_gpc(0,other)', context(tracking, '10.0.0.9')), '1');
    assert.equal(read('src_get_gpc(0,other)', context(tracking, '10.0.0.9')), '1');
    assert.equal(read('src_clr_gpc(0,other)', context(tracking, '10.0.0.9')), '1');
    assert.equal(read('src_gpc_rate(0,other)', context(tracking, '10.0.0.9')), undefined, 'other stores no gpc_rate');
    assert.equal(read('src_gpc_rate(0,other)', context(tracking)), '0', 'an absent entry reads 0 first');
    const missing = withStickTableScope('fe', () => compileSampleFetch('src_get_gpc(0)'));
    assert.equal(missing.ok, false);
  });

  it('table_gpc, table_gpc_rate, table_gpt converters', () => {
    const ctx = context(tracking);
    assert.equal(read('src,table_gpc_rate(1,fe)', ctx), '3');
    assert.equal(read('src,table_gpt(1,fe)', ctx), '1');
    assert.equal(read('str(10.1.1.1),table_gpc(0,fe)', ctx), '0', 'absent key: 0');
    assert.equal(read('src,table_gpc(7,fe)', ctx), undefined, 'past the array');
    assert.equal(read('src,table_gpc0(fe)', ctx), '0', 'the legacy converter reads gpc[0]');
    clock.t += 1500;
    assert.equal(read('src,table_gpc_rate(1,fe)', ctx), '1', '3 * 500 / 1000');
    tracking.endSession(clock.t);
  });
});

describe('stick table arrays: actions in configurations', () => {
  const frontend = (...lines: string[]): string =>
    cfg('defaults', '  mode http', 'frontend f', '  bind :80', '  stick-table type ip size 10 store gpc(2),gpt(1)', '  http-request track-sc0 src', ...lines, '  default_backend b', 'backend b', '  server s 127.0.0.1:1');

  it('http and tcp rules take sc-inc-gpc(I,N) and sc-set-gpt(I,N) [VALUE|EXPR]', async () => {
    const model = await parse(frontend('  http-request sc-inc-gpc(1,0)', '  http-response sc-set-gpt(0,2) 5', '  http-request sc-set-gpt(0,1) req.hdr_cnt(x)', '  http-request sc-set-gpt(0,0)', '  tcp-request connection sc-inc-gpc(0,1)', '  tcp-request content sc-set-gpt(0,0) 3'));
    const f = model.frontends[0];
    type Fields = { action: string; index?: number; slot?: number; value?: string };
    const pick = (rule: { action: string }): unknown[] => {
      const r = rule as Fields;
      return r.action === 'sc-inc-gpc' || r.action === 'sc-set-gpt' ? [r.action, r.index, r.slot, r.value] : [];
    };
    assert.deepEqual(f?.httpRequestRules?.slice(1).map(pick), [
      ['sc-inc-gpc', 1, 0, undefined],
      ['sc-set-gpt', 0, 1, 'req.hdr_cnt(x)'],
      ['sc-set-gpt', 0, 0, '0'],
    ]);
    assert.deepEqual(f?.httpResponseRules?.map(pick), [['sc-set-gpt', 0, 2, '5']]);
    assert.deepEqual(f?.tcpRules?.connection.map(pick), [['sc-inc-gpc', 0, 1, undefined]]);
  });

  it('HAProxy 2.6.12\'s messages for a malformed word', async () => {
    const message = async (line: string): Promise<string | undefined> => (await errors(frontend(line)))[0]?.[3];
    assert.match((await message('  http-request sc-inc-gpc')) ?? '', /invalid gpc ID 'sc-inc-gpc'\. Expects sc-inc-gpc\(<GPC ID>,<Track ID>\)\.$/);
    assert.match((await message('  http-request sc-inc-gpc(1)')) ?? '', /Missing gpc ID 'sc-inc-gpc\(1\)'\. Expects sc-inc-gpc\(<GPC ID>,<Track ID>\)/);
    assert.match((await message('  http-request sc-inc-gpc(1,3)')) ?? '', /invalid stick table track ID 'sc-inc-gpc\(1,3\)'\. The max allowed ID is 2/);
    assert.match((await message('  http-request sc-set-gpt(0,x) 1')) ?? '', /invalid stick table track ID 'sc-set-gpt\(0,x\)'\. Expects sc-set-gpt\(<GPT ID>,<Track ID>\)/);
    assert.match((await message('  http-after-response sc-inc-gpc(0,0)')) ?? '', /http-after-response/);
  });
});
