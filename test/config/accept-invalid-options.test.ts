/** `option accept-invalid-http-request|response`, `option http-use-proxy-header`: where they apply, as HAProxy's cfg_opts2 rows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, parse, TIMEOUTS, warnings } from './support.ts';

describe('option accept-invalid-http-request|response, http-use-proxy-header', () => {
  it('reach the frontend (request, proxy header) and the backend (response) from defaults; `no option` turns them off', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  option accept-invalid-http-request',
        '  option accept-invalid-http-response',
        '  option http-use-proxy-header',
        'frontend f',
        '  bind :8000',
        '  default_backend a',
        'frontend g',
        '  bind :8001',
        '  no option accept-invalid-http-request',
        '  no option http-use-proxy-header',
        '  default_backend a',
        'backend a',
        'backend b',
        '  no option accept-invalid-http-response',
      ),
    );
    assert.deepEqual(
      model.frontends.map((f) => [f.options.acceptInvalidRequest === true, f.options.useProxyHeader === true]),
      [
        [true, true],
        [false, false],
      ],
    );
    assert.deepEqual(model.backends.map((b) => b.options.acceptInvalidResponse === true), [true, false]);
    assert.deepEqual(warnings(model), []);
  });

  it('are ignored in tcp mode with HAProxy\'s warning', async () => {
    const model = await parse(
      cfg('defaults', ...TIMEOUTS, 'listen l', '  bind :8000', '  option accept-invalid-http-request', '  option accept-invalid-http-response', '  option http-use-proxy-header', '  server s 127.0.0.1:80'),
    );
    assert.equal(model.frontends[0]?.options.acceptInvalidRequest, undefined);
    assert.equal(model.backends[0]?.options.acceptInvalidResponse, undefined);
    assert.deepEqual(warnings(model).map(([, , m]) => m).sort(), [
      "'option accept-invalid-http-request' ignored for proxy 'l' as it requires HTTP mode.",
      "'option accept-invalid-http-response' ignored for proxy 'l' as it requires HTTP mode.",
      "'option http-use-proxy-header' ignored for proxy 'l' as it requires HTTP mode.",
    ]);
  });
});
