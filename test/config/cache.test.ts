/** `cache` sections, `cache-use` / `cache-store` rules and `filter cache` in the model. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse, TIMEOUTS } from './support.ts';

const BACKEND = ['backend be', '  mode http', ...TIMEOUTS, '  filter cache c', '  http-request cache-use c', '  http-response cache-store c if { status 200 }'];

describe('cache sections', () => {
  it("reads HAProxy's settings with its defaults (max-object-size a 256th, max-age 60, 10 secondary entries)", async () => {
    const model = await parse(cfg(...BACKEND, 'cache c', '  total-max-size 4', 'cache d', '  total-max-size 1', '  max-object-size 1000', '  max-age 5', '  process-vary on', '  max-secondary-entries 3'));
    assert.deepEqual(
      model.caches?.map(({ source: _source, ...c }) => c),
      [
        { name: 'c', totalMaxSize: 4 << 20, maxObjectSize: (4 << 20) / 256, maxAge: 60, processVary: false, maxSecondaryEntries: 10 },
        { name: 'd', totalMaxSize: 1 << 20, maxObjectSize: 1000, maxAge: 5, processVary: true, maxSecondaryEntries: 3 },
      ],
    );
    assert.deepEqual(
      model.backends[0]?.httpRequestRules?.map((r) => r.action),
      ['cache-use'],
    );
  });

  it("refuses HAProxy's invalid forms", async () => {
    const messages = async (...lines: string[]) => (await errors(cfg(...BACKEND, ...lines))).map((e) => e[3]);
    assert.deepEqual(await messages('cache c'), ["Size not specified for cache 'c'"]);
    assert.deepEqual(await messages('cache c', '  total-max-size 1', '  max-object-size 600000'), ['"max-object-size" is limited to an half of "total-max-size" => 524288']);
    assert.deepEqual(await messages('cache c', '  total-max-size x'), ["total-max-size wrong value 'x'", "Size not specified for cache 'c'"]);
    assert.deepEqual(await messages('cache c', '  total-max-size 1', '  max-secondary-entries 0'), ["max-secondary-entries wrong value '0'"]);
    assert.deepEqual(await messages('cache c', '  total-max-size 1', 'cache c', '  total-max-size 1'), ["Duplicate cache name 'c'."]);
    assert.deepEqual(await messages('cache c', '  total-max-size 1', '  foo 1').then((m) => m.length), 1);
    assert.deepEqual(
      (await messages('cache other', '  total-max-size 1')).filter((m) => m.includes('unable to find')),
      [
        "config: backend 'be': unable to find the cache 'c' referenced by the filter 'cache'.",
        "config: backend 'be': unable to find the cache 'c' referenced by the filter 'cache'.",
        "config: backend 'be': unable to find the cache 'c' referenced by the filter 'cache'.",
      ],
    );
    assert.deepEqual(await messages('cache c', '  total-max-size 1', 'frontend f', '  bind :80', '  filter cache'), ["'filter' : 'cache : expects a <name> argument'"]);
    assert.deepEqual(await messages('cache c', '  total-max-size 1', 'frontend f', '  bind :80', '  filter cache c x'), ["'filter cache' : unknown keyword 'x'."]);
    assert.deepEqual(await messages('cache c', '  total-max-size 1', 'frontend f', '  bind :80', '  filter cache c', '  filter cache c'), [
      "'filter' : 'f: multiple explicit declarations of the cache filter 'c''",
    ]);
  });
});
