/**
 * `dispatch ADDR:PORT` and `option transparent`: a backend without `balance` sends its
 * connections there instead of to servers (HAProxy's PR_O_DISPATCH / PR_O_TRANSP), with
 * HAProxy 2.6's checks and messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, httpBackend, parse, TIMEOUTS, warnings } from './support.ts';

describe('dispatch and option transparent', () => {
  it('dispatch gives the backend its address', async () => {
    assert.deepEqual((await httpBackend('  dispatch 127.0.0.1:8080')).direct, { kind: 'dispatch', host: '127.0.0.1', port: 8080 });
    assert.deepEqual((await httpBackend('  dispatch [::1]:81')).direct, { kind: 'dispatch', host: '::1', port: 81 });
  });

  it('option transparent targets the client’s destination; inherited from defaults; dispatch wins', async () => {
    assert.deepEqual((await httpBackend('  option transparent')).direct, { kind: 'transparent' });
    const model = await parse(cfg('defaults', '  mode http', '  option transparent', ...TIMEOUTS, 'backend b'));
    assert.deepEqual(model.backends[0]?.direct, { kind: 'transparent' });
    assert.deepEqual((await httpBackend('  option transparent', '  dispatch 10.0.0.1:80')).direct, { kind: 'dispatch', host: '10.0.0.1', port: 80 });
    assert.equal((await httpBackend('  server s 10.0.0.1:80')).direct, undefined);
  });

  it('with `balance`: transparent is refused, dispatch ignored with a warning (HAProxy’s words)', async () => {
    assert.deepEqual(await errors(cfg('backend b1', '  balance roundrobin', '  option transparent')), [
      [1, 1, 'option transparent', "backend 'b1' cannot use both transparent and balance mode."],
    ]);
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'backend b2', '  balance roundrobin', '  dispatch 127.0.0.1:80'));
    assert.equal(model.backends[0]?.direct, undefined);
    assert.deepEqual(warnings(model), [[8, 'dispatch', "dispatch address of backend 'b2' will be ignored in balance mode."]]);
  });

  it('refuses dispatch in defaults, without an address, or with more arguments', async () => {
    assert.deepEqual((await errors(cfg('defaults', '  dispatch 127.0.0.1:80'))).map((e) => e[3]), ["'dispatch' not allowed in 'defaults' section."]);
    assert.deepEqual((await errors(cfg('backend b', '  dispatch 127.0.0.1:80 foo'))).map((e) => e[3]), ["'dispatch' cannot handle unexpected argument 'foo'."]);
    assert.deepEqual((await errors(cfg('backend b', '  dispatch'))).map((e) => e[3]), ["'dispatch' : missing address"]);
    assert.equal((await errors(cfg('backend b', '  dispatch 127.0.0.1'))).length, 1);
  });
});

describe('server addresses taking the client’s destination port', () => {
  it('no port, port 0 and +N/-N map ports (HAProxy’s SRV_F_MAPPORTS), the port being the offset', async () => {
    const ports = async (address: string) => {
      const server = (await httpBackend(`  server s ${address}`)).servers[0];
      return [server?.port, server?.mapPorts];
    };
    assert.deepEqual(await ports('10.0.0.1'), [0, true]);
    assert.deepEqual(await ports('10.0.0.1:0'), [0, true]);
    assert.deepEqual(await ports('10.0.0.1:+1000'), [1000, true]);
    assert.deepEqual(await ports('10.0.0.1:-10'), [-10, true]);
    assert.deepEqual(await ports('10.0.0.1:80'), [80, undefined]);
  });
});
