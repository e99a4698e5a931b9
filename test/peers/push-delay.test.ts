/**
 * A local change reaches the peer at once, whichever side opened the session: the accepted
 * connection, like the one we dial, runs with TCP_NODELAY (HAProxy's session_accept_fd). Under
 * Nagle's algorithm (modelled by the fake runtime) an update written just after our ack of the
 * peer's own update waited for the peer's delayed ACK, and arrived after the peer had already
 * served the key it was about (reg-tests stickiness/lb-services and srvkey-addr).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeersSync } from '../../src/peers/peers-sync.ts';
import { StickTable } from '../../src/stick/stick-table.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { peersSection, stringTable } from '../support/peers-fixtures.ts';

/** A and B sharing one table; B started after A, so A's session with B is the one A accepted. */
async function pair(rt: FakeRuntime): Promise<{ a: PeersSync; b: PeersSync; tableA: StickTable; tableB: StickTable }> {
  const tableA = stringTable();
  const tableB = stringTable();
  const a = new PeersSync(rt, peersSection('A', 'B'), peersSection('A', 'B').peers[0]!, [{ wireName: 'be', table: tableA }]);
  const b = new PeersSync(rt, peersSection('A', 'B'), peersSection('A', 'B').peers[1]!, [{ wireName: 'be', table: tableB }]);
  await a.start();
  // A's attempt fails (nothing listens yet; the next one is 5 s away), then B dials A.
  rt.flush();
  await b.start();
  rt.advance(200);
  assert.deepEqual(a.connectedPeers, ['B']);
  assert.deepEqual(b.connectedPeers, ['A']);
  assert.equal(a.peerViews().find((v) => v.model.name === 'B')?.session?.outbound, false);
  return { a, b, tableA, tableB };
}

function change(t: StickTable, key: string, rt: FakeRuntime): void {
  t.touch(t.getEntry(key, rt.now())!, rt.now());
}

describe('peers: pushing local changes', () => {
  it('runs every session socket with TCP_NODELAY, accepted ones included', async () => {
    const rt = new FakeRuntime();
    const { a, b } = await pair(rt);
    // Only the session's two ends are open (A's own attempt to B failed before B listened).
    assert.equal(rt.openSockets.size, 2);
    for (const socket of rt.openSockets) assert.equal(socket.noDelay, true, `socket to port ${socket.remotePort}`);
    await a.stop();
    await b.stop();
  });

  it("sends an update made right after acknowledging the peer's at once, under Nagle's algorithm", async () => {
    const rt = new FakeRuntime();
    rt.nagleDelayMs = 40;
    const { a, b, tableA, tableB } = await pair(rt);
    // B's change reaches A, which acknowledges it: A's ack is now unacknowledged data.
    change(tableB, 'c1', rt);
    rt.advance(1);
    assert.ok(tableA.find('c1', rt.now()) !== undefined);
    // A new key at A, a moment later: B must have it before its delayed ACK (40 ms) comes back.
    change(tableA, 'c2', rt);
    rt.advance(1);
    assert.ok(tableB.find('c2', rt.now()) !== undefined, 'c2 reached B at once');
    await a.stop();
    await b.stop();
    rt.advance(100);
  });
});
