/**
 * Black-box conformance of `compression algo|type|offload` (HAProxy's compression filter): which
 * responses are compressed (select_compression_request/response_header), the head a compressed
 * response gets (Content-Encoding, chunked framing, a weak ETag, Vary), bodies decoded here with
 * node:zlib (gzip, deflate, raw deflate; Content-Length and chunked server bodies; a large one),
 * and a slow client still pausing the server. Checked against HAProxy 2.6:
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-compression.test.js
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { DOWNLOAD_BLOCK, downloadDigest, httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { readRequestBody, sha256, type HttpResponse } from '../support/http-wire.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { statRows } from '../support/cli-client.ts';

const PORT_NAMES = ['gzip', 'gzipDeflate', 'raw', 'identity', 'app', 'count', 'countId', 'cli', 'logged'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    stats socket ipv4@127.0.0.1:${p.cli} level admin
${HTTP_DEFAULTS}
frontend fe-logged
    bind 127.0.0.1:${p.logged}
    log stdout format raw local0
    log-format "comp %HP %[res.comp] %[res.comp_algo]"
    default_backend be-count

frontend fe-count
    bind 127.0.0.1:${p.count}
    default_backend be-count

frontend fe-count-id
    bind 127.0.0.1:${p.countId}
    default_backend be-count-id

backend be-count
    compression algo gzip
    server s1 127.0.0.1:${p.app}

backend be-count-id
    compression algo identity
    server s1 127.0.0.1:${p.app}

frontend fe-gzip
    bind 127.0.0.1:${p.gzip}
    default_backend be-gzip

frontend fe-gzip-deflate
    bind 127.0.0.1:${p.gzipDeflate}
    default_backend be-gzip-deflate

frontend fe-raw
    bind 127.0.0.1:${p.raw}
    compression algo raw-deflate
    default_backend be-plain

frontend fe-identity
    bind 127.0.0.1:${p.identity}
    default_backend be-identity

backend be-gzip
    compression algo gzip
    compression type text/html text/plain
    server s1 127.0.0.1:${p.app}

backend be-gzip-deflate
    compression algo gzip deflate
    compression offload
    server s1 127.0.0.1:${p.app}

backend be-identity
    compression algo identity
    server s1 127.0.0.1:${p.app}

backend be-plain
    server s1 127.0.0.1:${p.app}
`;
}

/** Compressible text of n bytes. */
function text(n: number): Buffer {
  const line = Buffer.from('the quick brown fox jumps over the lazy dog 0123456789\n', 'latin1');
  const out = Buffer.alloc(n);
  for (let at = 0; at < n; at += line.length) line.copy(out, at, 0, Math.min(line.length, n - at));
  return out;
}

function head(status: string, headers: string[]): string {
  return `HTTP/${status}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}

/**
 * The application: the path says what it answers.
 *   /cl/N            text/plain, N bytes, Content-Length      /chunked/N  the same in chunks, slowly
 *   /type/T          Content-Type T (url-decoded), 100 bytes  /h/NAME/VAL one extra header
 *   /status/N        status N, 100 bytes                      /http10     an HTTP/1.0 answer
 *   /close-delimited no length, closes                        /big/N      N bytes of DOWNLOAD_BLOCK, octet-stream, the time its last write finished recorded
 */
function appFor(port: number, state: { bigWritten: number }): Promise<HttpTestBackend> {
  return httpBackend(port, 'app', async ({ socket, reader, request, record }) => {
    record.body = await readRequestBody(reader, request, { deadline: performance.now() + 5000 }).catch(() => undefined);
    const parts = request.target.split('/');
    const kind = parts[1];
    const noBody = request.method === 'HEAD';
    const plain = (extra: string[], body: Buffer, status = '1.1 200 OK'): Promise<void> =>
      writeAsync(socket, Buffer.concat([Buffer.from(head(status, [...extra, `Content-Length: ${body.length}`]), 'latin1'), noBody ? Buffer.alloc(0) : body]));
    switch (kind) {
      case 'cl':
        await plain(['Content-Type: text/plain'], text(Number(parts[2])));
        return 'keep';
      case 'chunked': {
        const body = text(Number(parts[2]));
        await writeAsync(socket, head('1.1 200 OK', ['Content-Type: text/plain', 'Transfer-Encoding: chunked']));
        for (let at = 0, size = 1; at < body.length; at += size, size *= 3) {
          const piece = body.subarray(at, Math.min(body.length, at + size));
          await writeAsync(socket, Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
          await delay(2);
        }
        await writeAsync(socket, '0\r\n\r\n');
        return 'keep';
      }
      case 'type':
        await plain([`Content-Type: ${decodeURIComponent(parts[2] as string)}`], text(100));
        return 'keep';
      case 'h':
        await plain(['Content-Type: text/plain', `${parts[2]}: ${decodeURIComponent(parts[3] as string)}`], text(100));
        return 'keep';
      case 'dup-etag':
        await plain(['Content-Type: text/plain', 'ETag: "123"', 'ETag: "123"'], text(100));
        return 'keep';
      case 'status':
        await plain(['Content-Type: text/plain'], text(100), `1.1 ${parts[2]} Whatever`);
        return 'keep';
      case 'http10':
        await plain(['Content-Type: text/plain', 'Connection: keep-alive'], text(100), '1.0 200 OK');
        return 'keep';
      case 'close-delimited':
        await writeAsync(socket, Buffer.concat([Buffer.from(head('1.1 200 OK', ['Content-Type: text/plain', 'Connection: close']), 'latin1'), text(100)]));
        return 'close';
      case 'big': {
        const total = Number(parts[2]);
        await writeAsync(socket, head('1.1 200 OK', ['Content-Type: application/octet-stream', `Content-Length: ${total}`]));
        for (let sent = 0; sent < total; sent += DOWNLOAD_BLOCK.length) await writeAsync(socket, DOWNLOAD_BLOCK.subarray(0, Math.min(DOWNLOAD_BLOCK.length, total - sent)));
        state.bigWritten = performance.now();
        return 'keep';
      }
      default:
        await plain(['Content-Type: text/plain'], text(100), '1.1 404 Not Found');
        return 'keep';
    }
  });
}

function assertUncompressed(res: HttpResponse, length = 100): void {
  assert.equal(res.header('content-encoding'), undefined);
  assert.equal(res.header('transfer-encoding'), undefined);
  assert.equal(res.header('vary'), undefined);
  assert.equal(res.bodyLength, length);
}

function assertCompressed(res: HttpResponse, coding: string | undefined): void {
  assert.equal(res.status, 200);
  assert.equal(res.header('content-encoding'), coding);
  assert.equal(res.header('transfer-encoding'), 'chunked');
  assert.equal(res.header('content-length'), undefined);
  assert.equal(res.header('vary'), 'Accept-Encoding');
}

for (const target of TARGETS) {
  describe(`compression on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend;
    const state = { bigWritten: 0 };

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      app = await appFor(ports.app, state);
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
    });

    it('gzips a Content-Length body and a chunked one: Content-Encoding, chunked, Vary, no Content-Length', async () => {
      const conn = await HttpConnection.open(ports.gzip);
      const cl = await conn.request('GET', '/cl/5000', { 'accept-encoding': 'gzip' });
      assertCompressed(cl, 'gzip');
      assert.ok(cl.bodyLength < 1000, `compressed to ${cl.bodyLength}`);
      assert.deepEqual(gunzipSync(cl.body), text(5000));
      const chunked = await conn.request('GET', '/chunked/20000', { 'accept-encoding': 'gzip' });
      assertCompressed(chunked, 'gzip');
      assert.deepEqual(gunzipSync(chunked.body), text(20000));
      // The connection stays usable.
      assert.deepEqual(gunzipSync((await conn.request('GET', '/cl/10', { 'accept-encoding': 'gzip' })).body), text(10));
      conn.destroy();
    });

    it('does not compress without a matching Accept-Encoding, for old Mozilla/4 agents, HTTP/1.0, HEAD, other statuses', async () => {
      const conn = await HttpConnection.open(ports.gzip);
      assertUncompressed(await conn.request('GET', '/cl/100'));
      assertUncompressed(await conn.request('GET', '/cl/100', { 'accept-encoding': 'br, identity' }));
      assertUncompressed(await conn.request('GET', '/cl/100', { 'accept-encoding': 'gzip', 'user-agent': 'Mozilla/4' }));
      const http10 = await conn.request('GET', '/http10', { 'accept-encoding': 'gzip' });
      assert.equal(http10.version, 'HTTP/1.0');
      assertUncompressed(http10);
      const headRes = await conn.request('HEAD', '/cl/100', { 'accept-encoding': 'gzip' });
      assert.equal(headRes.header('content-length'), '100');
      assert.equal(headRes.header('content-encoding'), undefined);
      const notFound = await conn.request('GET', '/status/404', { 'accept-encoding': 'gzip' });
      assert.equal(notFound.status, 404);
      assertUncompressed(notFound);
      const accepted = await conn.request('GET', '/status/203', { 'accept-encoding': 'gzip' });
      assert.equal(accepted.status, 203);
      assert.equal(accepted.header('content-encoding'), 'gzip');
      assert.deepEqual(gunzipSync(accepted.body), text(100));
      conn.destroy();
      // An HTTP/1.0 request.
      const old = await HttpConnection.open(ports.gzip);
      await old.write('GET /cl/100 HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n');
      assertUncompressed(await old.read());
      old.destroy();
    });

    it('leaves encoded, no-transform, multipart, unlisted types, bad or double ETags and close-delimited bodies alone', async () => {
      const conn = await HttpConnection.open(ports.gzip);
      const ae = { 'accept-encoding': 'gzip' };
      const encoded = await conn.request('GET', '/h/Content-Encoding/something', ae);
      assert.equal(encoded.header('content-encoding'), 'something');
      assert.equal(encoded.bodyLength, 100);
      assertUncompressed(await conn.request('GET', '/h/Cache-Control/private%2C%20No-Transform', ae));
      assertUncompressed(await conn.request('GET', `/type/${encodeURIComponent('multipart/mixed; boundary="aaa"')}`, ae));
      assertUncompressed(await conn.request('GET', '/type/text%2Fcss', ae));
      assertUncompressed(await conn.request('GET', '/h/ETag/123', ae));
      assertUncompressed(await conn.request('GET', '/dup-etag', ae));
      const charset = await conn.request('GET', `/type/${encodeURIComponent('Text/Plain; charset=utf-8')}`, ae);
      assert.equal(charset.header('content-encoding'), 'gzip');
      conn.destroy();
      const closing = await HttpConnection.open(ports.gzip);
      assertUncompressed(await closing.request('GET', '/close-delimited', ae));
      closing.destroy();
    });

    it('weakens a strong ETag and keeps a weak one', async () => {
      const conn = await HttpConnection.open(ports.gzip);
      const strong = await conn.request('GET', '/h/ETag/%22abc%22', { 'accept-encoding': 'gzip' });
      assertCompressed(strong, 'gzip');
      assert.equal(strong.header('etag'), 'W/"abc"');
      const weak = await conn.request('GET', '/h/ETag/W%2F%22abc%22', { 'accept-encoding': 'gzip' });
      assert.equal(weak.header('etag'), 'W/"abc"');
      conn.destroy();
    });

    it('picks the algorithm of the highest q-value; offload removes Accept-Encoding from the request', async () => {
      const conn = await HttpConnection.open(ports.gzipDeflate);
      const gz = await conn.request('GET', '/cl/3000', { 'accept-encoding': '*;q=0, gzip;q=0.750, deflate;q=0.500' });
      assertCompressed(gz, 'gzip');
      assert.deepEqual(gunzipSync(gz.body), text(3000));
      assert.equal(app.lastRequest()?.headers.some(([n]) => n.toLowerCase() === 'accept-encoding'), false);
      const df = await conn.request('GET', '/chunked/3000', { 'accept-encoding': '*;q=0, gzip;q=0.500, deflate;q=0.750' });
      assertCompressed(df, 'deflate');
      assert.deepEqual(inflateSync(df.body), text(3000));
      // `*` takes the last declared algorithm (HAProxy's list order), with no type restriction here.
      const star = await conn.request('GET', '/type/application%2Fjson', { 'accept-encoding': '*' });
      assertCompressed(star, 'deflate');
      // Nothing chosen: offload leaves the header to the server.
      await conn.request('GET', '/cl/10', { 'accept-encoding': 'br' });
      assert.equal(app.lastRequest()?.headers.find(([n]) => n.toLowerCase() === 'accept-encoding')?.[1], 'br');
      conn.destroy();
    });

    it('raw-deflate on the frontend says "deflate" and sends a raw stream; identity re-chunks without a coding', async () => {
      const raw = await HttpConnection.open(ports.raw);
      const res = await raw.request('GET', '/cl/4000', { 'accept-encoding': 'deflate' });
      assertCompressed(res, 'deflate');
      assert.deepEqual(inflateRawSync(res.body), text(4000));
      raw.destroy();
      const id = await HttpConnection.open(ports.identity);
      const plain = await id.request('GET', '/cl/50000');
      assertCompressed(plain, undefined);
      assert.deepEqual(plain.body, text(50000));
      const chunked = await id.request('GET', '/chunked/50000');
      assertCompressed(chunked, undefined);
      assert.deepEqual(chunked.body, text(50000));
      id.destroy();
    });

    it('counts comp_in, comp_out, comp_byp and comp_rsp on the frontend and the backend', async () => {
      const conn = await HttpConnection.open(ports.count);
      const gz = await conn.request('GET', '/cl/5000', { 'accept-encoding': 'gzip' });
      assertCompressed(gz, 'gzip');
      // Not compressed (no Accept-Encoding): not the filter's.
      const plain = await conn.request('GET', '/cl/700');
      assert.equal(plain.header('content-encoding'), undefined);
      conn.destroy();
      const id = await HttpConnection.open(ports.countId);
      await id.request('GET', '/cl/3000');
      id.destroy();
      // The stats of a transaction are counted as it ends: read until both responses counted.
      let rows: Record<string, string>[] = [];
      for (let i = 0; i < 50; i++) {
        rows = await statRows(ports.cli);
        const count = rows.find((r) => r.pxname === 'be-count' && r.svname === 'BACKEND');
        const countId = rows.find((r) => r.pxname === 'be-count-id' && r.svname === 'BACKEND');
        if (count?.comp_rsp === '1' && countId?.comp_rsp === '1') break;
        await delay(100);
      }
      const pick = (px: string, sv: string) => {
        const r = rows.find((x) => x.pxname === px && x.svname === sv);
        return r === undefined ? undefined : [r.comp_in, r.comp_out, r.comp_byp, r.comp_rsp].map(Number);
      };
      assert.deepEqual(pick('fe-count', 'FRONTEND'), [5000, gz.bodyLength, 0, 1]);
      assert.deepEqual(pick('be-count', 'BACKEND'), [5000, gz.bodyLength, 0, 1]);
      assert.deepEqual(pick('fe-count-id', 'FRONTEND'), [0, 0, 3000, 1]);
      assert.deepEqual(pick('be-count-id', 'BACKEND'), [0, 0, 3000, 1]);
    });

    it('res.comp and res.comp_algo: in the log, what the filter did to the response', async () => {
      const conn = await HttpConnection.open(ports.logged);
      await conn.request('GET', '/cl/4000', { 'accept-encoding': 'gzip' });
      await conn.request('GET', '/cl/3000');
      conn.destroy();
      const lines = () => (proxy?.stdout ?? '').split('\n').filter((l) => l.startsWith('comp /cl/'));
      await eventually(() => lines().length >= 2, 5000);
      // An absent sample logs as '-'.
      assert.deepEqual(lines(), ['comp /cl/4000 1 gzip', 'comp /cl/3000 0 -'], `${proxy?.stdout}\n${proxy?.stderr}`);
    });

    it('streams a large body and a slow client pauses the server', async () => {
      const total = 24 * 1024 * 1024;
      state.bigWritten = 0;
      const socket = connect(ports.raw, '127.0.0.1');
      socket.pause();
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      socket.write(`GET /big/${total} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: deflate\r\n\r\n`);
      // The client does not read: the server must be held back long before its last byte.
      await delay(1500);
      assert.equal(state.bigWritten, 0, 'the server wrote its whole body while the client read nothing');
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.resume();
      const done = await eventually(() => Buffer.concat(chunks).includes('\r\n0\r\n\r\n'), 30_000);
      socket.destroy();
      assert.ok(done, 'the whole response arrived');
      const all = Buffer.concat(chunks);
      const headEnd = all.indexOf('\r\n\r\n');
      assert.match(all.subarray(0, headEnd).toString('latin1'), /\r\ncontent-encoding: deflate(\r\n|$)/i);
      const body: Buffer[] = [];
      for (let at = headEnd + 4; ; ) {
        const lineEnd = all.indexOf('\r\n', at);
        const size = parseInt(all.subarray(at, lineEnd).toString('latin1'), 16);
        if (size === 0) break;
        body.push(all.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      const decoded = inflateRawSync(Buffer.concat(body));
      assert.equal(decoded.length, total);
      assert.equal(sha256(decoded), downloadDigest(total));
    });
  });
}
