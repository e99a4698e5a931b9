/** `ring` sections and `log ring@` / `log tcp@` targets in the model, with HAProxy 2.6's checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse } from './support.ts';

describe('ring sections', () => {
  it('reads the settings, and gives each tcp@ target an implicit ring#N with one server', async () => {
    const model = await parse(
      cfg('global', '  log ring@r local0', '  log tcp@127.0.0.1:6514 format rfc5424 local1', '  log tcp6@[::1] local2', 'ring r', '  description "d"', '  format rfc3164', '  maxlen 300', '  size 20000', '  timeout connect 1s', '  timeout server 2s', '  server s1 127.0.0.1:6514 log-proto octet-count'),
    );
    const [r, one, two] = model.rings ?? [];
    assert.deepEqual(r, { name: 'r', description: 'd', format: 'rfc3164', maxLength: 300, size: 20000, servers: [{ name: 's1', address: '127.0.0.1', port: 6514, octetCount: true }], timeoutConnect: 1000, timeoutServer: 2000 });
    assert.equal(one?.name, 'ring#1');
    assert.equal(one?.format, 'rfc5424');
    assert.deepEqual(one?.servers, [{ name: 'ring#1', address: '127.0.0.1', port: 6514, octetCount: false }]);
    assert.deepEqual(two?.servers, [{ name: 'ring#2', address: '::1', port: 514, octetCount: false }], 'port 514 by default');
    assert.deepEqual(model.global.logs.map((l) => l.ring), ['r', 'ring#1', 'ring#2']);
  });

  it('lists the implicit rings as HAProxy 2.6.12: the global lines, then the proxies in their order', async () => {
    const model = await parse(cfg('global', '  log tcp@127.0.0.1:1 local0', 'frontend a', '  log tcp@127.0.0.1:2 local0', 'frontend b', '  log tcp@127.0.0.1:3 local0'));
    assert.deepEqual(model.rings?.map((r) => [r.name, r.servers[0]?.port]), [['ring#1', 1], ['ring#2', 2], ['ring#3', 3]]);
  });

  it("refuses HAProxy's invalid forms", async () => {
    const messages = async (...lines: string[]) => (await errors(cfg(...lines))).map((e) => e[3]);
    assert.deepEqual(await messages('ring r', '  size 1000'), ["ignoring new size '1000' that is smaller than current size '16384' for ring 'r'."]);
    assert.deepEqual(await messages('ring r', '  maxlen 0'), ["invalid size '0' for new sink buffer."]);
    assert.deepEqual(await messages('ring r', '  format foo'), ["unknown format 'foo'."]);
    assert.deepEqual(await messages('ring buf0'), ["sink named 'buf0' already exists."]);
    assert.deepEqual(await messages('ring r', '  server s 127.0.0.1:1 log-proto foo'), ["'server r/s' : 'log-proto' expects one of 'legacy' or 'octet-count' but got 'foo'."]);
    assert.match((await messages('ring r', '  backing-file /tmp/r'))[0] ?? '', /'backing-file' .* is not supported/);
    assert.match((await messages('global', '  log ring@nope local0'))[0] ?? '', /uses unknown ring named 'nope'\.$/);
  });
});
