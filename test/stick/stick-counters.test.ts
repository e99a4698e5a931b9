/**
 * Stick tables as counter stores: every stored counter, its rate at the window's edges on a
 * fake clock, eviction and expiry with trackers holding entries, the tracking slots, and the
 * sc_/src_/table_ fetches and converters read through compiled sample expressions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StickStoreModel, StickTableModel } from '../../src/config/model.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import { Sample } from '../../src/rules/sample.ts';
import { STICK_DATA_TYPES, StickDataLayout } from '../../src/stick/stick-data.ts';
import { StickTable } from '../../src/stick/stick-table.ts';
import { withStickTableScope } from '../../src/stick/table-scope.ts';
import { StickTracking } from '../../src/stick/tracking.ts';

const ALL: StickStoreModel[] = STICK_DATA_TYPES.map((type) => (type.endsWith('_rate') ? { type, period: 1000 } : { type }));

function table(name: string, extra: Partial<StickTableModel> = {}): StickTable {
  return new StickTable(name, { type: 'ip', keyLength: 4, size: 100, expire: 10_000, nopurge: false, store: ALL, source: { file: 't', line: 1 }, ...extra });
}

class Clock {
  t = 100_000;
  now(): number {
    return this.t;
  }
}

describe('stick table counters', () => {
  it('lays out only the stored types; rates take three slots', () => {
    const layout = new StickDataLayout([{ type: 'gpc0' }, { type: 'http_req_rate', period: 10_000 }, { type: 'server_id' }, { type: 'conn_cur' }]);
    assert.equal(layout.slots, 6, 'the expiry date, then the data');
    assert.deepEqual([layout.offset('gpc0'), layout.offset('http_req_rate'), layout.offset('conn_cur'), layout.offset('gpc1')], [1, 2, 5, -1]);
    assert.equal(layout.period('http_req_rate'), 10_000);
    assert.equal(layout.stores('server_id'), true);
  });

  it('each event counts its counter and its rate; a type not stored reads undefined', () => {
    const t = table('t');
    const e = t.getEntry('10.0.0.1', 100_000);
    assert.ok(e);
    const events = ['conn', 'sess', 'http_req', 'http_err', 'http_fail', 'bytes_in', 'bytes_out'] as const;
    for (const event of events) {
      t.count(e, event, event.startsWith('bytes') ? 700 : 1, 100_000);
      t.count(e, event, event.startsWith('bytes') ? 700 : 1, 100_200);
      const n = event.startsWith('bytes') ? 1400 : 2;
      assert.equal(t.counter(e, `${event}_cnt`), n, `${event}_cnt`);
      assert.equal(t.rate(e, `${event}_rate`, 100_500), n, `${event}_rate`);
    }
    for (const gpc of ['gpc0', 'gpc1'] as const) {
      t.count(e, gpc, 1, 100_000);
      assert.equal(t.counter(e, gpc), 1);
      assert.equal(t.rate(e, `${gpc}_rate`, 100_000), 1);
    }
    assert.equal(t.setCounter(e, 'gpt0', 42), true);
    assert.equal(t.counter(e, 'gpt0'), 42);
    // Rates at the window's edges (HAProxy's arithmetic, see freq-counter.test.ts).
    assert.equal(t.rate(e, 'http_req_rate', 100_999), 2);
    assert.equal(t.rate(e, 'http_req_rate', 101_500), 1, 'past 2, remain 500 -> 1');
    assert.equal(t.rate(e, 'http_req_rate', 102_000), 0);
    const bare = table('b', { store: [{ type: 'gpc0' }] });
    const b = bare.getEntry('10.0.0.1', 0);
    assert.ok(b);
    assert.equal(bare.counter(b, 'conn_cnt'), undefined);
    assert.equal(bare.rate(b, 'http_req_rate', 0), undefined);
    assert.equal(bare.count(b, 'http_req', 1, 0), false, 'nothing stored for that event');
  });

  it('expiry is refreshed by touches; an untracked expired entry is gone, a tracked one stays until released', () => {
    const clock = new Clock();
    const t = table('t', { expire: 1000 });
    const tracking = new StickTracking(new Map([['t', t]]), clock);
    const held = tracking.track(tracking.stream, 0, t, '10.0.0.1', clock.t);
    assert.ok(held);
    assert.ok(t.getEntry('10.0.0.2', clock.t));
    clock.t += 800;
    t.touch(t.find('10.0.0.2', clock.t)!, clock.t);
    clock.t += 800; // 10.0.0.1 expired 600 ms ago but is tracked; 10.0.0.2 was touched
    assert.ok(t.find('10.0.0.1', clock.t), 'a tracked entry does not expire');
    assert.ok(t.find('10.0.0.2', clock.t));
    clock.t += 1500;
    assert.equal(t.find('10.0.0.2', clock.t), undefined, 'untouched for longer than expire');
    assert.equal(t.entries, 1);
    tracking.endStream(0, 0, clock.t);
    // Released with conn_cur stored: the release touches it (HAProxy's stream_store_counters).
    assert.ok(t.find('10.0.0.1', clock.t));
    clock.t += 1000;
    assert.equal(t.find('10.0.0.1', clock.t), undefined);
    assert.equal(t.entries, 0);
  });

  it('a full table trashes the oldest untracked entries in a batch; nopurge or all tracked refuses', () => {
    const clock = new Clock();
    const t = table('t', { size: 3, expire: undefined });
    const tracking = new StickTracking(new Map([['t', t]]), clock);
    tracking.track(tracking.session, 0, t, '10.0.0.1', 1);
    t.getEntry('10.0.0.2', 2);
    t.getEntry('10.0.0.3', 3);
    assert.ok(t.getEntry('10.0.0.4', 4));
    // Batch of (3 >> 8) + 1 = 1: the oldest untracked (10.0.0.2) goes, not the tracked 10.0.0.1.
    assert.deepEqual([...t.list(5)].map((e) => e.key).sort(), ['10.0.0.1', '10.0.0.3', '10.0.0.4']);
    const all = table('all', { size: 1, expire: undefined });
    const tr = new StickTracking(new Map([['all', all]]), clock);
    tr.track(tr.session, 0, all, '10.0.0.1', 1);
    assert.equal(all.getEntry('10.0.0.2', 2), undefined, 'every entry is tracked: nothing may go');
    const nopurge = table('n', { size: 1, nopurge: true });
    nopurge.getEntry('10.0.0.1', 1);
    assert.equal(nopurge.getEntry('10.0.0.2', 2), undefined);
    const big = table('big', { size: 512, expire: undefined });
    for (let i = 0; i < 512; i++) big.getEntry(`10.0.${i >> 8}.${i & 255}`, i);
    big.getEntry('10.9.9.9', 600);
    assert.equal(big.entries, 512 - 3 + 1, 'a batch of (512 >> 8) + 1 = 3 entries');
  });

  it('tracking: conn_cur while tracked, conn_cnt and conn_rate once, refs; a slot keeps its first entry', () => {
    const clock = new Clock();
    const t = table('t');
    const tracking = new StickTracking(new Map([['t', t]]), clock);
    const e = tracking.track(tracking.stream, 1, t, '10.0.0.1', clock.t);
    assert.ok(e);
    assert.equal(tracking.track(tracking.stream, 1, t, '10.0.0.2', clock.t), undefined, 'slot taken');
    const other = new StickTracking(new Map([['t', t]]), clock);
    other.track(other.session, 0, t, '10.0.0.1', clock.t);
    assert.deepEqual([t.counter(e, 'conn_cur'), t.counter(e, 'conn_cnt'), t.rate(e, 'conn_rate', clock.t), e.refs], [2, 2, 2, 2]);
    tracking.countHttpRequest(clock.t);
    tracking.countHttpResponse(404, clock.t);
    tracking.countHttpResponse(503, clock.t);
    tracking.countHttpResponse(501, clock.t);
    tracking.countHttpError(clock.t);
    assert.deepEqual([t.counter(e, 'http_req_cnt'), t.counter(e, 'http_err_cnt'), t.counter(e, 'http_fail_cnt')], [1, 2, 1]);
    tracking.endStream(100, 2048, clock.t);
    assert.deepEqual([t.counter(e, 'bytes_in_cnt'), t.counter(e, 'bytes_out_cnt'), t.counter(e, 'conn_cur'), e.refs], [100, 2048, 1, 1]);
    assert.equal(tracking.trackedEntry(1), undefined, 'the stream slot is free again');
    other.countSession(clock.t);
    assert.equal(t.counter(e, 'sess_cnt'), 1);
    other.endSession(clock.t);
    assert.deepEqual([t.counter(e, 'conn_cur'), e.refs], [0, 0]);
  });

  it('an entry removed while tracked: its tracker releases it without putting it back', () => {
    const clock = new Clock();
    const t = table('t', { expire: 1000 });
    const tracking = new StickTracking(new Map([['t', t]]), clock);
    tracking.track(tracking.stream, 0, t, '10.0.0.1', clock.t);
    t.getEntry('10.0.0.2', clock.t);
    assert.equal(t.delete('10.0.0.1'), true);
    tracking.countHttpRequest(clock.t);
    tracking.endStream(10, 10, clock.t);
    assert.deepEqual([...t.list(clock.t)].map((e) => e.key), ['10.0.0.2']);
    assert.equal(t.entries, 1);
    const fresh = t.getEntry('10.0.0.1', clock.t);
    assert.equal(fresh?.refs, 0, 'a new entry for the key');
    assert.deepEqual([...t.list(clock.t)].map((e) => e.key), ['10.0.0.2', '10.0.0.1'], 'touch order kept');
  });

  it('an event counts on the stream slot when its table stores it, else on the session slot', () => {
    const clock = new Clock();
    const gpcOnly = table('g', { store: [{ type: 'gpc0' }] });
    const reqs = table('r', { store: [{ type: 'http_req_cnt' }] });
    const tracking = new StickTracking(new Map([['g', gpcOnly], ['r', reqs]]), clock);
    const s = tracking.track(tracking.session, 0, reqs, '10.0.0.1', clock.t)!;
    tracking.track(tracking.stream, 0, gpcOnly, '10.0.0.1', clock.t);
    tracking.countHttpRequest(clock.t);
    assert.equal(reqs.counter(s, 'http_req_cnt'), 1);
    assert.equal(tracking.trackedTable(0), gpcOnly, 'fetches read the stream slot first');
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

describe('stick counter fetches and converters', () => {
  const clock = new Clock();
  const fe = table('fe', { store: [{ type: 'http_req_rate', period: 1000 }, { type: 'http_req_cnt' }, { type: 'gpc0' }, { type: 'conn_cur' }, { type: 'gpt0' }, { type: 'bytes_in_cnt' }], size: 10 });
  const other = table('other', { store: [{ type: 'http_req_cnt' }, { type: 'gpc1' }] });
  const tracking = new StickTracking(new Map([['fe', fe], ['other', other]]), clock);

  it('sc_ and scN_ read the tracked slot; an untracked slot gives no sample, sc_tracked false', () => {
    const ctx = context(tracking);
    assert.equal(read('sc_http_req_rate(0)', ctx), undefined);
    assert.equal(read('sc0_tracked', ctx), '0');
    tracking.track(tracking.stream, 0, fe, '10.0.0.1', clock.t);
    fe.count(tracking.trackedEntry(0)!, 'http_req', 3, clock.t);
    assert.equal(read('sc_http_req_rate(0)', ctx), '3');
    assert.equal(read('sc0_http_req_cnt', ctx), '3');
    assert.equal(read('sc0_conn_cur', ctx), '1');
    assert.equal(read('sc_tracked(0)', ctx), '1');
    assert.equal(read('sc_trackers(0)', ctx), '1');
    assert.equal(read('sc1_http_req_cnt', ctx), undefined);
    assert.equal(read('sc_get_gpc1(0)', ctx), undefined, 'gpc1 not stored');
    assert.equal(read('sc_http_req_rate(3)', ctx), undefined, 'beyond the counters');
  });

  it('sc_inc_gpc0 counts and returns the new value; sc_clr_gpc0 returns the old one', () => {
    const ctx = context(tracking);
    assert.equal(read('sc_inc_gpc0(0)', ctx), '1');
    assert.equal(read('sc0_inc_gpc0', ctx), '2');
    assert.equal(read('sc_get_gpc0(0)', ctx), '2');
    assert.equal(read('sc_clr_gpc0(0)', ctx), '2');
    assert.equal(read('sc0_get_gpc0', ctx), '0');
    assert.equal(read('sc0_kbytes_in', ctx), '0');
  });

  it('an sc_ fetch with a table argument looks the tracked key up there', () => {
    const ctx = context(tracking);
    assert.equal(read('sc_http_req_cnt(0,other)', ctx), '0', 'absent in that table: 0');
    other.count(other.getEntry('10.0.0.1', clock.t)!, 'http_req', 5, clock.t);
    assert.equal(read('sc0_http_req_cnt(other)', ctx), '5');
  });

  it('src_ fetches: the client address in the current proxy\'s table or the one named; 0 when absent', () => {
    assert.equal(read('src_http_req_cnt', context(tracking)), '3');
    assert.equal(read('src_http_req_cnt(other)', context(tracking)), '5');
    assert.equal(read('src_http_req_cnt', context(tracking, '10.0.0.9')), '0');
    assert.equal(fe.find('10.0.0.9', clock.t), undefined, 'a read creates nothing');
    assert.equal(read('src_inc_gpc0', context(tracking, '10.0.0.9')), '1', 'src_inc_gpc0 creates the entry');
    assert.equal(read('src_get_gpc0', context(tracking, '10.0.0.9')), '1');
    assert.equal(read('src_clr_gpc0', context(tracking, '10.0.0.9')), '1');
    assert.equal(read('src_http_req_cnt', context(tracking, '2001:db8::1')), undefined, 'no key of an ip table');
    assert.equal(read('src_http_req_cnt(nowhere)', context(tracking)), undefined);
  });

  it('table_cnt, table_avl; in_table and table_* converters', () => {
    const ctx = context(tracking);
    assert.equal(read('table_cnt', ctx), '2');
    assert.equal(read('table_avl', ctx), '8');
    assert.equal(read('table_cnt(other)', ctx), '1');
    assert.equal(read('src,in_table(fe)', ctx), '1');
    assert.equal(read('str(10.1.1.1),in_table(fe)', ctx), '0');
    assert.equal(read('src,table_http_req_cnt(fe)', ctx), '3');
    assert.equal(read('src,table_http_req_rate', ctx), '3', 'the current proxy\'s table by default');
    assert.equal(read('str(10.1.1.1),table_http_req_cnt(fe)', ctx), '0', 'absent key: 0');
    assert.equal(read('src,table_gpc1(fe)', ctx), undefined, 'not stored');
    assert.equal(read('src,table_trackers(fe)', ctx), '1');
    // server_id: not stored by fe (no sample) until a stick rule stores a server (HAProxy adds it to their tables).
    assert.equal(read('src,table_server_id(fe)', ctx), undefined);
    fe.store('10.0.0.1', 's2', clock.t, 2);
    assert.equal(read('src,table_server_id(fe)', ctx), '2');
    assert.equal(read('str(10.1.1.1),table_server_id(fe)', ctx), '0');
    assert.equal(read('str(x),table_conn_cur(fe)', ctx), undefined, 'not an address');
    assert.equal(read('int(167772161),table_http_req_cnt(fe)', ctx), '3', 'an integer is an address for an ip table (c_int2ip)');
  });

  it('src_updt_conn_cnt creates the entry, counts conn_cnt alone and touches it', () => {
    const clock2 = new Clock();
    const counted = table('counted', { store: [{ type: 'conn_cnt' }, { type: 'conn_rate', period: 1000 }], expire: 5000 });
    const bare = table('bare', { store: [{ type: 'gpc0' }] });
    const tracking2 = new StickTracking(new Map([['counted', counted], ['bare', bare]]), clock2);
    const ctx = context(tracking2, '10.0.0.7');
    assert.equal(read('src_updt_conn_cnt(counted)', ctx), '1');
    clock2.t += 4000;
    assert.equal(read('src_updt_conn_cnt(counted)', ctx), '2');
    const entry = counted.find('10.0.0.7', clock2.t)!;
    assert.equal(counted.rate(entry, 'conn_rate', clock2.t), 0, 'the rate is not counted');
    assert.equal(entry.expire, clock2.t + 5000, 'touched');
    assert.equal(read('src_updt_conn_cnt(bare)', ctx), undefined, 'conn_cnt not stored: no sample');
    assert.ok(bare.find('10.0.0.7', clock2.t), 'the entry is created all the same');
  });

  it('rates seen by fetches follow the clock', () => {
    const ctx = context(tracking);
    clock.t += 1500;
    assert.equal(read('sc_http_req_rate(0)', ctx), '1', '3 * 500 / 1000');
    clock.t += 600;
    assert.equal(read('sc_http_req_rate(0)', ctx), '0');
    tracking.endSession(clock.t);
  });
});
