import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse, TIMEOUTS } from './support.ts';

describe('global pp2-never-send-local', () => {
  it('is off by default and set by the keyword', async () => {
    assert.equal((await parse(cfg('global'))).global.pp2NeverSendLocal, undefined);
    assert.equal((await parse(cfg('global', '  pp2-never-send-local'))).global.pp2NeverSendLocal, true);
  });

  it("refuses an argument with HAProxy's message", async () => {
    assert.deepEqual(await errors(cfg('global', '  pp2-never-send-local foo')), [
      [2, 24, 'pp2-never-send-local', "'pp2-never-send-local' cannot handle unexpected argument 'foo'."],
    ]);
  });

  it('refuses it for TLS health checks of a send-proxy-v2 server (the header would follow the handshake)', async () => {
    const messages = (
      await errors(cfg('global', '  pp2-never-send-local', 'defaults', ...TIMEOUTS, 'backend b', '  server s 10.0.0.1:443 ssl verify none send-proxy-v2 check'))
    ).map((e) => e[3]);
    assert.deepEqual(messages, [
      "backend 'b' : server 's' : a PROXY v2 header with addresses ('pp2-never-send-local') on TLS health checks is not supported by Switchyard yet.",
    ]);
    // Plain checks, and TLS checks without it, are fine.
    await parse(cfg('global', '  pp2-never-send-local', 'defaults', ...TIMEOUTS, 'backend b', '  server s 10.0.0.1:80 send-proxy-v2 check'));
    await parse(cfg('defaults', ...TIMEOUTS, 'backend b', '  server s 10.0.0.1:443 ssl verify none send-proxy-v2 check'));
  });
});
