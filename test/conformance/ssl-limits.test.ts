/**
 * Black-box conformance of the process's TLS limits:
 *
 * - `maxsslconn N`: N TLS connections open at once, accepted on `ssl` binds and dialled to `ssl`
 *   servers (HAProxy's global.sslconns). Past it, ssl_sock_init refuses: a client gets no
 *   handshake (CO_ER_SSL_TOO_MANY; Switchyard closes it, HAProxy 2.6.12 leaks it: see below), a
 *   server connection is not dialled and the request gets HAProxy's 500, a TLS health check
 *   fails at once ("Layer7 timeout", "Too many SSL connections"). `show info` reports
 *   MaxSslConns.
 * - `maxsslrate N`: connections taken per second by `ssl` listeners. Past the rate the
 *   listeners accept nothing: connections wait in the accept queue, none is refused, and are
 *   let in as the rate allows (a burst of 3N takes over a second). `show info` reports
 *   SslRateLimit; `set rate-limit ssl-sessions global N` changes it.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/ssl-limits.test.js
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import tls from 'node:tls';
import { describe, it } from 'node:test';
import { cli, statRows } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { burstAnswerTimes } from '../support/connection-burst.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { nodeVersionOf, onNode, repoRoot } from '../support/runtimes.ts';

const TLS = `${repoRoot}test/fixtures/tls`;

/** Node before 22.12 refuses `nbthread` (test/conformance/threads.test.ts checks that). */
function refusesThreads(target: (typeof TARGETS)[number]): boolean {
  if (!onNode(target)) return false;
  const [major, minor] = nodeVersionOf(target as 'node' | 'node-system');
  return major < 22 || (major === 22 && minor < 12);
}

const NO_HANDSHAKE = 'neither a handshake nor a close';

/** A TLS handshake with the proxy: the socket once it is done, or the error that ended it first. */
function handshake(port: number, waitMs = 10_000): Promise<tls.TLSSocket | Error> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'a.example', rejectUnauthorized: false });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(new Error(NO_HANDSHAKE));
    }, waitMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(new Error('closed before the handshake'));
    });
  });
}

async function infoNumber(cliPort: number, field: string): Promise<number> {
  const text = await cli(cliPort, 'show info\n');
  const value = new RegExp(`^${field}: (\\d+)$`, 'm').exec(text)?.[1];
  assert.notEqual(value, undefined, `${field} in show info`);
  return Number(value);
}

/** One HTTP/1.1 request on `socket` (kept alive); resolves the status of its answer. */
function request(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      if (head < 0) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, head))?.[1] ?? '0');
      if (text.length < head + 4 + length) return;
      socket.off('data', onData);
      resolve(Number(text.slice(9, 12)));
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write('GET / HTTP/1.1\r\nhost: limits.test\r\n\r\n');
  });
}

function plainConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

const RATE = 20;
const BURST = 3 * RATE;

/** Opens BURST TLS connections at once, each asking one request; the answers' times (ms after the first). */
function tlsBurst(port: number): Promise<number[]> {
  return burstAnswerTimes(BURST, () => tls.connect({ host: '127.0.0.1', port, servername: 'a.example', rejectUnauthorized: false }), 'secureConnect', 30_000);
}

for (const target of TARGETS) {
  describe(`TLS limits on ${target}`, () => {
    for (const threads of [1, 2]) {
      const skip = threads > 1 && refusesThreads(target) ? 'nbthread is refused on this Node' : false;
      it(`maxsslconn 1: a second TLS client is closed before its handshake, and gets in once the first left${threads > 1 ? ' (nbthread 2)' : ''}`, { skip }, async () => {
        const [port, cliPort] = (await freePorts(2)) as [number, number];
        let proxy: ProxyProcess | undefined;
        const open: tls.TLSSocket[] = [];
        try {
          proxy = await startProxy(
            target,
            `global\n    stats socket 127.0.0.1:${cliPort} level admin\n    maxsslconn 1\n    nbthread ${threads}\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port} ssl crt ${TLS}/a.example.pem\n    http-request return status 200 content-type text/plain string ok\n`,
          );
          assert.equal(await infoNumber(cliPort, 'MaxSslConns'), 1);
          const first = await handshake(port);
          assert.ok(!(first instanceof Error), `the first client: ${String(first)}`);
          open.push(first);
          let current = 0;
          for (const deadline = performance.now() + 10_000; current !== 1 && performance.now() < deadline; ) {
            current = await infoNumber(cliPort, 'CurrSslConns');
            if (current !== 1) await new Promise((r) => setTimeout(r, 50));
          }
          assert.equal(current, 1, 'CurrSslConns with the first client in');
          const second = await handshake(port, 3000);
          if (!(second instanceof Error)) open.push(second);
          assert.ok(second instanceof Error, 'the second client made its handshake past maxsslconn 1');
          // HAProxy 2.6.12 means to close it (session_accept_fd's conn_full_close) but leaks it:
          // ssl_sock_init fails in conn_prepare, before conn_ctrl_init, so the descriptor is never
          // closed and the client waits until HAProxy exits. Switchyard closes it, as intended.
          // What follows the leak is HAProxy's bug too (with nbthread 2 its listener was seen to
          // stay paused): checked on the runtimes only.
          if (target === 'haproxy') return;
          assert.notEqual(second.message, NO_HANDSHAKE, 'the refused client is closed');
          first.destroy();
          // Once the first is gone a client gets in (the listener may pause a moment after a refusal).
          let third: tls.TLSSocket | Error = new Error('not tried');
          for (const deadline = performance.now() + 10_000; third instanceof Error && performance.now() < deadline; ) {
            third = await handshake(port);
            if (third instanceof Error) await new Promise((r) => setTimeout(r, 100));
          }
          assert.ok(!(third instanceof Error), `a client after the first left: ${String(third)}`);
          open.push(third);
        } finally {
          for (const socket of open) socket.destroy();
          await stopProxy(target, proxy);
        }
      });
    }

    it('maxsslconn 1: clients gone right after their handshake free their TLS slot at once', async () => {
      const [port, cliPort] = (await freePorts(2)) as [number, number];
      let proxy: ProxyProcess | undefined;
      try {
        proxy = await startProxy(
          target,
          // A long `timeout client`: a connection whose close was missed would hold the slot that long.
          `global\n    stats socket 127.0.0.1:${cliPort} level admin\n    maxsslconn 1\n${HTTP_DEFAULTS.replace('timeout client 5s', 'timeout client 60s')}\nfrontend fe\n    bind 127.0.0.1:${port} ssl crt ${TLS}/a.example.pem\n    http-request return status 200 content-type text/plain string ok\n`,
        );
        for (let i = 0; i < 4; i++) {
          // The previous client's close may take a moment to be seen (on HAProxy, a client
          // refused meanwhile waits for ever: see above, hence the bounded handshakes).
          let client: tls.TLSSocket | Error = new Error('not tried');
          for (const deadline = performance.now() + 15_000; client instanceof Error && performance.now() < deadline; ) {
            client = await handshake(port, 2000);
            if (client instanceof Error) await new Promise((r) => setTimeout(r, 100));
          }
          assert.ok(!(client instanceof Error), `client ${i + 1}: ${String(client)}`);
          client.destroy();
        }
      } finally {
        await stopProxy(target, proxy);
      }
    });

    for (const httpchk of [false, true]) {
      it(`maxsslconn 1: a TLS ${httpchk ? 'HTTP ' : ''}health check past it fails at once, a Layer7 timeout "Too many SSL connections"`, async () => {
        const [serverPort, port, cliPort] = (await freePorts(3)) as [number, number, number];
        const pem = readFileSync(`${TLS}/a.example.pem`, 'utf8');
        const server = tls.createServer({ cert: pem, key: pem }, (socket) => {
          socket.on('error', () => {});
          socket.on('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
        });
        server.on('tlsClientError', () => {});
        await new Promise<void>((resolve) => server.listen(serverPort, '127.0.0.1', resolve));
        let proxy: ProxyProcess | undefined;
        let client: tls.TLSSocket | Error | undefined;
        try {
          proxy = await startProxy(
            target,
            `global\n    stats socket 127.0.0.1:${cliPort} level admin\n    maxsslconn 1\n${HTTP_DEFAULTS.replace('timeout client 5s', 'timeout client 60s')}\nfrontend fe\n    bind 127.0.0.1:${port} ssl crt ${TLS}/a.example.pem\n    http-request return status 200\nbackend be\n${httpchk ? '    option httpchk GET /\n' : ''}    server s1 127.0.0.1:${serverPort} check check-ssl verify none inter 300ms fall 2 rise 1\n`,
          );
          const row = async (): Promise<Record<string, string> | undefined> => (await statRows(cliPort)).find((r) => r.pxname === 'be' && r.svname === 's1');
          let seen = await row();
          for (const deadline = performance.now() + 15_000; seen?.status !== 'UP' && performance.now() < deadline; seen = await row()) await new Promise((r) => setTimeout(r, 100));
          assert.equal(seen?.status, 'UP', 'the checks pass while the TLS slot is free');
          // A client takes the one TLS slot (it may have to wait for a check's connection to close).
          for (const deadline = performance.now() + 10_000; !(client instanceof tls.TLSSocket) && performance.now() < deadline; ) {
            client = await handshake(port, 2000);
            if (client instanceof Error) await new Promise((r) => setTimeout(r, 50));
          }
          assert.ok(client instanceof tls.TLSSocket, `a client could not take the TLS slot: ${String(client)}`);
          for (const deadline = performance.now() + 15_000; seen?.status !== 'DOWN' && performance.now() < deadline; seen = await row()) await new Promise((r) => setTimeout(r, 100));
          assert.deepEqual([seen?.status, seen?.check_status, seen?.last_chk], ['DOWN', 'L7TOUT', 'Too many SSL connections']);
        } finally {
          if (client instanceof tls.TLSSocket) client.destroy();
          // HAProxy warns of the server going DOWN, which stopProxy would take for a configuration warning.
          if (target === 'haproxy') await proxy?.stop();
          else await stopProxy(target, proxy);
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
      });
    }

    it('maxsslconn 1 towards a server: a request needing a second TLS connection gets a 500', async () => {
      const [serverPort, port, cliPort] = (await freePorts(3)) as [number, number, number];
      const pem = readFileSync(`${TLS}/a.example.pem`, 'utf8');
      // A TLS HTTP server of the test's own, answering every request on a kept-alive connection.
      const server = tls.createServer({ cert: pem, key: pem }, (socket) => {
        socket.on('error', () => {});
        let text = '';
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('latin1');
          while (text.includes('\r\n\r\n')) {
            text = text.slice(text.indexOf('\r\n\r\n') + 4);
            socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
          }
        });
      });
      server.on('tlsClientError', () => {});
      await new Promise<void>((resolve) => server.listen(serverPort, '127.0.0.1', resolve));
      let proxy: ProxyProcess | undefined;
      const clients: Socket[] = [];
      try {
        proxy = await startProxy(
          target,
          `global\n    stats socket 127.0.0.1:${cliPort} level admin\n    maxsslconn 1\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n    default_backend be\nbackend be\n    http-reuse never\n    server s1 127.0.0.1:${serverPort} ssl verify none\n`,
        );
        // The first client's server connection stays with it (http-reuse never): one TLS connection open.
        const first = await plainConnection(port);
        clients.push(first);
        assert.equal(await request(first), 200);
        const second = await plainConnection(port);
        clients.push(second);
        assert.equal(await request(second), 500, 'a second server TLS connection past maxsslconn 1');
        // The first client leaves, its server connection with it: there is room again.
        first.destroy();
        let status = 0;
        for (const deadline = performance.now() + 10_000; status !== 200 && performance.now() < deadline; ) {
          const next = await plainConnection(port);
          clients.push(next);
          status = await request(next);
          if (status !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(status, 200);
      } finally {
        for (const socket of clients) socket.destroy();
        await stopProxy(target, proxy);
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    it(`maxsslrate ${RATE}: a burst of ${BURST} TLS clients is let in at ${RATE}/s, none refused; show info and set rate-limit ssl-sessions`, async () => {
      const [port, cliPort] = (await freePorts(2)) as [number, number];
      let proxy: ProxyProcess | undefined;
      try {
        proxy = await startProxy(
          target,
          `global\n    stats socket 127.0.0.1:${cliPort} level admin\n    maxsslrate ${RATE}\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port} ssl crt ${TLS}/a.example.pem\n    http-request return status 200 content-type text/plain string ok\n`,
        );
        assert.equal(await infoNumber(cliPort, 'SslRateLimit'), RATE);
        const times = await tlsBurst(port);
        const firstSecond = times.filter((t) => t < 1000).length;
        assert.ok(firstSecond <= 2 * RATE, `${firstSecond} of ${BURST} answered within the first second at ${RATE}/s: ${times.map(Math.round).join(' ')}`);
        assert.ok((times.at(-1) as number) >= 1000, `the ${BURST} answers came within ${Math.round(times.at(-1) as number)} ms at ${RATE}/s`);
        const max = await infoNumber(cliPort, 'MaxSslRate');
        assert.ok(max >= RATE / 2 && max <= 2 * RATE, `MaxSslRate ${max} at ${RATE}/s`);
        assert.equal(await cli(cliPort, 'set rate-limit ssl-sessions global 7\n'), '\n');
        assert.equal(await infoNumber(cliPort, 'SslRateLimit'), 7);
        assert.match(await cli(cliPort, 'set rate-limit ssl-sessions global -1\n'), /^Value out of range\.\n/);
      } finally {
        await stopProxy(target, proxy);
      }
    });

    it(`set rate-limit ssl-sessions global ${RATE} on a process started without maxsslrate holds its ssl binds too`, async () => {
      const [port, cliPort] = (await freePorts(2)) as [number, number];
      let proxy: ProxyProcess | undefined;
      try {
        proxy = await startProxy(
          target,
          `global\n    stats socket 127.0.0.1:${cliPort} level admin\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port} ssl crt ${TLS}/a.example.pem\n    http-request return status 200 content-type text/plain string ok\n`,
        );
        assert.equal(await infoNumber(cliPort, 'SslRateLimit'), 0);
        assert.equal(await cli(cliPort, `set rate-limit ssl-sessions global ${RATE}\n`), '\n');
        const times = await tlsBurst(port);
        const firstSecond = times.filter((t) => t < 1000).length;
        assert.ok(firstSecond <= 2 * RATE, `${firstSecond} of ${BURST} answered within the first second at ${RATE}/s: ${times.map(Math.round).join(' ')}`);
        assert.ok((times.at(-1) as number) >= 1000, `the ${BURST} answers came within ${Math.round(times.at(-1) as number)} ms at ${RATE}/s`);
      } finally {
        await stopProxy(target, proxy);
      }
    });
  });
}
