/**
 * Black-box conformance of `http-request reject` (no response, the connection closes, logged
 * PR with status -1) and `http-request early-hint` (103 Early Hints before the final response,
 * HTTP/1.1 only, one per rule, counted in %B), byte for byte against HAProxy 2.6.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-stream-actions.test.js
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { headerValues } from '../support/http-wire.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['fe', 'addr', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 100
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${p.fe}
    log stdout format raw local0
    log-format "line %HP %ST %B %tsc %TR"
    http-request reject if { path /reject }
    http-request early-hint Link "</a.css>; rel=preload" if { path_beg /hint }
    http-request early-hint Link "</b.js>" if { path_beg /hint }
    http-request set-var(txn.x) str(v1) if { path_beg /hint }
    http-request early-hint X-Foo "%[var(txn.x)]" if { path_beg /hint }
    http-request return status 200 content-type text/plain string ok if { path /hint/local }
    http-request deny if { path /hint/deny }
    default_backend be

frontend fe_addr
    bind 127.0.0.1:${p.addr}
    log stdout format raw local0
    log-format "addr %HP %ci:%cp %fi:%fp"
    option forwardfor
    http-request set-src req.hdr(x-src) if { req.hdr(x-src) -m found }
    http-request set-src-port req.hdr(x-src-port) if { req.hdr(x-src-port) -m found }
    http-request set-dst ipv4(10.1.2.3) if { path_beg /dst }
    http-request set-dst-port int(8443) if { path_beg /dst }
    http-request set-header X-Seen "%[src]:%[src_port] %[dst]:%[dst_port] %ci:%cp"
    default_backend be

backend be
    server s1 127.0.0.1:${p.app}
`;
}

/** Sends `request` on a fresh connection; everything received until the proxy closes or `ms` pass. */
function exchange(port: number, request: string, ms = 1000): Promise<{ bytes: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let bytes = '';
    let closed = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes, closed });
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (d) => (bytes += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      done();
    });
    socket.on('end', () => {
      closed = true;
      done();
    });
    socket.write(request);
  });
}

for (const target of TARGETS) {
  describe(`reject and early-hint on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let app: HttpTestBackend;

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      app = await appBackend(ports.app, 'app');
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app.close();
    });

    async function logLine(path: string): Promise<string> {
      let found: string | undefined;
      await eventually(() => {
        found = proxy?.stdout.split('\n').find((l) => l.startsWith(`line ${path} `));
        return found !== undefined;
      }, 3000);
      assert.ok(found, `no line for ${path} in:\n${proxy?.stdout}\n${proxy?.stderr}`);
      return found;
    }

    it('reject: no response, the connection closes, logged PR with status -1', async () => {
      const before = app.requests;
      const res = await exchange(ports.fe, 'GET /reject HTTP/1.1\r\nHost: h\r\n\r\n');
      assert.deepEqual(res, { bytes: '', closed: true });
      assert.equal(app.requests, before);
      assert.equal(await logLine('/reject'), 'line /reject -1 0 PR-- -1');
    });

    const HINTS =
      'HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n' +
      'HTTP/1.1 103 Early Hints\r\nlink: </b.js>\r\n\r\n' +
      'HTTP/1.1 103 Early Hints\r\nx-foo: v1\r\n\r\n';

    it('early-hint: one 103 per rule before a local reply, counted in %B', async () => {
      const res = await exchange(ports.fe, 'GET /hint/local HTTP/1.1\r\nHost: h\r\n\r\n', 500);
      const final = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok';
      assert.equal(res.bytes, HINTS + final);
      // %B counts the 103s too. HAProxy counts them in its internal (HTX) size, a few bytes more
      // per hint than the wire bytes Switchyard counts (245 here, for 205 bytes sent).
      const m = /^line \/hint\/local 200 (\d+) LR-- 0$/.exec(await logLine('/hint/local'));
      assert.ok(m !== null);
      if (target === 'haproxy') assert.equal(Number(m[1]), 245);
      else assert.equal(Number(m[1]), HINTS.length + final.length);
    });

    it('early-hint: sent before a deny and before the server answers', async () => {
      const deny = await exchange(ports.fe, 'GET /hint/deny HTTP/1.1\r\nHost: h\r\n\r\n', 500);
      assert.ok(deny.bytes.startsWith(`${HINTS}HTTP/1.1 403 Forbidden\r\n`), deny.bytes);
      const served = await exchange(ports.fe, 'GET /hint/app HTTP/1.1\r\nHost: h\r\n\r\n', 500);
      assert.ok(served.bytes.startsWith(`${HINTS}HTTP/1.1 200 OK\r\n`), served.bytes);
    });

    it('set-src / set-dst and their ports: later fetches, X-Forwarded-For and the log; the next request starts afresh', async () => {
      const conn = await HttpConnection.open(ports.addr);
      const cp = conn.socket.localPort;
      assert.equal((await conn.request('GET', '/src', { 'x-src': '192.0.2.7', 'x-src-port': '99999' })).status, 200);
      const first = app.lastRequest();
      assert.deepEqual(
        [headerValues(first?.headers ?? [], 'x-seen'), headerValues(first?.headers ?? [], 'x-forwarded-for')],
        [[`192.0.2.7:34463 127.0.0.1:${ports.addr} 192.0.2.7:34463`], ['192.0.2.7']],
      );
      assert.equal((await conn.request('GET', '/dst', { 'x-src': 'not-an-address' })).status, 200);
      const second = app.lastRequest();
      assert.deepEqual(headerValues(second?.headers ?? [], 'x-seen'), [`127.0.0.1:${cp} 10.1.2.3:8443 127.0.0.1:${cp}`]);
      conn.destroy();
      let lines: string[] = [];
      await eventually(() => (lines = (proxy?.stdout ?? '').split('\n').filter((l) => l.startsWith('addr '))).length >= 2, 3000);
      assert.deepEqual(lines, [`addr /src 192.0.2.7:34463 127.0.0.1:${ports.addr}`, `addr /dst 127.0.0.1:${cp} 10.1.2.3:8443`]);
    });

    it('early-hint: nothing for an HTTP/1.0 request', async () => {
      const res = await exchange(ports.fe, 'GET /hint/local HTTP/1.0\r\nHost: h\r\n\r\n', 500);
      assert.equal(res.bytes, 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nok');
    });
  });
}
