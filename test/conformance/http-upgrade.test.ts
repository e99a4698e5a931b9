/**
 * Black-box conformance of `mode http` protocol upgrades: a WebSocket handshake through the proxy
 * (101, which response rules see and edit, then a tunnel governed by `timeout tunnel`), and an Upgrade request the server declines
 * (the answer keeps HTTP semantics and the connection stays an HTTP connection).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-upgrade.test.js
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, cannedBackend, wsEchoBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, assertErrorPage, startProxy, stopProxy } from '../support/http-suite.ts';
import { headerHasToken, headerValue, parseHead } from '../support/http-wire.ts';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TUNNEL_MS = 1500;

interface Ports {
  ws: number;
  refused: number;
  beWs: number;
  beApp: number;
  noAccept: number;
  beNoAccept: number;
}

function configFor(p: Ports): string {
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
frontend fe_ws
    bind 127.0.0.1:${p.ws}
    timeout client 300ms
    default_backend be_ws

backend be_ws
    timeout server 300ms
    timeout tunnel ${TUNNEL_MS}ms
    # Response rules run on a 101 too (HAProxy's srv_ws reg-test sets a header on one).
    http-response set-header x-upgraded "%[status]"
    server s1 127.0.0.1:${p.beWs}

frontend fe_upgrade_declined
    bind 127.0.0.1:${p.refused}
    default_backend be_app

backend be_app
    server s1 127.0.0.1:${p.beApp}

frontend fe_no_accept
    bind 127.0.0.1:${p.noAccept}
    default_backend be_no_accept

backend be_no_accept
    server s1 127.0.0.1:${p.beNoAccept}
`;
}

/** A client-to-server WebSocket frame (FIN, masked), payload < 64 KiB. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, mask, masked]);
}

/** Reads one unmasked server frame from the connection. */
async function readServerFrame(conn: HttpConnection, timeoutMs = 3000): Promise<{ opcode: number; payload: Buffer }> {
  const deadline = performance.now() + timeoutMs;
  const bytes: Buffer[] = [];
  const need = async (n: number): Promise<Buffer> => {
    bytes.length = 0;
    await conn.reader.readExact(n, (c) => bytes.push(c), deadline, 'websocket frame');
    return Buffer.concat(bytes);
  };
  const h = await need(2);
  const opcode = (h[0] as number) & 0x0f;
  let len = (h[1] as number) & 0x7f;
  assert.equal((h[1] as number) & 0x80, 0, 'server frames are not masked');
  if (len === 126) len = (await need(2)).readUInt16BE(0);
  else if (len === 127) len = Number((await need(8)).readBigUInt64BE(0));
  return { opcode, payload: len > 0 ? await need(len) : Buffer.alloc(0) };
}

function openWs(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

for (const target of TARGETS) {
  describe(`HTTP upgrades on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let wsBackend: Awaited<ReturnType<typeof wsEchoBackend>>;
    let app: HttpTestBackend;
    let noAccept: HttpTestBackend;
    const sockets: WebSocket[] = [];

    before(async () => {
      const [ws, refused, beWs, beApp, noAcceptPort, beNoAccept] = (await freePorts(6)) as [number, number, number, number, number, number];
      ports = { ws, refused, beWs, beApp, noAccept: noAcceptPort, beNoAccept };
      wsBackend = await wsEchoBackend(ports.beWs);
      app = await appBackend(ports.beApp, 'app');
      // Switches protocols without the Sec-WebSocket-Accept that proves it read the key.
      noAccept = await cannedBackend(ports.beNoAccept, 'no-accept', 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', 'keep');
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      for (const s of sockets) s.terminate();
      destroyAllClients();
      await stopProxy(target, proxy);
      await wsBackend?.close();
      await app?.close();
      await noAccept?.close();
    });

    it('WebSocket handshake: 101 Switching Protocols with the upgrade headers passed through, then frames both ways', async () => {
      const conn = await HttpConnection.open(ports.ws);
      const key = randomBytes(16).toString('base64');
      await conn.write(
        'GET /chat HTTP/1.1\r\nHost: a.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`,
      );
      const res = await conn.read('GET');
      assert.equal(res.status, 101, res.head.raw);
      assert.ok(headerHasToken(res.headers, 'connection', 'upgrade'), res.head.raw);
      assert.equal(headerValue(res.headers, 'upgrade')?.toLowerCase(), 'websocket');
      const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
      assert.equal(res.header('sec-websocket-accept'), accept);
      assert.equal(res.header('x-upgraded'), '101', res.head.raw);
      await conn.write(clientFrame(0x1, Buffer.from('hello through the proxy')));
      const echo = await readServerFrame(conn);
      assert.equal(echo.opcode, 0x1);
      assert.equal(echo.payload.toString(), 'hello through the proxy');
      conn.destroy();
    });

    it('WebSocket echo with the ws client: many messages in order, text and binary', async () => {
      const ws = await openWs(ports.ws);
      sockets.push(ws);
      const got: Array<string | Buffer> = [];
      ws.on('message', (data, isBinary) => got.push(isBinary ? Buffer.from(data as Buffer) : data.toString()));
      const big = randomBytes(1024 * 1024);
      for (let i = 0; i < 50; i++) ws.send(`message ${i}`);
      ws.send(big);
      const deadline = performance.now() + 5000;
      while (got.length < 51 && performance.now() < deadline) await delay(10);
      assert.equal(got.length, 51);
      for (let i = 0; i < 50; i++) assert.equal(got[i], `message ${i}`);
      assert.ok(Buffer.isBuffer(got[50]) && (got[50] as Buffer).equals(big), 'the 1 MiB binary message came back intact');
      ws.close();
    });

    it('timeout tunnel governs an upgraded connection (not timeout client/server), then closes it when idle', async () => {
      const ws = await openWs(ports.ws);
      sockets.push(ws);
      let closedAt: number | undefined;
      ws.on('close', () => (closedAt = performance.now()));
      const echo = (text: string) =>
        new Promise<string>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('no echo')), 2000);
          ws.once('message', (d) => {
            clearTimeout(t);
            resolve(d.toString());
          });
          ws.send(text);
        });
      // Idle for longer than timeout client and timeout server (300 ms): still open.
      await delay(700);
      assert.equal(closedAt, undefined, 'closed by timeout client/server instead of timeout tunnel');
      assert.equal(await echo('still there'), 'still there');
      const lastActivity = performance.now();
      const deadline = lastActivity + TUNNEL_MS + 3000;
      while (closedAt === undefined && performance.now() < deadline) await delay(20);
      assert.ok(closedAt !== undefined, 'the idle tunnel is closed');
      const idle = closedAt - lastActivity;
      assert.ok(idle >= TUNNEL_MS - 200 && idle < TUNNEL_MS + 1500, `closed after ${idle} ms idle (timeout tunnel ${TUNNEL_MS} ms)`);
    });

    it('an Upgrade request answered without 101 keeps HTTP semantics on the same connection', async () => {
      const conn = await HttpConnection.open(ports.refused);
      const acceptedBefore = app.accepted;
      const res = await conn.request('GET', '/upgrade-please', {
        connection: 'upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'sec-websocket-version': '13',
      });
      assert.equal(res.status, 200);
      const forwarded = parseHead(res.text);
      assert.equal(headerValue(forwarded.headers, 'upgrade'), 'websocket', `the Upgrade header is forwarded:\n${res.text}`);
      assert.ok(headerHasToken(forwarded.headers, 'connection', 'upgrade'), res.text);
      assert.equal(conn.closed, false);
      // Still HTTP: the next request is parsed and answered as HTTP.
      const next = await conn.request('POST', '/after-upgrade', {}, 'plain http body');
      assert.equal(next.status, 200);
      assert.equal(parseHead(next.text).startLine, 'POST /after-upgrade HTTP/1.1');
      assert.equal(next.header('x-body-length'), '15');
      assert.equal(app.accepted - acceptedBefore, 1, 'same server connection');
      conn.destroy();
    });

    it('a WebSocket upgrade request without Sec-WebSocket-Key is rejected with 400 and not forwarded', async () => {
      const before = app.requests;
      const conn = await HttpConnection.open(ports.refused);
      await conn.write('GET /ws HTTP/1.1\r\nHost: a.test\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n');
      assertErrorPage(await conn.read(), 400);
      assert.ok(await conn.waitClosed(1000));
      conn.destroy();
      assert.equal(app.requests, before);
    });

    it('a 101 WebSocket answer without Sec-WebSocket-Accept is a bad response: 502', async () => {
      const conn = await HttpConnection.open(ports.noAccept);
      await conn.write('GET /ws HTTP/1.1\r\nHost: a.test\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
      assertErrorPage(await conn.read(), 502);
      conn.destroy();
    });

    it('an Upgrade to another protocol that the server declines is a plain HTTP exchange', async () => {
      const conn = await HttpConnection.open(ports.refused);
      const res = await conn.request('GET', '/upgrade-other', { connection: 'upgrade', upgrade: 'foo/2' });
      assert.equal(res.status, 200);
      assert.equal(headerValue(parseHead(res.text).headers, 'upgrade'), 'foo/2');
      assert.equal((await conn.request('GET', '/next')).status, 200);
      conn.destroy();
    });
  });
}
