/** srv_dynamic_maxconn (src/proxy/dynamic-maxconn.ts) and a backend applying it (src/proxy/backend.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dynamicMaxconn } from '../../src/proxy/dynamic-maxconn.ts';

describe('dynamic maxconn', () => {
  it("is HAProxy's max(minconn, beconn * maxconn / fullconn), maxconn from fullconn on", () => {
    const values = [0, 1, 19, 20, 29, 30, 55, 99, 100, 150].map((beconn) => dynamicMaxconn(2, 10, beconn, 100));
    assert.deepEqual(values, [2, 2, 2, 2, 2, 3, 5, 9, 10, 10]);
    // Integer arithmetic: 7 * 13 / 20 = 4.55 -> 4.
    assert.equal(dynamicMaxconn(1, 13, 7, 20), 4);
  });

  it('is maxconn for a static limit (minconn = maxconn) and minconn for a fullconn never reached', () => {
    assert.equal(dynamicMaxconn(10, 10, 0, 100), 10);
    assert.equal(dynamicMaxconn(3, 10, 1_000_000, Number.POSITIVE_INFINITY), 3);
  });

  it('never exceeds the maxconn given (a slowstart ramp lowered it)', () => {
    assert.equal(dynamicMaxconn(5, 3, 0, 100), 3);
  });
});
