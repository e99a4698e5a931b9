/** `show sess` helpers (src/runtime-api/commands/sessions.ts): HAProxy's human_time for ages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { humanTime } from '../../src/runtime-api/commands/sessions.ts';

describe('show sess', () => {
  it('prints ages as tools.c human_time: two units at most, 0s for zero', () => {
    assert.deepEqual(
      [0, 5, 60, 61, 3600, 3661, 86400, 90061, 2 * 86400 + 59].map(humanTime),
      ['0s', '5s', '1m', '1m1s', '1h', '1h1m', '1d', '1d1h', '2d59s'],
    );
  });
});
