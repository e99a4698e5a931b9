/**
 * How a check leaves the server: HAProxy 2.6 closes its check connections with a reset
 * (SO_LINGER 0: its FD_LINGER_RISK) unless the connect rule says `linger` (`tcp-check connect
 * linger`, `http-check connect linger`, and the rule sets of smtpchk, pgsql-check and
 * mysql-check), which closes them with a FIN. That holds for the plain connect check and for
 * `option httpchk` too. The servers below record how each check connection ended.
 * Deno's sockets cannot reset (Deno.Conn has no SO_LINGER): there every check ends with a FIN.
 *
 * HAProxy's plain connect check is often not seen by the server at all: its connect withholds
 * the handshake's last ACK (TCP_QUICKACK 0, CONNECT_DELACK_ALWAYS), so its reset meets a
 * connection the server's kernel never queued for accept(). No runtime of ours can set
 * TCP_QUICKACK: the server accepts our check and then reads the reset.
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-check-close.test.js
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { repoRoot } from '../support/runtimes.ts';

const HOST = '127.0.0.1';

/** What a recording server says: a greeting on connect, and an answer to each chunk read. */
interface Script {
  readonly greeting?: string;
  readonly answer?: string;
}

/** Runs `script` on each connection and records how it ended: 'reset' or 'fin'. */
function recordingServer(port: number, ends: string[], script: Script): Promise<Server> {
  const server = createServer((socket) => {
    let ended = false;
    const record = (how: string) => {
      if (ended) return;
      ended = true;
      ends.push(how);
    };
    socket.on('error', (error: NodeJS.ErrnoException) => record(error.code === 'ECONNRESET' ? 'reset' : `error ${error.code}`));
    socket.on('end', () => record('fin'));
    const answer = script.answer;
    if (answer !== undefined) socket.on('data', () => socket.write(answer));
    if (script.greeting !== undefined) socket.write(script.greeting);
  });
  return new Promise((resolve) => server.listen(port, HOST, () => resolve(server)));
}

/** What a TLS server saw of its clients: handshakes completed, and handshakes that failed. */
interface TlsSeen {
  secure: number;
  failed: string[];
}

function tlsServer(port: number, seen: TlsSeen): Promise<Server> {
  const pem = readFileSync(`${repoRoot}test/fixtures/tls/a.example.pem`);
  const server = createTlsServer({ key: pem, cert: pem }, (socket) => {
    seen.secure++;
    socket.on('error', () => {});
  });
  server.on('tlsClientError', (error: NodeJS.ErrnoException) => seen.failed.push(`${error.code}: ${error.message}`));
  return new Promise((resolve) => server.listen(port, HOST, () => resolve(server)));
}

function greetingServer(port: number, ends: string[]): Promise<Server> {
  return recordingServer(port, ends, { greeting: 'HELLO\r\n' });
}

for (const target of TARGETS) {
  describe(`how a tcp check closes, on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    const servers: Server[] = [];
    const plain: string[] = [];
    const lingering: string[] = [];

    before(async () => {
      const [fe, a, b] = (await freePorts(3)) as [number, number, number];
      servers.push(await greetingServer(a, plain), await greetingServer(b, lingering));
      proxy = await startProxy(
        target,
        `
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind ${HOST}:${fe}
    # Not a checked server's: the proxy's readiness probe must not reach a recording server.
    default_backend idle
backend idle
backend plain
    option tcp-check
    tcp-check connect
    tcp-check expect string HELLO
    server s1 ${HOST}:${a} check inter 200ms
backend lingering
    option tcp-check
    tcp-check connect linger
    tcp-check expect string HELLO
    server s1 ${HOST}:${b} check inter 200ms
`,
      );
      // Generous: three checks of each server at least, on a loaded machine.
      assert.ok(await eventually(() => plain.length >= 3 && lingering.length >= 3, 15_000), `plain ${plain.join(',')} lingering ${lingering.join(',')}`);
    });

    after(async () => {
      await stopProxy(target, proxy);
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    });

    it('a check ends its connection with a reset, or with a FIN where the runtime cannot reset', () => {
      const expected = target === 'deno' ? 'fin' : 'reset';
      assert.deepEqual(new Set(plain), new Set([expected]), plain.join(','));
    });

    it("a check whose connect rule says 'linger' ends its connection with a FIN", () => {
      assert.deepEqual(new Set(lingering), new Set(['fin']), lingering.join(','));
    });
  });
}

for (const target of TARGETS) {
  describe(`how connect, HTTP and SMTP checks close, on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    const servers: Server[] = [];
    const connect: string[] = [];
    const connectLinger: string[] = [];
    const http: string[] = [];
    const httpLinger: string[] = [];
    const smtp: string[] = [];
    const tls: TlsSeen = { secure: 0, failed: [] };
    const expected = target === 'deno' ? 'fin' : 'reset';

    before(async () => {
      const [fe, a, b, c, d, e, f] = (await freePorts(7)) as [number, number, number, number, number, number, number];
      const ok = { answer: 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n' };
      servers.push(
        await recordingServer(a, connect, {}),
        await recordingServer(b, connectLinger, {}),
        await recordingServer(c, http, ok),
        await recordingServer(d, httpLinger, ok),
        await recordingServer(e, smtp, { greeting: '220 ready\r\n', answer: '250 hello\r\n' }),
        await tlsServer(f, tls),
      );
      proxy = await startProxy(
        target,
        `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind ${HOST}:${fe}
    default_backend idle
backend idle
backend connect
    server s1 ${HOST}:${a} check inter 200ms
backend connect_linger
    option tcp-check
    tcp-check connect linger
    server s1 ${HOST}:${b} check inter 200ms
backend http
    option httpchk GET /
    server s1 ${HOST}:${c} check inter 200ms
backend http_linger
    option httpchk
    http-check connect linger
    http-check send meth GET uri /
    server s1 ${HOST}:${d} check inter 200ms
backend smtp
    mode tcp
    option smtpchk
    server s1 ${HOST}:${e} check inter 200ms
backend tls
    # A slower pace: a handshake cut short by the check's own deadline on a loaded machine
    # would be a failed handshake too.
    server s1 ${HOST}:${f} check inter 1s ssl verify none
`,
      );
      // Generous: three checks of each server at least, on a loaded machine. The plain connect
      // check runs as often as connect_linger's, but HAProxy's may never reach the server.
      const enough = () => connectLinger.length >= 3 && http.length >= 3 && httpLinger.length >= 3 && smtp.length >= 3 && tls.secure + tls.failed.length >= 2;
      assert.ok(
        await eventually(enough, 15_000),
        `connect_linger ${connectLinger.join(',')} http ${http.join(',')} http_linger ${httpLinger.join(',')} smtp ${smtp.join(',')} tls ${tls.secure} ${tls.failed.join(',')}`,
      );
    });

    after(async () => {
      await stopProxy(target, proxy);
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    });

    it('a plain connect check never ends with a FIN where the runtime can reset', () => {
      // On HAProxy most of them never reach accept(): see the top of this file.
      for (const how of connect) assert.equal(how, expected, connect.join(','));
    });

    it("a connect check whose rule says 'linger' ends with a FIN", () => {
      assert.deepEqual(new Set(connectLinger), new Set(['fin']), connectLinger.join(','));
    });

    it('an HTTP check ends its connection with a reset, or with a FIN where the runtime cannot reset', () => {
      assert.deepEqual(new Set(http), new Set([expected]), http.join(','));
    });

    it("an HTTP check whose 'http-check connect' says 'linger' ends with a FIN", () => {
      assert.deepEqual(new Set(httpLinger), new Set(['fin']), httpLinger.join(','));
    });

    it('smtpchk connects with linger, as its HAProxy rule set: a FIN', () => {
      assert.deepEqual(new Set(smtp), new Set(['fin']), smtp.join(','));
    });

    it('a TLS check completes its handshake before closing: the server sees no failed handshake', () => {
      assert.deepEqual(tls.failed, []);
      assert.ok(tls.secure >= 2, String(tls.secure));
    });
  });
}
