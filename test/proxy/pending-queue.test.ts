/**
 * The queue order of HAProxy 2.6's pendconn keys (queue.c): class first, then queue time plus
 * offset, read from a boundary 524288 ms before now (the 20-bit time wraps); equal keys in
 * arrival order; the clamping of classes and offsets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareKeys, limitPriorityClass, limitPriorityOffset, PendingQueue, queueKey } from '../../src/proxy/pending-queue.ts';
import type { QueueEntry, QueueWaiter } from '../../src/proxy/server.ts';

function entry(name: string, cls: number, offset: number, at: number, seq = 0): QueueEntry & { readonly name: string } {
  const waiter: QueueWaiter = { granted() {} };
  return { name, waiter, seq, key: queueKey(cls, offset, at), mark: 0 };
}

/** The names in the order the queue serves them at `now`. */
function drain(q: PendingQueue, now: number): string[] {
  const out: string[] = [];
  for (let e = q.takeFirst(now); e !== undefined; e = q.takeFirst(now)) out.push((e as QueueEntry & { name: string }).name);
  return out;
}

describe('pending queue order (HAProxy pendconn keys)', () => {
  it('MAKE_KEY: the class plus 0x7ff in the top 12 bits, the time plus offset in the low 20', () => {
    assert.equal(queueKey(0, 0, 5), (0x7ff << 20) + 5);
    assert.equal(queueKey(-0x7ff, 0, 0x100003), 3, 'the time wraps at 2^20 ms');
    assert.equal(queueKey(0x7ff, -10, 5), ((0xffe << 20) >>> 0) + 0xffffb);
  });

  it('clamps classes to -2047..2047 and offsets to -524287..524287, from the low 32 bits as C does', () => {
    assert.equal(limitPriorityClass(99999), 2047);
    assert.equal(limitPriorityClass(-3000), -2047);
    assert.equal(limitPriorityClass(-3), -3);
    assert.equal(limitPriorityOffset(600000), 524287);
    assert.equal(limitPriorityOffset(-600000), -524287);
    assert.equal(limitPriorityOffset(2 ** 32 + 7), 7, 'an int parameter keeps the low 32 bits');
  });

  it('serves the lowest class first, then the earliest time plus offset, equal keys in arrival order', () => {
    const q = new PendingQueue();
    const now = 10_000_000;
    q.add(entry('c5', 5, 0, now));
    q.add(entry('plain', 0, 0, now));
    q.add(entry('c-3', -3, 0, now + 1));
    q.add(entry('early', 0, -100, now + 2));
    q.add(entry('late', 0, 100, now + 3));
    q.add(entry('plain2', 0, 0, now));
    q.add(entry('c5early', 5, -10, now + 4));
    assert.equal(q.length, 7);
    assert.deepEqual(drain(q, now + 10), ['c-3', 'early', 'plain', 'plain2', 'late', 'c5early', 'c5']);
    assert.equal(q.length, 0);
  });

  it('a time more than 524288 ms before now counts as the far future (the lowest offset, after 2 ms of waiting)', () => {
    const q = new PendingQueue();
    const at = 3_000_000;
    q.add(entry('lowest', 0, -524287, at));
    q.add(entry('plain', 0, 0, at));
    q.add(entry('latest', 0, 524287, at));
    assert.deepEqual(drainCopy(q, at + 1), ['lowest', 'plain', 'latest'], 'within the look-back still the first');
    assert.deepEqual(drain(q, at + 2), ['plain', 'latest', 'lowest']);
  });

  it('finds the first across the wrap of the 20-bit time', () => {
    const q = new PendingQueue();
    const at = 0x100000 - 5;
    q.add(entry('before-wrap', 0, 0, at));
    q.add(entry('after-wrap', 0, 0, at + 10));
    // The later one's 20-bit time (5) is below the earlier one's (0xffffb): the boundary puts it after.
    assert.deepEqual(drain(q, at + 20), ['before-wrap', 'after-wrap']);
  });

  it('compareKeys: class, then time from the boundary; 0 for equal keys', () => {
    const now = 5_000_000;
    assert.ok(compareKeys(queueKey(-1, 0, now), queueKey(0, -1000, now), now) < 0);
    assert.ok(compareKeys(queueKey(0, 10, now), queueKey(0, 0, now), now) > 0);
    assert.equal(compareKeys(queueKey(0, 0, now), queueKey(0, 0, now), now + 7), 0);
    assert.ok(compareKeys(queueKey(0, -524287, now), queueKey(0, 0, now), now + 2) > 0, 'wrapped: the future');
  });

  it('remove() takes a given waiter out, wherever it is', () => {
    const q = new PendingQueue();
    const a = entry('a', 0, 0, 1);
    const b = entry('b', 0, 0, 2);
    q.add(a);
    q.add(b);
    assert.equal(q.remove(a.waiter), a);
    assert.equal(q.remove(a.waiter), undefined);
    assert.deepEqual(drain(q, 3), ['b']);
  });
});

/** The serving order at `now` without emptying `q` (a copy). */
function drainCopy(q: PendingQueue, now: number): string[] {
  const all = q.takeAll();
  const copy = new PendingQueue();
  for (const e of all) {
    q.add(e);
    copy.add(e);
  }
  return drain(copy, now);
}
