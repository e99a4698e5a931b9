/** The threads' shared frequency counters (src/proxy/shared-freq-counter.ts) against HAProxy's arithmetic. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  readSharedFreqCtr,
  sharedAllowedDelay,
  sharedFreqCtrRemain,
  sharedNextEventDelay,
  updateSharedFreqCtr,
} from '../../src/proxy/shared-freq-counter.ts';
import { freqCtrRemain, initFreqCtr, readFreqCtr, updateFreqCtr } from '../../src/stick/freq-counter.ts';

/** A deterministic pseudo-random sequence (xorshift). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('shared frequency counters', () => {
  it('count and read as the one-thread port of freq_ctr.c does, over any pattern of events', () => {
    const next = random(7);
    const shared = new Int32Array(new SharedArrayBuffer(12));
    const plain = new Float64Array(3);
    initFreqCtr(plain, 0);
    let now = 10_000;
    for (let i = 0; i < 5000; i++) {
      // Bursts, gaps within a period, and gaps of several periods.
      const r = next();
      now += r < 0.6 ? 0 : r < 0.95 ? Math.floor(next() * 200) : Math.floor(next() * 3000);
      if (next() < 0.7) {
        updateSharedFreqCtr(shared, 0, now);
        updateFreqCtr(plain, 0, 1000, now, 1);
      }
      assert.equal(readSharedFreqCtr(shared, 0, now), readFreqCtr(plain, 0, 1000, now), `read at ${now}`);
      assert.equal(sharedFreqCtrRemain(shared, 0, 20, now), freqCtrRemain(plain, 0, 1000, 20, 0, now), `remain at ${now}`);
    }
  });

  it('return the events of the current period from an update (the *_max figures)', () => {
    const c = new Int32Array(3);
    assert.equal(updateSharedFreqCtr(c, 0, 5000), 1);
    assert.equal(updateSharedFreqCtr(c, 0, 5400), 2);
    assert.equal(updateSharedFreqCtr(c, 0, 5999), 3);
    assert.equal(updateSharedFreqCtr(c, 0, 6000), 1, 'a new period');
    // At the start of a period, the whole previous one is still in the window.
    assert.equal(readSharedFreqCtr(c, 0, 6000), 4);
  });

  it("next_event_delay: (total - freq * 1000) / freq ms, at least 1, 0 below the rate", () => {
    const c = new Int32Array(3);
    for (let i = 0; i < 19; i++) updateSharedFreqCtr(c, 0, 10_000);
    assert.equal(sharedNextEventDelay(c, 0, 20, 10_000), 0);
    updateSharedFreqCtr(c, 0, 10_000);
    // 20 events in the current period: total = 20 * 1000 = the limit, (0 / 20) -> 1 ms.
    assert.equal(sharedNextEventDelay(c, 0, 20, 10_000), 1);
    for (let i = 0; i < 10; i++) updateSharedFreqCtr(c, 0, 10_000);
    // 30 events: (30000 - 20000) / 20 = 500 ms.
    assert.equal(sharedNextEventDelay(c, 0, 20, 10_500), 500);
    // Half-way through the next period the 30 count for half: 15 * 1000 < 20 * 1000.
    assert.equal(sharedNextEventDelay(c, 0, 20, 11_500), 0);
  });

  it('wait exactly until the first moment HAProxy, checking every millisecond, would accept', () => {
    const next = random(11);
    for (let round = 0; round < 300; round++) {
      const c = new Int32Array(3);
      const freq = 1 + Math.floor(next() * 40);
      let now = 50_000;
      const events = Math.floor(next() * 4 * freq);
      for (let i = 0; i < events; i++) {
        now += Math.floor(next() * (2000 / freq));
        updateSharedFreqCtr(c, 0, now);
      }
      const delay = sharedAllowedDelay(c, 0, freq, now);
      if (sharedNextEventDelay(c, 0, freq, now) === 0) {
        assert.equal(delay, 0);
        continue;
      }
      assert.ok(delay >= 1 && delay <= 2000, `delay ${delay}`);
      for (let t = now; t < now + delay; t++) assert.ok(sharedNextEventDelay(c, 0, freq, t) > 0, `limited until ${now + delay}, not at ${t} (freq ${freq})`);
      assert.equal(sharedNextEventDelay(c, 0, freq, now + delay), 0, `allowed at ${now + delay} (freq ${freq})`);
    }
  });

  it('are one counter for every thread that maps the same memory', () => {
    const buffer = new SharedArrayBuffer(4 * 6);
    const a = new Int32Array(buffer);
    const b = new Int32Array(buffer);
    updateSharedFreqCtr(a, 3, 1_000_000);
    updateSharedFreqCtr(b, 3, 1_000_001);
    // A thread whose clock reads a millisecond behind still counts in the current period.
    assert.equal(updateSharedFreqCtr(a, 3, 999_999), 3);
    assert.equal(readSharedFreqCtr(b, 3, 1_000_500), 3);
  });

  it('keep working where the millisecond clock wraps around 32 bits', () => {
    const c = new Int32Array(3);
    let now = 2 ** 32 - 300;
    for (let i = 0; i < 5; i++) updateSharedFreqCtr(c, 0, now);
    now += 600; // past 2^32
    assert.equal(readSharedFreqCtr(c, 0, now), 5);
    updateSharedFreqCtr(c, 0, now);
    assert.equal(readSharedFreqCtr(c, 0, now), 6);
    now += 1000;
    assert.ok(readSharedFreqCtr(c, 0, now) < 6);
  });
});
