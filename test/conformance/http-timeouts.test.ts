/**
 * Black-box conformance of `mode http` timeouts and error paths: 408 (`timeout http-request`),
 * 502 (server closes / sends garbage / sends invalid framing), 503 (no server available), 504
 * (`timeout server`), keep-alive idle timeout, and client aborts mid-transfer.
 * One proxy per target with one configuration; timeouts in the configuration are kept short.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-timeouts.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import {
  appBackend,
  cannedBackend,
  closingBackend,
  garbageBackend,
  silentBackend,
  type HttpTestBackend,
} from '../support/http-backends.ts';
import { HttpConnection, buildRequest, delay, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, assertErrorPage, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { pattern } from '../support/http-wire.ts';

const PORT_NAMES = [
  'reqTimeout', 'keepAliveTimeout', 'closing', 'garbage', 'dupCl', 'disabled', 'refused', 'srvTimeout', 'abortUp', 'abortDown',
  'beApp', 'beClosing', 'beGarbage', 'beDupCl', 'beDisabled', 'beDead', 'beSilent', 'beAbortUp', 'beAbortDown', 'beKa',
] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
frontend fe_request_timeout
    bind 127.0.0.1:${p.reqTimeout}
    timeout http-request 300ms
    default_backend be_app

backend be_app
    timeout server 300ms
    server s1 127.0.0.1:${p.beApp}

frontend fe_keepalive_timeout
    bind 127.0.0.1:${p.keepAliveTimeout}
    timeout http-keep-alive 300ms
    default_backend be_keepalive

backend be_keepalive
    server s1 127.0.0.1:${p.beKa}

frontend fe_closing
    bind 127.0.0.1:${p.closing}
    default_backend be_closing

backend be_closing
    server s1 127.0.0.1:${p.beClosing}

frontend fe_garbage
    bind 127.0.0.1:${p.garbage}
    default_backend be_garbage

backend be_garbage
    server s1 127.0.0.1:${p.beGarbage}

frontend fe_dup_cl
    bind 127.0.0.1:${p.dupCl}
    default_backend be_dup_cl

backend be_dup_cl
    server s1 127.0.0.1:${p.beDupCl}

frontend fe_disabled
    bind 127.0.0.1:${p.disabled}
    default_backend be_disabled

backend be_disabled
    server s1 127.0.0.1:${p.beDisabled} disabled
    server s2 127.0.0.1:${p.beDisabled} disabled

frontend fe_refused
    bind 127.0.0.1:${p.refused}
    default_backend be_refused

backend be_refused
    timeout connect 100ms
    retries 2
    server dead 127.0.0.1:${p.beDead}

frontend fe_server_timeout
    bind 127.0.0.1:${p.srvTimeout}
    default_backend be_silent

backend be_silent
    timeout server 300ms
    server s1 127.0.0.1:${p.beSilent}

frontend fe_abort_upload
    bind 127.0.0.1:${p.abortUp}
    default_backend be_abort_upload

backend be_abort_upload
    server s1 127.0.0.1:${p.beAbortUp}

frontend fe_abort_download
    bind 127.0.0.1:${p.abortDown}
    default_backend be_abort_download

backend be_abort_download
    server s1 127.0.0.1:${p.beAbortDown}
`;
}

for (const target of TARGETS) {
  describe(`HTTP timeouts and errors on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    const backends: HttpTestBackend[] = [];
    let beApp: HttpTestBackend;
    let beKa: HttpTestBackend;
    let beClosing: HttpTestBackend;
    let beGarbage: HttpTestBackend;
    let beDupCl: HttpTestBackend;
    let beSilent: HttpTestBackend;
    let beAbortUp: HttpTestBackend;
    let beAbortDown: HttpTestBackend;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      beApp = await appBackend(p.beApp, 'app');
      beKa = await appBackend(p.beKa, 'keepalive');
      beClosing = await closingBackend(p.beClosing);
      beGarbage = await garbageBackend(p.beGarbage);
      beDupCl = await cannedBackend(p.beDupCl, 'dup-cl', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd');
      beSilent = await silentBackend(p.beSilent);
      beAbortUp = await appBackend(p.beAbortUp, 'abort-upload');
      beAbortDown = await appBackend(p.beAbortDown, 'abort-download');
      backends.push(beApp, beKa, beClosing, beGarbage, beDupCl, beSilent, beAbortUp, beAbortDown);
      // p.beDisabled and p.beDead: nothing listens there.
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it('timeout http-request: a client that sends half a head and stalls gets 408, then the connection closes', async () => {
      const before = beApp.requests;
      const conn = await HttpConnection.open(p.reqTimeout);
      const started = performance.now();
      await conn.write('GET /stalled HTTP/1.1\r\nHost: a.test\r\nX-Half: ');
      const res = await conn.read('GET', 3000);
      const elapsed = performance.now() - started;
      assertErrorPage(res, 408);
      assert.ok(elapsed >= 250 && elapsed < 2000, `408 after ${elapsed} ms`);
      assert.ok(await conn.waitClosed(1000), 'closed after the 408');
      conn.destroy();
      assert.equal(beApp.requests, before);
    });

    it('timeout http-request: a head trickled in slowly still times out as a whole (no reset per byte)', async () => {
      const conn = await HttpConnection.open(p.reqTimeout);
      const started = performance.now();
      const text = 'GET /trickle HTTP/1.1\r\nHost: a.test\r\n';
      let i = 0;
      const timer = setInterval(() => {
        if (i < text.length && !conn.socket.destroyed) conn.socket.write(text[i++] as string);
      }, 40);
      try {
        const res = await conn.read('GET', 3000);
        const elapsed = performance.now() - started;
        assertErrorPage(res, 408);
        assert.ok(elapsed >= 250 && elapsed < 1500, `408 after ${elapsed} ms`);
      } finally {
        clearInterval(timer);
        conn.destroy();
      }
    });

    // HAProxy 2.6 answers 408 even when not a single byte arrived (unless `option http-ignore-probes`).
    it('timeout http-request: a connection that never sends a byte also gets 408, then closes', async () => {
      const conn = await HttpConnection.open(p.reqTimeout);
      const started = performance.now();
      const res = await conn.read('GET', 3000);
      const elapsed = performance.now() - started;
      assertErrorPage(res, 408);
      assert.ok(elapsed >= 250 && elapsed < 2000, `408 after ${elapsed} ms`);
      assert.ok(await conn.waitClosed(1000), 'closed after the 408');
      conn.destroy();
    });

    it('timeout http-keep-alive: an idle keep-alive connection closes silently after the timeout', async () => {
      const conn = await HttpConnection.open(p.keepAliveTimeout);
      const res = await conn.request('GET', '/once');
      assert.equal(res.status, 200);
      const started = performance.now();
      assert.ok(await conn.waitClosed(3000), 'closed');
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 2000, `closed after ${elapsed} ms idle`);
      assert.equal(conn.reader.buffered.length, 0, 'nothing sent before closing');
      conn.destroy();
    });

    it('a server that closes without answering -> 502 for the first request of a connection', async () => {
      const conn = await HttpConnection.open(p.closing);
      const before = beClosing.requests;
      const res = await conn.request('GET', '/no-answer');
      assertErrorPage(res, 502);
      assert.ok(beClosing.requests > before, 'the request reached the server');
      // HAProxy keeps the client connection alive after a 502 it generated.
      assert.equal(await conn.waitClosed(200), false, 'the client connection stays open');
      conn.destroy();
    });

    // For a request that is not the first on its client connection, HAProxy answers an empty
    // server reply by closing the client connection silently (no 502), as a server closing an
    // idle keep-alive connection would, so that the client may retry the request.
    it('a server that closes without answering a later keep-alive request -> the client connection closes silently', async () => {
      const conn = await HttpConnection.open(p.closing);
      assertErrorPage(await conn.request('GET', '/no-answer-1'), 502);
      const before = beClosing.requests;
      await conn.write(buildRequest('GET', '/no-answer-2', { host: 'a.test' }));
      assert.ok(await conn.waitClosed(2000), 'the client connection is closed');
      assert.equal(conn.reader.buffered.length, 0, `no response: ${conn.reader.buffered.toString('latin1')}`);
      assert.ok(beClosing.requests > before, 'the request reached the server');
      conn.destroy();
    });

    it('a server that sends garbage -> 502', async () => {
      const conn = await HttpConnection.open(p.garbage);
      const res = await conn.request('GET', '/garbage');
      assertErrorPage(res, 502);
      conn.destroy();
      assert.ok(beGarbage.requests >= 1);
    });

    it('a response with differing duplicate Content-Length -> 502', async () => {
      const conn = await HttpConnection.open(p.dupCl);
      const res = await conn.request('GET', '/dup-cl');
      assertErrorPage(res, 502);
      conn.destroy();
      assert.ok(beDupCl.requests >= 1);
      assert.ok(await eventually(() => beDupCl.openConnections().length === 0, 1000), 'the bad server connection is closed');
    });

    it('no server available (all servers disabled) -> 503 at once; the client connection stays usable', async () => {
      const conn = await HttpConnection.open(p.disabled);
      const started = performance.now();
      const res = await conn.request('GET', '/nobody');
      assertErrorPage(res, 503);
      assert.ok(performance.now() - started < 1000);
      assert.equal(await conn.waitClosed(200), false, 'the client connection stays open');
      assertErrorPage(await conn.request('GET', '/nobody-again'), 503);
      conn.destroy();
    });

    it('the only server refuses connections -> 503 after the retries', async () => {
      const conn = await HttpConnection.open(p.refused);
      const started = performance.now();
      const res = await conn.request('GET', '/refused', {}, undefined, 5000);
      const elapsed = performance.now() - started;
      assertErrorPage(res, 503);
      // retries 2 with a turn-around of min(timeout connect, 1s) = 100 ms before each retry.
      assert.ok(elapsed >= 150 && elapsed < 3000, `503 after ${elapsed} ms`);
      conn.destroy();
    });

    it('timeout server: a server that never answers -> 504 after the timeout, and its connection is closed', async () => {
      const conn = await HttpConnection.open(p.srvTimeout);
      const started = performance.now();
      const res = await conn.request('GET', '/silent', {}, undefined, 3000);
      const elapsed = performance.now() - started;
      assertErrorPage(res, 504);
      assert.ok(elapsed >= 250 && elapsed < 2000, `504 after ${elapsed} ms`);
      conn.destroy();
      assert.ok(await eventually(() => beSilent.openConnections().length === 0, 1000), 'the silent server connection is closed');
    });

    it('timeout server: a slow answer within the timeout passes', async () => {
      const conn = await HttpConnection.open(p.reqTimeout);
      const res = await conn.request('GET', '/slow/100');
      assert.equal(res.status, 200);
      assert.equal(res.text, 'slow');
      conn.destroy();
    });

    it('client abort mid-upload: the server connection is closed within a second', async () => {
      const conn = await HttpConnection.open(p.abortUp);
      const total = 64 * 1024 * 1024;
      await conn.write(buildRequest('POST', '/upload', { host: 'a.test', 'content-length': total }));
      const block = pattern(3, 64 * 1024);
      for (let i = 0; i < 16; i++) await conn.write(block);
      assert.ok(await beAbortUp.waitForRequests(1, 2000), 'the upload reached the server');
      assert.ok(await eventually(() => (beAbortUp.connections[0]?.reader.received ?? 0) > 256 * 1024, 2000), 'body bytes reached the server');
      assert.equal(beAbortUp.openConnections().length, 1);
      conn.destroy();
      const started = performance.now();
      assert.ok(await eventually(() => beAbortUp.openConnections().length === 0, 1000), 'server connection still open 1 s after the client aborted');
      assert.ok(performance.now() - started < 1000);
    });

    it('client abort mid-download: the server connection is closed within a second', async () => {
      const conn = await HttpConnection.open(p.abortDown);
      await conn.write(buildRequest('GET', '/download/cl/1073741824', { host: 'a.test' }));
      assert.ok(await eventually(() => conn.reader.received > 1024 * 1024, 3000), 'the download started');
      assert.equal(beAbortDown.openConnections().length, 1);
      conn.destroy();
      assert.ok(await eventually(() => beAbortDown.openConnections().length === 0, 1000), 'server connection still open 1 s after the client aborted');
    });

    it('after a 502 the proxy can still serve the next client', async () => {
      await delay(10);
      const conn = await HttpConnection.open(p.reqTimeout);
      const res = await conn.request('GET', '/alive');
      assert.equal(res.status, 200);
      conn.destroy();
    });
  });
}
