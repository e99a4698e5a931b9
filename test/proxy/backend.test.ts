/**
 * Backend: slot reservation, the backend and server queues (fair dequeue by queue time), maxqueue,
 * persistence targets, and what server status/weight changes do to queued and running sessions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backend, type BackendClient } from '../../src/proxy/backend.ts';
import type { Server } from '../../src/proxy/server.ts';
import type { BackendOptions as BackendModelOptions } from '../../src/config/model.ts';
import { backend, server } from '../support/model.ts';
import type { ServerModel } from '../../src/config/model.ts';

class Client implements BackendClient {
  readonly clientAddress: string;
  readonly lbHead = undefined;
  grantedTo: Server | undefined;
  readonly queuePositions = { server: 0, backend: 0 };
  killed = false;
  killCause: string | undefined;
  readonly id: string;
  constructor(id: string, address = '127.0.0.1') {
    this.id = id;
    this.clientAddress = address;
  }
  granted(server: Server): void {
    this.grantedTo = server;
  }
  kill(cause?: 'K' | 'D' | 'U'): void {
    this.killed = true;
    this.killCause = cause;
  }
}

function makeBackend(servers: ServerModel[], options: Partial<BackendModelOptions> = {}): Backend {
  return new Backend(backend('be', servers, { options: { redispatch: false, ...options } }));
}

function byName(be: Backend, name: string): Server {
  const s = be.server(name);
  assert.ok(s, name);
  return s;
}

describe('Backend', () => {
  it('reserves slots up to maxconn, then queues in the backend queue and grants in arrival order', () => {
    const be = makeBackend([server('a', 1, { maxconn: 1 }), server('b', 2, { maxconn: 1 })]);
    const c = ['1', '2', '3', '4'].map((id) => new Client(id));
    const first = be.take(c[0]!, undefined);
    const second = be.take(c[1]!, undefined);
    assert.ok(first !== 'queued' && first !== 'unavailable');
    assert.ok(second !== 'queued' && second !== 'unavailable');
    assert.notEqual(first, second);
    assert.equal(be.take(c[2]!, undefined), 'queued');
    assert.equal(be.take(c[3]!, undefined), 'queued');
    assert.equal(be.counters.qcur, 2);
    assert.equal(be.counters.qmax, 2);
    be.release(second as Server, c[1]);
    assert.equal(c[2]!.grantedTo, second, 'oldest waiter gets the freed slot');
    assert.equal(c[3]!.grantedTo, undefined);
    be.release(first as Server, c[0]);
    assert.equal(c[3]!.grantedTo, first);
    assert.equal(be.counters.qcur, 0);
    assert.equal((first as Server).active + (second as Server).active, 2);
  });

  it('keeps a process-wide count of server slots in use across backends (for the idle pools fd accounting)', () => {
    const slotsInUse = { serverConnsInUse: 0 };
    const one = new Backend(backend('one', [server('a', 1, { maxconn: 1 })]), { slotsInUse });
    const two = new Backend(backend('two', [server('b', 2)]), { slotsInUse });
    const c = ['1', '2', '3'].map((id) => new Client(id));
    const a = one.take(c[0]!, undefined) as Server;
    assert.equal(one.take(c[1]!, undefined), 'queued', 'a queued session holds no slot');
    const b = two.take(c[2]!, undefined) as Server;
    assert.equal(slotsInUse.serverConnsInUse, 2);
    one.release(a, c[0]); // the queued session gets the slot: still two in use
    assert.equal(slotsInUse.serverConnsInUse, 2);
    one.release(a, c[1]);
    two.release(b, c[2]);
    assert.equal(slotsInUse.serverConnsInUse, 0);
  });

  it('answers unavailable when no server can ever serve, and leaveQueue removes a waiter', () => {
    const be = makeBackend([server('a', 1, { maxconn: 1, disabled: true })]);
    assert.equal(be.take(new Client('x'), undefined), 'unavailable');
    const be2 = makeBackend([server('a', 1, { maxconn: 1 })]);
    const holder = new Client('h');
    const s = be2.take(holder, undefined) as Server;
    const waiter = new Client('w');
    assert.equal(be2.take(waiter, undefined), 'queued');
    assert.equal(be2.isQueued(waiter), true);
    be2.leaveQueue(waiter);
    assert.equal(be2.isQueued(waiter), false);
    assert.equal(be2.counters.qcur, 0);
    be2.release(s, holder);
    assert.equal(waiter.grantedTo, undefined, 'a waiter that left is never granted');
    assert.equal(s.active, 0);
  });

  it('persistTo: used when UP (queued on that server when full), ignored when DOWN unless option persist', () => {
    const be = makeBackend([server('a', 1, { maxconn: 1 }), server('b', 2)]);
    const a = byName(be, 'a');
    const c1 = new Client('1');
    assert.equal(be.take(c1, undefined, a), a);
    const c2 = new Client('2');
    assert.equal(be.take(c2, undefined, a), 'queued', 'waits for its server, not rebalanced');
    assert.equal(a.counters.qcur, 1);
    be.release(a, c1);
    assert.equal(c2.grantedTo, a);

    be.setServerStatus(a, 'DOWN', 1);
    const c3 = new Client('3');
    assert.equal(be.take(c3, undefined, a), byName(be, 'b'), 'persistence to a DOWN server is broken');

    const persistent = makeBackend([server('a', 1), server('b', 2)], { persist: true });
    const pa = byName(persistent, 'a');
    persistent.setServerStatus(pa, 'DOWN', 1);
    assert.equal(persistent.take(new Client('4'), undefined, pa), pa, 'option persist keeps it');
    persistent.setServerStatus(pa, 'MAINT', 2);
    assert.notEqual(persistent.take(new Client('5'), undefined, pa), pa, 'never to a server in maintenance');
  });

  it('maxqueue: a full server queue gives 503 to a persistent request, or rebalances with option redispatch', () => {
    const strict = makeBackend([server('a', 1, { maxconn: 1, maxqueue: 1 }), server('b', 2)]);
    const a = byName(strict, 'a');
    strict.take(new Client('1'), undefined, a);
    assert.equal(strict.take(new Client('2'), undefined, a), 'queued');
    assert.equal(strict.take(new Client('3'), undefined, a), 'unavailable');

    const lenient = makeBackend([server('a', 1, { maxconn: 1, maxqueue: 1 }), server('b', 2)], { redispatch: true });
    const la = byName(lenient, 'a');
    lenient.take(new Client('1'), undefined, la);
    assert.equal(lenient.take(new Client('2'), undefined, la), 'queued');
    assert.equal(lenient.take(new Client('3'), undefined, la), byName(lenient, 'b'));
  });

  it('fair dequeue: a freed slot goes to the older of the server queue head and the backend queue head', () => {
    let now = 1000;
    const be = new Backend(backend('be', [server('a', 1, { maxconn: 1 }), server('b', 2, { maxconn: 1 })], { options: { redispatch: false } }), { clock: () => now });
    const a = byName(be, 'a');
    const b = byName(be, 'b');
    const ha = new Client('ha');
    const hb = new Client('hb');
    be.take(ha, undefined, a);
    be.take(hb, undefined, b);
    const shared = new Client('shared');
    assert.equal(be.take(shared, undefined), 'queued');
    now++;
    const pinned = new Client('pinned');
    assert.equal(be.take(pinned, undefined, a), 'queued');
    be.release(a, ha);
    assert.equal(shared.grantedTo, a, 'the backend-queue waiter arrived first');
    assert.equal(pinned.grantedTo, undefined);
    be.release(a, shared);
    assert.equal(pinned.grantedTo, a);
  });

  it("fair dequeue: waiters queued in the same millisecond: the server queue's goes first (HAProxy's pkey <= ppkey)", () => {
    const be = new Backend(backend('be', [server('a', 1, { maxconn: 1 }), server('b', 2, { maxconn: 1 })], { options: { redispatch: false } }), { clock: () => 1000 });
    const a = byName(be, 'a');
    const b = byName(be, 'b');
    const ha = new Client('ha');
    be.take(ha, undefined, a);
    be.take(new Client('hb'), undefined, b);
    const shared = new Client('shared');
    assert.equal(be.take(shared, undefined), 'queued');
    const pinned = new Client('pinned');
    assert.equal(be.take(pinned, undefined, a), 'queued');
    be.release(a, ha);
    assert.equal(pinned.grantedTo, a, 'equal keys: the server queue wins');
    assert.equal(shared.grantedTo, undefined);
  });

  it('a server coming UP takes queued sessions; going DOWN redistributes its queue with option redispatch', () => {
    const be = makeBackend([server('a', 1, { maxconn: 1 }), server('b', 2, { maxconn: 1 })], { redispatch: true });
    const a = byName(be, 'a');
    const b = byName(be, 'b');
    be.setServerStatus(b, 'DOWN', 0);
    const holder = new Client('h');
    be.take(holder, undefined);
    const waiter = new Client('w');
    assert.equal(be.take(waiter, undefined), 'queued');
    be.setServerStatus(b, 'UP', 5);
    assert.equal(waiter.grantedTo, b, 'the server that came up served the queue');
    assert.equal(b.lastChange, 5);

    const pinned = new Client('p');
    assert.equal(be.take(pinned, undefined, a), 'queued');
    be.setServerStatus(a, 'DOWN', 6);
    assert.equal(pinned.grantedTo, undefined, 'b is full: moved to the backend queue');
    assert.equal(a.queue.length, 0);
    be.release(b, waiter);
    assert.equal(pinned.grantedTo, b);
  });

  it('without option redispatch, waiters of a server that went DOWN stay in its queue and get its freed slots (HAProxy serves a server queue whatever its state)', () => {
    const be = makeBackend([server('a', 1, { maxconn: 1 }), server('b', 2)]);
    const a = byName(be, 'a');
    const holder = new Client('h');
    be.take(holder, undefined, a);
    const pinned = new Client('p');
    assert.equal(be.take(pinned, undefined, a), 'queued');
    be.setServerStatus(a, 'DOWN', 1);
    assert.equal(a.queue.length, 1, 'not redistributed without option redispatch');
    be.release(a, holder);
    assert.equal(pinned.grantedTo, a, 'the freed slot goes to the waiter that asked for a');
    be.setServerStatus(byName(be, 'b'), 'MAINT', 2);
    assert.equal(be.take(new Client('w'), undefined), 'unavailable', 'no UP server left: 503, not a wait on a DOWN server');
  });

  it('a persistent request waits behind the requests already queued for its server', () => {
    const be = makeBackend([server('a', 1, { maxconn: 1 }), server('b', 2)]);
    const a = byName(be, 'a');
    const holder = new Client('h');
    be.take(holder, undefined, a);
    const first = new Client('1');
    assert.equal(be.take(first, undefined, a), 'queued');
    be.setServerWeight(a, 1, 2); // a slot frees up: the queue head takes it
    assert.equal(first.grantedTo, a);
    const c3 = new Client('3');
    const c4 = new Client('4');
    be.setServerWeight(a, 1, 2);
    assert.equal(be.take(c3, undefined, a), 'queued');
    be.release(a, holder);
    assert.equal(c3.grantedTo, a);
    assert.equal(be.take(c4, undefined, a), 'queued', 'full again');
  });

  it('on-marked-down shutdown-sessions kills the server sessions; on-marked-up shutdown-backup-sessions kills the backups', () => {
    const be = makeBackend([
      server('a', 1, { onMarkedDown: 'shutdown-sessions', onMarkedUp: 'shutdown-backup-sessions' }),
      server('bk', 2, { backup: true }),
    ]);
    const a = byName(be, 'a');
    const bk = byName(be, 'bk');
    const onA = new Client('a');
    be.take(onA, undefined);
    be.setServerStatus(a, 'DOWN', 1);
    assert.equal(onA.killed, true);
    assert.equal(onA.killCause, 'D', "logged with HAProxy's D termination code");
    const onBackup = new Client('bk');
    assert.equal(be.take(onBackup, undefined), bk, 'backup serves while a is down');
    be.setServerStatus(a, 'UP', 2);
    assert.equal(onBackup.killed, true, 'backup sessions are shut down when a comes back');
    assert.equal(onBackup.killCause, 'U');
  });

  it('backup servers take the backend queue only while no active server is UP', () => {
    const be = makeBackend([server('a', 1, { maxconn: 1 }), server('bk', 2, { backup: true, maxconn: 1 })]);
    const a = byName(be, 'a');
    const bk = byName(be, 'bk');
    const holder = new Client('h');
    be.take(holder, undefined);
    const waiter = new Client('w');
    assert.equal(be.take(waiter, undefined), 'queued', 'the backup is not used while a is UP');
    be.setServerStatus(a, 'MAINT', 1);
    assert.equal(waiter.grantedTo, bk);
  });

  it('setServerWeight: weight 0 stops new traffic, a positive weight brings it back and serves the queue', () => {
    const be = makeBackend([server('a', 1, { maxconn: 1 })]);
    const a = byName(be, 'a');
    be.setServerWeight(a, 0);
    assert.equal(be.take(new Client('x'), undefined), 'unavailable');
    be.setServerWeight(a, 1, 2);
    assert.equal(a.maxconn, 2);
    const c1 = new Client('1');
    const c2 = new Client('2');
    assert.equal(be.take(c1, undefined), a);
    assert.equal(be.take(c2, undefined), a);
    const c3 = new Client('3');
    assert.equal(be.take(c3, undefined), 'queued');
    be.setServerWeight(a, 1, 3);
    assert.equal(c3.grantedTo, a, 'a higher maxconn serves the queue at once');
  });

  it("counts queue positions for %sq/%bq as HAProxy's pendconn idx: being served first reports 1", () => {
    const be = makeBackend([server('a', 1, { maxconn: 1 })]);
    const a = byName(be, 'a');
    const holder = new Client('h');
    assert.equal(be.take(holder, undefined), a);
    const [w1, w2, w3] = ['1', '2', '3'].map((id) => new Client(id)) as [Client, Client, Client];
    for (const w of [w1, w2, w3]) assert.equal(be.take(w, undefined), 'queued');
    assert.deepEqual(holder.queuePositions, { server: 0, backend: 0 }, 'never queued');
    be.release(a, holder);
    assert.deepEqual(w1.queuePositions, { server: 0, backend: 1 });
    be.release(a, w1);
    assert.deepEqual(w2.queuePositions, { server: 0, backend: 2 });
    be.leaveQueue(w3);
    assert.deepEqual(w3.queuePositions, { server: 0, backend: 3 }, 'a waiter giving up reports how far it got');

    // Persistence queues on the server itself: %sq.
    const be2 = makeBackend([server('a', 1, { maxconn: 1 }), server('b', 2, { maxconn: 1 })]);
    const a2 = byName(be2, 'a');
    const h2 = new Client('h2');
    assert.equal(be2.take(h2, undefined, a2), a2);
    const p1 = new Client('p1');
    const p2 = new Client('p2');
    assert.equal(be2.take(p1, undefined, a2), 'queued');
    assert.equal(be2.take(p2, undefined, a2), 'queued');
    be2.release(a2, h2);
    be2.release(a2, p1);
    assert.deepEqual(p1.queuePositions, { server: 1, backend: 0 });
    assert.deepEqual(p2.queuePositions, { server: 2, backend: 0 });
  });
});

describe('Backend with a dispatch or transparent target', () => {
  it('sends every session to its one target, unbalanced and unqueued, servers unused', () => {
    const be = new Backend(backend('be', [server('a', 1, { maxconn: 1 })], { direct: { kind: 'dispatch', host: '127.0.0.1', port: 9 } }));
    const target = be.direct;
    assert.ok(target !== undefined);
    assert.equal(target.direct, 'dispatch');
    assert.equal(target.name, '<NOSRV>');
    const clients = [new Client('1'), new Client('2')];
    assert.equal(be.take(clients[0]!, undefined), target);
    assert.equal(be.take(clients[1]!, undefined), target, 'no maxconn on the target');
    assert.equal(target.active, 2);
    assert.equal(byName(be, 'a').active, 0);
    assert.equal(be.counters.lbtot, 0, 'not a balanced choice');
    be.release(target, clients[0]);
    be.release(target, clients[1]);
    assert.equal(target.active, 0);
  });
});

describe('downtime and down transitions (stats downtime, chkdown, lastchg)', () => {
  it('a server adds up the time it was stopped (DOWN or MAINT) when it runs again', () => {
    const be = makeBackend([server('a', 1), server('b', 2)]);
    const a = byName(be, 'a');
    be.setServerStatus(a, 'DOWN', 1000);
    be.setServerStatus(a, 'MAINT', 1500);
    assert.equal(a.downTime, 0);
    be.setServerStatus(a, 'UP', 4000);
    assert.equal(a.downTime, 2500);
    be.setServerStatus(a, 'DRAIN', 5000);
    be.setServerStatus(a, 'UP', 6000);
    assert.equal(a.downTime, 2500, 'draining is running');
  });

  it('the backend counts losing its last usable server and the time without one', () => {
    const be = makeBackend([server('a', 1), server('b', 2)]);
    be.setServerStatus(byName(be, 'a'), 'DOWN', 1000);
    assert.deepEqual([be.downTransitions, be.lastChange], [0, 0], 'b still serves');
    be.setServerStatus(byName(be, 'b'), 'MAINT', 2000);
    assert.deepEqual([be.downTransitions, be.lastChange, be.downTime], [1, 2000, 0]);
    be.setServerStatus(byName(be, 'a'), 'UP', 5000);
    assert.deepEqual([be.downTransitions, be.lastChange, be.downTime], [1, 5000, 3000]);
  });
});

describe('Backend with a dynamic server limit (minconn, fullconn)', () => {
  /** One session arriving at the backend: counted in it (beconn) before it asks for a server, as streams do. */
  function arrive(be: Backend, client: Client): ReturnType<Backend['take']> {
    be.counters.scur++;
    return be.take(client, undefined);
  }

  it('gives a server minconn slots while the load is low and more as it nears fullconn', () => {
    const be = new Backend(backend('be', [server('a', 1, { maxconn: 10, minconn: 2 })], { fullconn: 10, options: { redispatch: false } }));
    const a = byName(be, 'a');
    const clients = Array.from({ length: 4 }, (_, i) => new Client(String(i)));
    // beconn 1, 2, 3: limits max(2, 1), max(2, 2), max(2, 3).
    assert.deepEqual(clients.slice(0, 3).map((c) => arrive(be, c)), [a, a, a]);
    assert.equal(a.effectiveMaxconn, 3);
    be.counters.scur += 20;
    assert.equal(a.effectiveMaxconn, 10, 'at fullconn: maxconn');
    // A fullconn never reached (an unlimited frontend reaches the backend) keeps it at minconn.
    const idle = new Backend(backend('idle', [server('b', 1, { maxconn: 10, minconn: 2 })], { options: { redispatch: false } }));
    const b = byName(idle, 'b');
    assert.deepEqual(clients.map((c) => arrive(idle, c)), [b, b, 'queued', 'queued']);
  });

  it('queues a new session behind the waiting ones even where the limit grew (assign_server), and serves them in order', () => {
    const be = new Backend(backend('be', [server('a', 1, { maxconn: 10, minconn: 2 })], { fullconn: 20, options: { redispatch: false } }));
    const a = byName(be, 'a');
    const clients = Array.from({ length: 6 }, (_, i) => new Client(String(i)));
    // beconn k: limit max(2, k / 2): 2 served, then queued — the 6th too though the limit is 3 by then.
    assert.deepEqual(clients.map((c) => arrive(be, c)), [a, a, 'queued', 'queued', 'queued', 'queued']);
    assert.equal(a.effectiveMaxconn, 3);
    be.counters.scur--;
    be.release(a, clients[0]);
    // beconn 5: limit 2; the slot goes to the oldest waiter.
    assert.deepEqual(clients.map((c) => c.grantedTo?.name), [undefined, undefined, 'a', undefined, undefined, undefined]);
  });
});
