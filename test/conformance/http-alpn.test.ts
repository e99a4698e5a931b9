/**
 * Black-box conformance of ALPN on TLS binds: a `mode http` bind negotiates what its `alpn`
 * says, and a connection that negotiated `h2` is served by the HTTP/2 mux; a `mode tcp` bind
 * relays bytes and negotiates what its `alpn` says.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-alpn.test.js
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['h2h1', 'h2only', 'tcp', 'be'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  const pem = `${repoRoot}test/fixtures/tls/a.example.pem`;
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
frontend fe_h2_h1
    bind 127.0.0.1:${p.h2h1} ssl crt ${pem} alpn h2,http/1.1
    default_backend be_app

frontend fe_h2_only
    bind 127.0.0.1:${p.h2only} ssl crt ${pem} alpn h2
    default_backend be_app

backend be_app
    server s1 127.0.0.1:${p.be}

frontend fe_tcp
    mode tcp
    bind 127.0.0.1:${p.tcp} ssl crt ${pem} alpn h2,http/1.1
    default_backend be_tcp

backend be_tcp
    mode tcp
    server s1 127.0.0.1:${p.be}
`;
}

for (const target of TARGETS) {
  describe(`ALPN on TLS binds on ${target}`, () => {
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

    it('mode http, alpn h2,http/1.1: a client offering h2,http/1.1 negotiates h2 and is served HTTP/2', async () => {
      const session = http2.connect(`https://127.0.0.1:${p.h2h1}`, { rejectUnauthorized: false, servername: 'a.example' });
      session.on('error', () => {});
      try {
        const status = await new Promise<number>((resolve, reject) => {
          const req = session.request({ ':path': '/alpn' });
          req.on('response', (h) => resolve(Number(h[':status'])));
          req.on('error', reject);
          req.resume();
        });
        assert.equal(session.alpnProtocol, 'h2');
        assert.equal(status, 200);
      } finally {
        session.close();
      }
    });

    it('mode http, alpn h2,http/1.1: a client offering only http/1.1 gets http/1.1', async () => {
      const conn = await HttpConnection.open(p.h2h1, { tls: true, servername: 'a.example', alpn: ['http/1.1'] });
      assert.equal(conn.alpnProtocol, 'http/1.1');
      const res = await conn.request('GET', '/alpn');
      assert.equal(res.status, 200);
      assert.equal(res.version, 'HTTP/1.1');
      conn.destroy();
    });

    // HAProxy (OpenSSL's "no ack") goes on without ALPN for a client that offers none of the
    // bind's protocols; node:tls, Bun and Deno can only refuse the handshake then (fatal alert
    // no_application_protocol), so Switchyard's runtimes do: docs/configuration.md says so.
    it('mode http, alpn h2: a client offering only http/1.1 (HAProxy: served without ALPN; runtimes: refused by the TLS stack)', async () => {
      if (target === 'haproxy') {
        const conn = await HttpConnection.open(p.h2only, { tls: true, servername: 'a.example', alpn: ['http/1.1'] });
        assert.equal(conn.alpnProtocol, false);
        assert.equal((await conn.request('GET', '/alpn')).status, 200);
        conn.destroy();
        return;
      }
      await assert.rejects(HttpConnection.open(p.h2only, { tls: true, servername: 'a.example', alpn: ['http/1.1'] }).then((c) => c.request('GET', '/alpn')), /no application protocol|ECONNRESET|socket hang up/i);
    });

    it('mode tcp keeps alpn as configured: h2 is negotiated and the bytes pass through', async () => {
      const conn = await HttpConnection.open(p.tcp, { tls: true, servername: 'a.example', alpn: ['h2', 'http/1.1'] });
      assert.equal(conn.alpnProtocol, 'h2');
      // The relayed bytes reach an HTTP/1.1 backend untouched.
      assert.equal((await conn.request('GET', '/tcp')).status, 200);
      conn.destroy();
    });
  });
}
