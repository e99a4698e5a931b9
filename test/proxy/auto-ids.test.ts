import assert from 'node:assert/strict';
import { it } from 'node:test';
import { numberAround } from '../../src/proxy/auto-ids.ts';

it("numbers ids around the forced ones as HAProxy's check_config_validity", () => {
  assert.deepEqual(numberAround([undefined, undefined, undefined]), [1, 2, 3]);
  // The counter moves on after a forced id too: 1 is skipped here, as HAProxy does.
  assert.deepEqual(numberAround([5, undefined, undefined]), [5, 2, 3]);
  assert.deepEqual(numberAround([undefined, 1, undefined]), [2, 1, 4]);
  assert.deepEqual(numberAround([undefined, 10, undefined, undefined, undefined]), [1, 10, 3, 4, 5]);
  assert.deepEqual(numberAround([undefined, 3, undefined, undefined]), [1, 3, 4, 5]);
});
