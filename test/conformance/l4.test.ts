/**
 * Black-box conformance of `mode tcp`: the real proxy CLI runs as a child process under Node,
 * Bun and Deno in turn, with one generated configuration, and is driven over 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as tls from 'node:tls';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { RUNTIMES, repoRoot } from '../support/runtimes.ts';
import {
  echoServer,
  holdingServer,
  namedServer,
  recordingServer,
  silentServer,
  sourceServer,
  tlsEchoServer,
  type TestBackend,
} from '../support/tcp-backends.ts';
import { delay, dial, fetchLine, readAll, timeUntilClosed } from '../support/tcp-client.ts';

const SLOW_READER_BYTES = 64 * 1024 * 1024;

interface Ports {
  rr: number;
  failover: number;
  bulk: number;
  idle: number;
  silent: number;
  maxconn: number;
  tls: number;
  slow: number;
  weighted: [number, number, number];
  alive: [number, number];
  dead: number;
  echo: number;
  silentBackend: number;
  hold: number;
  source: number;
  /** `server ... ssl` in tcp mode: to a TLS server (plain verify none; verified with SNI), to a plain one. */
  sslServer: number;
  sslVerified: number;
  sslToPlain: number;
  tlsEcho: number;
  recorder: number;
}

function configFor(p: Ports): string {
  const fixtures = `${repoRoot}test/fixtures/tls`;
  return `
global
    maxconn 1000

defaults
    mode tcp
    timeout connect 500ms
    timeout client 10s
    timeout server 10s

frontend fe_rr
    bind 127.0.0.1:${p.rr}
    default_backend be_weighted

backend be_weighted
    balance roundrobin
    server a 127.0.0.1:${p.weighted[0]} weight 1
    server b 127.0.0.1:${p.weighted[1]} weight 2
    server c 127.0.0.1:${p.weighted[2]} weight 3

listen failover
    bind 127.0.0.1:${p.failover}
    timeout connect 100ms
    retries 2
    option redispatch
    server dead 127.0.0.1:${p.dead}
    server alive1 127.0.0.1:${p.alive[0]}
    server alive2 127.0.0.1:${p.alive[1]}

listen bulk
    bind 127.0.0.1:${p.bulk}
    server echo 127.0.0.1:${p.echo}

listen idle
    bind 127.0.0.1:${p.idle}
    timeout client 300ms
    server echo 127.0.0.1:${p.echo}

listen silent
    bind 127.0.0.1:${p.silent}
    timeout server 300ms
    server mute 127.0.0.1:${p.silentBackend}

listen limited
    bind 127.0.0.1:${p.maxconn}
    maxconn 2
    server hold 127.0.0.1:${p.hold}

listen tls_termination
    bind 127.0.0.1:${p.tls} ssl crt ${fixtures}/a.example.pem crt ${fixtures}/b.example.pem
    server echo 127.0.0.1:${p.echo}

listen slow_reader
    bind 127.0.0.1:${p.slow}
    server source 127.0.0.1:${p.source}

listen ssl_server
    bind 127.0.0.1:${p.sslServer}
    server tls 127.0.0.1:${p.tlsEcho} ssl verify none

listen ssl_verified
    bind 127.0.0.1:${p.sslVerified}
    server tls 127.0.0.1:${p.tlsEcho} ssl verify required ca-file ${fixtures}/ca.pem sni str(a.example)

listen ssl_to_plain
    bind 127.0.0.1:${p.sslToPlain}
    retries 0
    server plain 127.0.0.1:${p.recorder} ssl verify none
`;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

for (const runtime of RUNTIMES) {
  describe(`L4 tcp mode on ${runtime}`, () => {
    let proxy: ProxyProcess;
    let ports: Ports;
    const backends: TestBackend[] = [];
    let source: Awaited<ReturnType<typeof sourceServer>>;
    let tlsEcho: Awaited<ReturnType<typeof tlsEchoServer>>;
    let recorder: Awaited<ReturnType<typeof recordingServer>>;

    before(async () => {
      const n = await freePorts(23);
      const at = (i: number) => n[i] as number;
      ports = {
        rr: at(0), failover: at(1), bulk: at(2), idle: at(3), silent: at(4), maxconn: at(5), tls: at(6), slow: at(7),
        weighted: [at(8), at(9), at(10)], alive: [at(11), at(12)], dead: at(13), echo: at(14), silentBackend: at(15),
        hold: at(16), source: at(17), sslServer: at(18), sslVerified: at(19), sslToPlain: at(20), tlsEcho: at(21), recorder: at(22),
      };
      backends.push(
        await namedServer(ports.weighted[0], 'a'),
        await namedServer(ports.weighted[1], 'b'),
        await namedServer(ports.weighted[2], 'c'),
        await namedServer(ports.alive[0], 'alive1'),
        await namedServer(ports.alive[1], 'alive2'),
        await echoServer(ports.echo),
        await silentServer(ports.silentBackend),
        await holdingServer(ports.hold, 'held'),
      );
      tlsEcho = await tlsEchoServer(ports.tlsEcho, `${repoRoot}test/fixtures/tls`);
      recorder = await recordingServer(ports.recorder);
      backends.push(tlsEcho, recorder);
      source = await sourceServer(ports.source, SLOW_READER_BYTES);
      backends.push(source);
      proxy = await ProxyProcess.start(runtime, configFor(ports));
    });

    after(async () => {
      const code = await proxy?.stop();
      await Promise.all(backends.map((b) => b.close()));
      assert.equal(code, 0, `proxy exit code\n${proxy?.stderr}`);
    });

    it('balances round-robin in proportion to the weights', async () => {
      const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
      for (let i = 0; i < 60; i++) {
        const name = (await fetchLine(ports.rr)).trim();
        counts[name] = (counts[name] ?? 0) + 1;
      }
      assert.deepEqual(counts, { a: 10, b: 20, c: 30 });
    });

    it('fails over to another server when one refuses connections (retries + redispatch)', async () => {
      const seen: string[] = [];
      for (let i = 0; i < 9; i++) seen.push((await fetchLine(ports.failover)).trim());
      assert.ok(seen.every((s) => s === 'alive1' || s === 'alive2'), `answers: ${seen.join(',')}`);
      assert.ok(seen.includes('alive1') && seen.includes('alive2'));
    });

    it('carries 10 MiB both ways intact, with half-close', async () => {
      const payload = randomBytes(10 * 1024 * 1024);
      const socket = await dial(ports.bulk);
      const received = readAll(socket, 30_000);
      socket.end(payload);
      const echoed = await received;
      assert.equal(echoed.length, payload.length);
      assert.equal(sha256(echoed), sha256(payload));
    });

    it('keeps the server-to-client direction open after the client half-closes', async () => {
      const socket = await dial(ports.bulk);
      const received = readAll(socket);
      socket.write('first ');
      await delay(50);
      socket.end('second');
      assert.equal((await received).toString(), 'first second');
    });

    it('propagates backpressure to a fast server when the client reads slowly', async () => {
      const before = proxy.rss();
      const socket = await dial(ports.slow);
      socket.pause();
      await delay(1500);
      const writtenWhilePaused = source.written();
      const grownBy = proxy.rss() - before;
      // Loopback socket buffers hold a few MiB per connection; without backpressure the proxy
      // would have read all 64 MiB into memory.
      assert.ok(writtenWhilePaused < 32 * 1024 * 1024, `server wrote ${writtenWhilePaused} bytes to a paused reader`);
      assert.ok(grownBy < 48 * 1024 * 1024, `proxy RSS grew by ${grownBy} bytes`);
      const hash = createHash('sha256');
      let total = 0;
      await new Promise<void>((resolve, reject) => {
        socket.on('data', (d: Buffer) => {
          hash.update(d);
          total += d.length;
        });
        socket.on('end', () => {
          socket.end();
          resolve();
        });
        socket.on('error', reject);
        socket.resume();
      });
      assert.equal(total, SLOW_READER_BYTES);
      assert.equal(hash.digest('hex'), source.digest);
    });

    it('closes an idle client after timeout client, but not an active one', async () => {
      const idle = await dial(ports.idle);
      const elapsed = await timeUntilClosed(idle, 5000);
      assert.ok(elapsed >= 250 && elapsed < 3000, `closed after ${elapsed} ms`);

      const active = await dial(ports.idle);
      let echoed = '';
      active.on('data', (d: Buffer) => (echoed += d.toString()));
      for (let i = 0; i < 10; i++) {
        active.write(String(i));
        await delay(100);
      }
      assert.equal(echoed, '0123456789');
      assert.equal(active.destroyed, false);
      active.destroy();
    });

    it('closes the session after timeout server when the server stays silent', async () => {
      const socket = await dial(ports.silent);
      socket.write('hello?');
      const elapsed = await timeUntilClosed(socket, 5000);
      assert.ok(elapsed >= 250 && elapsed < 3000, `closed after ${elapsed} ms`);
    });

    it('holds connections beyond maxconn and serves them as slots free up', async () => {
      const sockets = await Promise.all([0, 1, 2, 3].map(() => dial(ports.maxconn)));
      const got = sockets.map(() => '');
      sockets.forEach((s, i) => s.on('data', (d: Buffer) => (got[i] += d.toString())));
      await delay(400);
      assert.equal(got.filter((g) => g === 'held\n').length, 2, `served: ${JSON.stringify(got)}`);
      const served = got.map((g, i) => (g ? i : -1)).filter((i) => i >= 0);
      for (const i of served) sockets[i]?.destroy();
      const deadline = Date.now() + 3000;
      while (got.filter((g) => g === 'held\n').length < 4 && Date.now() < deadline) await delay(20);
      assert.equal(got.filter((g) => g === 'held\n').length, 4, `served: ${JSON.stringify(got)}`);
      for (const s of sockets) s.destroy();
    });

    it('terminates TLS and picks the certificate by SNI', async () => {
      for (const [servername, cn] of [
        ['a.example', 'a.example'],
        ['b.example', 'b.example'],
        [undefined, 'a.example'],
      ] as const) {
        const socket = tls.connect({ host: '127.0.0.1', port: ports.tls, rejectUnauthorized: false, ...(servername ? { servername } : {}) });
        await new Promise<void>((resolve, reject) => {
          socket.once('secureConnect', () => resolve());
          socket.once('error', reject);
        });
        assert.equal(socket.getPeerCertificate().subject.CN, cn, `SNI ${servername}`);
        const received = new Promise<string>((resolve) => {
          let text = '';
          socket.on('data', (d: Buffer) => {
            text += d.toString();
            if (text.length >= 5) resolve(text);
          });
        });
        socket.write('hello');
        assert.equal(await received, 'hello');
        socket.destroy();
      }
    });

    it('speaks TLS to a `server ... ssl` (verify none, and verify required with SNI and ca-file)', async () => {
      for (const port of [ports.sslServer, ports.sslVerified]) {
        const socket = await dial(port);
        const received = readAll(socket);
        socket.write('hello ');
        await delay(20);
        socket.end('over TLS');
        assert.equal((await received).toString(), 'hello over TLS', `through port ${port}`);
      }
      assert.ok(tlsEcho.servernames.includes('a.example'), `SNI seen by the server: ${JSON.stringify(tlsEcho.servernames)}`);
    });

    it('never sends a client byte in clear to a `server ... ssl`: a plain server sees a TLS ClientHello', async () => {
      const socket = await dial(ports.sslToPlain);
      socket.on('error', () => {});
      socket.write('hello-in-clear');
      const deadline = Date.now() + 3000;
      while (recorder.received().length < 5 && Date.now() < deadline) await delay(20);
      const seen = recorder.received();
      assert.ok(seen.length >= 5, 'the server received the handshake');
      // A TLS record of type handshake (22) whose first message is a ClientHello (1).
      assert.equal(seen[0], 0x16, `first byte ${seen[0]}`);
      assert.equal(seen[5], 0x01, 'ClientHello');
      await timeUntilClosed(socket, 5000);
      assert.ok(!recorder.received().includes('hello-in-clear'), 'client bytes reached the server in clear');
    });
  });
}
