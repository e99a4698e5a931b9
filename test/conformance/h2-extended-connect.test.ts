/**
 * Black-box conformance of the Sec-WebSocket-Key HAProxy 2.6 makes up for an HTTP/2 extended
 * CONNECT (RFC 8441) for `websocket`, which has none (RFC 8441 §5): it is no field of the
 * request but an addition of the H1 mux on its way to an HTTP/1.1 server (written last, spelt
 * `Sec-Websocket-Key`, h1_process_output), whose Accept that mux then checks. Toward an HTTP/2
 * server (h2 -> h2) there is no key to send and no Accept to check or to add: the server's 200
 * reaches the client as it is, and the stream carries the tunnel both ways. Toward an HTTP/2
 * server an HTTP/2 request also keeps its `:scheme` and `:authority` (HAProxy's normalized URI).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/h2-extended-connect.test.js
 */
import assert from 'node:assert/strict';
import { createServer, type Server as NetServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { FrameType, RawH2, field, rawH2Server, type RawFrame } from '../support/h2-raw.ts';
import { createHash } from 'node:crypto';

const PORT_NAMES = ['toh1', 'toh2', 'h1srv', 'h2srv'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
${HTTP_DEFAULTS}
listen toh1
    bind 127.0.0.1:${p.toh1} proto h2
    server s 127.0.0.1:${p.h1srv}

listen toh2
    bind 127.0.0.1:${p.toh2} proto h2
    server s 127.0.0.1:${p.h2srv} proto h2
`;
}

const CONNECT_WEBSOCKET: [string, string][] = [
  [':method', 'CONNECT'],
  [':protocol', 'websocket'],
  [':scheme', 'http'],
  [':path', '/chat'],
  [':authority', '127.0.0.1'],
  ['sec-websocket-version', '13'],
];

for (const target of TARGETS) {
  describe(`HTTP/2 extended CONNECT websocket: the made-up key on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let h1srv: NetServer;
    let h2srv: NetServer;
    let h1Head = '';
    let h2Request: RawFrame | null = null;
    let h2Get: RawFrame | null = null;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      // An HTTP/1.1 WebSocket server: records the head, answers with the key's Accept, then echoes uppercased.
      h1srv = createServer((socket) => {
        let text = '';
        const onHead = (d: Buffer): void => {
          text += d.toString('latin1');
          const end = text.indexOf('\r\n\r\n');
          if (end < 0) return;
          h1Head = text.slice(0, end + 2);
          socket.off('data', onHead);
          const key = /\r\nsec-websocket-key: *([^\r]*)\r\n/i.exec(h1Head)?.[1] ?? '';
          const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
          socket.write(`HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
          socket.on('data', (b: Buffer) => socket.write(b.toString('latin1').toUpperCase()));
        };
        socket.on('data', onHead);
        socket.on('error', () => {});
      });
      await new Promise<void>((resolve) => h1srv.listen(p.h1srv, '127.0.0.1', resolve));
      // An HTTP/2 server offering extended CONNECT: records the requests; a GET gets a 200, a
      // CONNECT a 200 and then its bytes echoed uppercased.
      h2srv = await rawH2Server(p.h2srv, [[0x8, 1]], async (c) => {
        let req = await c.next(FrameType.HEADERS, undefined, 5000);
        // GETs one after the other (should the connection be reused), until a CONNECT.
        while (req !== null && field(req, ':method') !== 'CONNECT') {
          h2Get = req;
          c.sendHeaders(req.streamId, [[':status', '200'], ['content-length', '0']], true);
          req = await c.next(FrameType.HEADERS, undefined, 5000);
        }
        if (req === null) return;
        h2Request = req;
        c.sendHeaders(req.streamId, [[':status', '200']], false);
        for (;;) {
          const data = await c.next(FrameType.DATA, req.streamId, 5000);
          if (data === null) return;
          if (data.payload.length > 0) c.sendData(req.streamId, Buffer.from(data.payload.toString('latin1').toUpperCase(), 'latin1'));
          if ((data.flags & 0x1) !== 0) return;
        }
      });
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      h1srv.close();
      h2srv.close();
    });

    it('toward an HTTP/1.1 server the key is written last, as Sec-Websocket-Key; its Accept comes back in the 200, then the tunnel', async () => {
      const c = await RawH2.connect(p.toh1);
      try {
        c.sendHeaders(1, CONNECT_WEBSOCKET, false);
        const res = await c.response(1, 5000);
        assert.equal(field(res, ':status'), '200');
        const lines = h1Head.split('\r\n').filter((l) => l !== '');
        assert.match(lines[0]!, /^GET \/chat HTTP\/1\.1$/);
        assert.match(lines[lines.length - 1]!, /^Sec-Websocket-Key: [A-Za-z0-9+/]{22}==$/, h1Head);
        assert.equal(lines.filter((l) => /^sec-websocket-key:/i.test(l)).length, 1, h1Head);
        assert.match(field(res, 'sec-websocket-accept') ?? '', /^[A-Za-z0-9+/]{27}=$/);
        c.sendData(1, Buffer.from('hello'));
        assert.equal(await c.data(1, (t) => t.length >= 5, 5000), 'HELLO');
      } finally {
        c.close();
      }
    });

    it('toward an HTTP/2 server (proto h2) no key is sent and no Accept added; bytes flow both ways', async () => {
      const c = await RawH2.connect(p.toh2);
      try {
        c.sendHeaders(1, CONNECT_WEBSOCKET, false);
        const res = await c.response(1, 5000);
        assert.equal(res?.type, FrameType.HEADERS);
        assert.equal(field(res, ':status'), '200');
        assert.equal(res!.flags & 0x1, 0);
        assert.equal(field(res, 'sec-websocket-accept'), undefined);
        assert.equal(field(h2Request, ':method'), 'CONNECT');
        assert.equal(field(h2Request, ':protocol'), 'websocket');
        // The client's :scheme and :authority go on (HAProxy's normalized URI), not "https" alone.
        assert.equal(field(h2Request, ':scheme'), 'http');
        assert.equal(field(h2Request, ':authority'), '127.0.0.1');
        assert.equal(field(h2Request, 'sec-websocket-key'), undefined);
        assert.equal(field(h2Request, 'sec-websocket-version'), '13');
        c.sendData(1, Buffer.from('ping'));
        assert.equal(await c.data(1, (t) => t.length >= 4, 5000), 'PING');
      } finally {
        c.close();
      }
    });

    it('an ordinary HTTP/2 request to an HTTP/2 server keeps its :scheme and :authority', async () => {
      const c = await RawH2.connect(p.toh2);
      try {
        c.sendHeaders(1, [[':method', 'GET'], [':scheme', 'http'], [':path', '/x?y'], [':authority', 'example.test:8080']], true);
        assert.equal(field(await c.response(1, 5000), ':status'), '200');
        assert.deepEqual(
          (h2Get?.fields ?? []).filter(([n]) => n.startsWith(':')),
          [[':method', 'GET'], [':scheme', 'http'], [':authority', 'example.test:8080'], [':path', '/x?y']],
        );
        assert.equal(field(h2Get, 'host'), undefined);
      } finally {
        c.close();
      }
    });
  });
}
