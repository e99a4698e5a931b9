/**
 * Black-box conformance of the ways a connection changes protocol, as HAProxy 2.6's
 * `http-messaging` reg-tests srv_ws and protocol_upgrade check them:
 * - HTTP/2 with prior knowledge on a bind without `proto`: HAProxy's H1 mux hands a connection
 *   whose first bytes are the HTTP/2 preface to its H2 mux (not with `bind ... proto h1`, nor
 *   with `option disable-h2-upgrade`, where the preface is a bad HTTP/1 request);
 * - WebSockets through `server ... proto h2 [ws auto|h1|h2]` to such a frontend (srv_ws): over
 *   HTTP/1.1 or as an extended CONNECT (RFC 8441), the 101 coming back either way;
 * - an extended CONNECT answered `200` with END_STREAM is still the HTTP/1 client's `101`.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/h2-upgrades.test.js
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { connect as netConnect, type Server as NetServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { FrameType, PREFACE, RawH2, rawH2Server, type RawFrame } from '../support/h2-raw.ts';

const PORT_NAMES = ['fe', 'noupg', 'h1only', 'li', 'lih2', 'liauto', 'liauto2', 'up', 'h2srv'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

/** srv_ws's two HAProxy instances in one: `fe` answers WebSocket handshakes itself and says which HTTP version it saw. */
function configFor(p: Ports): string {
  return `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    capture request header sec-websocket-key len 128
    http-request set-var(txn.ver) req.ver
    use_backend be

frontend fe_noupg
    bind 127.0.0.1:${p.noupg}
    option disable-h2-upgrade
    use_backend be

frontend fe_h1only
    bind 127.0.0.1:${p.h1only} proto h1
    use_backend be

backend be
    acl ws_handshake hdr(upgrade) -m str websocket
    http-request return status 200 hdr x-ver "%[req.ver]" if !ws_handshake
    http-request return status 200 hdr connection upgrade hdr upgrade websocket hdr sec-websocket-accept "%[capture.req.hdr(0),concat(258EAFA5-E914-47DA-95CA-C5AB0DC85B11,,),sha1,base64]" if ws_handshake
    http-after-response set-status 101 if { status eq 200 } { res.hdr(upgrade) -m str websocket }
    http-after-response set-header x-backend-protocol "%[var(txn.ver)]"

listen li
    bind 127.0.0.1:${p.li}
    server s 127.0.0.1:${p.fe} proto h2 ws h1

listen lih2
    bind 127.0.0.1:${p.lih2}
    server s 127.0.0.1:${p.fe} proto h2 ws h2

listen liauto
    bind 127.0.0.1:${p.liauto}
    server s 127.0.0.1:${p.fe}

listen liauto2
    bind 127.0.0.1:${p.liauto2}
    server s 127.0.0.1:${p.fe} proto h2

listen up
    bind 127.0.0.1:${p.up}
    server s 127.0.0.1:${p.h2srv} proto h2
`;
}

const HANDSHAKE =
  'GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

/** Sends `request` on a new HTTP/1.1 connection and returns the response head as it came. */
async function responseHead(port: number, request: string): Promise<string> {
  const conn = await HttpConnection.open(port);
  try {
    await conn.write(request);
    const res = await conn.read('GET');
    return res.head.raw;
  } finally {
    conn.destroy();
  }
}

/** A GET over HTTP/2 with prior knowledge (node:http2's h2c). */
function h2Get(port: number): Promise<http2.IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const req = session.request({ ':path': '/' });
    req.on('response', (headers) => {
      resolve(headers);
      session.close();
    });
    req.on('error', reject);
    req.end();
  });
}

for (const target of TARGETS) {
  describe(`protocol changes (h2 preface on h1 binds, WebSockets to h2 servers) on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let h2srv: NetServer;
    let connectSeen: RawFrame | null = null;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      // protocol_upgrade's srv_h2: offers extended CONNECT, answers it 200 with END_STREAM.
      h2srv = await rawH2Server(p.h2srv, [[0x8, 1]], async (c) => {
        const req = await c.next(FrameType.HEADERS, undefined, 5000);
        connectSeen = req;
        if (req !== null) c.sendHeaders(req.streamId, [[':status', '200']], true);
      });
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      h2srv.close();
    });

    it('a bind without proto serves an HTTP/2 client that starts with the preface (prior knowledge)', async () => {
      const headers = await h2Get(p.fe);
      assert.equal(headers[':status'], 200);
      assert.equal(headers['x-ver'], '2.0');
      assert.equal(headers['x-backend-protocol'], '2.0');
      // HTTP/1.1 on the same bind is unchanged.
      assert.match(await responseHead(p.fe, 'GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n'), /^HTTP\/1\.1 200 OK\r\n(.*\r\n)*x-ver: 1\.1\r\n/);
    });

    it('the preface split over several packets is still HTTP/2', async () => {
      const raw = new RawH2(
        await new Promise<Socket>((resolve, reject) => {
          const s = netConnect({ host: '127.0.0.1', port: p.fe }, () => resolve(s));
          s.once('error', reject);
        }),
      );
      raw.socket.write(PREFACE.subarray(0, 5));
      await new Promise((r) => setTimeout(r, 50));
      raw.socket.write(PREFACE.subarray(5));
      raw.socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
      const settings = await raw.next(FrameType.SETTINGS, 0, 3000);
      assert.ok(settings !== null, 'the proxy answers with its SETTINGS');
      raw.sendHeaders(1, [[':method', 'GET'], [':scheme', 'http'], [':authority', '127.0.0.1'], [':path', '/']], true);
      const res = await raw.response(1, 3000);
      assert.equal(res?.fields?.find(([n]) => n === ':status')?.[1], '200');
      raw.close();
    });

    it('bind ... proto h1 and option disable-h2-upgrade: the preface is a bad HTTP/1 request', async () => {
      for (const port of [p.noupg, p.h1only]) {
        const conn = await HttpConnection.open(port);
        try {
          await conn.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
          const res = await conn.read('GET');
          assert.equal(res.status, 400, `port ${port}`);
        } finally {
          conn.destroy();
        }
      }
    });

    it('server proto h2 ws h1: the WebSocket goes to the server over HTTP/1.1 (srv_ws c1)', async () => {
      const head = await responseHead(p.li, HANDSHAKE);
      assert.match(head, /^HTTP\/1\.1 101 /);
      assert.match(head, /\r\nx-backend-protocol: 1\.1\r\n/);
    });

    it('server proto h2 ws h2: the WebSocket is an extended CONNECT to a bind without proto (srv_ws c1.2)', async () => {
      const head = await responseHead(p.lih2, HANDSHAKE);
      assert.match(head, /^HTTP\/1\.1 101 /);
      assert.match(head, /\r\nx-backend-protocol: 2\.0\r\n/);
      assert.match(head, /\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    });

    it('ws auto follows the server: HTTP/1.1 without proto, HTTP/2 with proto h2 (srv_ws c1.3, c1.4)', async () => {
      assert.match(await responseHead(p.liauto, HANDSHAKE), /^HTTP\/1\.1 101 (.*\r\n)*x-backend-protocol: 1\.1\r\n/);
      assert.match(await responseHead(p.liauto2, HANDSHAKE), /^HTTP\/1\.1 101 (.*\r\n)*x-backend-protocol: 2\.0\r\n/);
    });

    it('an extended CONNECT answered 200 with END_STREAM is a 101 for the HTTP/1 client (protocol_upgrade c4)', async () => {
      const conn = await HttpConnection.open(p.up);
      try {
        await conn.write('GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: upgrade\r\nupgrade: custom_protocol\r\n\r\n');
        const rest = (await conn.readRest(3000)).toString('latin1');
        assert.equal(rest, 'HTTP/1.1 101 \r\nconnection: upgrade\r\nupgrade: custom_protocol\r\n\r\n');
      } finally {
        conn.destroy();
      }
      const pseudo = Object.fromEntries(connectSeen!.fields!.filter(([n]) => n.startsWith(':')));
      assert.equal(pseudo[':method'], 'CONNECT');
      assert.equal(pseudo[':protocol'], 'custom_protocol');
    });
  });
}
