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

describe('compression tunables and limits (global)', () => {
  it('go to the global model: level, zlib settings, maxcomprate in bytes/s, maxzlibmem in bytes', async () => {
    const model = await parse(cfg('global', '  tune.comp.maxlevel 6', '  tune.zlib.memlevel 9', '  tune.zlib.windowsize 12', '  maxcomprate 100', '  maxzlibmem 64', '  maxcompcpuusage 30', 'defaults', ...TIMEOUTS));
    assert.deepEqual(model.global.compression, { maxLevel: 6, memLevel: 9, windowBits: 12, rateLimit: 102_400, maxZlibMemory: 64 * 1024 * 1024, minIdle: 70 });
    // atoi(): no number reads 0% (compress_min_idle 100).
    assert.equal((await parse(cfg('global', '  maxcompcpuusage x', 'defaults', ...TIMEOUTS))).global.compression?.minIdle, 100);
    assert.equal((await parse(cfg('defaults', ...TIMEOUTS))).global.compression, undefined);
    // atoi(): no number is no limit, as in HAProxy.
    assert.equal((await parse(cfg('global', '  maxcomprate none', 'defaults', ...TIMEOUTS))).global.compression?.rateLimit, 0);
  });

  it("HAProxy's messages", async () => {
    assert.deepEqual(
      (await errors(cfg('global', '  tune.comp.maxlevel 10', '  tune.zlib.memlevel', '  tune.zlib.windowsize 7', '  maxcomprate', '  maxzlibmem', '  maxzlibmem 1 2', '  maxcompcpuusage', '  maxcompcpuusage 101', '  maxcompcpuusage -1', '  maxcompcpuusage 5 6'))).map((e) => e[3]),
      [
        "'tune.comp.maxlevel' expects a numeric value between 1 and 9",
        "'tune.zlib.memlevel' expects a numeric value between 1 and 9.",
        "'tune.zlib.windowsize' expects a numeric value between 8 and 15.",
        "'maxcomprate' expects an integer argument in kb/s.",
        "'maxzlibmem' expects an integer argument.",
        "'maxzlibmem' cannot handle unexpected argument '2'.",
        "'maxcompcpuusage' expects an integer argument between 0 and 100.",
        "'maxcompcpuusage' expects an integer argument between 0 and 100.",
        "'maxcompcpuusage' expects an integer argument between 0 and 100.",
        "'maxcompcpuusage' cannot handle unexpected argument '6'.",
      ],
    );
  });
});
