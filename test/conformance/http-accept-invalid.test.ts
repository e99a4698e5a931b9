/**
 * Black-box conformance of `option accept-invalid-http-request` (frontend),
 * `option accept-invalid-http-response` (backend) and `option http-use-proxy-header`:
 * - without the options, a header name with '{' gets 400 (request) / 502 (response), a target
 *   with a non-ASCII byte or '#' gets 400; with them the message passes as it came;
 * - whitespace in a header name ("Transfer-Encoding :") is refused even with the option
 *   (Switchyard is stricter than HAProxy there: such a name smuggles a framing header);
 * - under http-use-proxy-header a proxied request (absolute target) authenticates with
 *   Proxy-Authorization and is answered 407 with Proxy-Authenticate.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-accept-invalid.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'node:net';
import http2 from 'node:http2';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { tcpServer, type TestBackend } from '../support/tcp-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, assertErrorPage, startProxy, stopProxy } from '../support/http-suite.ts';
import type { HttpResponse } from '../support/http-wire.ts';

const PORT_NAMES = ['be', 'badBe', 'strict', 'relaxed', 'resp'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
${HTTP_DEFAULTS}
userlist users
    user bob insecure-password s3cret

frontend strict
    bind 127.0.0.1:${p.strict}
    default_backend app

frontend relaxed
    bind 127.0.0.1:${p.relaxed}
    option accept-invalid-http-request
    option http-use-proxy-header
    http-request auth realm px if { path_beg /auth } !{ http_auth(users) }
    default_backend app

frontend resp
    bind 127.0.0.1:${p.resp}
    use_backend bad_relaxed if { path_beg /relaxed }
    default_backend bad_strict

backend app
    server s1 127.0.0.1:${p.be}

backend bad_strict
    server s1 127.0.0.1:${p.badBe}

backend bad_relaxed
    option accept-invalid-http-response
    server s1 127.0.0.1:${p.badBe}
`;
}

/** A server answering every request head with a response carrying a header named `X{y`. */
function badNameServer(port: number): Promise<TestBackend> {
  return tcpServer(port, (socket: Socket) => {
    let seen = '';
    socket.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
      if (seen.includes('\r\n\r\n')) socket.end('HTTP/1.1 200 OK\r\nX{y: odd\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
    });
  });
}

const BASIC_BOB = `Basic ${Buffer.from('bob:s3cret').toString('base64')}`;

for (const target of TARGETS) {
  describe(`option accept-invalid-http-request|response, http-use-proxy-header on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let app: HttpTestBackend;
    let bad: TestBackend;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      app = await appBackend(p.be, 'app');
      bad = await badNameServer(p.badBe);
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
      await bad.close();
    });

    async function raw(port: number, bytes: string): Promise<HttpResponse> {
      const conn = await HttpConnection.open(port);
      try {
        await conn.write(bytes);
        return await conn.read('GET', 10000);
      } finally {
        conn.destroy();
      }
    }

    it('a header name with { is refused without the option, forwarded with it', async () => {
      const head = 'GET /name HTTP/1.1\r\nHost: example.test\r\nX{y: 1\r\n\r\n';
      assertErrorPage(await raw(p.strict, head), 400);
      const before = app.requests;
      const res = await raw(p.relaxed, head);
      assert.equal(res.status, 200);
      assert.equal(app.requests, before + 1);
      const got = app.lastRequest();
      assert.equal(got?.target, '/name');
      assert.deepEqual(
        got?.headers.filter(([name]) => name.toLowerCase() === 'x{y').map(([, value]) => value),
        ['1'],
      );
    });

    it('a target with a non-ASCII byte or # is refused without the option, forwarded with it', async () => {
      for (const path of ['/caf\xe9', '/a#frag']) {
        const head = `GET ${path} HTTP/1.1\r\nHost: example.test\r\n\r\n`;
        assertErrorPage(await raw(p.strict, head), 400, path);
        const res = await raw(p.relaxed, head);
        assert.equal(res.status, 200, path);
        assert.equal(app.lastRequest()?.target, path);
      }
    });

    it('an HTTP/0.9 request is refused without the option, sent as HTTP/1.0 with it (GET only)', async () => {
      assertErrorPage(await raw(p.strict, 'GET /old\r\n'), 400);
      const before = app.requests;
      const res = await raw(p.relaxed, 'GET /old?x=1\r\n');
      assert.equal(res.status, 200);
      assert.equal(app.requests, before + 1);
      const got = app.lastRequest();
      assert.equal(got?.method, 'GET');
      assert.equal(got?.target, '/old?x=1');
      assert.equal(got?.version, 'HTTP/1.0');
      assert.deepEqual(got?.headers.filter(([name]) => name.toLowerCase() !== 'connection'), []);
      assertErrorPage(await raw(p.relaxed, 'POST /old\r\n'), 400);
      assert.equal(app.requests, before + 1);
    });

    it('a header name with whitespace is still refused with the option', { skip: target === 'haproxy' ? 'HAProxy 2.6 accepts it; Switchyard refuses it on purpose (smuggling)' : false }, async () => {
      const before = app.requests;
      for (const name of ['Transfer-Encoding ', 'Content-Length\t', 'X y']) {
        const head = `POST /ws HTTP/1.1\r\nHost: example.test\r\nContent-Length: 0\r\n${name}: 5\r\n\r\n`;
        assertErrorPage(await raw(p.relaxed, head), 400, JSON.stringify(name));
      }
      assert.equal(app.requests, before);
    });

    it('a response header name with { is a 502 without the option, forwarded with it', async () => {
      assertErrorPage(await raw(p.resp, 'GET /strict HTTP/1.1\r\nHost: example.test\r\n\r\n'), 502);
      const res = await raw(p.resp, 'GET /relaxed HTTP/1.1\r\nHost: example.test\r\n\r\n');
      assert.equal(res.status, 200);
      assert.equal(res.header('x{y'), 'odd');
      assert.equal(res.text, 'ok');
    });

    it('http-use-proxy-header: a proxied request authenticates with Proxy-Authorization, else 407', async () => {
      const origin = await raw(p.relaxed, 'GET /auth HTTP/1.1\r\nHost: example.test\r\n\r\n');
      assert.equal(origin.head.startLine, 'HTTP/1.1 401 Unauthorized');
      assert.equal(origin.header('www-authenticate'), 'Basic realm="px"');
      assert.equal(origin.header('proxy-authenticate'), undefined);

      const proxied = await raw(p.relaxed, 'GET http://example.test/auth HTTP/1.1\r\nHost: example.test\r\n\r\n');
      assert.equal(proxied.head.startLine, 'HTTP/1.1 407 Unauthorized');
      assert.match(proxied.text, /<h1>407 Unauthorized<\/h1>/);
      assert.equal(proxied.header('proxy-authenticate'), 'Basic realm="px"');
      assert.equal(proxied.header('www-authenticate'), undefined);

      const wrongHeader = await raw(p.relaxed, `GET http://example.test/auth HTTP/1.1\r\nHost: example.test\r\nAuthorization: ${BASIC_BOB}\r\n\r\n`);
      assert.equal(wrongHeader.status, 407);
      const ok = await raw(p.relaxed, `GET http://example.test/auth HTTP/1.1\r\nHost: example.test\r\nProxy-Authorization: ${BASIC_BOB}\r\n\r\n`);
      assert.equal(ok.status, 200);
      const originOk = await raw(p.relaxed, `GET /auth HTTP/1.1\r\nHost: example.test\r\nAuthorization: ${BASIC_BOB}\r\n\r\n`);
      assert.equal(originOk.status, 200);
    });

    it('http-use-proxy-header: an HTTP/2 request with :authority is a proxied one (absolute form inside)', async () => {
      const session = http2.connect(`http://127.0.0.1:${p.relaxed}`);
      session.on('error', () => {});
      try {
        const get = (headers: http2.OutgoingHttpHeaders) =>
          new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
            const req = session.request({ ':path': '/auth', ':authority': 'example.test', ...headers });
            req.on('response', (h) => {
              req.resume();
              req.on('end', () => resolve(h));
            });
            req.on('error', reject);
            req.setTimeout(10000, () => reject(new Error('h2 request timed out')));
          });
        const denied = await get({});
        assert.equal(denied[':status'], 407);
        assert.equal(denied['proxy-authenticate'], 'Basic realm="px"');
        assert.equal((await get({ 'proxy-authorization': BASIC_BOB }))[':status'], 200);
      } finally {
        session.destroy();
      }
    });
  });
}
