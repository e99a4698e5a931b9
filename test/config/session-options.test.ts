/** `option prefer-last-server` and `option independent-streams`: where they apply, as HAProxy's cfg_opts rows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, parse, TIMEOUTS, warnings } from './support.ts';

describe('option prefer-last-server', () => {
  it('is a backend option inherited from defaults, off by `no option`', async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, '  option prefer-last-server', 'backend a', 'backend b', '  no option prefer-last-server'));
    assert.deepEqual(model.backends.map((b) => b.options.preferLastServer === true), [true, false]);
  });

  it('is ignored in tcp mode with HAProxy\'s warning, and in a frontend for lack of capability', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'listen l', '  bind :8000', '  option prefer-last-server', '  server s 127.0.0.1:80'));
    assert.equal(model.backends[0]?.options.preferLastServer, undefined);
    assert.deepEqual(
      warnings(model).map(([, , m]) => m),
      ["'option prefer-last-server' ignored for proxy 'l' as it requires HTTP mode."],
    );
    const front = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend f', '  bind :8000', '  option prefer-last-server', '  default_backend b', 'backend b'));
    assert.match(warnings(front).map(([, , m]) => m).join('\n'), /prefer-last-server' ignored because frontend 'f' has no backend capability/);
  });
});

describe('option independent-streams', () => {
  it('applies to both sides: the frontend for the client, the backend for the server', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'frontend f', '  bind :8000', '  option independent-streams', '  default_backend b', 'backend b', 'backend c', '  option independent-streams'));
    assert.equal(model.frontends[0]?.options.independentStreams, true);
    assert.deepEqual(model.backends.map((b) => b.options.independentStreams === true), [false, true]);
    assert.deepEqual(warnings(model), []);
  });
});
