/**
 * Black-box conformance of `strict-mode on|off` (HAProxy 2.6's HTTP_MSGF_SOFT_RW): a rewrite
 * that fails ends the transaction with a 500 logged PR (request) / PH (response) in strict mode,
 * the default, and is skipped with `strict-mode off`, for the rest of the message only.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-strict-mode.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpConnection } from '../support/http-client.ts';
import { TARGETS, eventually, proxyWithBackend, strictOnly } from '../support/http-suite.ts';
import { cannedBackend } from '../support/http-backends.ts';
import { statNumbers } from '../support/cli-client.ts';

const PORT_NAMES = ['req', 'res', 'app', 'cli'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    stats socket ipv4@127.0.0.1:${p.cli} level admin

defaults
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
    log stdout format raw local0
    # %B: logged once the response is sent, after the response rules.
    log-format "strict %HP %ST %tsc %B"

frontend fe_req
    bind 127.0.0.1:${p.req}
    http-request strict-mode off if { path_beg /soft }
    # An absolute URI without an authority: HAProxy's http_update_host fails.
    http-request set-uri http:///x if { path_beg /strict } || { path_beg /soft }
    http-request return status 200 content-type text/plain string ok

frontend fe_res
    bind 127.0.0.1:${p.res}
    default_backend be_res

backend be_res
    http-request set-var(txn.path) path
    http-response strict-mode off if { var(txn.path) -m beg /soft }
    # A control character no header value may carry: Switchyard's failed rewrite.
    http-response set-header x-copy "a\\x01b"
    server s1 127.0.0.1:${p.app}
`;
}

for (const target of TARGETS) {
  describe(`strict-mode on ${target}`, () => {
    const suite = proxyWithBackend(target, PORT_NAMES, configFor, (port) => cannedBackend(port, 'app', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi', 'close'));

    async function logLine(path: string): Promise<string> {
      let found: string | undefined;
      await eventually(() => {
        found = suite.proxy.stdout.split('\n').find((l) => l.startsWith(`strict ${path} `))?.replace(/ \d+$/, '');
        return found !== undefined;
      }, 3000);
      assert.ok(found, `no log line for ${path} in:\n${suite.proxy.stdout}`);
      return found;
    }

    it('a failed request rewrite is a 500 logged PR by default, skipped with strict-mode off', async () => {
      const conn = await HttpConnection.open(suite.ports.req);
      const strict = await conn.request('GET', '/strict');
      assert.equal(strict.status, 500);
      assert.equal(await logLine('/strict'), 'strict /strict 500 PR--');
      // The connection stays (a 500 the proxy generated, the request read whole).
      const soft = await conn.request('GET', '/soft');
      assert.equal(soft.status, 200);
      assert.equal(soft.text, 'ok');
      // strict-mode is per message: the next request is strict again.
      assert.equal((await conn.request('GET', '/strict2')).status, 500);
      conn.destroy();
      // Three failed rewrites, two of them internal errors (the 500s), on the frontend.
      assert.deepEqual(await statNumbers(suite.ports.cli, 'fe_req', 'FRONTEND', ['wrew', 'eint']), [3, 2]);
    });

    it('a failed response rewrite is a 500 logged PH by default, skipped with strict-mode off', { skip: strictOnly(target, 'HAProxy forwards a control character in a rewritten header value') }, async () => {
      const conn = await HttpConnection.open(suite.ports.res);
      const strict = await conn.request('GET', '/res-strict');
      assert.equal(strict.status, 500);
      assert.equal(await logLine('/res-strict'), 'strict /res-strict 500 PH--');
      const soft = await conn.request('GET', '/soft');
      assert.equal(soft.status, 200);
      assert.equal(soft.header('x-copy'), undefined);
      assert.equal(soft.text, 'hi');
      conn.destroy();
      // The response side counts on the frontend, the backend and the server that answered.
      assert.deepEqual(await statNumbers(suite.ports.cli, 'fe_res', 'FRONTEND', ['wrew', 'eint']), [2, 1]);
      assert.deepEqual(await statNumbers(suite.ports.cli, 'be_res', 'BACKEND', ['wrew', 'eint']), [2, 1]);
      assert.deepEqual(await statNumbers(suite.ports.cli, 'be_res', 's1', ['wrew', 'eint']), [2, 1]);
    });
  });
}
