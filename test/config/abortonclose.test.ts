/** `option abortonclose`: where it takes effect (a backend, and a frontend only through defaults or a listen). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, parse, warnings } from './support.ts';

describe('option abortonclose', () => {
  it('from defaults reaches the frontend and the backend', async () => {
    const model = await parse(cfg('defaults', '  mode http', '  option abortonclose', ...TIMEOUTS, 'frontend fe', '  bind 127.0.0.1:8080', '  default_backend be', 'backend be', '  server s 127.0.0.1:1'));
    assert.equal(model.frontends[0]?.options.abortOnClose, true);
    assert.equal(model.backends[0]?.options.abortOnClose, true);
  });

  it('written in a backend stays there; in a frontend it is warned about and ignored (backend-only option)', async () => {
    const text = cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend fe', '  bind 127.0.0.1:8080', '  option abortonclose', '  default_backend be', 'backend be', '  option abortonclose', '  server s 127.0.0.1:1');
    const model = await parse(text);
    assert.equal(model.frontends[0]?.options.abortOnClose, undefined);
    assert.equal(model.backends[0]?.options.abortOnClose, true);
    assert.ok(warnings(model).some((w) => w[2].includes("abortonclose")), JSON.stringify(warnings(model)));
  });
});
