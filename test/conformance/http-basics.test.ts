/**
 * Black-box conformance of `mode http` basics: keep-alive on both sides, pipelining, bodiless
 * responses (HEAD, 204, 304), HTTP/1.0, what is forwarded of the request head, TLS termination.
 * One proxy per target with one configuration holding every frontend; raw sockets on 127.0.0.1.
 * (Features behind specific options - http-server-close, httpclose, forwardfor, httplog, TLS to
 * servers - are in http-options.test.ts.)
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-basics.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { appBackend, downloadDigest, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, buildRequest, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { type HeaderList, headerHasToken, headerValue, parseHead } from '../support/http-wire.ts';

interface Ports {
  ka: number;
  main: number;
  tls: number;
  beKa: number;
  beMain: number;
}

function configFor(p: Ports): string {
  const fixtures = `${repoRoot}test/fixtures/tls`;
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
frontend fe_keepalive
    bind 127.0.0.1:${p.ka}
    default_backend be_keepalive

backend be_keepalive
    server s1 127.0.0.1:${p.beKa}

frontend fe_main
    bind 127.0.0.1:${p.main}
    default_backend be_main

frontend fe_tls
    bind 127.0.0.1:${p.tls} ssl crt ${fixtures}/a.example.pem
    default_backend be_main

backend be_main
    server s1 127.0.0.1:${p.beMain}
`;
}

/** The request head the backend echoed back as the response body. */
function echoedHead(text: string): { startLine: string; headers: HeaderList } {
  const head = parseHead(text);
  return { startLine: head.startLine, headers: head.headers };
}

for (const target of TARGETS) {
  describe(`HTTP basics on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: HttpTestBackend[] = [];
    let beKa: HttpTestBackend;
    let beMain: HttpTestBackend;

    before(async () => {
      const [ka, main, tls, beKaPort, beMainPort] = (await freePorts(5)) as [number, number, number, number, number];
      ports = { ka, main, tls, beKa: beKaPort, beMain: beMainPort };
      beKa = await appBackend(ports.beKa, 'ka');
      beMain = await appBackend(ports.beMain, 'main');
      backends.push(beKa, beMain);
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it('keep-alive: 5 sequential requests on one client connection use one server connection', async () => {
      const acceptedBefore = beKa.accepted;
      const conn = await HttpConnection.open(ports.ka);
      const conns = new Set<string>();
      for (let i = 1; i <= 5; i++) {
        const res = await conn.request('GET', `/ka/${i}`);
        assert.equal(res.status, 200);
        assert.equal(echoedHead(res.text).startLine, `GET /ka/${i} HTTP/1.1`);
        conns.add(res.header('x-conn') ?? '');
      }
      assert.equal(conn.closed, false, 'the client connection stays open');
      assert.equal(beKa.accepted - acceptedBefore, 1, 'one server connection for all five requests');
      assert.equal(conns.size, 1);
      conn.destroy();
    });

    it('keep-alive: a second client connection may reuse the idle server connection (never more than one per request)', async () => {
      const acceptedBefore = beKa.accepted;
      for (let i = 0; i < 3; i++) {
        const conn = await HttpConnection.open(ports.ka);
        assert.equal((await conn.request('GET', '/ka/again')).status, 200);
        assert.equal((await conn.request('GET', '/ka/again2')).status, 200);
        conn.destroy();
      }
      assert.ok(beKa.accepted - acceptedBefore <= 3, `${beKa.accepted - acceptedBefore} server connections for 3 clients`);
    });

    it('pipelining: several requests in one write are answered in order', async () => {
      const conn = await HttpConnection.open(ports.main);
      const reqs = [
        buildRequest('GET', '/p1', { host: 'a.test' }),
        buildRequest('POST', '/p2', { host: 'a.test' }, 'body-of-p2'),
        buildRequest('HEAD', '/download/cl/1000', { host: 'a.test' }),
        buildRequest('GET', '/download/chunked/100000', { host: 'a.test' }),
        buildRequest('GET', '/p5', { host: 'a.test' }),
      ];
      await conn.write(Buffer.concat(reqs));
      const r1 = await conn.read('GET');
      const r2 = await conn.read('POST');
      const r3 = await conn.read('HEAD');
      const r4 = await conn.read('GET');
      const r5 = await conn.read('GET');
      assert.equal(echoedHead(r1.text).startLine, 'GET /p1 HTTP/1.1');
      assert.equal(echoedHead(r2.text).startLine, 'POST /p2 HTTP/1.1');
      assert.equal(r2.header('x-body-length'), '10');
      assert.equal(r3.status, 200);
      assert.equal(r3.bodyLength, 0);
      assert.equal(r4.bodyLength, 100_000);
      assert.equal(r4.sha256, downloadDigest(100_000));
      assert.equal(echoedHead(r5.text).startLine, 'GET /p5 HTTP/1.1');
      assert.equal(conn.closed, false);
      conn.destroy();
    });

    it('HEAD: the response head announces the length but no body follows; the next request still works', async () => {
      const conn = await HttpConnection.open(ports.main);
      const head = await conn.request('HEAD', '/download/cl/1000');
      assert.equal(head.status, 200);
      assert.equal(head.header('content-length'), '1000');
      const headChunked = await conn.request('HEAD', '/download/chunked/1000');
      assert.equal(headChunked.status, 200);
      assert.equal(headChunked.header('transfer-encoding'), 'chunked');
      const next = await conn.request('GET', '/download/cl/10');
      assert.equal(next.status, 200);
      assert.equal(next.bodyLength, 10);
      assert.equal(next.sha256, downloadDigest(10));
      assert.equal(conn.reader.buffered.length, 0, 'no stray bytes after the responses');
      conn.destroy();
    });

    for (const status of [204, 304]) {
      it(`${status}: no body and no framing, and the next request on the connection still works`, async () => {
        const conn = await HttpConnection.open(ports.main);
        const res = await conn.request('GET', `/status/${status}`, status === 304 ? { 'if-none-match': '"v1"' } : {});
        assert.equal(res.status, status);
        assert.equal(res.header('transfer-encoding'), undefined, res.head.raw);
        const next = await conn.request('GET', '/after');
        assert.equal(next.status, 200);
        assert.equal(echoedHead(next.text).startLine, 'GET /after HTTP/1.1');
        assert.equal(conn.reader.buffered.length, 0);
        conn.destroy();
      });
    }

    it('HTTP/1.0 without keep-alive: one response, then the proxy closes', async () => {
      const conn = await HttpConnection.open(ports.main);
      await conn.write('GET /http10 HTTP/1.0\r\nHost: a.test\r\n\r\n');
      const res = await conn.read();
      assert.equal(res.status, 200);
      assert.equal(echoedHead(res.text).startLine, 'GET /http10 HTTP/1.0');
      assert.ok(await conn.waitClosed(1000), 'the proxy closes an HTTP/1.0 connection without keep-alive');
      conn.destroy();
    });

    it('HTTP/1.0 with Connection: keep-alive: the connection stays open for the next request', async () => {
      const conn = await HttpConnection.open(ports.main);
      for (let i = 0; i < 3; i++) {
        await conn.write(`GET /http10ka/${i} HTTP/1.0\r\nHost: a.test\r\nConnection: keep-alive\r\n\r\n`);
        const res = await conn.read();
        assert.equal(res.status, 200);
        assert.equal(echoedHead(res.text).startLine, `GET /http10ka/${i} HTTP/1.0`);
        assert.ok(headerHasToken(res.headers, 'connection', 'keep-alive'), `keep-alive is announced to the 1.0 client:\n${res.head.raw}`);
        assert.notEqual(res.framing, 'close', 'the body is length-delimited');
      }
      assert.equal(conn.closed, false);
      conn.destroy();
    });

    it('HTTP/1.1 Connection: close from the client: the response says close and the proxy closes', async () => {
      const conn = await HttpConnection.open(ports.main);
      const res = await conn.request('GET', '/client-close', { connection: 'close' });
      assert.equal(res.status, 200);
      assert.ok(headerHasToken(res.headers, 'connection', 'close'), res.head.raw);
      assert.ok(await conn.waitClosed(1000));
      conn.destroy();
    });

    it('a server that closes after its response does not close the client connection', async () => {
      const conn = await HttpConnection.open(ports.main);
      const first = await conn.request('GET', '/close');
      assert.equal(first.status, 200);
      assert.equal(first.text, 'closed');
      assert.ok(!headerHasToken(first.headers, 'connection', 'close'), `the server's close is not passed on:\n${first.head.raw}`);
      const second = await conn.request('GET', '/after-close');
      assert.equal(second.status, 200);
      assert.notEqual(second.header('x-conn'), first.header('x-conn'), 'served on a new server connection');
      conn.destroy();
    });

    // Issue #3 asks for RFC 9110 §7.6.1 hop-by-hop handling: Connection and every header it
    // lists, Keep-Alive, Proxy-Connection and TE are removed before forwarding. HAProxy 2.6
    // removes none of them (it only consumes the keep-alive/close tokens of Connection), so
    // the haproxy target is checked for its own behaviour.
    it('removes hop-by-hop headers before forwarding (RFC 9110 §7.6.1)', async () => {
      const conn = await HttpConnection.open(ports.main);
      const res = await conn.request('GET', '/hop', {
        connection: 'x-custom, keep-alive',
        'x-custom': '1',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        'x-end': 'end',
      });
      assert.equal(res.status, 200);
      const seen = echoedHead(res.text).headers;
      if (target === 'haproxy') {
        assert.equal(headerValue(seen, 'connection'), 'x-custom', res.text);
        assert.equal(headerValue(seen, 'x-custom'), '1', res.text);
        assert.equal(headerValue(seen, 'keep-alive'), 'timeout=5', res.text);
      } else {
        for (const name of ['connection', 'x-custom', 'keep-alive', 'proxy-connection']) {
          assert.equal(headerValue(seen, name), undefined, `${name} was forwarded:\n${res.text}`);
        }
      }
      // TE goes on when it names trailers, reduced to that (HAProxy's H1 mux; gRPC needs it).
      assert.equal(headerValue(seen, 'te'), 'trailers', res.text);
      assert.equal(headerValue(seen, 'x-end'), 'end', res.text);
      conn.destroy();
    });

    it('forwards the request head otherwise unchanged: order of headers, values, target with query', async () => {
      const conn = await HttpConnection.open(ports.main);
      const res = await conn.request('GET', '/path/with?query=1&b=%20x', { 'x-one': 'first', 'x-two': '  padded  ', 'x-three': 'a,b' });
      const seen = echoedHead(res.text);
      assert.equal(seen.startLine, 'GET /path/with?query=1&b=%20x HTTP/1.1');
      assert.deepEqual(
        seen.headers.map(([n, v]) => [n.toLowerCase(), v]),
        [
          ['host', 'example.test'],
          ['x-one', 'first'],
          ['x-two', 'padded'],
          ['x-three', 'a,b'],
        ],
      );
      conn.destroy();
    });

    it('TLS frontend (bind ... ssl crt) carries HTTP/1.1 keep-alive', async () => {
      const conn = await HttpConnection.open(ports.tls, { tls: true, servername: 'a.example' });
      for (let i = 0; i < 3; i++) {
        const res = await conn.request('POST', `/tls/${i}`, {}, `payload-${i}`);
        assert.equal(res.status, 200);
        assert.equal(echoedHead(res.text).startLine, `POST /tls/${i} HTTP/1.1`);
        assert.equal(res.header('x-body-length'), String(`payload-${i}`.length));
      }
      const big = await conn.request('GET', '/download/chunked/3000000', {}, undefined, 10_000);
      assert.equal(big.sha256, downloadDigest(3_000_000));
      assert.equal(conn.closed, false);
      conn.destroy();
    });

  });
}
