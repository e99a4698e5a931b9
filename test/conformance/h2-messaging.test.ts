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
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { FrameType, RawH2, field } from '../support/h2-raw.ts';

const PORT_NAMES = ['h2', 'be'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
${HTTP_DEFAULTS}
frontend fe_h2
    bind 127.0.0.1:${p.h2} proto h2
    default_backend be_app

backend be_app
    server s1 127.0.0.1:${p.be}
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

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      be = await appBackend(p.be, 'app');
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await be.close();
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
