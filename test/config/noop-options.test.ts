/** `option http-ignore-probes` and `option contstats` in the model, and the options accepted as no-ops or tunings (noop-options.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, parse, warnings } from './support.ts';

describe('probe and no-op options', () => {
  it('option http-ignore-probes reaches the frontend model, and no option turns an inherited one off', async () => {
    const model = await parse(cfg('defaults', '  mode http', '  option http-ignore-probes', ...TIMEOUTS, 'frontend a', '  bind 127.0.0.1:8080', 'frontend b', '  bind 127.0.0.1:8081', '  no option http-ignore-probes'));
    assert.equal(model.frontends[0]?.options.ignoreProbes, true);
    assert.equal(model.frontends[1]?.options.ignoreProbes, undefined);
  });

  it('http-no-delay and contstats are accepted without a notice; tcp-smart-accept/connect with a warning', async () => {
    const model = await parse(
      cfg('defaults', '  mode http', ...TIMEOUTS, '  option http-no-delay', '  option contstats', '  option tcp-smart-accept', '  option tcp-smart-connect', '  no option tcp-smart-connect', 'listen l', '  bind 127.0.0.1:8080', '  server s 127.0.0.1:1'),
    );
    assert.deepEqual(warnings(model), [
      [8, 'option', "'option tcp-smart-accept' has no effect in Switchyard (deferring the ACK of accepted connections is not available to the runtimes); ignored."],
      [9, 'option', "'option tcp-smart-connect' has no effect in Switchyard (merging the ACK of a connect with the first data is not available to the runtimes); ignored."],
    ]);
    // contstats reaches the frontend: rule values read the bytes so far.
    assert.equal(model.frontends[0]?.options.contstats, true);
  });

  it('option contstats is inherited from defaults and turned off by no option', async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, '  option contstats', 'frontend a', '  bind 127.0.0.1:8080', 'frontend b', '  bind 127.0.0.1:8081', '  no option contstats'));
    assert.equal(model.frontends[0]?.options.contstats, true);
    assert.equal(model.frontends[1]?.options.contstats, undefined);
  });
});
