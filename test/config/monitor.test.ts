/** `monitor-uri` and `monitor fail` in the model. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse, TIMEOUTS } from './support.ts';

describe('monitor-uri / monitor fail', () => {
  it('sets the URI per frontend, inherits it from defaults, and collects fail conditions', async () => {
    const model = await parse(
      cfg('defaults', '  mode http', ...TIMEOUTS, '  monitor-uri /up', 'frontend a', '  bind :8080', 'frontend b', '  bind :8081', '  monitor-uri /health', '  monitor fail if { nbsrv(x) lt 1 }', 'backend x'),
    );
    assert.deepEqual(
      model.frontends.map((f) => [f.monitor?.uri, f.monitor?.fail.length]),
      [
        ['/up', 0],
        ['/health', 1],
      ],
    );
    const none = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend a', '  bind :8080'));
    assert.equal(none.frontends[0]?.monitor, undefined);
  });

  it("refuses HAProxy's invalid forms", async () => {
    const fe = (...lines: string[]) => errors(cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend a', '  bind :8080', ...lines));
    assert.deepEqual(await fe('  monitor-uri'), [[8, 3, 'monitor-uri', "'monitor-uri' expects an URI."]]);
    assert.deepEqual(await fe('  monitor ok if TRUE'), [[8, 11, 'monitor', "'monitor' only supports 'fail'."]]);
    assert.deepEqual(await fe('  monitor fail TRUE'), [[8, 16, 'monitor', "'monitor fail' requires either 'if' or 'unless' followed by a condition."]]);
    assert.deepEqual(await errors(cfg('defaults', '  monitor fail if TRUE')), [[2, 3, 'monitor', "'monitor' not allowed in 'defaults' section."]]);
  });
});
