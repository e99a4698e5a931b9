/**
 * Black-box conformance of the HTTP version of a request or status line. HAProxy 2.6
 * (h1_process_req_vsn / h1_process_res_vsn) takes any `HTTP/DIGIT.DIGIT`: 1.0 is HTTP/1.0,
 * anything above it HTTP/1.1 (HTTP/1.2, HTTP/2.0): the message is forwarded as HTTP/1.1
 * (h1_format_htx_reqline / _stline), while `%HV`, `%r`, `req.ver` and `res.ver` show the
 * version as received, and `capture.req.ver` the one of its flags (HTTP/1.1). Other forms
 * (`HTTP/1.12`, `HTTP/1`) are a 400. The method PRI is refused (http_wait_for_request: it is
 * the HTTP/2 preface's), in any case.
 *
 * Stricter than HAProxy on purpose: a version below 1.0 (`HTTP/0.9` in a request line with
 * headers) is a 400 here, where HAProxy forwards it as it came, to a server that may read an
 * HTTP/0.9 request line and take the header lines after it for another request; a server's
 * `HTTP/0.9` status line is a 502.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-version.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { destroyAllClients, exchange } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, assertErrorPage, startProxy, stopProxy } from '../support/http-suite.ts';
import { cannedBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { RawH2, field } from '../support/h2-raw.ts';

const PORT_NAMES = ['fe', 'h2', 'app', 'odd', 'old'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    bind 127.0.0.1:${p.h2} proto h2
    http-request set-var(txn.rv) req.ver
    http-request set-var(txn.cap) capture.req.ver
    http-response set-header x-req-ver %[var(txn.rv)]
    http-response set-header x-cap %[var(txn.cap)]
    http-response set-header x-res-ver %[res.ver]
    http-response set-header x-hv %HV
    http-response set-header x-r "%r"
    use_backend odd if { path /odd }
    use_backend old if { path /old }
    default_backend app

backend app
    server s1 127.0.0.1:${p.app}

backend odd
    server s1 127.0.0.1:${p.odd}

backend old
    server s1 127.0.0.1:${p.old}
`;
}

for (const target of TARGETS) {
  describe(`HTTP versions on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend | undefined;
    let odd: HttpTestBackend | undefined;
    let old: HttpTestBackend | undefined;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      app = await cannedBackend(ports.app, 'app', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', 'keep');
      odd = await cannedBackend(ports.odd, 'odd', 'HTTP/1.2 200 Fine\r\ncontent-length: 2\r\n\r\nok', 'keep');
      old = await cannedBackend(ports.old, 'old', 'HTTP/0.9 200 OK\r\ncontent-length: 2\r\n\r\nok', 'keep');
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all([app?.close(), odd?.close(), old?.close()]);
    });

    for (const version of ['1.2', '2.0', '9.9']) {
      it(`HTTP/${version} is served as HTTP/1.1: forwarded so, logged as it came`, async () => {
        const { response, closed } = await exchange(ports.fe, `GET /v HTTP/${version}\r\nhost: a\r\n\r\n`, 'GET', 5000, 100);
        assert.equal(response.head.startLine, 'HTTP/1.1 200 OK');
        assert.equal(closed, false, 'kept alive, as an HTTP/1.1 request');
        assert.equal(app?.lastRequest()?.rawHead, 'GET /v HTTP/1.1\r\nhost: a\r\n\r\n');
        assert.equal(response.header('x-req-ver'), version);
        assert.equal(response.header('x-cap'), 'HTTP/1.1');
        assert.equal(response.header('x-res-ver'), '1.1');
        assert.equal(response.header('x-hv'), `HTTP/${version}`);
        assert.equal(response.header('x-r'), `GET /v HTTP/${version}`);
      });
    }

    it('an HTTP/2 request: req.ver and %HV say 2.0, capture.req.ver HTTP/1.1 (its flags)', async () => {
      const h2 = await RawH2.connect(ports.h2);
      try {
        h2.sendHeaders(1, [[':method', 'GET'], [':scheme', 'http'], [':authority', 'a'], [':path', '/v']], true);
        const res = await h2.response(1);
        assert.equal(field(res, ':status'), '200');
        assert.equal(field(res, 'x-req-ver'), '2.0');
        assert.equal(field(res, 'x-cap'), 'HTTP/1.1');
        assert.equal(field(res, 'x-hv'), 'HTTP/2.0');
        assert.equal(field(res, 'x-r'), 'GET http://a/v HTTP/2.0');
      } finally {
        h2.close();
      }
    });

    it('HTTP/1.0 and HTTP/1.1 are what they say', async () => {
      const { response } = await exchange(ports.fe, 'GET /v HTTP/1.0\r\nhost: a\r\n\r\n');
      assert.equal(response.header('x-req-ver'), '1.0');
      assert.equal(response.header('x-cap'), 'HTTP/1.0');
      assert.equal(response.header('x-hv'), 'HTTP/1.0');
      assert.equal(app?.lastRequest()?.rawHead, 'GET /v HTTP/1.0\r\nhost: a\r\nconnection: keep-alive\r\n\r\n');
    });

    for (const version of ['HTTP/1.12', 'HTTP/1', 'HTTP/1.x', 'HTTPS/1.1']) {
      it(`${version} is a 400`, async () => {
        const before = app?.requests;
        const { response, closed } = await exchange(ports.fe, `GET /v ${version}\r\nhost: a\r\n\r\n`);
        assertErrorPage(response, 400);
        assert.equal(closed, true);
        assert.equal(app?.requests, before);
      });
    }

    it(`HTTP/0.9 with headers is ${target === 'haproxy' ? 'forwarded as it came (HAProxy)' : 'a 400 (stricter than HAProxy)'}`, async () => {
      const before = app?.requests ?? 0;
      const { response } = await exchange(ports.fe, 'GET /v HTTP/0.9\r\nhost: a\r\n\r\n');
      if (target === 'haproxy') {
        assert.equal(response.status, 200);
        assert.equal(app?.lastRequest()?.rawHead.split('\r\n')[0], 'GET /v HTTP/0.9');
        return;
      }
      assertErrorPage(response, 400);
      assert.equal(app?.requests, before);
    });

    it("a server's HTTP/1.2 status line goes to the client as HTTP/1.1; res.ver shows 1.2", async () => {
      const { response } = await exchange(ports.fe, 'GET /odd HTTP/1.1\r\nhost: a\r\n\r\n');
      assert.equal(response.head.startLine, 'HTTP/1.1 200 Fine');
      assert.equal(response.header('x-res-ver'), '1.2');
      assert.equal(response.text, 'ok');
    });

    it(`a server's HTTP/0.9 status line is ${target === 'haproxy' ? 'forwarded as it came (HAProxy)' : 'a 502 (stricter than HAProxy)'}`, async () => {
      const { response } = await exchange(ports.fe, 'GET /old HTTP/1.1\r\nhost: a\r\n\r\n');
      if (target === 'haproxy') {
        assert.equal(response.status, 200);
        return;
      }
      assertErrorPage(response, 502);
    });

    for (const method of ['PRI', 'pri']) {
      it(`the method ${method} is a 400, never forwarded`, async () => {
        const before = app?.requests;
        const { response, closed } = await exchange(ports.fe, `${method} /v HTTP/1.1\r\nhost: a\r\n\r\n`, method);
        assertErrorPage(response, 400);
        assert.equal(closed, true);
        assert.equal(app?.requests, before);
      });
    }
  });
}
