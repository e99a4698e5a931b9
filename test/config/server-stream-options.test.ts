import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendErrors, httpBackend } from './support.ts';

describe('server redir, non-stick / stick and log-proto (HAProxy 2.6 srv_kws)', () => {
  it('keeps the redir prefix, also from default-server, a later line winning', async () => {
    const backend = await httpBackend('  default-server redir http://a.example', '  server s 10.0.0.1:80', '  server t 10.0.0.2:80 redir /');
    assert.equal(backend.servers[0]?.redirectPrefix, 'http://a.example');
    assert.equal(backend.servers[1]?.redirectPrefix, '/');
    const plain = await httpBackend('  server s 10.0.0.1:80');
    assert.equal(plain.servers[0]?.redirectPrefix, undefined);
  });

  it("refuses a redir without a prefix with HAProxy's message", async () => {
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 redir ""'), [[2, 24, 'server', "'redir' expects <prefix> as argument.."]]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 redir'), [[2, 24, 'server', "'redir' expects <prefix> as argument.."]]);
  });

  it('refuses redir in a tcp backend (check_config_validity)', async () => {
    const messages = (await backendErrors('  mode tcp', '  server s 10.0.0.1:80 redir http://x')).map((e) => e[3]);
    assert.deepEqual(messages, ["backend 'b' : server cannot have cookie or redirect prefix in non-HTTP mode."]);
  });

  it('sets non-stick, and stick undoes a default-server non-stick', async () => {
    const backend = await httpBackend('  default-server non-stick', '  server s 10.0.0.1:80', '  server t 10.0.0.2:80 stick');
    assert.equal(backend.servers[0]?.nonStick, true);
    assert.equal(backend.servers[1]?.nonStick, undefined);
  });

  it("accepts log-proto legacy|octet-count on a backend's server, refusing other words as HAProxy", async () => {
    const backend = await httpBackend('  default-server log-proto octet-count', '  server s 10.0.0.1:80 log-proto legacy');
    assert.equal(backend.servers.length, 1);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 log-proto foo'), [
      [2, 34, 'server', "'log-proto' expects one of 'legacy' or 'octet-count' but got 'foo'."],
    ]);
    assert.deepEqual(await backendErrors('  server s 10.0.0.1:80 log-proto'), [[2, 24, 'server', "'log-proto' expects one of 'legacy' or 'octet-count' but got ''."]]);
  });
});
