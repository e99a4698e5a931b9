/**
 * settled (src/util/settled.ts): a synchronous throw becomes a rejection, so a thread answers
 * 'cli-done' for a replayed command that threw before its first await.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settled } from '../../src/util/settled.ts';

describe('settled', () => {
  it('resolves to what run returns, or to what its promise gives', async () => {
    assert.equal(await settled(() => 7), 7);
    assert.equal(await settled(() => Promise.resolve('x')), 'x');
  });

  it('rejects with what run throws synchronously, instead of throwing', async () => {
    const boom = new Error('boom');
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      promise = settled(() => {
        throw boom;
      });
    });
    await assert.rejects(promise!, boom);
  });

  it('rejects with what a returned promise rejects with', async () => {
    const boom = new Error('later');
    await assert.rejects(settled(() => Promise.reject(boom)), boom);
  });
});
