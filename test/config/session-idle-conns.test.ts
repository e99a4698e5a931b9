import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, parse, warnings } from './support.ts';

const BACKEND = ['backend b', '  server s 127.0.0.1:1'];

describe('max-session-srv-conns', () => {
  it('is a frontend setting, inherited from defaults, read as atoi() reads it', async () => {
    const model = await parse(
      cfg('defaults', ...TIMEOUTS, '  max-session-srv-conns 3', 'frontend f', '  bind :8080', '  default_backend b', 'frontend g', '  bind :8081', '  max-session-srv-conns 7x', '  default_backend b', ...BACKEND),
    );
    assert.equal(model.frontends[0]?.maxSessionSrvConns, 3);
    assert.equal(model.frontends[1]?.maxSessionSrvConns, 7);
    const plain = await parse(cfg('defaults', ...TIMEOUTS, 'frontend f', '  bind :8080', '  default_backend b', ...BACKEND));
    assert.equal(plain.frontends[0]?.maxSessionSrvConns, undefined, "HAProxy's default 5 applies");
  });

  it("HAProxy's warning in a backend, its error without a number", async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'backend b', '  max-session-srv-conns 3', '  server s 127.0.0.1:1'));
    assert.deepEqual(warnings(model), [[6, 'max-session-srv-conns', "'max-session-srv-conns' ignored because backend 'b' has no frontend capability."]]);
    assert.deepEqual(await errors(cfg('frontend f', '  bind :8080', '  max-session-srv-conns')), [
      [3, 3, 'max-session-srv-conns', "parsine : 'max-session-srv-conns' expects a number. Got no argument"],
    ]);
  });
});

describe('max-keep-alive-queue', () => {
  it('reads strtol(..., 0) as HAProxy: -1 is no limit; backend side only', async () => {
    const model = await parse(
      cfg('defaults', ...TIMEOUTS, '  max-keep-alive-queue 0x10', 'backend a', '  server s 127.0.0.1:1', 'backend b', '  max-keep-alive-queue -1', '  server s 127.0.0.1:1', 'backend c', '  max-keep-alive-queue 010', '  server s 127.0.0.1:1'),
    );
    assert.deepEqual(model.backends.map((b) => b.maxKeepAliveQueue), [16, undefined, 8]);
    const front = await parse(cfg('defaults', ...TIMEOUTS, 'frontend f', '  bind :8080', '  max-keep-alive-queue 3', '  default_backend b', ...BACKEND));
    assert.deepEqual(warnings(front), [[7, 'max-keep-alive-queue', "max-keep-alive-queue will be ignored because frontend 'f' has no backend capability"]]);
    assert.deepEqual(await errors(cfg('backend b', '  max-keep-alive-queue', '  max-keep-alive-queue 5x')), [
      [2, 3, 'max-keep-alive-queue', "'max-keep-alive-queue' expects expects an integer value (or -1 to disable)"],
      [3, 24, 'max-keep-alive-queue', "'max-keep-alive-queue' : unexpected character 'x' in integer value '5x'"],
    ]);
  });
});

describe('transparent (the keyword)', () => {
  it("is HAProxy's old spelling of option transparent", async () => {
    const model = await parse(cfg('defaults', '  mode tcp', ...TIMEOUTS, 'listen l', '  bind :8080', '  transparent'));
    assert.deepEqual(model.backends[0]?.direct, { kind: 'transparent' });
    assert.deepEqual(await errors(cfg('listen l', '  bind :8080', '  transparent x')), [[3, 15, 'transparent', "'transparent' cannot handle unexpected argument 'x'."]]);
  });
});
