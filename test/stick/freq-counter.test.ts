/**
 * The frequency counters against HAProxy 2.6's arithmetic (freq_ctr.h update_freq_ctr_period,
 * freq_ctr.c freq_ctr_total, read_freq_ctr_period): every expected value below is worked out
 * from those formulas in the comment beside it, at the edges of the window.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freqCtrRemain, freqCtrTotal, initFreqCtr, readFreqCtr, updateFreqCtr } from '../../src/stick/freq-counter.ts';

function counter(): Float64Array {
  const data = new Float64Array(3);
  initFreqCtr(data, 0);
  return data;
}

const P = 1000;

describe('frequency counters (HAProxy freq_ctr)', () => {
  it('a never updated counter reads 0; the first update starts the period at now', () => {
    const c = counter();
    assert.equal(readFreqCtr(c, 0, P, 5000), 0);
    updateFreqCtr(c, 0, P, 5000, 1);
    assert.deepEqual([...c], [5000, 1, 0], 'curr_tick = now, curr = 1, prev = 0');
  });

  it('inside the first period: the current count, whole', () => {
    const c = counter();
    for (let i = 0; i < 4; i++) updateFreqCtr(c, 0, P, 10_000 + i * 100, 1);
    // remain = 10000 + 1000 - 10300 = 700; total = 0*700 + 4*1000 -> 4
    assert.equal(readFreqCtr(c, 0, P, 10_300), 4);
    // at the last ms of the period: remain = 1
    assert.equal(readFreqCtr(c, 0, P, 10_999), 4);
  });

  it('rotation: the previous period weighted by what remains of the current one', () => {
    const c = counter();
    for (let i = 0; i < 10; i++) updateFreqCtr(c, 0, P, 10_000, 1);
    // now - tick = 1000 >= period: prev = 10, curr = 1, tick = 11000
    updateFreqCtr(c, 0, P, 11_000, 1);
    assert.deepEqual([...c], [11_000, 1, 10]);
    // at 11000: remain = 1000 -> (10*1000 + 1*1000)/1000 = 11
    assert.equal(readFreqCtr(c, 0, P, 11_000), 11);
    // at 11250: remain = 750 -> (7500 + 1000)/1000 = 8 (8.5 rounded down)
    assert.equal(readFreqCtr(c, 0, P, 11_250), 8);
    // at 11999: remain = 1 -> (10 + 1000)/1000 = 1
    assert.equal(readFreqCtr(c, 0, P, 11_999), 1);
  });

  it('read past the period without an update: the current count becomes the weighted past', () => {
    const c = counter();
    for (let i = 0; i < 6; i++) updateFreqCtr(c, 0, P, 20_000, 1);
    // at 21400: remain = 21000 - 21400 = -400 -> +1000 = 600; past = curr = 6, curr = 0
    // total = 6*600 = 3600 -> 3
    assert.equal(readFreqCtr(c, 0, P, 21_400), 3);
    // at 21999: remain = 1 -> 6/1000 -> 0
    assert.equal(readFreqCtr(c, 0, P, 21_999), 0);
    // at 22000: remain = -1000 + 1000 = 0 -> 0
    assert.equal(readFreqCtr(c, 0, P, 22_000), 0);
    // at 22001: remain < 0 even after adding a period: past = 0
    assert.equal(readFreqCtr(c, 0, P, 22_001), 0);
  });

  it('flapping correction: no event now and at most one before reads the previous count whole', () => {
    const c = counter();
    updateFreqCtr(c, 0, P, 30_000, 1);
    // at 30500 (inside): curr = 1, past = 0 -> total = 1000 -> 1
    assert.equal(readFreqCtr(c, 0, P, 30_500), 1);
    // at 31900: remain = 100, past = 1, curr = 0 -> correction: past * period -> 1 (not 0.1)
    assert.equal(readFreqCtr(c, 0, P, 31_900), 1);
    assert.equal(freqCtrTotal(c, 0, P, 31_900, -1), 1000);
    // without the correction (pend >= 0): 1*100 + 0 = 100
    assert.equal(freqCtrTotal(c, 0, P, 31_900, 0), 100);
  });

  it('two periods without an event: everything before is forgotten on the next update', () => {
    const c = counter();
    for (let i = 0; i < 9; i++) updateFreqCtr(c, 0, P, 40_000, 1);
    // now - tick = 2500 >= period: prev = 9, curr = 1, tick = 41000; now - 41000 = 1500 >= period:
    // prev = 0, tick = now
    updateFreqCtr(c, 0, P, 42_500, 1);
    assert.deepEqual([...c], [42_500, 1, 0]);
    assert.equal(readFreqCtr(c, 0, P, 42_600), 1);
  });

  it('an odd now: the rotated tick is rounded down to even (HAProxy releases its lock bit)', () => {
    const c = counter();
    updateFreqCtr(c, 0, P, 50_001, 1);
    assert.equal(c[0], 50_000);
    // increments by more than one (bytes counters)
    updateFreqCtr(c, 0, P, 50_500, 4096);
    assert.equal(readFreqCtr(c, 0, P, 50_500), 4097);
  });

  it('fractional times are HAProxy ticks: rounded down to the millisecond', () => {
    const c = counter();
    updateFreqCtr(c, 0, P, 80_000.9, 1);
    updateFreqCtr(c, 0, P, 80_999.9, 1);
    assert.deepEqual([...c], [80_000, 2, 0]);
    assert.equal(readFreqCtr(c, 0, P, 81_999.9), 0, 'remain = 1 at 81999: 2/1000');
  });

  it('counts within 1ms of the edges: now - tick < period stays in the period', () => {
    const c = counter();
    updateFreqCtr(c, 0, P, 60_000, 1);
    updateFreqCtr(c, 0, P, 60_999, 1);
    assert.deepEqual([...c], [60_000, 2, 0]);
    updateFreqCtr(c, 0, P, 61_000, 1);
    assert.deepEqual([...c], [61_000, 1, 2]);
  });

  it('freq_ctr_remain_period: events left before the limit, 0 once reached', () => {
    const c = counter();
    for (let i = 0; i < 3; i++) updateFreqCtr(c, 0, P, 70_000, 1);
    // total = 3*1000 + pend 1 * 1000 -> avg 4; freq 5 -> 1 left
    assert.equal(freqCtrRemain(c, 0, P, 5, 1, 70_100), 1);
    assert.equal(freqCtrRemain(c, 0, P, 3, 1, 70_100), 0);
    assert.equal(freqCtrRemain(counter(), 0, P, 5, 0, 70_100), 5);
  });

  it('other periods: a 10s window', () => {
    const c = counter();
    for (let i = 0; i < 20; i++) updateFreqCtr(c, 0, 10_000, 100_000 + i * 100, 1);
    updateFreqCtr(c, 0, 10_000, 110_000, 1);
    // tick 110000, curr 1, prev 20; at 112500 remain = 7500 -> (20*7500 + 10000)/10000 = 16
    assert.equal(readFreqCtr(c, 0, 10_000, 112_500), 16);
  });
});
