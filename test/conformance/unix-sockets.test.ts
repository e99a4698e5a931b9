/**
 * Black-box conformance of UNIX stream socket addresses: `bind /path` (clear and `ssl`),
 * `server NAME /path` and `unix@path` in mode http and tcp, health checks over the socket.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/unix-sockets.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PEM = `${repoRoot}test/fixtures/tls/a.example.pem`;

function configFor(dir: string, port: number): string {
  return `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend fe
    bind 127.0.0.1:${port}
    bind ${dir}/fe.sock
    bind unix@${dir}/fe-tls.sock ssl crt ${PEM}
    default_backend be

backend be
    option httpchk GET /health
    server s1 ${dir}/be.sock check inter 200ms

listen tcp_in
    mode tcp
    bind ${dir}/tcp.sock
    server s1 unix@${dir}/be.sock
`;
}

/** One HTTP/1.1 request over a connected socket; resolves with the whole answer. */
function exchange(socket: net.Socket, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n`);
  });
}

for (const target of TARGETS) {
  describe(`UNIX socket addresses on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let port: number;
    let backend: http.Server;
    let healthChecks = 0;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sy-unix-'));
      [port] = (await freePorts(1)) as [number];
      backend = http.createServer((req, res) => {
        if (req.url === '/health') healthChecks++;
        res.end(`unix backend ${req.url}`);
      });
      await new Promise<void>((r) => backend.listen(join(dir, 'be.sock'), r));
      proxy = await startProxy(target, configFor(dir, port));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await new Promise((r) => backend.close(r));
      rmSync(dir, { recursive: true, force: true });
    });

    it('an http server on a UNIX socket, reached from a TCP bind and a UNIX bind', async () => {
      assert.match(await exchange(net.connect({ host: '127.0.0.1', port }), '/tcp'), /^HTTP\/1\.1 200 [^]*unix backend \/tcp$/);
      assert.match(await exchange(net.connect({ path: join(dir, 'fe.sock') }), '/unix'), /^HTTP\/1\.1 200 [^]*unix backend \/unix$/);
    });

    it('TLS on a UNIX bind', async () => {
      const socket = tls.connect({ path: join(dir, 'fe-tls.sock'), rejectUnauthorized: false, servername: 'a.example' });
      assert.match(await exchange(socket, '/tls'), /^HTTP\/1\.1 200 [^]*unix backend \/tls$/);
    });

    it('tcp mode between two UNIX sockets', async () => {
      assert.match(await exchange(net.connect({ path: join(dir, 'tcp.sock') }), '/relay'), /^HTTP\/1\.1 200 [^]*unix backend \/relay$/);
    });

    it('health checks go over the socket', async () => {
      assert.ok(await eventually(() => healthChecks >= 2, 3000), `checks seen: ${healthChecks}`);
    });
  });
}
