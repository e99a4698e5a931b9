/**
 * The idle server connection pool against HAProxy 2.6's rules (src/server.c): what is kept
 * (srv_add_to_idle_list: the server's need estimate, pool-max-conn, pool-low-conn, the fd
 * ratios), what reuse may take (http-reuse's safe/idle lists), and how each pool-purge-delay
 * closes idle connections down to what recent traffic needed (srv_cleanup_idle_conns), on the
 * fake clock. A "use" is what a session does: take the server slot (server.active), ask the
 * pool, open a connection when it has none, and offer it back when the transaction ends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerModel, TuneModel } from '../../src/config/model.ts';
import { ServerConnectionPool, type PooledConnection, type ReuseScope } from '../../src/http/server-pool.ts';
import { FdUsage } from '../../src/proxy/fd-usage.ts';
import { ProcessLimits } from '../../src/proxy/process-limits.ts';
import { Server } from '../../src/proxy/server.ts';
import type { Socket } from '../../src/runtime.ts';
import { FakeRuntime, type FakeSocket } from '../support/fake-runtime.ts';
import { server } from '../support/model.ts';

const NOOP = { onData() {}, onEnd() {}, onDrain() {}, onClose() {} };

interface Setup {
  readonly rt: FakeRuntime;
  readonly pool: ServerConnectionPool;
  readonly srv: Server;
  readonly limits: ProcessLimits;
  readonly fds: FdUsage;
  /** The server's ends of the connections, in accept order. */
  readonly accepted: Socket[];
}

async function setup(options: Partial<ServerModel> = {}, maxconn = 0, tune?: TuneModel): Promise<Setup> {
  const rt = new FakeRuntime();
  const accepted: Socket[] = [];
  await rt.listen({ host: '127.0.0.1', port: 9001 }, (socket) => {
    socket.setHandler(NOOP);
    accepted.push(socket);
  });
  const limits = new ProcessLimits(maxconn);
  // maxsock: two fds per connection and the one listener.
  const fds = new FdUsage(limits, 1, tune, maxconn > 0 ? 2 * maxconn + 1 : 0);
  return { rt, pool: new ServerConnectionPool(rt, fds), srv: new Server(server('s1', 9001, options)), limits, fds, accepted };
}

/** Server connections still open, seen from the server's side. */
function openAtServer(s: Setup): number {
  return s.accepted.filter((socket) => !(socket as FakeSocket).closed).length;
}

/** A session takes the server slot and a connection (pooled if the scope allows, else new). */
function begin(s: Setup, scope: ReuseScope = 'none'): { conn: PooledConnection; reused: boolean } {
  s.srv.active++;
  s.fds.serverConnsInUse++;
  const pooled = s.pool.take(s.srv, scope);
  if (pooled !== undefined) return { conn: pooled, reused: true };
  const socket = s.rt.connect({ host: '127.0.0.1', port: 9001 }, NOOP);
  s.rt.flush();
  return { conn: { socket, server: s.srv, uses: 0, idleSince: 0 }, reused: false };
}

/** The transaction ends with a reusable connection: offered to the pool, then the slot is released. */
function finish(s: Setup, conn: PooledConnection): boolean {
  conn.uses++;
  const kept = s.pool.park(conn);
  s.srv.active--;
  s.fds.serverConnsInUse--;
  s.rt.flush();
  return kept;
}

/** `n` sessions at once, one first request each (http-reuse safe: no reuse), then all idle. */
function burst(s: Setup, n: number): void {
  const conns = Array.from({ length: n }, () => begin(s).conn);
  for (const conn of conns) finish(s, conn);
}

describe('ServerConnectionPool: what is kept', () => {
  it('keeps as many idle connections as were in use at once (the need estimate), not one per client', async () => {
    const s = await setup();
    burst(s, 100);
    assert.equal(s.pool.idleOf(s.srv), 100);
    // 400 more clients, one after the other: the peak was 100, so nothing more is kept.
    for (let i = 0; i < 400; i++) finish(s, begin(s).conn);
    assert.equal(s.pool.idleOf(s.srv), 100);
    assert.equal(openAtServer(s), 100);
  });

  it('keeps one idle connection when clients come one at a time', async () => {
    const s = await setup();
    for (let i = 0; i < 50; i++) finish(s, begin(s).conn);
    assert.equal(s.pool.idleOf(s.srv), 1);
    assert.equal(openAtServer(s), 1);
  });

  it('pool-low-conn keeps that many more than the estimate', async () => {
    const s = await setup({ poolLowConn: 2 });
    for (let i = 0; i < 50; i++) finish(s, begin(s).conn);
    assert.equal(s.pool.idleOf(s.srv), 3);
  });

  it('pool-max-conn bounds the idle connections; 0 keeps none and reuses none', async () => {
    const bounded = await setup({ poolMaxConn: 10 });
    burst(bounded, 100);
    assert.equal(bounded.pool.idleOf(bounded.srv), 10);
    assert.equal(openAtServer(bounded), 10);

    const none = await setup({ poolMaxConn: 0 });
    burst(none, 5);
    assert.equal(none.pool.idleOf(none.srv), 0);
    assert.equal(openAtServer(none), 0);
  });

  it('pool-purge-delay 0 keeps no idle connection', async () => {
    const s = await setup({ poolPurgeDelay: 0 });
    burst(s, 5);
    assert.equal(s.pool.idleOf(s.srv), 0);
    assert.equal(s.rt.pendingTimers, 0);
  });

  it('a connection that carried two requests (safe) is kept beside idle ones even beyond the estimate', async () => {
    const s = await setup();
    finish(s, begin(s).conn); // one idle connection, estimate 1
    const { conn } = begin(s); // a first request: opens a second connection
    conn.uses = 1; // ... that already carried one request
    assert.equal(finish(s, conn), true, 'the first safe connection is kept');
    assert.equal(s.pool.idleOf(s.srv), 2);
  });

  it('above tune.pool-low-fd-ratio a server keeps one idle connection; above the high ratio none', async () => {
    // global maxconn 100, one listener: maxsock 201, low 41 fds (20 %), high 51 (25 %).
    const s = await setup({}, 100);
    assert.deepEqual([s.fds.lowCount, s.fds.highCount], [41, 51]);
    // 1 listener + 39 clients + 1 to 10 server connections: between the low and the high count.
    for (let i = 0; i < 39; i++) s.limits.opened(-1);
    burst(s, 10);
    assert.equal(s.pool.idleOf(s.srv), 1);

    const high = await setup({}, 100);
    for (let i = 0; i < 50; i++) high.limits.opened(-1); // 1 + 50 = the high count
    burst(high, 3);
    assert.equal(high.pool.idleOf(high.srv), 0);
  });

  it('tune ratios come from the configuration', async () => {
    const s = await setup({}, 100, { poolLowFdRatio: 0, poolHighFdRatio: 100, idlePoolShared: true });
    assert.deepEqual([s.fds.lowCount, s.fds.highCount], [0, 201]);
    burst(s, 10);
    assert.equal(s.pool.idleOf(s.srv), 1, 'low ratio 0: only the first-idle rule keeps a connection');
  });

  it('above the high fd count each use closes one single-use idle connection', async () => {
    const s = await setup({}, 100);
    burst(s, 10);
    assert.equal(s.pool.idleOf(s.srv), 10);
    for (let i = 0; i < 45; i++) s.limits.opened(-1); // 1 + 45 + 10 idle = 56 fds, above the high count (51)
    const { conn } = begin(s);
    assert.equal(s.pool.idleOf(s.srv), 9);
    assert.equal(openAtServer(s), 10, '9 idle and the new one');
    finish(s, conn);
  });

  it('without global maxconn there is no fd bound', async () => {
    const s = await setup();
    assert.deepEqual([s.fds.lowCount, s.fds.highCount], [Infinity, Infinity]);
  });
});

describe('ServerConnectionPool: reuse', () => {
  it('follows http-reuse: none, safe only, idle then safe, safe then idle; newest first', async () => {
    const s = await setup({ poolLowConn: 10 });
    const first = begin(s).conn;
    const second = begin(s).conn;
    const third = begin(s).conn;
    third.uses = 1; // will be safe once parked
    finish(s, first);
    finish(s, second);
    finish(s, third);
    assert.equal(s.pool.idleOf(s.srv), 3);

    assert.equal(begin(s, 'none').reused, false);
    const safe = begin(s, 'safe');
    assert.equal(safe.conn, third);
    finish(s, safe.conn);
    const idleFirst = begin(s, 'idle-first');
    assert.equal(idleFirst.conn, second, 'the most recently parked single-use connection');
    const safeFirst = begin(s, 'safe-first');
    assert.equal(safeFirst.conn, third);
    const rest = begin(s, 'safe-first');
    assert.equal(rest.conn, first, 'no safe one left: an idle one');
    assert.equal(begin(s, 'safe').reused, false);
  });

  it('drops an idle connection the server closes or talks on', async () => {
    const s = await setup({ poolLowConn: 10 });
    burst(s, 2);
    assert.equal(s.pool.idleCount, 2);
    (s.accepted[0] as Socket).end();
    s.rt.flush();
    assert.equal(s.pool.idleCount, 1);
    (s.accepted[1] as Socket).write(new TextEncoder().encode('HTTP/1.1 200 OK\r\n'));
    s.rt.flush();
    assert.equal(s.pool.idleCount, 0);
    assert.equal(s.fds.idleServerConns, 0);
    assert.equal(openAtServer(s), 0);
  });

  it('closeAll closes every idle connection and stops the purge timer', async () => {
    const s = await setup();
    burst(s, 5);
    assert.equal(s.rt.pendingTimers, 1);
    s.pool.closeAll();
    s.rt.flush();
    assert.equal(openAtServer(s), 0);
    assert.equal(s.rt.pendingTimers, 0);
    assert.equal(s.fds.idleServerConns, 0);
  });
});

describe('ServerConnectionPool: purge (pool-purge-delay)', () => {
  it("closes half the idle connections beyond the last period's need, plus one, as the estimate decays", async () => {
    const s = await setup();
    burst(s, 100);
    const counts = [s.pool.idleOf(s.srv)];
    for (let period = 0; period < 9; period++) {
      s.rt.advance(5000);
      counts.push(s.pool.idleOf(s.srv));
    }
    // HAProxy 2.6 with nbthread 1 and the same 100-connection burst closes them in this order
    // (npm run bench -- idle-fds 1000 --duration 50 --targets haproxy samples it).
    assert.deepEqual(counts, [100, 100, 100, 74, 48, 29, 16, 8, 3, 0]);
    assert.equal(openAtServer(s), 0);
    assert.equal(s.rt.pendingTimers, 0, 'no purge timer once no idle connection is left');
  });

  it('keeps what recent traffic needs: a steady load of 20 at once keeps about 20 idle', async () => {
    const s = await setup();
    burst(s, 100);
    for (let period = 0; period < 12; period++) {
      // 20 concurrent transactions every second, reusing idle connections (later requests).
      for (let second = 0; second < 5; second++) {
        const uses = Array.from({ length: 20 }, () => begin(s, 'idle-first'));
        for (const use of uses) finish(s, use.conn);
        s.rt.advance(1000);
      }
    }
    const idle = s.pool.idleOf(s.srv);
    assert.ok(idle >= 20 && idle <= 21, `idle ${idle}`);
  });

  it('purges each server on its own delay', async () => {
    const s = await setup({ poolPurgeDelay: 200 });
    burst(s, 8);
    // est 8 -> 4 -> 2 -> 1 -> 0 while nothing is used: [8, 8, 8, 5, 2, 0]
    const counts = [s.pool.idleOf(s.srv)];
    for (let i = 0; i < 5; i++) {
      s.rt.advance(200);
      counts.push(s.pool.idleOf(s.srv));
    }
    assert.deepEqual(counts, [8, 8, 8, 5, 2, 0]);
  });
});

describe('ServerConnectionPool: reuse keys (HAProxy conn hash)', () => {
  it('gives a stream only an idle connection with its own key (SNI, destination, PROXY header)', async () => {
    const s = await setup({ poolLowConn: 4 });
    const open = (key: string): PooledConnection => {
      const socket = s.rt.connect({ host: '127.0.0.1', port: 9001 }, NOOP);
      s.rt.flush();
      return { socket, server: s.srv, uses: 1, idleSince: 0, key };
    };
    const a = open('sni=a;');
    const b = open('sni=b;');
    s.srv.active = 2;
    s.pool.take(s.srv, 'none');
    s.srv.active = 0;
    assert.ok(s.pool.park(a));
    assert.ok(s.pool.park(b));
    assert.equal(s.pool.take(s.srv, 'idle-first', 'sni=c;'), undefined, 'no connection with that key');
    assert.equal(s.pool.take(s.srv, 'idle-first'), undefined, 'nor for an unkeyed stream');
    assert.equal(s.pool.take(s.srv, 'idle-first', 'sni=a;'), a, 'the older one, by its key');
    assert.equal(s.pool.take(s.srv, 'idle-first', 'sni=b;'), b);
  });
});
