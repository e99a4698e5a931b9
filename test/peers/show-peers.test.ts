/**
 * What `show peers` reads of the peers sections: two processes' sections (A and B) on one fake
 * runtime, with virtual time: statuses, handshake times, timers, heartbeat and connection
 * counters, the shared tables' update ids, as HAProxy counts them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeersSync } from '../../src/peers/peers-sync.ts';
import { peersCommands } from '../../src/runtime-api/commands/peers.ts';
import type { CommandContext } from '../../src/runtime-api/command.ts';
import type { RuntimeTarget } from '../../src/runtime-api/target.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { peersSection, stringTable } from '../support/peers-fixtures.ts';

function show(rt: FakeRuntime, sync: PeersSync, args = ''): string {
  const target = { runtime: rt, peers: [sync] } as unknown as RuntimeTarget;
  const ctx = { target, session: {} } as unknown as CommandContext;
  const answer = peersCommands[0]!.run(['show', 'peers', ...args.split(' ').filter((a) => a !== '')], ctx);
  assert.ok(!(answer instanceof Promise) && answer.kind !== 'none');
  return (answer as { text: string }).text;
}

function peerLines(dump: string, name: string): string[] {
  const lines = dump.split('\n');
  const start = lines.findIndex((l) => l.includes(`: id=${name}(`));
  let end = start + 1;
  while (end < lines.length && lines[end]?.startsWith('    ') === true) end++;
  return lines.slice(start, end);
}

describe('show peers', () => {
  it('follows the sessions, their timers and counters, and the update ids', async () => {
    const rt = new FakeRuntime();
    const tableA = stringTable();
    const tableB = stringTable();
    const a = new PeersSync(rt, peersSection('A', 'B', 'C'), peersSection('A', 'B', 'C').peers[0]!, [{ wireName: 'be', table: tableA }]);
    const b = new PeersSync(rt, peersSection('A', 'B', 'C'), peersSection('A', 'B', 'C').peers[1]!, [{ wireName: 'be', table: tableB }]);
    await a.start();
    await b.start();
    rt.flush();

    let dump = show(rt, a);
    assert.match(dump.split('\n')[0]!, /^0x[0-9a-f]+: \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\] id=P disabled=0 flags=0x13 resync_timeout=<NEVER> task_calls=\d+$/);
    assert.deepEqual([...dump.matchAll(/id=(\w)\((\w+),(\w+)\)/g)].map((m) => m.slice(1).join(',')), ['C,remote,inactive', 'B,remote,active', 'A,local,inactive']);
    // C is not listening: a failed attempt, the next one 5 s later.
    assert.match(peerLines(dump, 'C')[0]!, /addr=127\.0\.0\.1:1003 last_status=CONN last_hdshk=0s$/);
    assert.match(peerLines(dump, 'C')[1]!, /^ {8}reconnect=5s heartbeat=<NEVER> confirm=0 tx_hbt=0 rx_hbt=0 no_hbt=0 new_conn=1 proto_err=0 coll=0$/);
    // B started after A: A's own attempt failed, B's connection was accepted (no collision).
    const toB = peerLines(dump, 'B');
    assert.match(toB[0]!, /addr=127\.0\.0\.1:1002 last_status=ESTA last_hdshk=0s$/);
    assert.equal(toB[1], '        reconnect=5s heartbeat=3s confirm=0 tx_hbt=0 rx_hbt=0 no_hbt=0 new_conn=1 proto_err=0 coll=0');
    assert.match(toB[2]!, /^ {8}flags=0x20000000 appctx:0x[0-9a-f]+ st0=7 st1=0 task_calls=\d+ state=EST$/);

    // A local change is pushed to B and acknowledged.
    const entry = tableA.getEntry('k', rt.now())!;
    tableA.touch(entry, rt.now());
    rt.advance(10);
    dump = show(rt, a);
    const shared = peerLines(dump, 'B');
    const at = shared.indexOf('        shared tables:');
    assert.match(shared[at + 2]!, /^ {14}last_acked=0 last_pushed=[1-9]\d* last_get=0 teaching_origin=0 update=[1-9]\d*$/);
    assert.match(shared[at + 3]!, /^ {14}table:0x[0-9a-f]+ id=be update=1 localupdate=1 commitupdate=1 refcnt=1$/);
    const onB = show(rt, b);
    const fromA = peerLines(onB, 'A');
    const atB = fromA.indexOf('        shared tables:');
    assert.match(fromA[atB + 1]!, /^ {10}0x[0-9a-f]+ local_id=1 remote_id=1 flags=0x0 remote_data=0x4$/);
    assert.match(fromA[atB + 2]!, /^ {14}last_acked=[1-9]\d* last_pushed=\d+ last_get=[1-9]\d* teaching_origin=0 update=\d+$/);
    assert.match(fromA[atB + 3]!, /^ {14}table:0x[0-9a-f]+ id=be update=1 localupdate=0 commitupdate=0 refcnt=1$/);

    // Heartbeats every 3 s each way; the handshake ages.
    rt.advance(3000);
    dump = show(rt, a);
    assert.match(peerLines(dump, 'B')[0]!, /last_hdshk=3s$/);
    assert.match(peerLines(dump, 'B')[1]!, / tx_hbt=1 rx_hbt=1 /);

    // B goes away: A's session ends, it tries again later.
    await b.stop();
    rt.advance(10);
    dump = show(rt, a);
    assert.match(peerLines(dump, 'B')[0]!, /id=B\(remote,inactive\)/);
    assert.match(peerLines(dump, 'B')[1]!, /^ {8}reconnect=(\d+s|<PAST>) heartbeat=<NEVER> /);
    assert.match(show(rt, a, 'dict P'), /\n {8}RX dictionary cache:\n {12}0 -> - {4}1 -> -/);
    await a.stop();
  });
});
