/**
 * Server maxconn and the queues with several threads: two Backends built over the same shared
 * memory (as two threads of `nbthread 2` build the same generation), their wakes delivered as
 * the thread group delivers them (later, not during the release). The slot count never exceeds
 * maxconn for the process, a freed slot goes to the oldest waiter whichever thread holds it,
 * maxqueue counts every thread's waiters, and a dynamic maxconn follows the process's load.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backend, type BackendClient } from '../../src/proxy/backend.ts';
import type { Server } from '../../src/proxy/server.ts';
import type { BackendModel, ServerModel } from '../../src/config/model.ts';
import { ServerCounts } from '../../src/threads/server-counts.ts';
import { backend, server } from '../support/model.ts';

class Client implements BackendClient {
  readonly clientAddress = '127.0.0.1';
  readonly lbHead = undefined;
  grantedTo: Server | undefined;
  readonly queuePositions = { server: 0, backend: 0 };
  readonly id: string;
  readonly #order: string[];
  constructor(id: string, order: string[]) {
    this.id = id;
    this.#order = order;
  }
  granted(server: Server): void {
    this.grantedTo = server;
    this.#order.push(this.id);
  }
  kill(): void {}
}

/** `threads` Backends of one model sharing their counts; wakes wait in `pending` until delivered. */
function threadsOf(model: BackendModel, threads = 2, clock?: () => number): { be: Backend[]; deliver: () => number } {
  const buffer = ServerCounts.create(model.servers.length, 1, threads);
  const pending: { thread: number; queue: number }[] = [];
  const counts: ServerCounts[] = [];
  const be: Backend[] = [];
  for (let t = 0; t < threads; t++) {
    const c = new ServerCounts(new Int32Array(buffer), t);
    c.wakeThread = (thread, queue) => pending.push({ thread, queue });
    counts.push(c);
    be.push(new Backend(model, clock === undefined ? { serverCounts: c } : { serverCounts: c, clock }));
  }
  const deliver = (): number => {
    let n = 0;
    while (pending.length > 0) {
      const w = pending.shift() as { thread: number; queue: number };
      counts[w.thread]?.woken(w.queue);
      n++;
    }
    return n;
  };
  return { be, deliver };
}

function model(servers: ServerModel[], extra: Partial<BackendModel> = {}): BackendModel {
  return backend('be', servers, { options: { redispatch: false }, ...extra });
}

/** Lets the queued microtasks (the check after a waiter is queued) run. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('server maxconn and queues shared by threads', () => {
  it("a thread whose first waiter moved with time alone (its queue time crossed the look-back) is woken to look again", async () => {
    let now = 1000;
    const { be, deliver } = threadsOf(model([server('s', 1, { maxconn: 1 })]), 2, () => now);
    const [a, b] = be as [Backend, Backend];
    const order: string[] = [];
    const holder = new Client('holder', order);
    assert.equal(typeof a.take(holder, undefined), 'object');
    // Thread 1: the lowest offset first (its time 524287 ms back is still within the look-back), then a plain one.
    const lowest = Object.assign(new Client('lowest', order), { priorityOffset: -524287 });
    const plain = new Client('plain', order);
    assert.equal(b.take(lowest, undefined), 'queued');
    assert.equal(b.take(plain, undefined), 'queued');
    now++;
    const later = Object.assign(new Client('later', order), { priorityOffset: 1000 });
    assert.equal(a.take(later, undefined), 'queued');
    await settle();
    deliver();
    // 10 ms on, `lowest` has crossed: thread 1's first is `plain`, which its published head does not say yet.
    now += 10;
    const s0 = a.servers[0] as Server;
    a.release(s0, holder);
    deliver();
    assert.deepEqual(order, ['plain'], 'thread 1 looked again and served its new first, before thread 0\'s later one');
    b.release(b.servers[0] as Server, plain);
    deliver();
    a.release(s0, later);
    deliver();
    assert.deepEqual(order, ['plain', 'later', 'lowest']);
  });

  it('a freed slot goes to the lowest priority class of the process, whichever thread queued it first', async () => {
    const { be, deliver } = threadsOf(model([server('s', 1, { maxconn: 1 })]));
    const [a, b] = be as [Backend, Backend];
    const order: string[] = [];
    const holder = new Client('holder', order);
    assert.equal(typeof a.take(holder, undefined), 'object');
    const plain = new Client('plain', order);
    const urgent = Object.assign(new Client('urgent', order), { priorityClass: -1 });
    const later = Object.assign(new Client('later', order), { priorityClass: 1 });
    assert.equal(a.take(plain, undefined), 'queued');
    assert.equal(a.take(later, undefined), 'queued');
    assert.equal(b.take(urgent, undefined), 'queued');
    await settle();
    deliver();
    const s0 = a.servers[0] as Server;
    a.release(s0, holder);
    deliver();
    assert.deepEqual(order, ['urgent'], "thread 1's class -1 waiter is woken before thread 0's older class 0 one");
    b.release(b.servers[0] as Server, urgent);
    deliver();
    a.release(s0, plain);
    deliver();
    assert.deepEqual(order, ['urgent', 'plain', 'later']);
  });

  it('maxconn holds for the process and a freed slot goes to the oldest waiter, in any thread', async () => {
    const { be, deliver } = threadsOf(model([server('s', 1, { maxconn: 1 })]));
    const [a, b] = be as [Backend, Backend];
    const order: string[] = [];
    const c = ['1', '2', '3', '4', '5'].map((id) => new Client(id, order));
    const s = a.take(c[0]!, undefined);
    assert.equal(typeof s, 'object', 'thread 0 takes the only slot');
    // The slot is the process's: thread 1 queues, then thread 0, then thread 1 again.
    assert.equal(b.take(c[1]!, undefined), 'queued');
    assert.equal(a.take(c[2]!, undefined), 'queued');
    assert.equal(b.take(c[3]!, undefined), 'queued');
    await settle();
    assert.equal(deliver(), 0, 'no slot is free: nobody is woken');
    const serverIn = (x: Backend): Server => x.servers[0] as Server;
    assert.equal(serverIn(a).processActive, 1);
    // Thread 0 frees it: its own waiter (3) is younger than thread 1's (2), which gets it.
    a.release(serverIn(a), c[0]);
    assert.deepEqual(order, [], 'thread 0 leaves the slot to the older waiter of thread 1');
    assert.equal(deliver(), 1);
    assert.deepEqual(order, ['2']);
    assert.equal(serverIn(b).processActive, 1);
    // A newcomer on thread 0 queues behind the waiters even when a slot is about to free.
    b.release(serverIn(b), c[1]);
    assert.equal(a.take(c[4]!, undefined), 'queued', 'a new session does not overtake the waiters');
    assert.equal(deliver(), 1);
    assert.deepEqual(order, ['2', '3']);
    a.release(serverIn(a), c[2]);
    deliver();
    assert.deepEqual(order, ['2', '3', '4']);
    b.release(serverIn(b), c[3]);
    deliver();
    assert.deepEqual(order, ['2', '3', '4', '5']);
    a.release(serverIn(a), c[4]);
    await settle();
    assert.equal(deliver(), 0);
    assert.equal(serverIn(a).processActive, 0);
    assert.equal(a.counters.qcur + b.counters.qcur, 0);
  });

  it('a waiter that leaves passes the slot on to the next oldest, in the other thread', async () => {
    const { be, deliver } = threadsOf(model([server('s', 1, { maxconn: 1 })]));
    const [a, b] = be as [Backend, Backend];
    const order: string[] = [];
    const c = ['1', '2', '3'].map((id) => new Client(id, order));
    const s = a.take(c[0]!, undefined) as Server;
    assert.equal(b.take(c[1]!, undefined), 'queued');
    assert.equal(a.take(c[2]!, undefined), 'queued');
    await settle();
    a.release(s, c[0]);
    // Thread 1's waiter gives up before its thread hears of the slot: the word comes back.
    b.leaveQueue(c[1]!);
    deliver();
    assert.deepEqual(order, ['3']);
    assert.equal(s.processActive, 1);
  });

  it("a balancer sets aside a server another thread filled, and takes it back once another thread frees it", () => {
    const { be } = threadsOf(model([server('s1', 1, { maxconn: 1 }), server('s2', 2, { maxconn: 1 })], { balance: { algorithm: 'first' } }));
    const [a, b] = be as [Backend, Backend];
    const order: string[] = [];
    const c = ['1', '2', '3', '4'].map((id) => new Client(id, order));
    // Thread 1 fills s1: thread 0's balancer still had it, and must not queue behind it.
    const first = b.take(c[0]!, undefined) as Server;
    assert.equal(first.name, 's1');
    const second = a.take(c[1]!, undefined) as Server;
    assert.equal(second.name, 's2', 'thread 0 uses the free server');
    b.release(first, c[0]);
    a.release(second, c[1]);
    // Thread 0 took no slot of s1: its balancer hears of the release through the shared count.
    assert.equal((a.take(c[2]!, undefined) as Server).name, 's1', 'an idle farm starts again at s1 in every thread');
    assert.equal((b.take(c[3]!, undefined) as Server).name, 's2');
  });

  it('maxqueue counts the waiters of every thread', () => {
    const { be } = threadsOf(model([server('s', 1, { maxconn: 1, maxqueue: 2 })], { balance: { algorithm: 'source' } }));
    const [a, b] = be as [Backend, Backend];
    const order: string[] = [];
    const c = ['1', '2', '3', '4'].map((id) => new Client(id, order));
    const s = a.take(c[0]!, undefined);
    assert.equal(typeof s, 'object');
    const persistA = a.servers[0] as Server;
    const persistB = b.servers[0] as Server;
    assert.equal(a.take(c[1]!, undefined, persistA), 'queued');
    assert.equal(b.take(c[2]!, undefined, persistB), 'queued');
    assert.equal(b.take(c[3]!, undefined, persistB), 'unavailable', 'the queue is full for the process');
    assert.equal(persistA.counters.qmax, 1);
    assert.equal(persistB.counters.qmax, 2, "qmax is the process's highest queue");
  });

  it("a dynamic maxconn (minconn, fullconn) follows the process's backend sessions", () => {
    const { be } = threadsOf(model([server('s', 1, { maxconn: 10, minconn: 2 })], { fullconn: 10 }));
    const [a, b] = be as [Backend, Backend];
    for (let i = 0; i < 3; i++) a.sessionEntered();
    for (let i = 0; i < 3; i++) b.sessionEntered();
    // beconn 6 of fullconn 10: a limit of 6 for the process, not 3 per thread.
    assert.equal(a.processSessions, 6);
    assert.equal((a.servers[0] as Server).effectiveMaxconn, 6);
    assert.equal((b.servers[0] as Server).effectiveMaxconn, 6);
    for (let i = 0; i < 3; i++) b.sessionLeft();
    assert.equal((a.servers[0] as Server).effectiveMaxconn, 3);
  });
});
