/**
 * Black-box conformance of `mode http`: request-smuggling defences and head limits (DESIGN.md §5).
 * Every malformed request goes out as exact bytes in one write over a raw socket; the test checks
 * the exact status (and HAProxy's error page), that the proxy closes the connection, and that the
 * request never reached the backend. Cases where Switchyard is deliberately stricter than HAProxy
 * are marked strictOnly (skipped for the `haproxy` reference target only).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-smuggling.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, scriptedBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients, exchange } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, assertErrorPage, startProxy, stopProxy, strictOnly } from '../support/http-suite.ts';
import { type HttpRequest, headerHasToken, headerValues } from '../support/http-wire.ts';

interface RejectCase {
  name: string;
  bytes: string;
  status: 400 | 422;
  /** Set when HAProxy 2.6 accepts this and only Switchyard rejects it. */
  strict?: string;
}

const POST = 'POST / HTTP/1.1\r\nHost: a.test\r\n';
const GET = 'GET / HTTP/1.1\r\nHost: a.test\r\n';
const CHUNKED_HELLO = '5\r\nhello\r\n0\r\n\r\n';

const REJECTED: RejectCase[] = [
  // Transfer-Encoding
  { name: 'a Transfer-Encoding whose last coding is not chunked (gzip)', bytes: `${POST}Transfer-Encoding: gzip\r\n\r\n`, status: 400 },
  { name: 'a Transfer-Encoding with chunked not last (chunked, gzip)', bytes: `${POST}Transfer-Encoding: chunked, gzip\r\n\r\n${CHUNKED_HELLO}`, status: 400 },
  { name: 'chunked twice in one Transfer-Encoding header', bytes: `${POST}Transfer-Encoding: chunked, chunked\r\n\r\n${CHUNKED_HELLO}`, status: 400 },
  { name: 'chunked twice in two Transfer-Encoding headers', bytes: `${POST}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_HELLO}`, status: 400 },
  { name: 'an unknown Transfer-Encoding alone (foo)', bytes: `${POST}Transfer-Encoding: foo\r\n\r\n`, status: 400 },
  { name: 'an unknown Transfer-Encoding before chunked (foo, chunked) -> 422', bytes: `${POST}Transfer-Encoding: foo, chunked\r\n\r\n${CHUNKED_HELLO}`, status: 422 },
  // Content-Length
  { name: 'differing duplicate Content-Length headers', bytes: `${POST}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`, status: 400 },
  { name: 'a Content-Length list with differing values', bytes: `${POST}Content-Length: 5, 6\r\n\r\nhello!`, status: 400 },
  { name: 'a Content-Length with a sign', bytes: `${POST}Content-Length: +5\r\n\r\nhello`, status: 400 },
  { name: 'a Content-Length with a non-digit', bytes: `${POST}Content-Length: 5a\r\n\r\nhello`, status: 400 },
  { name: 'a negative Content-Length', bytes: `${POST}Content-Length: -5\r\n\r\nhello`, status: 400 },
  { name: 'an empty Content-Length', bytes: `${POST}Content-Length: \r\n\r\n`, status: 400 },
  { name: 'an overflowing Content-Length', bytes: `${POST}Content-Length: 99999999999999999999999\r\n\r\n`, status: 400 },
  // Header names
  { name: 'a header name with a space before the colon', bytes: `${GET}Foo : bar\r\n\r\n`, status: 400 },
  { name: 'an empty header name', bytes: `${GET}: bar\r\n\r\n`, status: 400 },
  { name: 'a header name with a non-token character', bytes: `${GET}Fo(o: bar\r\n\r\n`, status: 400 },
  { name: 'a header line without a colon', bytes: `${GET}NoColonHere\r\n\r\n`, status: 400 },
  // Request target
  { name: 'a control character (0x01) in the URI', bytes: 'GET /a\x01b HTTP/1.1\r\nHost: a.test\r\n\r\n', status: 400 },
  { name: 'a TAB in the URI', bytes: 'GET /a\tb HTTP/1.1\r\nHost: a.test\r\n\r\n', status: 400 },
  { name: 'DEL (0x7f) in the URI', bytes: 'GET /a\x7fb HTTP/1.1\r\nHost: a.test\r\n\r\n', status: 400, strict: 'HAProxy forwards DEL in the request target' },
  // Chunked framing
  { name: 'a non-hex chunk size', bytes: `${POST}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`, status: 400 },
  { name: 'a negative chunk size', bytes: `${POST}Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n`, status: 400 },
  { name: 'an overflowing chunk size', bytes: `${POST}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\nhello\r\n0\r\n\r\n`, status: 400 },
  { name: 'chunk data not followed by CRLF', bytes: `${POST}Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n`, status: 400 },
  {
    name: 'a bare LF ending a chunk size line',
    bytes: `${POST}Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n`,
    status: 400,
    strict: 'HAProxy accepts a bare LF as a chunk line ending',
  },
  {
    name: 'a bare LF after chunk data',
    bytes: `${POST}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n`,
    status: 400,
    strict: 'HAProxy accepts a bare LF after chunk data',
  },
  // Host
  { name: 'differing duplicate Host headers', bytes: 'GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n', status: 400 },
  { name: 'an absolute-form target whose authority differs from Host', bytes: 'GET http://b.test/x HTTP/1.1\r\nHost: a.test\r\n\r\n', status: 400 },
  {
    name: 'a Host value that is not a host (a b)',
    bytes: 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n',
    status: 400,
    strict: 'HAProxy forwards any Host value',
  },
  {
    name: 'a Host value that is a list (a.test, b.test)',
    bytes: 'GET / HTTP/1.1\r\nHost: a.test, b.test\r\n\r\n',
    status: 400,
    strict: 'HAProxy forwards any Host value; its rules read the last host, a server may read the first',
  },
  {
    name: 'a Host value that is a list without space (a.test,b.test)',
    bytes: 'GET / HTTP/1.1\r\nHost: a.test,b.test\r\n\r\n',
    status: 400,
    strict: 'HAProxy forwards any Host value; its rules read the last host, a server may read the first',
  },
  {
    name: 'a Host value with userinfo (u@a.test)',
    bytes: 'GET / HTTP/1.1\r\nHost: u@a.test\r\n\r\n',
    status: 400,
    strict: 'HAProxy forwards any Host value; a URL parser reads a.test',
  },
  {
    name: 'identical duplicate Host headers',
    bytes: 'GET / HTTP/1.1\r\nHost: a.test\r\nHost: a.test\r\n\r\n',
    status: 400,
    strict: 'HAProxy only rejects differing Host headers; RFC 9112 §3.2 rejects any repeat',
  },
  // Line endings and folding
  {
    name: 'bare LF line endings in the request head',
    bytes: 'GET / HTTP/1.1\nHost: a.test\n\n',
    status: 400,
    strict: 'HAProxy accepts bare LF line endings in heads',
  },
  {
    name: 'one bare LF inside an otherwise CRLF head',
    bytes: 'GET / HTTP/1.1\r\nHost: a.test\nX: y\r\n\r\n',
    status: 400,
    strict: 'HAProxy accepts bare LF line endings in heads',
  },
  {
    name: 'an obs-fold continuation line',
    bytes: 'GET / HTTP/1.1\r\nHost: a.test\r\nX: y\r\n folded\r\n\r\n',
    status: 400,
    strict: 'HAProxy unfolds obs-fold into spaces; RFC 9112 §5.2 allows rejecting it with 400',
  },
  {
    name: 'a NUL byte in a header value',
    bytes: 'GET / HTTP/1.1\r\nHost: a.test\r\nX: a\x00b\r\n\r\n',
    status: 400,
    strict: 'HAProxy 2.6 forwards NUL in header values',
  },
  {
    // HTTP/1.2, HTTP/2.0... are HTTP/1.1 (HAProxy's rule, test/conformance/http-version).
    name: 'a version below 1.0 (HTTP/0.9 with header lines)',
    bytes: 'GET / HTTP/0.9\r\nHost: a.test\r\n\r\n',
    status: 400,
    strict: 'HAProxy forwards it as it came, to a server that may read an HTTP/0.9 request line and take the header lines after it for another request',
  },
];

/** Invalid responses: the proxy answers 502 instead of forwarding them (DESIGN.md §5). */
const BAD_RESPONSES: Array<{ name: string; bytes: string; strict?: string }> = [
  { name: 'differing values in one Content-Length', bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd' },
  { name: 'a non-digit Content-Length', bytes: 'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nabc' },
  { name: 'an empty Content-Length', bytes: 'HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n' },
  { name: 'chunked not last in Transfer-Encoding', bytes: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n' },
  { name: 'chunked twice', bytes: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' },
  { name: 'a Transfer-Encoding without chunked', bytes: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc' },
  { name: 'a non-numeric status', bytes: 'HTTP/1.1 2OO OK\r\nContent-Length: 3\r\n\r\nabc' },
  { name: 'a header name with a space before the colon', bytes: 'HTTP/1.1 200 OK\r\nFoo : bar\r\nContent-Length: 3\r\n\r\nabc' },
  {
    name: 'bare LF line endings',
    bytes: 'HTTP/1.1 200 OK\nContent-Length: 3\n\nabc',
    strict: 'HAProxy accepts bare LF line endings in response heads',
  },
];

/** Responses that are valid but need care. */
const RESPONSES = {
  clAndTe: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  sameCl: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc',
  closeDelimited: 'HTTP/1.1 200 OK\r\n\r\nread until close',
  truncatedLength: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc',
  truncatedChunked: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n',
  chunked10: 'HTTP/1.0 200 Ok\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  leadingZeros: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000000000003\r\nabc\r\n0\r\n\r\n',
};

function scripted(request: HttpRequest): { bytes: string } {
  const path = request.target;
  const bad = /^\/bad\/(\d+)$/.exec(path);
  if (bad) return { bytes: BAD_RESPONSES[Number(bad[1])]?.bytes ?? '' };
  return { bytes: RESPONSES[path.slice(1) as keyof typeof RESPONSES] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' };
}

interface Ports {
  fe: number;
  app: number;
  feResponses: number;
  scripted: number;
}

function configFor(p: Ports): string {
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
frontend fe_strict
    bind 127.0.0.1:${p.fe}
    default_backend be_app

backend be_app
    server app 127.0.0.1:${p.app}

frontend fe_responses
    bind 127.0.0.1:${p.feResponses}
    default_backend be_scripted

backend be_scripted
    server scripted 127.0.0.1:${p.scripted}
`;
}

function headOfSize(totalBytes: number): string {
  const start = 'GET /big HTTP/1.1\r\nHost: a.test\r\nX-Pad: ';
  const end = '\r\n\r\n';
  return start + 'p'.repeat(totalBytes - start.length - end.length) + end;
}

function headWithHeaders(count: number): string {
  // `count` header lines in total, Host included.
  let head = 'GET /many HTTP/1.1\r\nHost: a.test\r\n';
  for (let i = 1; i < count; i++) head += `X-H${i}: ${i}\r\n`;
  return `${head}\r\n`;
}

for (const target of TARGETS) {
  describe(`HTTP request smuggling defences on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend;
    let responder: HttpTestBackend;

    before(async () => {
      const [fe, appPort, feResponses, scriptedPort] = (await freePorts(4)) as [number, number, number, number];
      ports = { fe, app: appPort, feResponses, scripted: scriptedPort };
      app = await appBackend(ports.app, 'app');
      responder = await scriptedBackend(ports.scripted, 'scripted', scripted);
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app?.close();
      await responder?.close();
    });

    for (const c of REJECTED) {
      it(`rejects ${c.name} with ${c.status}, closes, and never forwards it`, { skip: c.strict ? strictOnly(target, c.strict) : false }, async () => {
        const before = app.requests;
        const { response, closed } = await exchange(ports.fe, c.bytes);
        assertErrorPage(response, c.status, JSON.stringify(c.bytes));
        assert.ok(closed, 'the proxy closes the connection after rejecting the request');
        assert.equal(app.requests, before, `the backend received ${JSON.stringify(app.lastRequest()?.rawHead)}`);
      });
    }

    it('a 400 carries Connection: close', async () => {
      const { response } = await exchange(ports.fe, `${GET}Foo : bar\r\n\r\n`);
      assert.equal(response.status, 400);
      assert.ok(headerHasToken(response.headers, 'connection', 'close'), response.head.raw);
    });

    it('CL + TE: Transfer-Encoding wins, Content-Length is removed, and the connection closes after the response', async () => {
      const before = app.requests;
      const { response, closed } = await exchange(ports.fe, `${POST}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_HELLO}`, 'POST');
      assert.equal(response.status, 200, response.head.raw);
      assert.equal(app.requests, before + 1);
      const seen = app.lastRequest();
      assert.ok(seen?.body, 'backend read a body');
      assert.deepEqual(headerValues(seen.headers, 'content-length'), [], `Content-Length forwarded:\n${seen.rawHead}`);
      assert.deepEqual(headerValues(seen.headers, 'transfer-encoding'), ['chunked'], seen.rawHead);
      assert.equal(seen.body.framing, 'chunked');
      assert.equal(seen.body.body.toString(), 'hello');
      assert.ok(headerHasToken(response.headers, 'connection', 'close'), `response announces the close:\n${response.head.raw}`);
      assert.ok(closed, 'the proxy closes the client connection after the response');
    });

    it('CL + TE: a request hidden after the chunked body is never forwarded', async () => {
      const before = app.requests;
      const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: a.test\r\n\r\n';
      // A CL-only parser would read "0\r\n\r\n" (5 bytes) as the body and the rest as a new request.
      const conn = await HttpConnection.open(ports.fe);
      await conn.write(`${POST}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`);
      const first = await conn.read('POST');
      assert.equal(first.status, 200);
      const rest = await conn.readRest(3000);
      conn.destroy();
      assert.equal(rest.length, 0, `nothing after the first response: ${JSON.stringify(rest.toString('latin1'))}`);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(app.requests, before + 1);
      assert.ok(!app.received.some((r) => r.target === '/smuggled'), 'the smuggled request reached the backend');
    });

    // HAProxy 2.6 reg-test http-messaging/http_transfer_encoding (client c2) and RFC 9112 §6.1.
    it('an HTTP/1.0 request with Transfer-Encoding: chunked is forwarded chunked, answered, and the connection closes', async () => {
      const before = app.requests;
      const { response, closed } = await exchange(
        ports.fe,
        `POST /chunked10 HTTP/1.0\r\nHost: a.test\r\nConnection: keep-alive\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_HELLO}`,
        'POST',
      );
      assert.equal(response.status, 200, response.head.raw);
      assert.ok(closed, 'the proxy closes the client connection after the response');
      assert.equal(app.requests, before + 1);
      const seen = app.lastRequest();
      assert.equal(seen?.version, 'HTTP/1.0', seen?.rawHead);
      assert.equal(seen?.body?.framing, 'chunked');
      assert.equal(seen?.body?.body.toString(), 'hello');
      assert.deepEqual(headerValues(seen?.headers ?? [], 'content-length'), [], seen?.rawHead);
      assert.ok(!headerHasToken(seen?.headers ?? [], 'connection', 'keep-alive'), `the server is not asked to keep the connection:\n${seen?.rawHead}`);
    });

    it('a request hidden after a chunked HTTP/1.0 request is never forwarded', async () => {
      const before = app.requests;
      const conn = await HttpConnection.open(ports.fe);
      await conn.write(`POST /chunked10 HTTP/1.0\r\nHost: a.test\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled10 HTTP/1.1\r\nHost: a.test\r\n\r\n`);
      assert.equal((await conn.read('POST')).status, 200);
      const rest = await conn.readRest(3000);
      conn.destroy();
      assert.equal(rest.length, 0, `nothing after the first response: ${JSON.stringify(rest.toString('latin1'))}`);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(app.requests, before + 1);
      assert.ok(!app.received.some((r) => r.target === '/smuggled10'), 'the hidden request reached the backend');
    });

    // HAProxy bounds a chunk size's value, not its digits (h1_parse_chunk_size), and re-chunks
    // what it forwards; Switchyard forwards the size with at most one leading zero.
    it('a chunk size with leading zeros is valid; the server never sees the run of zeros', async () => {
      const { response } = await exchange(ports.fe, `${POST}Transfer-Encoding: chunked\r\n\r\n0000000000000000000005\r\nhello\r\n0000\r\n\r\n`, 'POST', 5000, 0);
      assert.equal(response.status, 200, response.head.raw);
      const body = app.lastRequest()?.body;
      assert.equal(body?.body.toString(), 'hello');
      assert.deepEqual(
        body?.chunkSizeLines.map((l) => l.length <= 2 && /^0?[05]$/.test(l)),
        [true, true],
        `chunk size lines as forwarded: ${JSON.stringify(body?.chunkSizeLines)}`,
      );
    });

    it('identical duplicate Content-Length headers are one length, forwarded once', async () => {
      const before = app.requests;
      const { response, closed } = await exchange(ports.fe, `${POST}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`, 'POST', 5000, 200);
      assert.equal(response.status, 200, response.head.raw);
      assert.equal(closed, false, 'the connection stays open');
      assert.equal(app.requests, before + 1);
      const seen = app.lastRequest();
      assert.deepEqual(headerValues(seen?.headers ?? [], 'content-length'), ['5'], seen?.rawHead);
      assert.equal(seen?.body?.body.toString(), 'hello');
    });

    it('accepts an absolute-form target whose authority matches Host', async () => {
      const before = app.requests;
      const { response } = await exchange(ports.fe, 'GET http://a.test/abs?q=1 HTTP/1.1\r\nHost: a.test\r\n\r\n', 'GET', 5000, 0);
      assert.equal(response.status, 200, response.head.raw);
      assert.equal(app.requests, before + 1);
      const seen = app.lastRequest();
      assert.match(seen?.target ?? '', /^(http:\/\/a\.test)?\/abs\?q=1$/, seen?.rawHead);
      assert.deepEqual(headerValues(seen?.headers ?? [], 'host'), ['a.test'], seen?.rawHead);
    });

    // HAProxy 2.6 (http_scheme_based_normalize): the scheme's default port leaves the target,
    // and a Host header that repeated the authority follows it; a Host differing only by that
    // default port is the same name.
    for (const c of [
      { sent: 'GET http://a.test:80/n?q=1 HTTP/1.1\r\nHost: a.test:80\r\n\r\n', target: 'http://a.test/n?q=1', host: 'a.test' },
      { sent: 'GET https://a.test:443/n HTTP/1.1\r\nHost: a.test:443\r\n\r\n', target: 'https://a.test/n', host: 'a.test' },
      { sent: 'GET http://a.test:80/n HTTP/1.1\r\nHost: a.test\r\n\r\n', target: 'http://a.test/n', host: 'a.test' },
      { sent: 'GET http://a.test/n HTTP/1.1\r\nHost: a.test:80\r\n\r\n', target: 'http://a.test/n', host: 'a.test:80' },
      { sent: 'GET http://a.test:8080/n HTTP/1.1\r\nHost: a.test:8080\r\n\r\n', target: 'http://a.test:8080/n', host: 'a.test:8080' },
    ]) {
      it(`normalizes an absolute-form default port as HAProxy: ${JSON.stringify(c.sent.split('\r\n').slice(0, 2).join(' / '))}`, async () => {
        const before = app.requests;
        const { response } = await exchange(ports.fe, c.sent, 'GET', 5000, 0);
        assert.equal(response.status, 200, response.head.raw);
        assert.equal(app.requests, before + 1);
        const seen = app.lastRequest();
        assert.equal(seen?.target, c.target, seen?.rawHead);
        assert.deepEqual(headerValues(seen?.headers ?? [], 'host'), [c.host], seen?.rawHead);
      });
    }

    it('forwards authority-shaped Host values HAProxy forwards (an empty host, a bad port) as written', async () => {
      for (const host of [':8443example.org', 'a.test:b', 'a.test:99999']) {
        const before = app.requests;
        const { response } = await exchange(ports.fe, `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
        assert.equal(response.status, 200, host);
        assert.equal(app.requests, before + 1);
        assert.match(app.lastRequest()?.rawHead ?? '', new RegExp(`\r\nhost: ${host.replace(/[.:]/g, '\\$&')}\r\n`, 'i'));
      }
    });

    it('forwards a chunked body with chunk extensions', async () => {
      const { response } = await exchange(ports.fe, `${POST}Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\n\r\n`, 'POST', 5000, 0);
      assert.equal(response.status, 200, response.head.raw);
      assert.equal(app.lastRequest()?.body?.body.toString(), 'hello');
    });

    it('accepts a 14 KiB request head', async () => {
      const before = app.requests;
      const { response } = await exchange(ports.fe, headOfSize(14 * 1024), 'GET', 5000, 0);
      assert.equal(response.status, 200, response.head.raw);
      assert.equal(app.requests, before + 1);
    });

    it('rejects a request head larger than 15 KiB with 400', async () => {
      const before = app.requests;
      const { response, closed } = await exchange(ports.fe, headOfSize(16 * 1024));
      assertErrorPage(response, 400);
      assert.ok(closed);
      assert.equal(app.requests, before);
    });

    it('rejects a 64 KiB request head with 400 without waiting for its end', async () => {
      const before = app.requests;
      const conn = await HttpConnection.open(ports.fe);
      // No final CRLF: the proxy must give up once its buffer is full.
      await conn.write(`GET /huge HTTP/1.1\r\nHost: a.test\r\nX-Pad: ${'p'.repeat(64 * 1024)}`);
      const response = await conn.read('GET', 3000);
      conn.destroy();
      assertErrorPage(response, 400);
      assert.equal(app.requests, before);
    });

    // HAProxy's tune.http.maxhdr is 101, but one slot of its header table ends the list: 100
    // header lines pass, 101 are rejected (measured on HAProxy 2.6).
    it('accepts 100 header lines', async () => {
      const before = app.requests;
      const { response } = await exchange(ports.fe, headWithHeaders(100), 'GET', 5000, 0);
      assert.equal(response.status, 200, response.head.raw);
      assert.equal(app.requests, before + 1);
    });

    it('rejects 101 or more header lines with 400', async () => {
      const before = app.requests;
      const { response, closed } = await exchange(ports.fe, headWithHeaders(101));
      assertErrorPage(response, 400);
      assert.ok(closed);
      assert.equal(app.requests, before);
    });

    BAD_RESPONSES.forEach((c, i) => {
      it(`answers 502 to a response with ${c.name}`, { skip: c.strict ? strictOnly(target, c.strict) : false }, async () => {
        const conn = await HttpConnection.open(ports.feResponses);
        const res = await conn.request('GET', `/bad/${i}`);
        assertErrorPage(res, 502, JSON.stringify(c.bytes));
        conn.destroy();
      });
    });

    it('a response with CL + TE is forwarded chunked, without Content-Length', async () => {
      const conn = await HttpConnection.open(ports.feResponses);
      const res = await conn.request('GET', '/clAndTe');
      assert.equal(res.status, 200);
      assert.equal(res.framing, 'chunked');
      assert.equal(res.header('content-length'), undefined, res.head.raw);
      assert.equal(res.text, 'abc');
      conn.destroy();
    });

    // HAProxy 2.6 reg-test http-messaging/http_transfer_encoding (client c3).
    it('an HTTP/1.0 response with Transfer-Encoding: chunked is forwarded, then the client connection closes', async () => {
      const conn = await HttpConnection.open(ports.feResponses);
      const res = await conn.request('GET', '/chunked10');
      assert.equal(res.status, 200);
      assert.equal(res.framing, 'chunked');
      assert.equal(res.header('content-length'), undefined, res.head.raw);
      assert.equal(res.text, 'abc');
      assert.ok(await conn.waitClosed(1000), 'the client connection closes after the response');
      conn.destroy();
    });

    it('a response chunk size with leading zeros is valid; the client never sees the run of zeros', async () => {
      const conn = await HttpConnection.open(ports.feResponses);
      const res = await conn.request('GET', '/leadingZeros');
      assert.equal(res.status, 200);
      assert.equal(res.text, 'abc');
      assert.deepEqual(
        res.chunkSizeLines.map((l) => l.length <= 2 && /^0?[03]$/.test(l)),
        [true, true],
        `chunk size lines as forwarded: ${JSON.stringify(res.chunkSizeLines)}`,
      );
      conn.destroy();
    });

    it('a response with identical duplicate Content-Length is forwarded with one', async () => {
      const conn = await HttpConnection.open(ports.feResponses);
      const res = await conn.request('GET', '/sameCl');
      assert.equal(res.status, 200);
      assert.deepEqual(headerValues(res.headers, 'content-length'), ['3']);
      assert.equal(res.text, 'abc');
      conn.destroy();
    });

    it('a close-delimited response is forwarded with Connection: close and the client connection closes after it', async () => {
      const conn = await HttpConnection.open(ports.feResponses);
      const res = await conn.request('GET', '/closeDelimited');
      assert.equal(res.status, 200);
      assert.equal(res.text, 'read until close');
      assert.ok(headerHasToken(res.headers, 'connection', 'close'), res.head.raw);
      assert.ok(conn.closed);
      conn.destroy();
    });

    it('a response cut short (Content-Length) reaches the client truncated, then the connection closes', async () => {
      const conn = await HttpConnection.open(ports.feResponses);
      await conn.write('GET /truncatedLength HTTP/1.1\r\nHost: a.test\r\n\r\n');
      const rest = (await conn.readRest(3000)).toString('latin1');
      conn.destroy();
      assert.match(rest, /^HTTP\/1\.1 200 OK\r\n/i);
      assert.ok(rest.endsWith('\r\n\r\nabc'), `the client gets the head and the 3 bytes, then a close: ${JSON.stringify(rest)}`);
    });

    it('a chunked response cut short never gets its last chunk forged', async () => {
      const conn = await HttpConnection.open(ports.feResponses);
      await conn.write('GET /truncatedChunked HTTP/1.1\r\nHost: a.test\r\n\r\n');
      const rest = (await conn.readRest(3000)).toString('latin1');
      conn.destroy();
      assert.match(rest, /^HTTP\/1\.1 200 OK\r\n/i);
      assert.ok(!/\r\n0\r\n\r\n$/.test(rest), `no terminating chunk: ${JSON.stringify(rest)}`);
    });

    it('rejects a malformed request after a good one on the same connection, answering the good one first', async () => {
      const before = app.requests;
      const conn = await HttpConnection.open(ports.fe);
      await conn.write(`GET /good HTTP/1.1\r\nHost: a.test\r\n\r\n`);
      const good = await conn.read();
      assert.equal(good.status, 200);
      await conn.write(`${POST}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`);
      const bad = await conn.read();
      assertErrorPage(bad, 400);
      assert.ok(await conn.waitClosed(1000));
      conn.destroy();
      assert.equal(app.requests, before + 1);
    });
  });
}
