/**
 * The soft stop's closing policy (global `close-spread-time`): HAProxy 2.6's draws of mux_h1.c
 * and mux_h2.c against close_spread_end, with a scripted random source.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SoftStopClosing } from '../../src/proxy/soft-stop-closing.ts';

/** Each call returns the next value (the last one repeated). */
function scripted(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] as number;
}

describe('SoftStopClosing', () => {
  it('without a window: every active connection closes, nothing is spread', () => {
    assert.equal(SoftStopClosing.atOnce.mode, 'at-once');
    assert.equal(new SoftStopClosing(undefined, 100).closesActive(100), true);
    assert.equal(new SoftStopClosing(0, 100).mode, 'at-once', '0 is no window, as HAProxy (TICK_ETERNITY)');
  });

  it('infinite: no active connection is closed by the stop', () => {
    const never = new SoftStopClosing('infinite', 100);
    assert.equal(never.mode, 'never');
    assert.equal(never.closesActive(100), false);
    assert.equal(never.closesActive(1e12), false);
  });

  it('a window: an active connection closes when what remains is at most a random share of the window', () => {
    const closing = new SoftStopClosing(1000, 5000, scripted(0.999, 0.5, 0.5, 0.3, 0));
    assert.equal(closing.closesActive(5000), false, 'at the start, never (remaining 1000 > 999)');
    assert.equal(closing.closesActive(5600), true, 'remaining 400 <= 500');
    assert.equal(closing.closesActive(5400), false, 'remaining 600 > 500');
    assert.equal(closing.closesActive(5700), true, 'remaining 300 <= 300');
    assert.equal(closing.closesActive(6000), true, 'at the end, always');
    assert.equal(closing.closesActive(9000), true, 'past it too');
  });

  it("a window: an idle connection closes at a random moment of what remains, unless its own deadline comes before the window's end", () => {
    const closing = new SoftStopClosing(1000, 5000, scripted(0.25, 0.5));
    assert.equal(closing.spreadDeadline(5000, Infinity), 5250);
    assert.equal(closing.spreadDeadline(5200, 30_000), 5600, 'half of the 800 ms left');
    assert.equal(closing.spreadDeadline(5200, 5900), 5900, 'its own timeout comes first');
    assert.equal(closing.spreadDeadline(6000, 30_000), 6000, 'at the end: now');
    assert.equal(closing.spreadDeadline(7000, 30_000), 7000, 'past it: now');
  });

  it('the draws over a window spread evenly (Math.random)', () => {
    const closing = new SoftStopClosing(1000, 0);
    const deadlines = Array.from({ length: 1000 }, () => closing.spreadDeadline(0, Infinity));
    assert.ok(deadlines.every((d) => d >= 0 && d < 1000));
    const firstHalf = deadlines.filter((d) => d < 500).length;
    assert.ok(firstHalf > 350 && firstHalf < 650, String(firstHalf));
  });
});
