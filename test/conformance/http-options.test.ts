/**
 * Black-box conformance of `mode http` options: `http-reuse safe`, `option http-server-close`,
 * `option httpclose`, `option forwardfor`, `option httplog` (the log line on stdout) and TLS to
 * servers (`server ... ssl verify none`).
 * One proxy per target with one configuration holding every frontend; raw sockets on 127.0.0.1.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-options.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { appBackend, downloadDigest, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { type HeaderList, headerHasToken, headerValues, parseHead } from '../support/http-wire.ts';

const PORT_NAMES = [
  'reuse', 'serverClose', 'httpClose', 'beOnlyHttpClose', 'xff', 'log', 'tlsBackendFe',
  'beReuse', 'beServerClose', 'beHttpClose', 'beXff', 'beLog', 'beTls',
] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 1000
    log stdout format raw local0
${HTTP_DEFAULTS}
frontend fe_reuse_safe
    bind 127.0.0.1:${p.reuse}
    default_backend be_reuse_safe

backend be_reuse_safe
    http-reuse safe
    server s1 127.0.0.1:${p.beReuse}

frontend fe_server_close
    bind 127.0.0.1:${p.serverClose}
    option http-server-close
    default_backend be_server_close

backend be_server_close
    server s1 127.0.0.1:${p.beServerClose}

frontend fe_httpclose
    bind 127.0.0.1:${p.httpClose}
    option httpclose
    default_backend be_httpclose

backend be_httpclose
    server s1 127.0.0.1:${p.beHttpClose}

frontend fe_keepalive_to_httpclose
    bind 127.0.0.1:${p.beOnlyHttpClose}
    default_backend be_only_httpclose

backend be_only_httpclose
    option httpclose
    server s1 127.0.0.1:${p.beHttpClose}

frontend fe_forwardfor
    bind 127.0.0.1:${p.xff}
    option forwardfor
    default_backend be_xff

backend be_xff
    server s1 127.0.0.1:${p.beXff}

frontend fe_log
    bind 127.0.0.1:${p.log}
    log global
    option httplog
    default_backend be_log

backend be_log
    server s1 127.0.0.1:${p.beLog}

frontend fe_tls_backend
    bind 127.0.0.1:${p.tlsBackendFe}
    default_backend be_tls

backend be_tls
    server s1 127.0.0.1:${p.beTls} ssl verify none
`;
}

/** The request head the backend echoed back as the response body. */
function echoedHead(text: string): { startLine: string; headers: HeaderList } {
  const head = parseHead(text);
  return { startLine: head.startLine, headers: head.headers };
}

for (const target of TARGETS) {
  describe(`HTTP options on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: HttpTestBackend[] = [];
    let beReuse: HttpTestBackend;
    let beServerClose: HttpTestBackend;
    let beHttpClose: HttpTestBackend;
    let beXff: HttpTestBackend;
    let beLog: HttpTestBackend;
    let beTls: HttpTestBackend;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      beReuse = await appBackend(ports.beReuse, 'reuse');
      beServerClose = await appBackend(ports.beServerClose, 'server-close');
      beHttpClose = await appBackend(ports.beHttpClose, 'httpclose');
      beXff = await appBackend(ports.beXff, 'xff');
      beLog = await appBackend(ports.beLog, 'log');
      beTls = await appBackend(ports.beTls, 'tls', { tlsPem: `${repoRoot}test/fixtures/tls/a.example.pem` });
      backends.push(beReuse, beServerClose, beHttpClose, beXff, beLog, beTls);
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it('http-reuse safe: 5 sequential requests on one client connection use one server connection', async () => {
      const acceptedBefore = beReuse.accepted;
      const conn = await HttpConnection.open(ports.reuse);
      const conns = new Set<string>();
      for (let i = 1; i <= 5; i++) {
        const res = await conn.request('GET', `/reuse/${i}`);
        assert.equal(res.status, 200);
        conns.add(res.header('x-conn') ?? '');
      }
      assert.equal(conn.closed, false);
      assert.equal(beReuse.accepted - acceptedBefore, 1);
      assert.equal(conns.size, 1);
      conn.destroy();
    });

    it('option http-server-close: a new server connection per request, the client connection stays open', async () => {
      const acceptedBefore = beServerClose.accepted;
      const conn = await HttpConnection.open(ports.serverClose);
      for (let i = 1; i <= 5; i++) {
        const res = await conn.request('GET', `/sc/${i}`);
        assert.equal(res.status, 200);
        assert.equal(res.header('x-req'), '1', 'each request is the first on its server connection');
        assert.ok(!headerHasToken(res.headers, 'connection', 'close'), `the client is not told to close:\n${res.head.raw}`);
        const forwarded = echoedHead(res.text);
        assert.ok(headerHasToken(forwarded.headers, 'connection', 'close'), `the server is asked to close:\n${res.text}`);
      }
      assert.equal(conn.closed, false, 'the client connection stays open');
      assert.equal(beServerClose.accepted - acceptedBefore, 5);
      assert.ok(await eventually(() => beServerClose.openConnections().length === 0, 1000), 'server connections are closed');
      conn.destroy();
    });

    it('option httpclose: both connections close after the response', async () => {
      const acceptedBefore = beHttpClose.accepted;
      const conn = await HttpConnection.open(ports.httpClose);
      const res = await conn.request('GET', '/hc');
      assert.equal(res.status, 200);
      assert.ok(headerHasToken(res.headers, 'connection', 'close'), `the client is told to close:\n${res.head.raw}`);
      assert.ok(headerHasToken(echoedHead(res.text).headers, 'connection', 'close'), `the server is asked to close:\n${res.text}`);
      assert.ok(await conn.waitClosed(1000), 'the proxy closes the client connection');
      assert.equal(beHttpClose.accepted - acceptedBefore, 1);
      assert.ok(await eventually(() => beHttpClose.openConnections().length === 0, 1000), 'the server connection is closed');
      conn.destroy();
    });

    it("option httpclose in the backend alone closes the server's connection, not the client's (mux_h1 reads the frontend's)", async () => {
      const acceptedBefore = beHttpClose.accepted;
      const conn = await HttpConnection.open(ports.beOnlyHttpClose);
      for (let i = 1; i <= 2; i++) {
        const res = await conn.request('GET', `/bhc/${i}`);
        assert.equal(res.status, 200);
        assert.ok(!headerHasToken(res.headers, 'connection', 'close'), `the client is not told to close:\n${res.head.raw}`);
        assert.ok(headerHasToken(echoedHead(res.text).headers, 'connection', 'close'), `the server is asked to close:\n${res.text}`);
      }
      assert.equal(conn.closed, false, 'the client connection stays open');
      assert.equal(beHttpClose.accepted - acceptedBefore, 2);
      conn.destroy();
    });

    it('option forwardfor adds X-Forwarded-For with the client address', async () => {
      const conn = await HttpConnection.open(ports.xff);
      const res = await conn.request('GET', '/xff');
      assert.deepEqual(headerValues(echoedHead(res.text).headers, 'x-forwarded-for'), ['127.0.0.1'], res.text);
      const chained = await conn.request('GET', '/xff2', { 'x-forwarded-for': '192.0.2.7' });
      assert.deepEqual(headerValues(echoedHead(chained.text).headers, 'x-forwarded-for'), ['192.0.2.7', '127.0.0.1'], chained.text);
      conn.destroy();
      const plain = await HttpConnection.open(ports.reuse);
      const none = await plain.request('GET', '/no-xff');
      assert.deepEqual(headerValues(echoedHead(none.text).headers, 'x-forwarded-for'), [], 'not added without the option');
      plain.destroy();
    });

    // HAProxy 2.6 (H1 to H1) does not strip Connection-listed or other hop-by-hop headers: it only
    // consumes the connection-control tokens (close / keep-alive) of the Connection header itself.
    it('option httplog: one line per request on stdout in HAProxy format', async () => {
      const conn = await HttpConnection.open(ports.log);
      const res = await conn.request('GET', '/logged?x=1');
      assert.equal(res.status, 200);
      const responseBytes = res.head.raw.length + res.bodyLength;
      const localPort = conn.socket.localPort;
      conn.destroy();
      const bad = await HttpConnection.open(ports.log);
      await bad.write('GET / HTTP/1.1\r\nHost: a.test\r\nBad Header: x\r\n\r\n');
      assert.equal((await bad.read()).status, 400);
      const badPort = bad.socket.localPort;
      bad.destroy();

      // %ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r
      const line = new RegExp(
        `^127\\.0\\.0\\.1:${localPort} \\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\] fe_log be_log/s1 ` +
          '(\\d+)/(\\d+)/(\\d+)/(\\d+)/(\\d+) 200 (\\d+) - - ---- (\\d+)/(\\d+)/(\\d+)/(\\d+)/(\\d+) (\\d+)/(\\d+) "GET /logged\\?x=1 HTTP/1\\.1"$',
        'm',
      );
      assert.ok(await eventually(() => line.test(proxy?.stdout ?? ''), 2000), `no matching httplog line in:\n${proxy?.stdout}`);
      const m = line.exec(proxy?.stdout ?? '') as RegExpExecArray;
      const [TR, Tw, Tc, Tr, Ta, B, ac, fc, bc, sc, rc, sq, bq] = m.slice(1).map(Number) as number[];
      assert.ok((Ta as number) >= (Tr as number) && (Ta as number) < 2000, `timers ${m[0]}`);
      assert.ok((TR as number) < 1000 && (Tw as number) < 1000 && (Tc as number) < 1000, `timers ${m[0]}`);
      // %B counts the response bytes, head included. HAProxy 2.6 counts them on its internal (HTX)
      // representation, which differs from the wire size by a few bytes per header; Switchyard
      // counts wire bytes. Both are within this tolerance.
      assert.ok(Math.abs((B as number) - responseBytes) <= 32 + responseBytes / 10, `%B ${B} vs ${responseBytes} bytes on the wire`);
      // %ac/%fc count the logged connection itself; %bc/%sc are taken after the server side is released.
      assert.ok((ac as number) >= 1 && (fc as number) >= 1 && (bc as number) >= 0 && (sc as number) >= 0, `counters ${m[0]}`);
      assert.equal(rc, 0, 'no retries');
      assert.equal(sq, 0);
      assert.equal(bq, 0);

      const badLine = new RegExp(
        `^127\\.0\\.0\\.1:${badPort} \\[[^\\]]+\\] fe_log fe_log/<NOSRV> -1/-1/-1/-1/\\d+ 400 \\d+ - - PR-- \\d+/\\d+/\\d+/\\d+/\\d+ 0/0 "<BADREQ>"$`,
        'm',
      );
      assert.ok(await eventually(() => badLine.test(proxy?.stdout ?? ''), 2000), `no <BADREQ> line in:\n${proxy?.stdout}`);
    });

    it('TLS backend (server ... ssl verify none)', async () => {
      const conn = await HttpConnection.open(ports.tlsBackendFe);
      const res = await conn.request('POST', '/to-tls-backend', {}, 'over tls');
      assert.equal(res.status, 200);
      assert.equal(res.header('x-backend'), 'tls');
      assert.equal(res.header('x-body-length'), '8');
      const again = await conn.request('GET', '/download/cl/2000000', {}, undefined, 10_000);
      assert.equal(again.sha256, downloadDigest(2_000_000));
      assert.equal(beTls.accepted, 1, 'one TLS server connection, kept alive');
      conn.destroy();
    });
  });
}
