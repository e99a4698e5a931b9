/** The environment a `program` starts with: the process's, changed as the configuration's setenv/resetenv... said. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { environmentWith } from '../../src/config/environment-changes.ts';

describe('environmentWith', () => {
  const base = { PATH: '/bin', HOME: '/root', A: 'a', UNSET: undefined };

  it('applies sets and removals in order on the whole environment', () => {
    assert.deepEqual(environmentWith(base, { changes: [['B', 'b'], ['A', undefined], ['HOME', '/home']] }), { PATH: '/bin', HOME: '/home', B: 'b' });
  });

  it('after resetenv, keeps only the named variables, then applies the later changes', () => {
    assert.deepEqual(environmentWith(base, { keptOnly: ['PATH', 'NOPE'], changes: [['C', 'c']] }), { PATH: '/bin', C: 'c' });
    assert.deepEqual(environmentWith(base, { keptOnly: [], changes: [] }), {});
  });
});
