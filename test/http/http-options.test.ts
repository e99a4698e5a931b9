import assert from 'node:assert/strict';
import { it } from 'node:test';
import { connectionModeOf } from '../../src/http/http-options.ts';

it('connection modes combine to the most restrictive of frontend and backend', () => {
  const mode = (m: 'keep-alive' | 'server-close' | 'close') => ({ connectionMode: m, forwardFor: undefined });
  assert.equal(connectionModeOf(mode('keep-alive'), mode('server-close')), 'server-close');
  assert.equal(connectionModeOf(mode('close'), mode('server-close')), 'close');
  assert.equal(connectionModeOf(undefined, undefined), 'keep-alive');
});
