import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionCountSlots, FIRST_FRONTEND_SLOT, ProcessLimits } from '../../src/proxy/process-limits.ts';

/** Two threads' ProcessLimits over one shared buffer, on a clock the test moves. */
function twoThreads(): { a: ProcessLimits; b: ProcessLimits; clock: { now: number } } {
  const counts = new Int32Array(new SharedArrayBuffer(4 * connectionCountSlots(1)));
  const clock = { now: 10_000 };
  const a = new ProcessLimits(0, undefined, counts);
  const b = new ProcessLimits(0, undefined, counts);
  a.useRateClock(() => clock.now);
  b.useRateClock(() => clock.now);
  return { a, b, clock };
}

describe("ProcessLimits' TLS rates (show info's Ssl* fields)", () => {
  it('counts TLS connections and new keys process-wide, on binds and towards servers apart', () => {
    const { a, b } = twoThreads();
    for (let i = 0; i < 42; i++) (i % 2 === 0 ? a : b).sslConnectionAccepted();
    a.sslKeyCreated(true);
    b.sslKeyCreated(true);
    a.sslKeyCreated(false);
    assert.equal(b.sslRate, 42);
    assert.equal(b.sslRateMax, 42);
    assert.equal(a.sslFrontendKeyRate, 2);
    assert.equal(a.sslFrontendKeyRateMax, 2);
    assert.equal(a.sslBackendKeyRate, 1);
    assert.equal(a.sslBackendKeyRateMax, 1);
  });

  it('SslFrontendSessionReuse_pct is the share of TLS connections without a new key, truncated', () => {
    const { a } = twoThreads();
    assert.equal(a.sslFrontendReusePercent, 0, 'no TLS connection: 0, not NaN');
    // ssl_reuse.vtc's figures: 84 connections, 4 full handshakes: 100 * (1 - 4/84) = 95.2.
    for (let i = 0; i < 84; i++) a.sslConnectionAccepted();
    for (let i = 0; i < 4; i++) a.sslKeyCreated(true);
    // New keys towards servers do not count.
    for (let i = 0; i < 50; i++) a.sslKeyCreated(false);
    assert.equal(a.sslFrontendReusePercent, 95);
  });

  it('no resumption at all is 0 %, as HAProxy (keys not below connections)', () => {
    const { a } = twoThreads();
    for (let i = 0; i < 3; i++) {
      a.sslConnectionAccepted();
      a.sslKeyCreated(true);
    }
    assert.equal(a.sslFrontendReusePercent, 0);
  });

  it('the rates fade over the next second; the maxima stay', () => {
    const { a, clock } = twoThreads();
    for (let i = 0; i < 10; i++) a.sslConnectionAccepted();
    a.sslKeyCreated(true);
    clock.now += 2_500;
    assert.equal(a.sslRate, 0);
    assert.equal(a.sslFrontendKeyRate, 0);
    assert.equal(a.sslFrontendReusePercent, 0);
    assert.equal(a.sslRateMax, 10);
    assert.equal(a.sslFrontendKeyRateMax, 1);
  });

  it('leaves the frontends\' own slots alone', () => {
    const { a, b } = twoThreads();
    a.opened(FIRST_FRONTEND_SLOT);
    for (let i = 0; i < 5; i++) a.sslConnectionAccepted();
    a.sslKeyCreated(true);
    a.sslKeyCreated(false);
    assert.equal(b.frontendCurrent(FIRST_FRONTEND_SLOT), 1);
    assert.equal(b.current, 1);
  });
});
