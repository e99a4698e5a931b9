/**
 * Black-box conformance of `h2-workaround-bogus-websocket-clients` (HAProxy 2.6's
 * GTUNE_DISABLE_H2_WEBSOCKET): extended CONNECT (RFC 8441) is no longer announced in the
 * SETTINGS we send, to clients and to `proto h2` servers alike (h2c_send_settings serves both
 * sides), while a client's extended CONNECT is still served (h2_make_htx_request does not look
 * at what was announced): it reaches the HTTP/1.1 WebSocket server as an Upgrade and its 101
 * comes back as a 200, the stream then carrying the WebSocket's bytes.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/h2-websocket-workaround.test.js
 */
import assert from 'node:assert/strict';
import type { Server as NetServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { FrameType, RawH2, field, rawH2Server, readSettings } from '../support/h2-raw.ts';

const PORT_NAMES = ['fe', 'wsback', 'up', 'h2srv'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

const ENABLE_PUSH = 0x2;
const ENABLE_CONNECT_PROTOCOL = 0x8;

function configFor(p: Ports): string {
  return `
global
    h2-workaround-bogus-websocket-clients
${HTTP_DEFAULTS}
listen fe
    bind 127.0.0.1:${p.fe} proto h2
    server s 127.0.0.1:${p.wsback}

# An HTTP/1.1 WebSocket server (websocket.vtc's hap_srv): the 101 with the key's Accept.
listen wsback
    bind 127.0.0.1:${p.wsback}
    acl ws_handshake hdr(sec-websocket-key) -m found
    http-request reject unless ws_handshake
    capture request header sec-websocket-key len 128
    http-request return status 200 hdr connection upgrade hdr upgrade websocket hdr sec-websocket-accept "%[capture.req.hdr(0),concat(258EAFA5-E914-47DA-95CA-C5AB0DC85B11,,),sha1,base64]"
    http-after-response set-status 101 if { status eq 200 }

listen up
    bind 127.0.0.1:${p.up}
    server s 127.0.0.1:${p.h2srv} proto h2
`;
}

for (const target of TARGETS) {
  describe(`h2-workaround-bogus-websocket-clients on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let h2srv: NetServer;
    let serverSeenSettings: Map<number, number> | undefined;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      // Records the proxy's SETTINGS, then answers stream 1 with a 200.
      h2srv = await rawH2Server(p.h2srv, [], async (c) => {
        const settings = await c.next(FrameType.SETTINGS, 0, 5000);
        if (settings !== null) serverSeenSettings = readSettings(settings.payload);
        const req = await c.next(FrameType.HEADERS, undefined, 5000);
        if (req === null) return;
        c.sendHeaders(req.streamId, [[':status', '200'], ['content-length', '0']], true);
      });
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      h2srv.close();
    });

    it('the client-side SETTINGS do not offer extended CONNECT, which is still served: 200, the stream left open', async () => {
      const c = await RawH2.connect(p.fe);
      try {
        const settings = await c.next(FrameType.SETTINGS, 0, 5000);
        assert.ok(settings !== null, 'no SETTINGS from the proxy');
        assert.equal(readSettings(settings.payload).has(ENABLE_CONNECT_PROTOCOL), false);
        c.sendHeaders(1, [[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'http'], [':path', '/'], [':authority', '127.0.0.1']], false);
        const res = await c.response(1, 5000);
        assert.equal(res?.type, FrameType.HEADERS);
        assert.equal(field(res, ':status'), '200');
        assert.equal(res!.flags & 0x1, 0, 'the stream stays open for the tunnel');
      } finally {
        c.close();
      }
    });

    it('the SETTINGS sent to a proto h2 server do not offer it either (ENABLE_PUSH=0 still does)', async () => {
      const conn = await HttpConnection.open(p.up);
      try {
        const res = await conn.request('GET', '/', { host: '127.0.0.1' });
        assert.equal(res.status, 200);
        assert.ok(await eventually(() => serverSeenSettings !== undefined, 5000));
        assert.equal(serverSeenSettings!.get(ENABLE_PUSH), 0);
        assert.equal(serverSeenSettings!.has(ENABLE_CONNECT_PROTOCOL), false);
      } finally {
        conn.destroy();
      }
    });
  });
}
