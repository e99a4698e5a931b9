/** `tune.bufsize` / `tune.maxrewrite` (global), parsed as HAProxy 2.6's cfgparse-global.c. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bufferSizes } from '../../src/http/buffer-sizes.ts';
import { cfg, errors, parse } from './support.ts';

describe('tune.bufsize and tune.maxrewrite', () => {
  it('are kept in the model, bufsize rounded up to 16 bytes', async () => {
    const model = await parse(cfg('global', '  tune.bufsize 32770', '  tune.maxrewrite 2048'));
    assert.equal(model.global.tune?.bufsize, 32784);
    assert.equal(model.global.tune?.maxrewrite, 2048);
    assert.deepEqual(bufferSizes(model.global.tune), { size: 32784, reserve: 2048, room: 30736 });
  });

  it('default to 16384 and 1024; maxrewrite is capped at half the buffer', async () => {
    assert.deepEqual(bufferSizes((await parse(cfg('global', '  maxconn 10'))).global.tune), { size: 16384, reserve: 1024, room: 15360 });
    assert.deepEqual(bufferSizes({ bufsize: 2048, maxrewrite: 1500 }), { size: 2048, reserve: 1024, room: 1024 });
  });

  it("refuses what HAProxy refuses, with its messages", async () => {
    assert.equal((await errors(cfg('global', '  tune.bufsize')))[0]?.[3], "'tune.bufsize' expects an integer argument.");
    assert.equal((await errors(cfg('global', '  tune.bufsize 0')))[0]?.[3], "'tune.bufsize' expects a positive integer argument.");
    assert.equal((await errors(cfg('global', '  tune.bufsize abc')))[0]?.[3], "'tune.bufsize' expects a positive integer argument.");
    assert.equal((await errors(cfg('global', '  tune.maxrewrite -1')))[0]?.[3], "'tune.maxrewrite' expects a positive integer argument.");
    assert.equal((await errors(cfg('global', '  tune.maxrewrite 1 2')))[0]?.[3], "'tune.maxrewrite' cannot handle unexpected argument '2'.");
  });
});
