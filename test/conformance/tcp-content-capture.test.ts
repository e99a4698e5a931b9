/**
 * Black-box conformance of `tcp-request content capture EXPR len N`: in a `mode tcp` frontend
 * (the TLS server name of a ClientHello, the first payload bytes, a constant), read back by
 * %hr / %hrl, `capture.req.hdr(ID)` in the log line and in a later rule; a capture whose bytes
 * are not all there yet is taken when the rules run again on more bytes; and in a `mode http`
 * frontend, where the rules run for every request of a keep-alive connection, next to a
 * `capture request header` slot, the first request included, on its whole head even without
 * an inspect delay; a request they reject is logged as HAProxy's, before its request line and
 * header captures were recorded. Lines are read from `log stdout`.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/tcp-content-capture.test.js
 */
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { echoServer, namedServer, type TestBackend } from '../support/tcp-backends.ts';
import { dial, readAll } from '../support/tcp-client.ts';
import { scriptedBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['sni', 'payload', 'http', 'vars', 'named', 'echo', 'app'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
defaults
    mode tcp
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
    timeout http-request 5s

frontend fe_sni
    bind 127.0.0.1:${p.sni}
    log stdout format raw local0
    log-format "sni %hr|%hrl|%[capture.req.hdr(0)] end"
    tcp-request inspect-delay 3s
    tcp-request content capture req.ssl_sni len 100
    tcp-request content accept if { req.ssl_hello_type 1 }
    default_backend be_named

frontend fe_payload
    bind 127.0.0.1:${p.payload}
    log stdout format raw local0
    log-format "payload %hr|%{+Q}hrl|%[capture.req.hdr(1)]|%[var(sess.first)] end"
    tcp-request inspect-delay 3s
    tcp-request content capture req.payload(0,6) len 4
    tcp-request content capture int(1234567) len 5
    tcp-request content set-var(sess.first) capture.req.hdr(0)
    tcp-request content accept if { req.len ge 6 }
    default_backend be_echo

frontend fe_http
    mode http
    bind 127.0.0.1:${p.http}
    log stdout format raw local0
    log-format "http %hr|%[capture.req.hdr(1)]|%[capture.req.hdr(2)] %HU end"
    capture request header X-H len 3
    tcp-request inspect-delay 2s
    tcp-request content capture req.hdr(x-t) len 4
    tcp-request content capture path len 6
    default_backend be_app

frontend fe_vars
    mode http
    bind 127.0.0.1:${p.vars}
    log stdout format raw local0
    log-format "vars %ST %r|%hr|%[capture.req.method]|%[var(txn.x)] end"
    capture request header X len 6
    tcp-request content set-var(txn.x) req.hdr(x)
    tcp-request content reject if { req.hdr(x) rej }
    http-request return status 200 content-type text/plain lf-string "x=%[var(txn.x)]"

backend be_named
    server s 127.0.0.1:${p.named}

backend be_echo
    server s 127.0.0.1:${p.echo}

backend be_app
    mode http
    server s 127.0.0.1:${p.app}
`;
}

/** A TLS client's ClientHello with this server name; the handshake then fails (a plain server answers). */
function helloWithName(port: number, servername: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false });
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

for (const target of TARGETS) {
  describe(`tcp-request content capture on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let named: TestBackend;
    let echo: TestBackend;
    let app: HttpTestBackend;

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      named = await namedServer(ports.named, 'named');
      echo = await echoServer(ports.echo);
      app = await scriptedBackend(ports.app, 'app', () => ({ bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', after: 'keep' }));
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      try {
        await stopProxy(target, proxy);
      } finally {
        await Promise.all([named?.close(), echo?.close(), app?.close()]);
      }
    });

    async function logLine(prefix: string, nth = 0): Promise<string> {
      const lines = (): string[] => (proxy?.stdout ?? '').split('\n').filter((l) => l.startsWith(prefix));
      await eventually(() => lines().length > nth, 5000);
      const line = lines()[nth];
      assert.ok(line !== undefined, `no line ${nth} starting with '${prefix}' in:\n${proxy?.stdout}\n${proxy?.stderr}`);
      return line;
    }

    it('captures the TLS server name of a ClientHello (`capture req.ssl_sni len 100`)', async () => {
      await helloWithName(ports.sni, 'www.capture.example');
      assert.equal(await logLine('sni '), 'sni {www.capture.example}|www.capture.example|www.capture.example end');
    });

    it('truncates to len, waits for bytes still to come, and later rules read the slot', async () => {
      // The first 6 bytes come in two parts: the first run of the rules cannot read
      // req.payload(0,6) and captures nothing there; the run on the whole 6 bytes does.
      const socket = await dial(ports.payload);
      const received = readAll(socket);
      socket.write('abc');
      await new Promise((r) => setTimeout(r, 300));
      socket.end('def|{#');
      assert.equal((await received).toString(), 'abcdef|{#');
      assert.equal(await logLine('payload '), 'payload {abcd|12345}|"abcd" "12345"|12345|abcd end');
    });

    it('in mode http: the rules capture for every request of a keep-alive connection', async () => {
      const conn = await HttpConnection.open(ports.http);
      try {
        await conn.write('GET /first/path HTTP/1.1\r\nHost: x\r\nX-H: hval\r\nX-T: t|{1}\r\n\r\n');
        assert.equal((await conn.read('GET')).status, 200);
        await conn.write('GET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
        assert.equal((await conn.read('GET')).status, 200);
      } finally {
        conn.destroy();
      }
      assert.equal(await logLine('http ', 0), 'http {hva|t#7C#7B1|/first}|t|{1|/first /first/path end');
      assert.equal(await logLine('http ', 1), 'http {||/2}|-|/2 /2 end');
    });

    it('in mode http, the first request of a connection is read whole by the content rules, without an inspect delay', async () => {
      const conn = await HttpConnection.open(ports.vars);
      try {
        await conn.write('GET / HTTP/1.1\r\nHost: x\r\nX: first\r\n\r\n');
        assert.equal((await conn.read('GET')).text, 'x=first');
        await conn.write('GET / HTTP/1.1\r\nHost: x\r\nX: second\r\n\r\n');
        assert.equal((await conn.read('GET')).text, 'x=second');
      } finally {
        conn.destroy();
      }
      const refused = await dial(ports.vars);
      const closed = readAll(refused);
      // The proxy closes its side without a word; then so do we (the socket allows half-open).
      refused.on('end', () => refused.end());
      refused.write('GET /r HTTP/1.1\r\nHost: x\r\nX: rej\r\n\r\n');
      assert.equal((await closed).length, 0);
      assert.equal(await logLine('vars ', 0), 'vars 200 GET / HTTP/1.1|{first}|GET|first end');
      assert.equal(await logLine('vars ', 1), 'vars 200 GET / HTTP/1.1|{second}|GET|second end');
      assert.equal(await logLine('vars ', 2), 'vars -1 <BADREQ>|{}|-|rej end');
    });
  });
}
