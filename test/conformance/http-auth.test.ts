/**
 * Black-box conformance of HTTP Basic authentication: `userlist` sections with SHA-512, SHA-256,
 * MD5 and insecure passwords, `http-request auth [realm R]`, `http_auth(L)`,
 * `http_auth_group(L)` in ACLs and the `http_auth_*` fetches. The 401 replies are compared byte
 * for byte with HAProxy 2.6's (its 401 page plus `www-authenticate` last; the connection kept
 * after it, `connection: close` for an HTTP/1.0 client).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-auth.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import type { HttpResponse } from '../support/http-wire.ts';

const PORT_NAMES = ['main', 'second', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

/** `openssl passwd -6|-5|-1 -salt saltsalt secret`. */
const SHA512 = '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1';
const SHA256 = '$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA';
const MD5 = '$1$saltsalt$9xy1btjgzLYfb7hivXtC//';

function configFor(p: Ports): string {
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
userlist admins
    group ops users carol
    group dev
    user alice password ${SHA512} groups dev
    user bob insecure-password s3cret
    user carol password ${SHA256}
    user dave password ${MD5}

frontend fe
    bind 127.0.0.1:${p.main}
    acl authorized http_auth(admins)
    acl is_ops http_auth_group(admins) ops
    http-request auth realm "Switchyard Test" if { path_beg /realm } !authorized
    http-request auth unless authorized
    http-request return status 200 content-type text/plain lf-string "user=%[http_auth_user] pass=%[http_auth_pass] type=%[http_auth_type] group-user=%[http_auth_group(admins)]" if { path /whoami }
    http-request deny if { path_beg /ops } !is_ops
    default_backend be

backend be
    server s1 127.0.0.1:${p.app}

frontend fe_second
    bind 127.0.0.1:${p.second}
    default_backend be_protected

backend be_protected
    http-request auth if !{ http_auth(admins) }
    server s1 127.0.0.1:${p.app}
`;
}

/** The response exactly as it came on the wire (head and body). */
function wire(res: HttpResponse): string {
  return res.head.raw + res.body.toString('latin1');
}

const PAGE = '<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n';

/** HAProxy 2.6's answer to `http-request auth` (captured from /usr/sbin/haproxy). */
function unauthorized(realm: string, close = false): string {
  return (
    'HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n' +
    `www-authenticate: Basic realm="${realm}"\r\n${close ? 'connection: close\r\n' : ''}\r\n${PAGE}`
  );
}

const basic = (credentials: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(credentials).toString('base64')}` });

for (const target of TARGETS) {
  describe(`HTTP Basic authentication on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: HttpTestBackend[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      backends.push(await appBackend(ports.app, 'app'));
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it('no credentials: the 401 page with WWW-Authenticate (realm: the proxy name), and the connection stays open', async () => {
      const conn = await HttpConnection.open(ports.main);
      assert.equal(wire(await conn.request('GET', '/')), unauthorized('fe'));
      assert.equal(wire(await conn.request('GET', '/realm/x')), unauthorized('Switchyard Test'));
      assert.equal(conn.closed, false);
      const ok = await conn.request('GET', '/after', basic('bob:s3cret'));
      assert.equal(ok.header('x-backend'), 'app');
      conn.destroy();
    });

    it('an HTTP/1.0 client gets connection: close', async () => {
      const conn = await HttpConnection.open(ports.main);
      await conn.write('GET /realm HTTP/1.0\r\nhost: x\r\n\r\n');
      assert.equal(wire(await conn.read()), unauthorized('Switchyard Test', true));
      assert.equal(await conn.waitClosed(2000), true);
    });

    it('wrong passwords, unknown users and other schemes get the 401', async () => {
      const conn = await HttpConnection.open(ports.main);
      const attempts: Record<string, string>[] = [
        basic('alice:Secret'),
        basic('alice:'),
        basic('bob:s3cre'),
        basic('eve:secret'),
        basic('alicesecret'),
        { authorization: 'Bearer secret' },
        { authorization: 'Digest username="alice"' },
        { authorization: 'Basic not-base64!' },
      ];
      for (const headers of attempts) assert.equal(wire(await conn.request('GET', '/', headers)), unauthorized('fe'), JSON.stringify(headers));
      conn.destroy();
    });

    it('the right password ($6$, $5$, $1$ hashes, insecure-password) reaches the backend, Authorization forwarded', async () => {
      const conn = await HttpConnection.open(ports.main);
      for (const credentials of ['alice:secret', 'carol:secret', 'dave:secret', 'bob:s3cret']) {
        const res = await conn.request('GET', '/echo', basic(credentials));
        assert.equal(res.status, 200, credentials);
        assert.equal(res.header('x-backend'), 'app', credentials);
        assert.match(res.text, new RegExp(`authorization: Basic ${Buffer.from(credentials).toString('base64')}\r\n`, 'i'), credentials);
      }
      // Twice: the second check of a pair answers the same.
      assert.equal((await conn.request('GET', '/again', basic('alice:secret'))).status, 200);
      assert.equal((await conn.request('GET', '/again', basic('alice:wrong'))).status, 401);
      assert.equal((await conn.request('GET', '/again', basic('alice:wrong'))).status, 401);
      conn.destroy();
    });

    it("the scheme is read as HAProxy reads it: any case, several spaces, any prefix of 'Basic'", async () => {
      const conn = await HttpConnection.open(ports.main);
      const b64 = Buffer.from('bob:s3cret').toString('base64');
      for (const value of [`basic ${b64}`, `BASIC    ${b64}`, `B ${b64}`]) {
        assert.equal((await conn.request('GET', '/', { authorization: value })).status, 200, value);
      }
      conn.destroy();
    });

    it('http_auth_user, http_auth_pass, http_auth_type and http_auth_group as samples', async () => {
      const conn = await HttpConnection.open(ports.main);
      const res = await conn.request('GET', '/whoami', basic('carol:secret'));
      assert.equal(res.text, 'user=carol pass=secret type=Basic group-user=carol');
      conn.destroy();
    });

    it("a group-based ACL: members of 'ops' (declared on the group's line) pass, others are denied", async () => {
      const conn = await HttpConnection.open(ports.main);
      assert.equal((await conn.request('GET', '/ops/x', basic('carol:secret'))).header('x-backend'), 'app');
      assert.equal((await conn.request('GET', '/ops/x', basic('alice:secret'))).status, 403);
      assert.equal((await conn.request('GET', '/ops/x', basic('bob:s3cret'))).status, 403);
      conn.destroy();
    });

    it("a backend's rule: the realm is the backend's name", async () => {
      const conn = await HttpConnection.open(ports.second);
      assert.equal(wire(await conn.request('GET', '/')), unauthorized('be_protected'));
      assert.equal((await conn.request('GET', '/', basic('dave:secret'))).header('x-backend'), 'app');
      conn.destroy();
    });
  });
}
