/**
 * Black-box conformance of the variable scopes health checks reach (HAProxy 2.6's get_vars for
 * a check): `tcp-check set-var(proc.*)` stores into the process's variables, which a frontend's
 * rules then read; `sess.*` and `check.*` live for one check run (the next run starts without
 * them); `txn.*` has no stream to live in and stores nothing. The checked server records the
 * line each run sends with `send-lf` (over `connect proto none`, the one TCP mux HAProxy 2.6
 * has); `http-check` does the same through a request header.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-check-var-scopes.test.js
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const HOST = '127.0.0.1';

interface LineServer {
  readonly server: Server;
  readonly sockets: Set<Socket>;
  /** What each connection sent first, up to its first LF (a request's first header block for HTTP). */
  readonly received: string[];
}

/** Records what each connection sends up to `end`, answers `reply` and closes. */
function recordingServer(port: number, end: string, reply: string): Promise<LineServer> {
  const sockets = new Set<Socket>();
  const received: string[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let seen = '';
    socket.on('data', (data: Buffer) => {
      seen += data.toString('latin1');
      const at = seen.indexOf(end);
      if (at < 0) return;
      received.push(seen.slice(0, at));
      seen = '';
      socket.end(reply);
    });
  });
  return new Promise((resolve) => server.listen(port, HOST, () => resolve({ server, sockets, received })));
}

function closeServer(s: LineServer | undefined): Promise<void> {
  if (s === undefined) return Promise.resolve();
  for (const socket of s.sockets) socket.destroy();
  return new Promise((resolve) => s.server.close(() => resolve()));
}

function configFor(fe: number, tcpPort: number, httpPort: number): string {
  return `
defaults
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout check 2s

frontend fe
    mode http
    bind ${HOST}:${fe}
    http-request return status 200 content-type text/plain lf-string "proc=%[var(proc.tcp)]|%[var(proc.http)]"

backend be_tcp
    mode tcp
    option tcp-check
    tcp-check set-var(sess.greet) str(hello)
    tcp-check set-var(txn.lost) str(lost)
    tcp-check set-var(proc.tcp) str(from-tcp-check)
    tcp-check connect proto none
    tcp-check send-lf "%[var(sess.n)]|%[var(check.c)]|%[var(sess.greet)]|%[var(txn.lost)]|%[var(proc.tcp)]\\n"
    tcp-check set-var(sess.n) int(7)
    tcp-check set-var(check.c) int(8)
    tcp-check expect string ok
    server s ${HOST}:${tcpPort} check inter 300ms

backend be_http
    mode http
    option httpchk
    http-check set-var(sess.s) str(one-run)
    http-check set-var(proc.http) str(from-http-check)
    http-check set-var(req.lost) str(lost)
    http-check send meth GET uri /chk hdr x-vars "%[var(sess.s)]|%[var(req.lost)]|%[var(proc.http)]"
    http-check expect status 200
    server s ${HOST}:${httpPort} check inter 300ms
`;
}

for (const target of TARGETS) {
  describe(`variable scopes in health checks on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let tcpServer: LineServer | undefined;
    let httpServer: LineServer | undefined;
    let fe = 0;

    before(async () => {
      const [a, b, c] = (await freePorts(3)) as [number, number, number];
      fe = a;
      tcpServer = await recordingServer(b, '\n', 'ok\n');
      httpServer = await recordingServer(c, '\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      proxy = await startProxy(target, configFor(fe, b, c));
    });

    after(async () => {
      destroyAllClients();
      try {
        await stopProxy(target, proxy);
      } finally {
        await Promise.all([closeServer(tcpServer), closeServer(httpServer)]);
      }
    });

    it('tcp-check: sess and check variables last one run, txn stores nothing, proc is the process\'s', async () => {
      await eventually(() => (tcpServer?.received.length ?? 0) >= 2, 10_000);
      const lines = tcpServer?.received ?? [];
      assert.ok(lines.length >= 2, `${lines.length} check runs seen\n${proxy?.stderr}`);
      for (const line of lines.slice(0, 2)) assert.equal(line, '||hello||from-tcp-check');
    });

    it('http-check: the same scopes, in a request header', async () => {
      await eventually(() => (httpServer?.received.length ?? 0) >= 1, 10_000);
      const head = httpServer?.received[0] ?? '';
      assert.match(head, /\r\nx-vars: one-run\|\|from-http-check(\r\n|$)/i, head);
    });

    it('proc variables set by checks are read by the traffic rules', async () => {
      let body = '';
      for (let i = 0; i < 50 && body !== 'proc=from-tcp-check|from-http-check'; i++) {
        const conn = await HttpConnection.open(fe);
        await conn.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        body = (await conn.read('GET')).text;
        conn.destroy();
        if (body !== 'proc=from-tcp-check|from-http-check') await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(body, 'proc=from-tcp-check|from-http-check');
    });
  });
}
