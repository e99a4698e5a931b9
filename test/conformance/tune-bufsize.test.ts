/**
 * Black-box conformance of `tune.bufsize`: a larger buffer lets larger request and response
 * heads through (big cookies, long URLs), still bounded by the buffer less `tune.maxrewrite`
 * (a request head past it is a 400, a response head a 502).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/tune-bufsize.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, scriptedBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, assertErrorPage, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['fe', 'app', 'big'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    tune.bufsize 32768

defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend fe
    bind 127.0.0.1:${p.fe}
    use_backend be_big if { path_beg /big }
    default_backend be_app

backend be_app
    server s1 127.0.0.1:${p.app}

backend be_big
    server s1 127.0.0.1:${p.big}
`;
}

for (const target of TARGETS) {
  describe(`tune.bufsize on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let app: HttpTestBackend;
    let big: HttpTestBackend;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      app = await appBackend(p.app, 'app');
      // A response head of about 24 KB (20 KB cookie) or 40 KB (two of them).
      big = await scriptedBackend(p.big, 'big', (req) => {
        const cookies = req.target.endsWith('/two') ? 2 : 1;
        const lines = Array.from({ length: cookies }, (_, i) => `set-cookie: c${i}=${'v'.repeat(20_000)}\r\n`).join('');
        return { bytes: `HTTP/1.1 200 OK\r\n${lines}content-length: 2\r\n\r\nok`, after: 'keep' };
      });
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
      await big.close();
    });

    it('a 20 KB request header passes (16 KB buffers would refuse it); past the buffer it is a 400', async () => {
      const conn = await HttpConnection.open(p.fe);
      assert.equal((await conn.request('GET', '/fits', { cookie: 'a'.repeat(20_000) })).status, 200);
      assertErrorPage(await conn.request('GET', '/too-big', { cookie: 'a'.repeat(33_000) }), 400);
      conn.destroy();
    });

    it('a 20 KB response header passes; past the buffer it is a 502', async () => {
      const conn = await HttpConnection.open(p.fe);
      const res = await conn.request('GET', '/big/one');
      assert.equal(res.status, 200);
      assert.equal(res.header('set-cookie')?.length, 20_003);
      assert.equal(res.text, 'ok');
      assertErrorPage(await conn.request('GET', '/big/two'), 502);
      conn.destroy();
    });
  });
}

const V60 = '123456789012345678901234567890123456789012345678901234567890';

function smallBuffers(p: Ports): string {
  return `
global
    tune.bufsize 2048
    tune.maxrewrite 128

defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    option http-buffer-request

frontend fe
    bind 127.0.0.1:${p.fe}
    http-request set-header x-hdr1 ${V60}
    http-request set-header x-hdr2 ${V60} if { path /two }
    http-request strict-mode off if { path /soft }
    http-request set-header x-hdr3 ${V60} if { path /soft }
    default_backend be_app

backend be_app
    server s1 127.0.0.1:${p.app}
`;
}

for (const target of TARGETS) {
  describe(`rewrites past tune.maxrewrite on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let app: HttpTestBackend;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      app = await appBackend(p.app, 'app');
      proxy = await startProxy(target, smallBuffers(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
    });

    /** A request whose 2000-byte body fills the 2 KB buffer up to its 128-byte reserve. */
    async function post(path: string): Promise<number> {
      const conn = await HttpConnection.open(p.fe);
      try {
        return (await conn.request('POST', path, {}, 'b'.repeat(2000))).status;
      } finally {
        conn.destroy();
      }
    }

    it('one 74-byte header fits the reserve; a second fails the rewrite (500); with strict-mode off it is skipped', async () => {
      assert.equal(await post('/one'), 200);
      assert.equal(app.lastRequest()?.headers.find(([n]) => n === 'x-hdr1')?.[1], V60);
      assert.equal(await post('/two'), 500);
      assert.equal(await post('/soft'), 200);
      const headers = app.lastRequest()?.headers ?? [];
      assert.ok(headers.some(([n]) => n === 'x-hdr1'));
      assert.ok(!headers.some(([n]) => n === 'x-hdr3'), 'the rewrite that did not fit was skipped');
    });
  });
}
