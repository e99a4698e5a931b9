/**
 * Backend queues with priorities (`set-priority-class`, `set-priority-offset`): a freed slot goes
 * to the lowest class, then the earliest queue time plus offset, in the backend queue and in a
 * server's own queue, and between the two; a redistributed waiter keeps its priority.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backend, type BackendClient } from '../../src/proxy/backend.ts';
import type { Server } from '../../src/proxy/server.ts';
import type { ServerModel } from '../../src/config/model.ts';
import { backend, server } from '../support/model.ts';

class Client implements BackendClient {
  readonly clientAddress = '127.0.0.1';
  readonly lbHead = undefined;
  readonly queuePositions = { server: 0, backend: 0 };
  readonly id: string;
  readonly priorityClass: number;
  readonly priorityOffset: number;
  readonly #order: string[];
  constructor(id: string, order: string[], priorityClass = 0, priorityOffset = 0) {
    this.id = id;
    this.#order = order;
    this.priorityClass = priorityClass;
    this.priorityOffset = priorityOffset;
  }
  granted(): void {
    this.#order.push(this.id);
  }
  kill(): void {}
}

function makeBackend(servers: ServerModel[], clock: () => number, redispatch = false): Backend {
  return new Backend(backend('be', servers, { options: { redispatch } }), { clock });
}

describe('queue priorities in a backend', () => {
  it('the backend queue: lowest class first, then queue time plus offset', () => {
    let now = 50_000;
    const be = makeBackend([server('s', 1, { maxconn: 1 })], () => now);
    const s = be.servers[0] as Server;
    const order: string[] = [];
    const holder = new Client('holder', order);
    assert.equal(be.take(holder, undefined), s);
    const waiters = [new Client('c1', order, 1), new Client('plain', order), new Client('c-1', order, -1), new Client('early', order, 0, -5000), new Client('late', order, 0, 5000)];
    for (const w of waiters) {
      assert.equal(be.take(w, undefined), 'queued');
      now += 10;
    }
    let current: BackendClient = holder;
    for (let i = 0; i < waiters.length; i++) {
      be.release(s, current);
      current = waiters.find((w) => w.id === order[order.length - 1]) as Client;
    }
    assert.deepEqual(order, ['c-1', 'early', 'plain', 'late', 'c1']);
  });

  it("a server's own queue orders its waiters the same way, and a freed slot compares it with the backend queue's by key", () => {
    let now = 80_000;
    const be = makeBackend([server('a', 1, { maxconn: 1 }), server('b', 2, { maxconn: 1 })], () => now);
    const a = be.server('a') as Server;
    const b = be.server('b') as Server;
    const order: string[] = [];
    const ha = new Client('ha', order);
    const hb = new Client('hb', order);
    be.take(ha, undefined, a);
    be.take(hb, undefined, b);
    // Pinned to a (its own queue), or for any server (the backend queue).
    const pinnedLate = new Client('pinned-late', order, 0, 100);
    const sharedHigh = new Client('shared-c-2', order, -2);
    const pinnedHigh = new Client('pinned-c-1', order, -1);
    const shared = new Client('shared', order);
    assert.equal(be.take(pinnedLate, undefined, a), 'queued');
    now += 1;
    assert.equal(be.take(sharedHigh, undefined), 'queued');
    now += 1;
    assert.equal(be.take(pinnedHigh, undefined, a), 'queued');
    now += 1;
    assert.equal(be.take(shared, undefined), 'queued');
    now += 1;
    be.release(a, ha);
    be.release(a, sharedHigh);
    be.release(a, pinnedHigh);
    be.release(a, shared);
    assert.deepEqual(order, ['shared-c-2', 'pinned-c-1', 'shared', 'pinned-late']);
  });

  it('waiters moved to the backend queue (option redispatch) keep their class', () => {
    let now = 10_000;
    const be = makeBackend([server('a', 1, { maxconn: 1 }), server('b', 2, { maxconn: 1 })], () => now, true);
    const a = be.server('a') as Server;
    const b = be.server('b') as Server;
    const order: string[] = [];
    const ha = new Client('ha', order);
    const hb = new Client('hb', order);
    be.take(ha, undefined, a);
    be.take(hb, undefined, b);
    const low = new Client('pinned-c3', order, 3);
    const shared = new Client('shared', order);
    assert.equal(be.take(low, undefined, a), 'queued');
    now += 1;
    assert.equal(be.take(shared, undefined), 'queued');
    now += 1;
    be.setServerStatus(a, 'DOWN', now);
    assert.equal(a.queue.length, 0, 'moved to the backend queue');
    be.release(b, hb);
    be.release(b, shared);
    assert.deepEqual(order, ['shared', 'pinned-c3']);
  });
});
