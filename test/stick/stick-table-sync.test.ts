/**
 * The copies of a stick table kept by the threads of `nbthread` (src/threads/stick-table-sync.ts),
 * linked here directly (a main thread and two others, messages passed by hand): counters and
 * rate events add up as deltas, tags and servers travel as values, a change applied from
 * another thread is not sent back, and one message per table and event-loop turn goes out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StickTableModel } from '../../src/config/model.ts';
import { StickTable } from '../../src/stick/stick-table.ts';
import { StickTableSync, type StickUpdateMessage } from '../../src/threads/stick-table-sync.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

const MODEL: StickTableModel = {
  type: 'ip',
  keyLength: 4,
  size: 100,
  expire: 10_000,
  nopurge: false,
  store: [{ type: 'gpc0' }, { type: 'gpt0' }, { type: 'conn_cur' }, { type: 'http_req_rate', period: 10_000 }, { type: 'server_id' }],
  source: { file: 't', line: 1 },
};

/** A main thread (0) and two threads (1, 2): what a thread sends goes to the main thread, which applies it and passes it on. */
function process3(): { rt: FakeRuntime; tables: StickTable[]; sent: StickUpdateMessage[][] } {
  const rt = new FakeRuntime();
  const tables = [0, 1, 2].map(() => new StickTable('t', MODEL));
  const sent: StickUpdateMessage[][] = [[], [], []];
  const syncs: StickTableSync[] = [];
  const deliver = (to: number, m: StickUpdateMessage): void => (syncs[to] as StickTableSync).apply(m, rt.now());
  syncs.push(
    new StickTableSync(tables[0] as StickTable, rt, (m) => {
      (sent[0] as StickUpdateMessage[]).push(m);
      deliver(1, m);
      deliver(2, m);
    }),
  );
  for (const i of [1, 2]) {
    syncs.push(
      new StickTableSync(tables[i] as StickTable, rt, (m) => {
        (sent[i] as StickUpdateMessage[]).push(m);
        deliver(0, m);
        deliver(i === 1 ? 2 : 1, m);
      }),
    );
  }
  return { rt, tables, sent };
}

function count(t: StickTable, n: number, now: number): void {
  const entry = t.getEntry('127.0.0.1', now);
  assert.ok(entry);
  for (let i = 0; i < n; i++) {
    t.count(entry, 'gpc0', 1, now);
    t.count(entry, 'http_req', 1, now);
    t.touch(entry, now);
  }
}

describe('stick tables shared by threads', () => {
  it('counts made at once on two threads add up everywhere, in one message per thread and turn', () => {
    const { rt, tables, sent } = process3();
    count(tables[1] as StickTable, 5, rt.now());
    count(tables[2] as StickTable, 5, rt.now());
    assert.equal(sent[1]?.length, 0, 'nothing sent before the turn ends');
    rt.advance(1);
    assert.equal(sent[1]?.length, 1);
    assert.equal(sent[2]?.length, 1);
    assert.equal(sent[0]?.length, 0, 'the main thread does not echo what it applied');
    for (const t of tables) {
      const e = t.find('127.0.0.1', rt.now());
      assert.ok(e);
      assert.equal(t.counter(e, 'gpc0'), 10);
      assert.equal(t.rate(e, 'http_req_rate', rt.now()), 10);
    }
    rt.advance(1);
    assert.deepEqual(
      sent.map((s) => s.length),
      [0, 1, 1],
      'applying sent nothing back',
    );
  });

  it('conn_cur goes up and down as deltas; gpt0 and the server as values; clearing gpc0 clears it everywhere', () => {
    const { rt, tables } = process3();
    const [t0, t1, t2] = tables as [StickTable, StickTable, StickTable];
    const e1 = t1.getEntry('127.0.0.1', rt.now()) as NonNullable<ReturnType<StickTable['getEntry']>>;
    t1.setCounter(e1, 'conn_cur', 1);
    t1.setCounter(e1, 'gpt0', 7);
    t1.count(e1, 'gpc0', 3, rt.now());
    t1.touch(e1, rt.now());
    t0.store('127.0.0.1', 's2', rt.now(), 2);
    rt.advance(1);
    const e2 = t2.find('127.0.0.1', rt.now()) as NonNullable<ReturnType<StickTable['getEntry']>>;
    t2.setCounter(e2, 'conn_cur', (t2.counter(e2, 'conn_cur') as number) + 1);
    t2.setCounter(e2, 'gpc0', 0);
    t2.touch(e2, rt.now());
    rt.advance(1);
    for (const t of tables) {
      const e = t.find('127.0.0.1', rt.now());
      assert.ok(e);
      assert.deepEqual([t.counter(e, 'conn_cur'), t.counter(e, 'gpt0'), t.counter(e, 'gpc0'), e.server, e.serverId], [2, 7, 0, 's2', 2]);
    }
    t1.setCounter(e1, 'conn_cur', 1);
    t1.touch(e1, rt.now());
    rt.advance(1);
    for (const t of tables) assert.equal(t.counter(t.find('127.0.0.1', rt.now()) as NonNullable<ReturnType<StickTable['find']>>, 'conn_cur'), 1);
  });

  it('deletes and clears (the runtime API on the main thread) reach every thread', () => {
    const { rt, tables } = process3();
    const [t0, t1] = tables as [StickTable, StickTable, StickTable];
    count(t1, 1, rt.now());
    t1.store('10.0.0.1', 's1', rt.now());
    rt.advance(1);
    assert.deepEqual(
      tables.map((t) => t.entries),
      [2, 2, 2],
    );
    t0.delete('127.0.0.1');
    rt.advance(1);
    assert.deepEqual(
      tables.map((t) => t.entries),
      [1, 1, 1],
    );
    t0.clear();
    rt.advance(1);
    assert.deepEqual(
      tables.map((t) => t.entries),
      [0, 0, 0],
    );
  });

  it("a peer's update received by the main thread reaches the threads; a thread's change reaches the main thread's peers", () => {
    const { rt, tables } = process3();
    const [t0, t1, t2] = tables as [StickTable, StickTable, StickTable];
    const pushed: string[] = [];
    t0.onLocalUpdate = (entry) => pushed.push(entry.key);
    // As src/peers/table-codec.ts applies an update: values written while `remote` is set.
    t0.remote = true;
    const e = t0.getEntry('10.0.0.7', rt.now());
    assert.ok(e);
    t0.setCounter(e, 'gpc0', 4);
    t0.touch(e, rt.now());
    t0.remote = false;
    assert.deepEqual(pushed, [], 'not pushed back to the peers');
    rt.advance(1);
    for (const t of [t1, t2]) assert.equal(t.counter(t.find('10.0.0.7', rt.now()) as NonNullable<ReturnType<StickTable['find']>>, 'gpc0'), 4);
    count(t1, 1, rt.now());
    rt.advance(1);
    assert.deepEqual(pushed, ['127.0.0.1'], "thread 1's change, applied by the main thread, goes to its peers");
  });

  it('a thread starting late gets every entry from a snapshot', () => {
    const rt = new FakeRuntime();
    const main = new StickTable('t', MODEL);
    const sync = new StickTableSync(main, rt, () => {});
    count(main, 3, rt.now());
    main.store('10.0.0.1', 's1', rt.now(), 1);
    const late = new StickTable('t', MODEL);
    const lateSync = new StickTableSync(late, rt, () => assert.fail('applying a snapshot sends nothing'));
    lateSync.apply(sync.snapshot(rt.now()) as StickUpdateMessage, rt.now());
    rt.advance(1);
    const e = late.find('127.0.0.1', rt.now());
    assert.ok(e);
    assert.deepEqual([late.counter(e, 'gpc0'), late.rate(e, 'http_req_rate', rt.now()), late.peek('10.0.0.1', rt.now())], [3, 3, 's1']);
  });
});
