import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionCountSlots, FIRST_FRONTEND_SLOT, ProcessLimits, type WaitingFrontend } from '../../src/proxy/process-limits.ts';

/** Two threads' ProcessLimits over one shared buffer, as src/threads/ sets them up. */
function twoThreads(maxconn: number): { a: ProcessLimits; b: ProcessLimits; wakes: string[] } {
  const counts = new Int32Array(new SharedArrayBuffer(4 * connectionCountSlots(1)));
  const a = new ProcessLimits(maxconn, undefined, counts);
  const b = new ProcessLimits(maxconn, undefined, counts);
  const wakes: string[] = [];
  a.shareWith(() => wakes.push('a'));
  b.shareWith(() => wakes.push('b'));
  return { a, b, wakes };
}

function holder(admit: () => boolean): WaitingFrontend & { admitted: number } {
  const h = {
    admitted: 0,
    admitWaiting(): boolean {
      h.admitted++;
      return admit();
    },
  };
  return h;
}

describe('ProcessLimits shared by the threads of nbthread N', () => {
  it('counts every thread against global maxconn and each frontend in its slot', () => {
    const { a, b } = twoThreads(3);
    const slot = FIRST_FRONTEND_SLOT;
    a.opened(slot);
    b.opened(slot);
    assert.equal(a.full, false);
    b.opened(slot);
    assert.equal(a.full, true);
    assert.equal(b.current, 3);
    assert.equal(a.frontendCurrent(slot), 3);
    a.closed(slot);
    assert.equal(b.full, false);
    assert.equal(b.frontendCurrent(slot), 2);
  });

  it('a slot freed on one thread wakes the others only while one of them holds connections back', () => {
    const { a, b, wakes } = twoThreads(1);
    a.opened(FIRST_FRONTEND_SLOT);
    a.closed(FIRST_FRONTEND_SLOT);
    a.released();
    assert.deepEqual(wakes, [], 'nobody holds anything: no message');
    a.opened(FIRST_FRONTEND_SLOT);
    let held = true;
    const frontend = holder(() => {
      // Admits its connection (takes the slot) once there is room.
      if (!b.full) {
        b.opened(FIRST_FRONTEND_SLOT);
        held = false;
      }
      return held;
    });
    b.hold(frontend);
    a.closed(FIRST_FRONTEND_SLOT);
    a.released();
    assert.deepEqual(wakes, ['a'], 'thread a tells the others');
    b.releasedElsewhere();
    assert.equal(frontend.admitted, 1);
    assert.equal(held, false);
    assert.equal(b.current, 1);
    // Nothing held any more: a later release sends nothing.
    b.closed(FIRST_FRONTEND_SLOT);
    b.released();
    assert.deepEqual(wakes, ['a']);
  });

  it('the accept rates and their limits hold for the process: every thread counts in and reads the same counters', () => {
    const { a, b } = twoThreads(0);
    let now = 100_000;
    a.useRateClock(() => now);
    b.useRateClock(() => now);
    const slot = FIRST_FRONTEND_SLOT;
    a.frontendSessionStarted(slot);
    b.frontendSessionStarted(slot);
    assert.equal(a.frontendAcceptDelay(slot, 3), 0);
    b.frontendSessionStarted(slot);
    assert.ok(a.frontendAcceptDelay(slot, 3) > 0, 'the third session of the second, on either thread, reaches rate-limit sessions 3');
    now += 2000;
    assert.equal(b.frontendAcceptDelay(slot, 3), 0, 'two seconds later the rate allows more');
    // maxsessrate set on one thread (the runtime API's `set rate-limit`) holds on the other.
    a.sessRateLimit = 2;
    assert.equal(b.sessRateLimit, 2);
    a.sessionAccepted();
    b.sessionAccepted();
    assert.ok(a.acceptDelay(false) > 0 && b.acceptDelay(false) > 0);
    assert.deepEqual([a.sessRate, b.sessRateMax], [2, 2]);
    a.connectionAccepted();
    assert.equal(b.connRate, 1);
    assert.equal(b.connRateLimit, 0);
  });

  it('counts the TLS connections and session cache lookups of every thread', () => {
    const { a, b } = twoThreads(0);
    a.sslConnectionOpened();
    b.sslConnectionOpened();
    b.sslConnectionRefused();
    assert.deepEqual([a.sslConnections, a.sslConnectionsTotal], [2, 3]);
    a.sslConnectionClosed();
    b.opened(FIRST_FRONTEND_SLOT);
    b.closed(FIRST_FRONTEND_SLOT, true);
    assert.deepEqual([b.sslConnections, b.sslConnectionsTotal], [0, 3]);
    a.sslCacheLookedUp(true);
    b.sslCacheLookedUp(false);
    assert.deepEqual([b.sslCacheLookups, a.sslCacheMisses], [2, 1]);
  });

  it('maxsslconn counts the TLS connections of every thread; maxsslrate holds ssl binds only', () => {
    const { a, b } = twoThreads(0);
    a.maxSslConnections = 2;
    assert.equal(b.maxSslConnections, 2);
    a.sslConnectionOpened();
    assert.equal(b.sslConnectionsFull, false);
    b.sslConnectionOpened();
    assert.equal(a.sslConnectionsFull, true, 'two TLS connections, one per thread, reach maxsslconn 2');
    a.sslConnectionClosed();
    assert.equal(b.sslConnectionsFull, false);
    a.maxSslConnections = 0;
    b.sslConnectionOpened();
    b.sslConnectionOpened();
    assert.equal(a.sslConnectionsFull, false, 'no limit');

    const now = 200_000;
    a.useRateClock(() => now);
    b.useRateClock(() => now);
    b.sslRateLimit = 2;
    assert.equal(a.sslRateLimit, 2);
    a.sslConnectionAccepted();
    b.sslConnectionAccepted();
    assert.ok(a.acceptDelay(true) > 0 && b.acceptDelay(true) > 0, 'the rate is reached on both threads');
    assert.equal(a.acceptDelay(false), 0, 'a bind without ssl is not held by maxsslrate');
  });
});
