/**
 * Black-box conformance of ALPN on TLS binds: the HTTP engine speaks HTTP/1.1 only, so a
 * `mode http` bind never negotiates `h2` (an HTTP/2 client would then receive HTTP/1.1 bytes);
 * a `mode tcp` bind relays bytes and negotiates what its `alpn` says.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-alpn.test.js
 * (the `mode http` cases are skipped there: HAProxy speaks HTTP/2 and rightly negotiates it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, type Target } from '../support/http-suite.ts';

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

/** Switchyard warns (once per h2 bind) that it left h2 out; HAProxy warns about nothing. */
async function stopProxy(target: Target, proxy: ProxyProcess | undefined): Promise<void> {
  if (!proxy) return;
  const code = await proxy.stop();
  if (target === 'haproxy') {
    assert.doesNotMatch(proxy.stderr, /\[(WARNING|ALERT)\]/, proxy.stderr);
    return;
  }
  assert.equal(code, 0, `proxy exit code\n${proxy.stderr}`);
}

function httpOnly(target: Target): string | false {
  return target === 'haproxy' ? 'HAProxy speaks HTTP/2 and negotiates it' : false;
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

    it('mode http: the startup warning names the file, line and bind of each h2 it left out', { skip: httpOnly(target) }, () => {
      const lines = (proxy?.stderr ?? '').split('\n').filter((l) => l.includes("'h2' left out of 'alpn'"));
      assert.equal(lines.length, 2, proxy?.stderr);
      const lineOf = (port: number): number => configFor(p).split('\n').findIndex((l) => l.includes(`:${port} ssl`)) + 1;
      assert.ok(
        (lines[0] as string).includes(`[WARNING]`) && (lines[0] as string).includes(`haproxy.cfg:${lineOf(p.h2h1)}] : 'bind 127.0.0.1:${p.h2h1}' : 'h2' left out of 'alpn' for frontend 'fe_h2_h1'`),
        lines[0],
      );
      assert.match(lines[0] as string, /only 'http\/1\.1' is offered\.$/);
      assert.ok((lines[1] as string).includes(`haproxy.cfg:${lineOf(p.h2only)}] : 'bind 127.0.0.1:${p.h2only}' : 'h2' left out`), lines[1]);
      assert.match(lines[1] as string, /frontend 'fe_h2_only'.*no protocol is offered/);
    });

    it('mode http, alpn h2,http/1.1: a client offering h2,http/1.1 gets http/1.1 and an HTTP/1.1 answer', { skip: httpOnly(target) }, async () => {
      const conn = await HttpConnection.open(p.h2h1, { tls: true, servername: 'a.example', alpn: ['h2', 'http/1.1'] });
      assert.equal(conn.alpnProtocol, 'http/1.1');
      const res = await conn.request('GET', '/alpn');
      assert.equal(res.status, 200);
      assert.equal(res.version, 'HTTP/1.1');
      conn.destroy();
    });

    it('mode http, alpn h2: a client offering h2,http/1.1 gets no ALPN and an HTTP/1.1 answer', { skip: httpOnly(target) }, async () => {
      const conn = await HttpConnection.open(p.h2only, { tls: true, servername: 'a.example', alpn: ['h2', 'http/1.1'] });
      assert.equal(conn.alpnProtocol, false);
      const res = await conn.request('GET', '/alpn');
      assert.equal(res.status, 200);
      conn.destroy();
    });

    // HAProxy does the same for a client that offers none of the bind's protocols.
    it('mode http, alpn h2: a client offering only http/1.1 is served without ALPN', async () => {
      const conn = await HttpConnection.open(p.h2only, { tls: true, servername: 'a.example', alpn: ['http/1.1'] });
      assert.equal(conn.alpnProtocol, false);
      assert.equal((await conn.request('GET', '/alpn')).status, 200);
      conn.destroy();
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
