/** The `*_max` rates of the stats (HAProxy's sps_max, cps_max, rps_max): src/proxy/counters.ts. */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { connectionAccepted, newBackendCounters, newFrontendCounters, requestReceived, sessionOpened, setCounterClock } from '../../src/proxy/counters.ts';

let now = 10_000;
setCounterClock(() => now);
after(() => setCounterClock(() => 0));

it('keeps the most events counted in one second, as update_freq_ctr returns them', () => {
  const be = newBackendCounters();
  const fe = newFrontendCounters();
  for (let i = 0; i < 3; i++) {
    sessionOpened(be);
    connectionAccepted(fe);
    requestReceived(fe);
  }
  assert.deepEqual([be.sessRateMax, fe.connRateMax, fe.reqRateMax, fe.connTot, fe.reqTot], [3, 3, 3, 3, 3]);
  // A quieter second later leaves the maxima alone.
  now += 1500;
  sessionOpened(be);
  connectionAccepted(fe);
  assert.deepEqual([be.sessRateMax, fe.connRateMax], [3, 3]);
  // A busier one raises them.
  now += 1000;
  for (let i = 0; i < 5; i++) sessionOpened(be);
  assert.equal(be.sessRateMax, 5);
});
