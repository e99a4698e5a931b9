/** `compression` and `filter` lines in the model (src/config/keywords/compression.ts, filter.ts, compression-model.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse, TIMEOUTS } from './support.ts';

describe('compression / filter', () => {
  it("keeps HAProxy's list order (the last word first), inherits algorithms and types from defaults but not offload", async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  compression algo gzip',
        '  compression type text/plain',
        'frontend a',
        '  bind :8080',
        '  compression algo deflate raw-deflate',
        '  compression offload',
        '  default_backend x',
        'backend x',
        '  filter compression',
      ),
    );
    assert.deepEqual(model.frontends[0]?.compression, { algos: ['raw-deflate', 'deflate', 'gzip'], types: ['text/plain'], offload: true });
    assert.deepEqual(model.frontends[0]?.filters, ['compression']);
    assert.deepEqual(model.backends[0]?.compression, { algos: ['gzip'], types: ['text/plain'], offload: false });
    const none = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend a', '  bind :8080'));
    assert.equal(none.frontends[0]?.compression, undefined);
    assert.equal(none.frontends[0]?.filters, undefined);
  });

  it("refuses HAProxy's invalid forms with its messages", async () => {
    const fe = (...lines: string[]) => errors(cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend a', '  bind :8080', ...lines));
    assert.deepEqual((await fe('  compression algo br')).map((e) => e[3]), ["'compression' : 'br' is not a supported algorithm."]);
    assert.deepEqual((await fe('  compression level 1')).map((e) => e[3]), ["'compression' expects 'algo', 'type' or 'offload'"]);
    assert.deepEqual((await fe('  compression type')).map((e) => e[3]), ["'compression' expects <type>."]);
    assert.deepEqual((await fe('  filter compression', '  filter compression')).map((e) => e[3]), ["'filter' : 'a: Proxy supports only one compression filter\n'"]);
    assert.deepEqual((await fe('  filter trace name T')).map((e) => e[3]), ["'filter' : the 'trace' filter is not supported by Switchyard."]);
    assert.deepEqual((await fe('  filter nope')).map((e) => e[3]), ["'filter' : unknown keyword 'nope'."]);
  });
});
