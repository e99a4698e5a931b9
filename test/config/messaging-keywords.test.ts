/**
 * Keywords of HAProxy's `http-messaging` reg-tests: the proxy `id` (its uuid), the server's
 * `ws auto|h1|h2`, and `option splice-*` (accepted with a warning: no kernel splicing here).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, httpBackend, parse, warnings } from './support.ts';

describe('proxy id', () => {
  it('sets the uuid; the other proxies take the lowest numbers left, in declaration order', async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'listen a', '  bind :8001', '  id 2', 'backend b', 'frontend c', '  bind :8002', '  default_backend b', 'backend d', '  id 10'));
    assert.deepEqual(model.frontends.map((f) => [f.name, f.id]), [['a', 2], ['c', 3]]);
    assert.deepEqual(model.backends.map((b) => [b.name, b.id]), [['a', 2], ['b', 1], ['d', 10]]);
  });

  it('refuses 0, a missing value and a number another proxy has', async () => {
    assert.deepEqual((await errors(cfg('defaults', '  mode http', 'backend b', '  id 0'))).map((e) => e[2]), ['id']);
    assert.deepEqual((await errors(cfg('defaults', '  mode http', 'backend b', '  id'))).map((e) => e[3]), ["'id' expects an integer argument."]);
    const dup = await errors(cfg('defaults', '  mode http', ...TIMEOUTS, 'backend a', '  id 5', 'backend b', '  id 5'));
    assert.equal(dup.length, 1);
    assert.match(dup[0]![3], /same ID \(5\)/);
  });
});

describe('server ws', () => {
  it('is auto unless set to h1 or h2 (also on default-server)', async () => {
    const backend = await httpBackend('  default-server ws h1', '  server s 10.0.0.1:80', '  server t 10.0.0.1:81 ws h2', '  server u 10.0.0.1:82 ws auto');
    assert.deepEqual(backend.servers.map((s) => s.ws), ['h1', 'h2', 'auto']);
    assert.equal((await httpBackend('  server s 10.0.0.1:80')).servers[0]?.ws, undefined);
    const bad = await errors(cfg('defaults', '  mode http', 'backend b', '  server s 10.0.0.1:80 ws h3'));
    assert.equal(bad[0]![3], "'ws' expects 'auto', 'h1' or 'h2' but got 'h3'.");
  });
});

describe('option splice-*', () => {
  it('is accepted with a warning, in defaults and proxies', async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, '  option splice-request', 'backend b', '  option splice-response', '  option splice-auto', '  no option splice-auto'));
    assert.deepEqual(
      warnings(model).filter(([, keyword]) => keyword === 'option').map(([line, , message]) => [line, message]),
      [
        [6, "'option splice-request' has no effect in Switchyard (kernel splicing is not available to the runtimes); ignored."],
        [8, "'option splice-response' has no effect in Switchyard (kernel splicing is not available to the runtimes); ignored."],
        [9, "'option splice-auto' has no effect in Switchyard (kernel splicing is not available to the runtimes); ignored."],
      ],
    );
  });
});
