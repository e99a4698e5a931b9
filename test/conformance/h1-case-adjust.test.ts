/**
 * `h1-case-adjust` / `h1-case-adjust-file` with `option h1-case-adjust-bogus-client|server`:
 * the HTTP/1 muxes spell the mapped header names as configured, in the responses to a bogus
 * client's frontend and the requests to a bogus server's backend only; an HTTP/2 client gets
 * lowercase names (HAProxy's h1_adjust_case_outgoing_hdr, mux_h1.c). The client and the
 * server see the exact bytes; every name not in the map is sent lowercase, which both HAProxy
 * (it lowercases every name) and Switchyard (it keeps the received case) forward as is. The
 * backend's HTTP health checks are requests to its servers too.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/h1-case-adjust.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { scriptedBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients, exchange } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { h2ResponseHeaders } from '../support/h2-request.ts';

const SWITCH = 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';
const RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\netag: "v1"\r\nx-trace-id: t\r\nx-other: o\r\n\r\nok';

/** The header lines of a raw head, as received. */
function headerLines(raw: string): string[] {
  return raw
    .split('\r\n')
    .slice(1)
    .filter((l) => l !== '');
}

for (const target of TARGETS) {
  describe(`h1-case-adjust on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let app: HttpTestBackend;
    let checked: HttpTestBackend;
    let ws: HttpTestBackend;
    let bogusClient: number;
    let plain: number;
    let h2: number;
    let dir: string;

    before(async () => {
      const [p1, p2, p3, appPort, checkedPort, wsPort] = (await freePorts(6)) as [number, number, number, number, number, number];
      bogusClient = p1;
      plain = p2;
      h2 = p3;
      dir = mkdtempSync(join(tmpdir(), 'switchyard-h1case-'));
      const caseFile = join(dir, 'case.txt');
      writeFileSync(caseFile, '# names our bogus peers expect\n  etag\tETag  \nx-served-by X-SERVED-BY\nupgrade Upgrade\nsec-websocket-accept Sec-WebSocket-Accept\n');
      app = await scriptedBackend(appPort, 'app', () => ({ bytes: RESPONSE, after: 'keep' }));
      ws = await scriptedBackend(wsPort, 'ws', () => ({ bytes: SWITCH, after: 'close' }));
      checked = await scriptedBackend(checkedPort, 'checked', () => ({ bytes: 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n' }));
      proxy = await startProxy(
        target,
        `
global
    h1-case-adjust content-length Content-Length
    h1-case-adjust x-trace-id X-Trace-ID
    h1-case-adjust-file ${caseFile}
${HTTP_DEFAULTS}
frontend bogus_client
    bind 127.0.0.1:${bogusClient}
    option h1-case-adjust-bogus-client
    http-response add-header x-served-by proxy
    http-request return status 200 content-type text/plain string hi hdr x-trace-id local if { path /local }
    use_backend ws if { path /ws }
    default_backend plain
frontend plain
    bind 127.0.0.1:${plain}
    default_backend bogus_server
frontend h2
    bind 127.0.0.1:${h2} proto h2
    option h1-case-adjust-bogus-client
    default_backend plain
backend plain
    server app 127.0.0.1:${appPort}
backend bogus_server
    option h1-case-adjust-bogus-server
    http-request add-header x-served-by proxy
    server app 127.0.0.1:${appPort}
backend ws
    option h1-case-adjust-bogus-server
    server ws 127.0.0.1:${wsPort}
backend health
    option h1-case-adjust-bogus-server
    option httpchk
    http-check send meth GET uri /chk ver HTTP/1.1 hdr host h hdr x-trace-id c
    server checked 127.0.0.1:${checkedPort} check inter 200
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
      await checked.close();
      await ws.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a bogus client gets the mapped names spelled its way; the server gets the request as sent', async () => {
      const conn = await HttpConnection.open(bogusClient);
      try {
        const res = await conn.request('GET', '/a', { 'x-trace-id': '1' });
        assert.equal(res.status, 200);
        assert.deepEqual(headerLines(res.head.raw), ['Content-Length: 2', 'ETag: "v1"', 'X-Trace-ID: t', 'x-other: o', 'X-SERVED-BY: proxy']);
        assert.equal(app.lastRequest()?.rawHead, 'GET /a HTTP/1.1\r\nhost: example.test\r\nx-trace-id: 1\r\n\r\n');
      } finally {
        conn.destroy();
      }
    });

    it("a reply the proxy builds is respelled too", async () => {
      const conn = await HttpConnection.open(bogusClient);
      try {
        const res = await conn.request('GET', '/local');
        assert.equal(res.status, 200);
        const lines = headerLines(res.head.raw);
        assert.ok(lines.includes('Content-Length: 2'), res.head.raw);
        assert.ok(lines.includes('X-Trace-ID: local'), res.head.raw);
        assert.ok(lines.includes('content-type: text/plain'), res.head.raw);
      } finally {
        conn.destroy();
      }
    });

    it("the H1 mux's own error page (an invalid request) goes out as its raw bytes, not respelled", async () => {
      const { response } = await exchange(bogusClient, 'GET / HTTP/1.1\r\nho st: x\r\n\r\n');
      assert.equal(response.status, 400);
      assert.deepEqual(headerLines(response.head.raw), ['Content-length: 90', 'Cache-Control: no-cache', 'Connection: close', 'Content-Type: text/html']);
    });

    it('a 101 and the upgrade request are respelled both ways', async () => {
      const conn = await HttpConnection.open(bogusClient);
      try {
        const res = await conn.request('GET', '/ws', { upgrade: 'websocket', connection: 'upgrade', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': 13 });
        assert.equal(res.status, 101);
        assert.deepEqual(headerLines(res.head.raw), ['Upgrade: websocket', 'connection: upgrade', 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'X-SERVED-BY: proxy']);
        // HAProxy keeps the request's Connection header in place, Switchyard writes it last: compared as a set.
        assert.deepEqual(headerLines(ws.lastRequest()?.rawHead ?? '').sort(), [
          'Upgrade: websocket',
          'connection: upgrade',
          'host: example.test',
          'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==',
          'sec-websocket-version: 13',
        ]);
      } finally {
        conn.destroy();
      }
    });

    it('a bogus server gets the mapped names spelled its way; the client of a plain frontend gets them as the server sent them', async () => {
      const conn = await HttpConnection.open(plain);
      try {
        const res = await conn.request('POST', '/b', { 'x-trace-id': '2', etag: 'e' }, 'xy');
        assert.equal(res.status, 200);
        assert.deepEqual(headerLines(res.head.raw), ['content-length: 2', 'etag: "v1"', 'x-trace-id: t', 'x-other: o']);
        assert.equal(
          app.lastRequest()?.rawHead,
          'POST /b HTTP/1.1\r\nhost: example.test\r\nX-Trace-ID: 2\r\nETag: e\r\nContent-Length: 2\r\nX-SERVED-BY: proxy\r\n\r\n',
        );
      } finally {
        conn.destroy();
      }
    });

    it('an HTTP/2 client of a bogus-client frontend gets valid lowercase names', async () => {
      const session = http2.connect(`http://127.0.0.1:${h2}`);
      session.on('error', () => {});
      try {
        const headers = await h2ResponseHeaders(session, { ':path': '/c' });
        assert.equal(headers[':status'], 200);
        assert.equal(headers['etag'], '"v1"');
        assert.equal(headers['x-trace-id'], 't');
      } finally {
        session.destroy();
      }
    });

    it("a bogus server's health checks spell the names its way", async () => {
      assert.ok(await eventually(() => checked.requests > 0, 10_000), 'no health check arrived');
      assert.equal(checked.received[0]?.rawHead, 'GET /chk HTTP/1.1\r\nhost: h\r\nX-Trace-ID: c\r\nconnection: close\r\n\r\n');
    });
  });
}
