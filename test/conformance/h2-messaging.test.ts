/**
 * Black-box conformance of HTTP/2 messaging rules HAProxy 2.6's `http-messaging` reg-tests
 * check (h2_desync_attacks, http_bodyless_response, websocket, protocol_upgrade): requests
 * HAProxy builds with a parsing error are answered 400 on their stream (an invalid `:scheme`,
 * a method that is not a token) while malformed ones are reset; the streams of one client
 * connection ride one server connection; extended CONNECT (RFC 8441) is translated to an
 * HTTP/1.1 Upgrade and back. Frames are written by the test (test/support/h2-raw.ts).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/h2-messaging.test.js
 */
import assert from 'node:assert/strict';
import { connect as netConnect, type Server as NetServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, cannedBackend, httpBackend, writeAsync, wsEchoBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { FrameType, RawH2, field, rawH2Server, readSettings, type RawFrame } from '../support/h2-raw.ts';

/** An HTTP/1.1 exchange on a raw socket: sends `request`, resolves with what came until `until` matches it. */
function rawExchange(port: number): Promise<{ socket: Socket; until: (match: (text: string) => boolean, timeoutMs?: number) => Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port }, () => {
      let text = '';
      let wake: (() => void) | undefined;
      socket.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        wake?.();
      });
      socket.on('close', () => wake?.());
      const until = async (match: (t: string) => boolean, timeoutMs = 3000): Promise<string> => {
        const deadline = Date.now() + timeoutMs;
        while (!match(text) && !socket.destroyed && Date.now() < deadline) {
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 50);
          });
        }
        return text;
      };
      resolve({ socket, until });
    });
    socket.once('error', reject);
  });
}

const PORT_NAMES = ['h2', 'be', 'head', 'behead', 'via', 'head2', 'behead2', 'ws', 'bews', 'wsbad', 'bewsbad', 'up', 'h2srv', 'upno', 'h2srvno', 'wsh1'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
${HTTP_DEFAULTS}
frontend fe_h2
    bind 127.0.0.1:${p.h2} proto h2
    default_backend be_app

backend be_app
    server s1 127.0.0.1:${p.be}

frontend fe_head
    bind 127.0.0.1:${p.head} proto h2
    http-request set-method GET
    default_backend be_head

backend be_head
    server s1 127.0.0.1:${p.behead}

frontend fe_via_h2
    bind 127.0.0.1:${p.via}
    default_backend be_via_h2

backend be_via_h2
    server s1 127.0.0.1:${p.head2} proto h2

frontend fe_head2
    bind 127.0.0.1:${p.head2} proto h2
    http-request set-method GET
    default_backend be_head2

backend be_head2
    server s1 127.0.0.1:${p.behead2}

frontend fe_ws
    bind 127.0.0.1:${p.ws} proto h2
    default_backend be_ws

backend be_ws
    server s1 127.0.0.1:${p.bews}

frontend fe_ws_bad
    bind 127.0.0.1:${p.wsbad} proto h2
    default_backend be_ws_bad

backend be_ws_bad
    server s1 127.0.0.1:${p.bewsbad}

frontend fe_up
    bind 127.0.0.1:${p.up}
    default_backend be_up

backend be_up
    server s1 127.0.0.1:${p.h2srv} proto h2

frontend fe_up_no
    bind 127.0.0.1:${p.upno}
    default_backend be_up_no

backend be_up_no
    server s1 127.0.0.1:${p.h2srvno} proto h2

frontend fe_ws_h1
    bind 127.0.0.1:${p.wsh1}
    default_backend be_ws_h1

backend be_ws_h1
    server s1 127.0.0.1:${p.bews} proto h2 ws h1
`;
}

const get = (scheme: string, path: string, method = 'GET'): [string, string][] => [
  [':method', method],
  [':scheme', scheme],
  [':authority', 'example.com'],
  [':path', path],
];

for (const target of TARGETS) {
  describe(`HTTP/2 messaging rules on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let be: HttpTestBackend;
    let behead: HttpTestBackend;
    let behead2: HttpTestBackend;
    let bews: Awaited<ReturnType<typeof wsEchoBackend>>;
    let bewsbad: HttpTestBackend;
    let h2srv: NetServer;
    let h2srvno: NetServer;
    let upgradeSeen: RawFrame | null = null;
    let refusedSeen: RawFrame | null = null;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      be = await appBackend(p.be, 'app');
      behead = await appBackend(p.behead, 'head');
      // The body comes 300 ms after the head: the client's next request is sent meanwhile.
      behead2 = await httpBackend(p.behead2, 'late', async ({ connection, request, socket }) => {
        const chunked = request.target.includes('chunked');
        await writeAsync(socket, `HTTP/1.1 200 OK\r\nx-conn: ${connection.id}\r\n${chunked ? 'transfer-encoding: chunked' : 'content-length: 5'}\r\n\r\n`);
        await new Promise((r) => setTimeout(r, 300));
        await writeAsync(socket, chunked ? '5\r\nlate!\r\n0\r\n\r\n' : 'late!');
        return 'keep';
      });
      bews = await wsEchoBackend(p.bews);
      bewsbad = await cannedBackend(p.bewsbad, 'badkey', 'HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-accept: invalid_key\r\n\r\n', 'keep');
      // Offers extended CONNECT; answers 200 and echoes the tunnel's bytes, uppercased.
      h2srv = await rawH2Server(p.h2srv, [[0x8, 1]], async (c) => {
        const req = await c.next(FrameType.HEADERS, undefined, 5000);
        upgradeSeen = req;
        if (req === null) return;
        c.sendHeaders(req.streamId, [[':status', '200']], false);
        for (;;) {
          const data = await c.next(FrameType.DATA, req.streamId, 5000);
          if (data === null) return;
          if (data.payload.length > 0) c.sendData(req.streamId, Buffer.from(data.payload.toString('latin1').toUpperCase(), 'latin1'));
          if ((data.flags & 0x1) !== 0) return c.sendData(req.streamId, Buffer.alloc(0), true);
        }
      });
      // Does not offer it: what comes on stream 1 is recorded.
      h2srvno = await rawH2Server(p.h2srvno, [], async (c) => {
        refusedSeen = await c.response(1, 5000);
      });
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await be.close();
      await behead.close();
      await behead2.close();
      await bews.close();
      await bewsbad.close();
      h2srv.close();
      h2srvno.close();
    });

    it('an invalid :scheme or a method that is not a token gets a 400 on its stream; the connection goes on', async () => {
      const c = await RawH2.connect(p.h2);
      try {
        c.sendHeaders(1, get('http://localhost/?', '/'), true);
        const bad = await c.response(1);
        assert.equal(bad?.type, FrameType.HEADERS);
        assert.equal(field(bad, ':status'), '400');
        c.sendHeaders(3, get('http', '/', 'GET?'), true);
        assert.equal(field(await c.response(3), ':status'), '400');
        // Schemes other than http/https are fine when RFC 3986 allows them.
        c.sendHeaders(5, get('coap+tcp', '/ok'), true);
        assert.equal(field(await c.response(5), ':status'), '200');
      } finally {
        c.close();
      }
    });

    it('HEAD answered by a GET with a body (CL or chunked) over h2: no payload, and the next stream rides the same server connection', async () => {
      const c = await RawH2.connect(p.head);
      try {
        const conns: string[] = [];
        let id = 1;
        for (const path of ['/download/cl/20000', '/download/chunked/5000', '/download/chunked/70000', '/last']) {
          c.sendHeaders(id, get('http', path, path === '/last' ? 'GET' : 'HEAD'), true);
          const head = await c.response(id);
          assert.equal(field(head, ':status'), '200', path);
          if (path !== '/last') {
            if ((head!.flags & 0x1) === 0) assert.equal(await c.data(id, () => false), '', path);
          } else {
            assert.match(await c.data(id, (t) => t.includes('\r\n\r\n')), /^GET \/last HTTP\/1\.1\r\n/);
          }
          conns.push(field(head, 'x-conn') ?? '?');
          id += 2;
        }
        assert.deepEqual(conns, [conns[0], conns[0], conns[0], conns[0]]);
      } finally {
        c.close();
      }
    });

    it('HTTP/1.1 HEAD requests through an h2 server connection to such an h2 frontend: one connection each way', async () => {
      const c = await HttpConnection.open(p.via);
      try {
        const conns: string[] = [];
        for (const path of ['/cl', '/chunked', '/cl', '/last']) {
          const res = await c.request(path === '/last' ? 'GET' : 'HEAD', path, { host: 'example.com' });
          assert.equal(res.status, 200, path);
          if (path === '/last') assert.equal(res.text, 'late!');
          else assert.equal(res.text, '', path);
          conns.push(res.header('x-conn') ?? '?');
        }
        assert.deepEqual(conns, [conns[0], conns[0], conns[0], conns[0]]);
      } finally {
        c.destroy();
      }
    });

    it('extended CONNECT (RFC 8441) is offered, and :protocol websocket reaches an HTTP/1.1 WebSocket server as an Upgrade: 200, then frames both ways', async () => {
      const c = await RawH2.connect(p.ws);
      try {
        const settings = await c.next(FrameType.SETTINGS, 0);
        assert.equal(readSettings(settings!.payload).get(0x8), 1);
        c.sendHeaders(1, [[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'http'], [':path', '/chat'], [':authority', '127.0.0.1'], ['sec-websocket-version', '13']], false);
        const res = await c.response(1);
        assert.equal(res?.type, FrameType.HEADERS);
        assert.equal(field(res, ':status'), '200');
        assert.equal(field(res, 'upgrade'), undefined);
        assert.equal(res!.flags & 0x1, 0);
        // A masked text frame "hello" (RFC 6455 §5.2); the server echoes it unmasked.
        const mask = [1, 2, 3, 4];
        const payload = Buffer.from('hello').map((b, i) => b ^ mask[i % 4]!);
        c.sendData(1, Buffer.concat([Buffer.from([0x81, 0x80 | 5, ...mask]), payload]));
        const echoed = await c.data(1, (t) => t.length >= 7);
        assert.equal(echoed, '\x81\x05hello');
        assert.equal(bews.upgrades(), 1);
      } finally {
        c.close();
      }
    });

    it('extended CONNECT websocket: a server 101 with the wrong Sec-WebSocket-Accept is answered 502', async () => {
      const c = await RawH2.connect(p.wsbad);
      try {
        c.sendHeaders(1, [[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'http'], [':path', '/'], [':authority', '127.0.0.1']], false);
        assert.equal(field(await c.response(1), ':status'), '502');
        const seen = bewsbad.lastRequest();
        assert.equal(seen?.method, 'GET');
        const header = (name: string) => seen?.headers.find(([n]) => n.toLowerCase() === name)?.[1];
        assert.equal(header('upgrade'), 'websocket');
        assert.match(header('sec-websocket-key') ?? '', /^[A-Za-z0-9+/]{22}==$/);
      } finally {
        c.close();
      }
    });

    it('an HTTP/1.1 Upgrade to an HTTP/2 server that offers RFC 8441 is an extended CONNECT; its 200 is a 101, then the tunnel', async () => {
      const { socket, until } = await rawExchange(p.up);
      try {
        socket.write('GET /chat HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: upgrade\r\nupgrade: custom_protocol\r\n\r\n');
        const head = await until((t) => t.includes('\r\n\r\n'));
        assert.match(head, /^HTTP\/1\.1 101 /);
        assert.match(head, /\r\nconnection: upgrade\r\n/i);
        assert.match(head, /\r\nupgrade: custom_protocol\r\n/i);
        assert.deepEqual(
          Object.fromEntries(upgradeSeen!.fields!.filter(([n]) => n.startsWith(':'))),
          { ':method': 'CONNECT', ':scheme': 'https', ':authority': '127.0.0.1', ':path': '/chat', ':protocol': 'custom_protocol' },
        );
        assert.equal(upgradeSeen!.flags & 0x1, 0);
        assert.equal(upgradeSeen!.fields!.find(([n]) => n === 'connection' || n === 'upgrade'), undefined);
        socket.write('ping');
        const all = await until((t) => t.endsWith('PING'));
        assert.ok(all.endsWith('\r\n\r\nPING'), all);
      } finally {
        socket.destroy();
      }
    });

    it('an HTTP/1.1 Upgrade to an HTTP/2 server without RFC 8441: the stream is reset and the client gets a 502', async () => {
      const { socket, until } = await rawExchange(p.upno);
      try {
        socket.write('GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: upgrade\r\nupgrade: custom_protocol\r\n\r\n');
        assert.match(await until((t) => t.includes('\r\n\r\n')), /^HTTP\/1\.1 502 /);
        await eventually(() => refusedSeen !== null, 2000);
        assert.equal(refusedSeen?.type, FrameType.RST_STREAM);
      } finally {
        socket.destroy();
      }
    });

    it('server ... proto h2 ws h1: a WebSocket handshake goes to that server over HTTP/1.1', async () => {
      const before = bews.upgrades();
      const { socket, until } = await rawExchange(p.wsh1);
      try {
        socket.write('GET /chat HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
        const head = await until((t) => t.includes('\r\n\r\n'));
        assert.match(head, /^HTTP\/1\.1 101 /);
        assert.match(head, /\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
        const mask = [9, 8, 7, 6];
        socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | 2, ...mask]), Buffer.from('ok').map((b, i) => b ^ mask[i]!)]));
        assert.ok((await until((t) => t.endsWith('\x81\x02ok'))).endsWith('\x81\x02ok'));
        assert.equal(bews.upgrades(), before + 1);
      } finally {
        socket.destroy();
      }
    });

    it('a :path that is neither "*" nor absolute is malformed: RST_STREAM PROTOCOL_ERROR', async () => {
      const c = await RawH2.connect(p.h2);
      try {
        c.sendHeaders(1, get('http', 'hello-world'), true);
        const rst = await c.response(1);
        assert.equal(rst?.type, FrameType.RST_STREAM);
        assert.equal(rst?.payload.readUInt32BE(0), 1);
      } finally {
        c.close();
      }
    });
  });
}
