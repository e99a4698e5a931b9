/**
 * Black-box conformance of a request target starting with `*` on a method other than OPTIONS.
 * HAProxy 2.6's h1 parser takes it for every method but CONNECT (h1_postparse_req_hdrs only
 * looks for an authority when the target starts with neither '/' nor '*'), forwards it as it
 * came, and its fetches see no path; HTTP/2's `:path *` (h2_prepare_htx_reqline) becomes `*`
 * without `:authority`, and `scheme://authority` with it, which the H1 side sends as `/`.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-asterisk-target.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exchange } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, assertErrorPage, proxyWithBackend } from '../support/http-suite.ts';
import { cannedBackend } from '../support/http-backends.ts';
import { FrameType, RawH2, field } from '../support/h2-raw.ts';

const PORT_NAMES = ['h1', 'h2', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

/** The fetches reported back: each one's value, or `-` when it found nothing. */
const FETCHES = ['path', 'url', 'base', 'query', 'pathq', 'url_param(a)', 'req.hdr(host)', 'method', 'base32'] as const;

function configFor(p: Ports): string {
  const vars = FETCHES.map((f, i) => `    http-request set-var(txn.f${i}) str(-)\n    http-request set-var(txn.f${i}) ${f}`).join('\n');
  const headers = FETCHES.map((_, i) => `    http-response set-header x-f${i} "%[var(txn.f${i})]"`).join('\n');
  return `${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.h1}
    bind 127.0.0.1:${p.h2} proto h2
${vars}
${headers}
    default_backend be

backend be
    server s1 127.0.0.1:${p.app}
`;
}

function fetched(header: (name: string) => string | undefined): Record<string, string | undefined> {
  return Object.fromEntries(FETCHES.map((f, i) => [f, header(`x-f${i}`)]));
}

/** What HAProxy's fetches give on `*` with `Host: a`: no path, the asterisk as the URL. */
const ON_ASTERISK = { path: '-', url: '*', base: 'a', query: '-', pathq: '-', 'url_param(a)': '-', 'req.hdr(host)': 'a', base32: '1830748055' };

for (const target of TARGETS) {
  describe(`'*' request target on ${target}`, () => {
    const suite = proxyWithBackend(target, PORT_NAMES, configFor, (port) => cannedBackend(port, 'app', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', 'keep'));

    for (const method of ['GET', 'HEAD', 'POST']) {
      it(`${method} * is forwarded as it came, its fetches seeing no path`, async () => {
        const body = method === 'POST' ? 'content-length: 3\r\n\r\nabc' : '\r\n';
        const { response } = await exchange(suite.ports.h1, `${method} * HTTP/1.1\r\nhost: a\r\n${body}`, method, 5000, 50);
        assert.equal(response.status, 200);
        assert.equal(response.text, method === 'HEAD' ? '' : 'ok');
        assert.deepEqual(fetched((n) => response.header(n)), { ...ON_ASTERISK, method });
        const got = suite.app.lastRequest();
        assert.equal(got?.rawHead, `${method} * HTTP/1.1\r\nhost: a\r\n${method === 'POST' ? 'content-length: 3\r\n' : ''}\r\n`);
        if (method === 'POST') assert.equal(got?.body?.body.toString('latin1'), 'abc');
      });
    }

    it('a query after the asterisk is the query of the fetches; the server gets it all', async () => {
      const { response } = await exchange(suite.ports.h1, 'GET *?a=1 HTTP/1.1\r\nhost: a\r\n\r\n', 'GET', 5000, 50);
      assert.equal(response.status, 200);
      assert.deepEqual(fetched((n) => response.header(n)), { ...ON_ASTERISK, url: '*?a=1', query: 'a=1', 'url_param(a)': '1', method: 'GET' });
      assert.equal(suite.app.lastRequest()?.rawHead, 'GET *?a=1 HTTP/1.1\r\nhost: a\r\n\r\n');
    });

    it('an HTTP/1.0 GET * is forwarded too', async () => {
      const { response, closed } = await exchange(suite.ports.h1, 'GET * HTTP/1.0\r\n\r\n');
      assert.equal(response.status, 200);
      assert.equal(response.header('connection'), 'close');
      assert.equal(closed, true);
      assert.equal(suite.app.lastRequest()?.rawHead, 'GET * HTTP/1.0\r\nconnection: keep-alive\r\n\r\n');
    });

    it('CONNECT * stays a 400: CONNECT needs an authority', async () => {
      const before = suite.app.requests;
      const { response, closed } = await exchange(suite.ports.h1, 'CONNECT * HTTP/1.1\r\nhost: a\r\n\r\n', 'CONNECT');
      assertErrorPage(response, 400);
      assert.equal(closed, true);
      assert.equal(suite.app.requests, before);
    });

    it("HTTP/2 :path '*' on GET: '*' without :authority, '/' to the server with it", async () => {
      const h2 = await RawH2.connect(suite.ports.h2);
      try {
        h2.sendHeaders(1, [[':method', 'GET'], [':scheme', 'http'], [':path', '*']], true);
        const bare = await h2.response(1);
        assert.equal(field(bare, ':status'), '200');
        assert.equal(field(bare, 'x-f1'), '*');
        assert.equal(field(bare, 'x-f0'), '-');
        assert.equal(suite.app.lastRequest()?.rawHead, 'GET * HTTP/1.1\r\n\r\n');

        h2.sendHeaders(3, [[':method', 'POST'], [':scheme', 'http'], [':authority', 'a'], [':path', '*'], ['content-length', '3']], false);
        h2.sendData(3, Buffer.from('abc'), true);
        const withAuthority = await h2.response(3);
        assert.equal(withAuthority?.type, FrameType.HEADERS);
        assert.equal(field(withAuthority, ':status'), '200');
        assert.equal(field(withAuthority, 'x-f1'), 'http://a');
        assert.equal(field(withAuthority, 'x-f0'), '-');
        assert.equal(field(withAuthority, 'x-f2'), 'a');
        assert.equal(suite.app.lastRequest()?.rawHead, 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\n\r\n');
        assert.equal(suite.app.lastRequest()?.body?.body.toString('latin1'), 'abc');
      } finally {
        h2.close();
      }
    });
  });
}
