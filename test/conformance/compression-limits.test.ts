/**
 * The process's compression limits (HAProxy's compression.c and flt_http_comp.c): `maxcomprate`
 * (KiB/s) leaves new responses uncompressed while the bytes compressed over the last second pass
 * it, `show info` reports the rates and the limit, `set rate-limit http-compression global`
 * changes it; `maxzlibmem` (MiB) leaves a response uncompressed when its compressor's zlib
 * memory would pass it, `show info` reporting ZlibMemUsage and MaxZlibMemUsage.
 *
 * The `maxzlibmem` part does not run against HAProxy: Debian builds it with libslz, for which
 * the limit and the two figures do not exist. Run the rest against the real HAProxy:
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/compression-limits.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type Socket } from 'node:net';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

/** 20 KB of compressible text. */
const BODY = Buffer.from('the quick brown fox jumps over the lazy dog 0123456789\n'.repeat(370), 'latin1');

/** Sends a request on a new connection and resolves with the response head's Content-Encoding once the head came; the connection stays open. */
function encodingOfHead(port: number, clients: Socket[]): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    clients.push(socket);
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no response head: ${JSON.stringify(text)}`)), 5_000);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      if (text.includes('\r\n\r\n')) return;
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      resolve(/^content-encoding: *(.*)$/im.exec(text.slice(0, end))?.[1]?.trim());
    });
    socket.write('GET /held HTTP/1.1\r\nhost: x\r\naccept-encoding: gzip\r\n\r\n');
  });
}

/** `show info`'s fields by name. */
async function info(port: number): Promise<Map<string, string>> {
  const text = await cli({ port }, 'show info\n');
  return new Map(text.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
}

for (const target of TARGETS) {
  describe(`compression limits on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let app: HttpTestBackend;
    let ports: number[] = [];
    /** Responses of /held wait here until released. */
    const held: Socket[] = [];

    before(async () => {
      ports = await freePorts(4);
      const [appPort, rateFe, memFe, cliPort] = ports as [number, number, number, number];
      app = await httpBackend(appPort, 'app', async ({ socket, request }) => {
        if (request.target === '/held') {
          // Head and a first chunk: the compressor exists until the last chunk comes.
          await writeAsync(socket, `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n${BODY.length.toString(16)}\r\n`);
          await writeAsync(socket, Buffer.concat([BODY, Buffer.from('\r\n')]));
          held.push(socket);
          return 'hold';
        }
        await writeAsync(socket, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\n\r\n`), BODY]));
        return 'keep';
      });
      proxy = await startProxy(
        target,
        `
global
    stats socket ipv4@127.0.0.1:${cliPort} level admin
    maxcomprate 1
${target === 'haproxy' ? '' : '    maxzlibmem 1\n'}${HTTP_DEFAULTS}
frontend fe-rate
    bind 127.0.0.1:${rateFe}
    compression algo gzip
    default_backend be

frontend fe-mem
    bind 127.0.0.1:${memFe}
    compression algo gzip
    default_backend be

backend be
    server s1 127.0.0.1:${appPort}
`,
      );
    });

    after(async () => {
      for (const socket of held) socket.destroy();
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
    });

    it('maxcomprate: past the rate, responses go uncompressed; show info has the rates; set rate-limit lifts it', async () => {
      const [, rateFe, , cliPort] = ports as [number, number, number, number];
      const conn = await HttpConnection.open(rateFe);
      const first = await conn.request('GET', '/', { 'accept-encoding': 'gzip' });
      assert.equal(first.header('content-encoding'), 'gzip', 'the first response is compressed');
      // 20 KB went into a compressor within the second: over 1 KiB/s.
      const second = await conn.request('GET', '/', { 'accept-encoding': 'gzip' });
      assert.equal(second.header('content-encoding'), undefined, 'the next one is not');
      assert.equal(second.bodyLength, BODY.length);
      const fields = await info(cliPort);
      assert.equal(fields.get('CompressBpsRateLim'), '1024');
      assert.ok(Number(fields.get('CompressBpsIn')) >= BODY.length, `CompressBpsIn ${fields.get('CompressBpsIn')}`);
      assert.ok(Number(fields.get('CompressBpsOut')) > 0, `CompressBpsOut ${fields.get('CompressBpsOut')}`);
      assert.equal(await cli({ port: cliPort }, 'set rate-limit http-compression global 0\n'), '\n');
      const third = await conn.request('GET', '/', { 'accept-encoding': 'gzip' });
      assert.equal(third.header('content-encoding'), 'gzip', 'compressed again without a limit');
      assert.equal((await info(cliPort)).get('CompressBpsRateLim'), '0');
      conn.destroy();
    });

    it('maxzlibmem: a compressor that would pass it leaves its response uncompressed; ZlibMemUsage follows', { skip: target === 'haproxy' ? 'HAProxy here is built with libslz: no zlib memory' : false }, async () => {
      const [, , memFe, cliPort] = ports as [number, number, number, number];
      // maxcomprate out of the way (the test before may have stopped before lifting it).
      await cli({ port: cliPort }, 'set rate-limit http-compression global 0\n');
      // Each compressor holds about 262 KiB of zlib memory with the defaults: three fit in 1 MiB, not four.
      const clients: Socket[] = [];
      const encodings: (string | undefined)[] = [];
      for (let i = 0; i < 4; i++) encodings.push(await encodingOfHead(memFe, clients));
      assert.deepEqual(encodings, ['gzip', 'gzip', 'gzip', undefined]);
      const during = await info(cliPort);
      assert.equal(during.get('MaxZlibMemUsage'), String(1024 * 1024));
      assert.ok(Number(during.get('ZlibMemUsage')) > 3 * 262_144 && Number(during.get('ZlibMemUsage')) <= 1024 * 1024, `ZlibMemUsage ${during.get('ZlibMemUsage')}`);
      for (const socket of held.splice(0)) socket.end('0\r\n\r\n');
      for (const client of clients) client.destroy();
      let usage = '';
      for (const deadline = performance.now() + 5_000; usage !== '0' && performance.now() < deadline; ) {
        usage = (await info(cliPort)).get('ZlibMemUsage') ?? '';
        if (usage !== '0') await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(usage, '0', 'ZlibMemUsage back to 0');
    });
  });
}
