/**
 * Black-box conformance of `mode http` message bodies: 50 MiB uploads and downloads, chunked and
 * Content-Length, checked with sha256 at the far end; `Expect: 100-continue`; trailers; bodies
 * that trickle in.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-bodies.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, downloadDigest, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, buildRequest, delay, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { headerValues, parseHead, pattern, repeatedDigest } from '../support/http-wire.ts';

const BIG = 50 * 1024 * 1024;
const BLOCK = pattern(0xb0d1e5, 256 * 1024);
const TRANSFER_MS = 60_000;

interface Ports {
  fe: number;
  app: number;
}

function configFor(p: Ports): string {
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
frontend fe_bodies
    bind 127.0.0.1:${p.fe}
    default_backend be_bodies

backend be_bodies
    server s1 127.0.0.1:${p.app}
`;
}

/** Streams `total` bytes of BLOCK as the request body, chunked (64 KiB chunks) or raw. */
async function sendBody(conn: HttpConnection, total: number, chunked: boolean): Promise<void> {
  for (let sent = 0; sent < total; ) {
    const piece = BLOCK.subarray(0, Math.min(BLOCK.length, total - sent));
    sent += piece.length;
    if (chunked) await conn.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
    else await conn.write(piece);
  }
  if (chunked) await conn.write('0\r\n\r\n');
}

for (const target of TARGETS) {
  describe(`HTTP bodies on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend;

    before(async () => {
      const [fe, appPort] = (await freePorts(2)) as [number, number];
      ports = { fe, app: appPort };
      app = await appBackend(ports.app, 'app');
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app?.close();
    });

    it('uploads 50 MiB chunked intact (sha256 at the server), still chunked', async () => {
      const conn = await HttpConnection.open(ports.fe);
      await conn.write(buildRequest('POST', '/upload/chunked', { host: 'a.test', 'transfer-encoding': 'chunked' }));
      const response = conn.read('POST', TRANSFER_MS);
      await sendBody(conn, BIG, true);
      const res = await response;
      assert.equal(res.status, 200);
      assert.equal(res.header('x-body-framing'), 'chunked');
      assert.equal(res.header('x-body-length'), String(BIG));
      assert.equal(res.header('x-body-sha256'), repeatedDigest(BLOCK, BIG));
      // The connection is still usable afterwards.
      assert.equal((await conn.request('GET', '/after-upload')).status, 200);
      conn.destroy();
    });

    it('uploads 50 MiB with Content-Length intact (sha256 at the server)', async () => {
      const conn = await HttpConnection.open(ports.fe);
      await conn.write(buildRequest('PUT', '/upload/length', { host: 'a.test', 'content-length': BIG }));
      const response = conn.read('PUT', TRANSFER_MS);
      await sendBody(conn, BIG, false);
      const res = await response;
      assert.equal(res.status, 200);
      assert.equal(res.header('x-body-framing'), 'content-length');
      assert.deepEqual(headerValues(parseHead(res.text).headers, 'content-length'), [String(BIG)]);
      assert.equal(res.header('x-body-sha256'), repeatedDigest(BLOCK, BIG));
      assert.equal((await conn.request('GET', '/after-upload')).status, 200);
      conn.destroy();
    });

    it('downloads 50 MiB chunked intact', async () => {
      const conn = await HttpConnection.open(ports.fe);
      await conn.write(buildRequest('GET', `/download/chunked/${BIG}`, { host: 'a.test' }));
      const res = await conn.read('GET', TRANSFER_MS, { collectLimit: 0 });
      assert.equal(res.status, 200);
      assert.equal(res.framing, 'chunked');
      assert.equal(res.bodyLength, BIG);
      assert.equal(res.sha256, downloadDigest(BIG));
      assert.equal((await conn.request('GET', '/after-download')).status, 200);
      conn.destroy();
    });

    it('downloads 50 MiB with Content-Length intact', async () => {
      const conn = await HttpConnection.open(ports.fe);
      await conn.write(buildRequest('GET', `/download/cl/${BIG}`, { host: 'a.test' }));
      const res = await conn.read('GET', TRANSFER_MS, { collectLimit: 0 });
      assert.equal(res.status, 200);
      assert.equal(res.framing, 'content-length');
      assert.equal(res.header('content-length'), String(BIG));
      assert.equal(res.bodyLength, BIG);
      assert.equal(res.sha256, downloadDigest(BIG));
      assert.equal((await conn.request('GET', '/after-download')).status, 200);
      conn.destroy();
    });

    it('Expect: 100-continue: the client gets 100 Continue before sending the body, then the final response', async () => {
      const conn = await HttpConnection.open(ports.fe);
      const body = pattern(42, 300_000);
      await conn.write(buildRequest('POST', '/expect', { host: 'a.test', 'content-length': body.length, expect: '100-continue' }));
      const interim = await conn.read('POST', 3000);
      assert.equal(interim.status, 100, interim.head.raw);
      assert.equal(interim.bodyLength, 0);
      await conn.write(body);
      const res = await conn.read('POST', 5000);
      assert.equal(res.status, 200);
      assert.equal(res.header('x-body-length'), String(body.length));
      assert.equal(res.header('x-body-sha256'), repeatedDigest(body, body.length));
      assert.equal(conn.reader.buffered.length, 0, 'exactly one interim response');
      assert.equal((await conn.request('GET', '/after-expect')).status, 200);
      conn.destroy();
    });

    it('a Content-Length body that trickles in over many small writes is forwarded whole', async () => {
      const conn = await HttpConnection.open(ports.fe);
      const body = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
      await conn.write(buildRequest('POST', '/trickle', { host: 'a.test', 'content-length': body.length }));
      for (let i = 0; i < body.length; i += 4) {
        await conn.write(body.subarray(i, i + 4));
        await delay(5);
      }
      const res = await conn.read('POST');
      assert.equal(res.header('x-body-length'), String(body.length));
      assert.equal(app.lastRequest()?.body?.body.toString(), body.toString());
      conn.destroy();
    });

    it('a chunked body split at awkward places (inside size lines and CRLFs) is forwarded whole', async () => {
      const conn = await HttpConnection.open(ports.fe);
      const wire = Buffer.from(`${buildRequest('POST', '/split', { host: 'a.test', 'transfer-encoding': 'chunked' }).toString('latin1')}a\r\n0123456789\r\n10\r\nABCDEFGHIJKLMNOP\r\n0\r\n\r\n`, 'latin1');
      for (let i = 0; i < wire.length; i += 3) {
        await conn.write(wire.subarray(i, i + 3));
        await delay(2);
      }
      const res = await conn.read('POST');
      assert.equal(res.status, 200);
      assert.equal(app.lastRequest()?.body?.body.toString(), '0123456789ABCDEFGHIJKLMNOP');
      conn.destroy();
    });

    it('an empty chunked body and a zero Content-Length both reach the server as empty bodies', async () => {
      const conn = await HttpConnection.open(ports.fe);
      await conn.write(`POST /empty-chunked HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`);
      const a = await conn.read('POST');
      assert.equal(a.header('x-body-length'), '0');
      await conn.write(`POST /empty-length HTTP/1.1\r\nHost: a.test\r\nContent-Length: 0\r\n\r\n`);
      const b = await conn.read('POST');
      assert.equal(b.header('x-body-length'), '0');
      conn.destroy();
    });

    it('request trailers are forwarded after the last chunk', async () => {
      const conn = await HttpConnection.open(ports.fe);
      await conn.write(`POST /trailers HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\n\r\n5\r\nhello\r\n0\r\nx-checksum: abc123\r\n\r\n`);
      const res = await conn.read('POST');
      assert.equal(res.status, 200);
      const body = app.lastRequest()?.body;
      assert.equal(body?.body.toString(), 'hello');
      assert.match(body?.trailers ?? '', /^x-checksum: abc123\r\n$/i);
      conn.destroy();
    });
  });
}
