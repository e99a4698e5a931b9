/**
 * Black-box conformance of `tcp-request` rules and layer-4..6 fetches: `tcp-request connection
 * reject` by a `src` ACL (the connection is reset before anything is read), `tcp-request
 * content` rules with `tcp-request inspect-delay` (a rule waits while its fetch lacks bytes,
 * then decides; a reject is logged PR), `tcp-request session` rules, and SNI routing in tcp
 * mode without terminating TLS (`req_ssl_hello_type`, `req.ssl_sni` in `use_backend`, with an
 * ACL and with a map).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/tcp-rules.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tls from 'node:tls';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { echoServer, namedServer, tlsEchoServer, type TestBackend } from '../support/tcp-backends.ts';
import { delay } from '../support/tcp-client.ts';

const PORT_NAMES = ['conn', 'inspect', 'sess', 'sni', 'sniMap', 'http', 'resReject', 'resAccept', 'echo', 'tlsA', 'tlsB', 'named'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports, mapFile: string): string {
  return `
global
    maxconn 100

defaults
    mode tcp
    timeout connect 500ms
    timeout client 5s
    timeout server 5s

listen inspect
    bind 127.0.0.1:${p.inspect}
    log stdout format raw local0
    log-format "insp %ci:%cp %ts %b/%s"
    tcp-request inspect-delay 1s
    tcp-request content reject if { req.payload(0,4) -m bin 44454e59 }
    tcp-request content accept if { req.len ge 4 }
    server echo 127.0.0.1:${p.echo}

listen conn
    bind 127.0.0.1:${p.conn}
    tcp-request connection reject if { src 127.0.0.2 }
    server named 127.0.0.1:${p.named}

listen sess
    bind 127.0.0.1:${p.sess}
    tcp-request session set-var(sess.who) src
    tcp-request session reject if { var(sess.who) -m ip 127.0.0.3 }
    server named 127.0.0.1:${p.named}

frontend sni
    bind 127.0.0.1:${p.sni}
    tcp-request inspect-delay 5s
    tcp-request content accept if { req_ssl_hello_type 1 }
    use_backend be_b if { req.ssl_sni -i b.example }
    default_backend be_a

frontend sni_map
    bind 127.0.0.1:${p.sniMap}
    tcp-request inspect-delay 5s
    tcp-request content accept if { req.ssl_hello_type 1 }
    use_backend %[req.ssl_sni,lower,map(${mapFile},be_a)]

frontend http_in
    mode http
    bind 127.0.0.1:${p.http}
    tcp-request inspect-delay 1s
    tcp-request content set-var(sess.seen) str(tcp)
    tcp-request content reject if { src 127.0.0.4 }
    http-request return status 200 content-type text/plain lf-string "seen=%[var(sess.seen)]"

listen res_reject
    bind 127.0.0.1:${p.resReject}
    log stdout format raw local0
    log-format "resrej %ci:%cp %ts"
    tcp-response inspect-delay 1s
    tcp-response content reject if { res.payload(0,3) -m bin 6e616d }
    server named 127.0.0.1:${p.named}

listen res_accept
    bind 127.0.0.1:${p.resAccept}
    tcp-response inspect-delay 1s
    tcp-response content accept if { res.len ge 3 }
    tcp-response content reject
    server named 127.0.0.1:${p.named}

backend be_a
    server a 127.0.0.1:${p.tlsA}

backend be_b
    server b 127.0.0.1:${p.tlsB}
`;
}

function dialFrom(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress, allowHalfOpen: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Connects and reads to the end; a connection reset at once (even during connect) counts as `reset`. */
async function dialAndCollect(port: number, localAddress: string): Promise<{ data: string; reset: boolean }> {
  let socket: Socket;
  try {
    socket = await dialFrom(port, localAddress);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') return { data: '', reset: true };
    throw error;
  }
  return collect(socket);
}

/** Everything received until the peer ends or resets; `reset` tells which. */
function collect(socket: Socket, timeoutMs = 5000): Promise<{ data: string; reset: boolean; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let data = '';
    let reset = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end within ${timeoutMs} ms (got '${data}')`));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET') reset = true;
    });
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data, reset, ms: performance.now() - started });
    };
    socket.once('end', done);
    socket.once('close', done);
  });
}

/** Reads until `expected` arrived (or fails after the time limit). */
function readUntil(socket: Socket, expected: string, timeoutMs = 5000): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let data = '';
    const timer = setTimeout(() => reject(new Error(`got '${data}', waiting for '${expected}'`)), timeoutMs);
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.includes(expected)) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
  });
}

/** A TLS client through the proxy: which backend answered (by the echo it gets back and the server's count). */
function tlsExchange(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      socket.write('ping');
    });
    socket.once('data', (d: Buffer) => {
      socket.destroy();
      resolve(d.toString());
    });
    socket.once('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error('no TLS answer'));
    }, 5000);
  });
}

for (const target of TARGETS) {
  describe(`tcp rules on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let echo: TestBackend;
    let named: TestBackend;
    let tlsA: TestBackend & { servernames: (string | false | null)[] };
    let tlsB: TestBackend & { servernames: (string | false | null)[] };
    let mapDir: string;

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      echo = await echoServer(ports.echo);
      named = await namedServer(ports.named, 'named');
      const fixtures = `${repoRoot}test/fixtures/tls`;
      tlsA = await tlsEchoServer(ports.tlsA, fixtures);
      tlsB = await tlsEchoServer(ports.tlsB, fixtures);
      mapDir = mkdtempSync(join(tmpdir(), 'switchyard-sni-'));
      const mapFile = join(mapDir, 'sni.map');
      writeFileSync(mapFile, 'a.example be_a\nb.example be_b\n');
      proxy = await startProxy(target, configFor(ports, mapFile));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await echo.close();
      await named.close();
      await tlsA.close();
      await tlsB.close();
      rmSync(mapDir, { recursive: true, force: true });
    });

    async function logLine(prefix: string): Promise<string> {
      let found: string | undefined;
      await eventually(() => {
        found = proxy?.stdout.split('\n').find((l) => l.startsWith(prefix));
        return found !== undefined;
      }, 3000);
      assert.ok(found, `no '${prefix}' line in:\n${proxy?.stdout}\n${proxy?.stderr}`);
      return found;
    }

    it('tcp-request connection reject by src: reset before the server is dialled; other clients pass', async () => {
      const before = named.accepted;
      const refused = await dialAndCollect(ports.conn, '127.0.0.2');
      assert.equal(refused.data, '');
      // Deno has no abortive close (docs/runtimes.md: Socket.reset falls back to a plain close).
      if (target !== 'deno') assert.equal(refused.reset, true, 'closed with a reset');
      assert.equal(named.accepted, before);
      const passed = await collect(await dialFrom(ports.conn));
      assert.equal(passed.data, 'named\n');
    });

    it('tcp-request session reject on a variable set by a session rule', async () => {
      const refused = await dialAndCollect(ports.sess, '127.0.0.3');
      assert.equal(refused.data, '');
      assert.equal((await collect(await dialFrom(ports.sess))).data, 'named\n');
    });

    it('tcp-request content waits for the bytes a rule needs, then rejects (logged PR)', async () => {
      const socket = await dialFrom(ports.inspect);
      const cp = socket.localPort;
      const result = collect(socket);
      socket.write('DE');
      await delay(200);
      socket.write('NY!');
      const { data } = await result;
      assert.equal(data, '');
      assert.equal(await logLine(`insp 127.0.0.1:${cp}`), `insp 127.0.0.1:${cp} PR inspect/<NOSRV>`);
    });

    it('tcp-request content accepts once enough bytes came, and the bytes reach the server', async () => {
      const socket = await dialFrom(ports.inspect);
      const got = readUntil(socket, 'HELLO');
      socket.write('HEL');
      await delay(100);
      socket.write('LO');
      assert.ok((await got) < 900, 'decided before the inspect delay');
      socket.destroy();
    });

    it('tcp-request inspect-delay: undecided rules give way to the default accept when it expires', async () => {
      const socket = await dialFrom(ports.inspect);
      const got = readUntil(socket, 'AB');
      socket.write('AB');
      const ms = await got;
      assert.ok(ms > 800 && ms < 3000, `forwarded after ${ms} ms`);
      socket.destroy();
    });

    it('tcp-response content reject on the server\'s first bytes (logged PD); accept passes them on', async () => {
      const socket = await dialFrom(ports.resReject);
      const cp = socket.localPort;
      assert.equal((await collect(socket)).data, '');
      assert.equal(await logLine(`resrej 127.0.0.1:${cp}`), `resrej 127.0.0.1:${cp} PD`);
      assert.equal((await collect(await dialFrom(ports.resAccept))).data, 'named\n');
    });

    it('SNI routing in tcp mode with use_backend if { req.ssl_sni -i ... }: TLS reaches the right server untouched', async () => {
      const a = tlsA.accepted;
      const b = tlsB.accepted;
      assert.equal(await tlsExchange(ports.sni, 'B.example'), 'ping');
      assert.equal(tlsB.accepted, b + 1);
      assert.equal(tlsB.servernames.at(-1), 'B.example');
      assert.equal(await tlsExchange(ports.sni, 'a.example'), 'ping');
      assert.equal(tlsA.accepted, a + 1);
      assert.equal(tlsB.accepted, b + 1);
    });

    it('SNI routing with use_backend %[req.ssl_sni,lower,map(FILE,DEFAULT)]', async () => {
      const a = tlsA.accepted;
      const b = tlsB.accepted;
      assert.equal(await tlsExchange(ports.sniMap, 'B.EXAMPLE'), 'ping');
      assert.equal(tlsB.accepted, b + 1);
      assert.equal(await tlsExchange(ports.sniMap, 'other.example'), 'ping');
      assert.equal(tlsA.accepted, a + 1);
    });

    it('in mode http, tcp-request content rules run first; their sess variables reach the http rules', async () => {
      const refused = await dialFrom(ports.http, '127.0.0.4');
      const r = collect(refused);
      refused.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
      assert.equal((await r).data, '');
      const ok = await dialFrom(ports.http);
      const got = collect(ok);
      ok.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
      const { data } = await got;
      assert.match(data, /^HTTP\/1.1 200 /);
      assert.match(data, /\r\n\r\nseen=tcp$/);
    });
  });
}
