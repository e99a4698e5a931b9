/**
 * Client and server aborts in the stats (HAProxy's cli_abrt / srv_abrt, Prometheus's
 * client_aborts_total / server_aborts_total): a transaction the client or the server gives up
 * while its data flows counts on the backend and on the server, as HAProxy 2.6 counts them
 * (stream.c and http_ana.c: request and response forwarding, the data phase of a tunnel or a
 * TCP stream). Errors found before or instead of the data phase (a server closing or timing
 * out before its answer: 502 / 504; a bad request) are not aborts.
 *
 * Each case has its own backend, so each count stands alone.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/stats-aborts.test.js
 */
import assert from 'node:assert/strict';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { statNumbers } from '../support/cli-client.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

/** What the server does with a request, by the first segment of its path. */
function serve(socket: Socket, path: string): void {
  const part = 'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789';
  switch (path.split('/')[1]) {
    case 'truncate': // closes in the middle of the body
      socket.end(part);
      return;
    case 'reset': // resets in the middle of the body
      socket.write(part, () => setTimeout(() => socket.resetAndDestroy(), 50));
      return;
    case 'silent': // closes without an answer (502)
      socket.end();
      return;
    case 'stall': // starts the body and stops (the server timeout)
      socket.write(part);
      return;
    case 'leave': { // sends the body slowly: the proxy writes to a client that has left
      socket.write(part);
      let sent = 10;
      const more = setInterval(() => {
        if (socket.destroyed || sent >= 100) return clearInterval(more);
        socket.write('0123456789');
        sent += 10;
      }, 100);
      return;
    }
    case 'mute': // never answers (504)
    case 'upload': // waits for a body the client cuts short
      return;
    default: // a whole answer
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
  }
}

function startApp(port: number): Promise<NetServer> {
  const app = createServer((socket) => {
    socket.on('error', () => {});
    let head = '';
    socket.on('data', (chunk) => {
      if (head.includes('\r\n\r\n')) return;
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) serve(socket, head.split(' ')[1] ?? '/');
    });
  });
  return new Promise((resolve) => app.listen(port, '127.0.0.1', () => resolve(app)));
}

/** A TCP server: `R` gets a byte then a reset; anything else a byte every 100 ms until the peer leaves. */
function startTcpApp(port: number): Promise<NetServer> {
  const app = createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (chunk) => {
      if (chunk[0] === 0x52) {
        socket.write('x', () => setTimeout(() => socket.resetAndDestroy(), 50));
        return;
      }
      const more = setInterval(() => (socket.destroyed ? clearInterval(more) : socket.write('y')), 100);
    });
  });
  return new Promise((resolve) => app.listen(port, '127.0.0.1', () => resolve(app)));
}

const CASES = ['truncate', 'reset', 'silent', 'stall', 'leave', 'mute', 'upload', 'whole'] as const;

for (const target of TARGETS) {
  describe(`client and server aborts in the stats on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let app: NetServer | undefined;
    let tcpApp: NetServer | undefined;
    let fe: number;
    let stats: number;
    let appPort: number;
    let tcpSrv: number;
    let tcpCli: number;
    let tcpAppPort: number;

    before(async () => {
      [fe, stats, appPort, tcpSrv, tcpCli, tcpAppPort] = (await freePorts(6)) as [number, number, number, number, number, number];
      app = await startApp(appPort);
      tcpApp = await startTcpApp(tcpAppPort);
      proxy = await startProxy(
        target,
        `
global
    stats socket ipv4@127.0.0.1:${stats} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-request 5s
frontend fe
    bind 127.0.0.1:${fe}
    use_backend %[path,field(2,/)]
${CASES.map((c) => `backend ${c}\n    ${c === 'stall' || c === 'mute' ? 'timeout server 300ms\n    ' : ''}server s1 127.0.0.1:${appPort}\n`).join('')}
listen tcp_srv
    mode tcp
    bind 127.0.0.1:${tcpSrv}
    server s1 127.0.0.1:${tcpAppPort}
listen tcp_cli
    mode tcp
    bind 127.0.0.1:${tcpCli}
    server s1 127.0.0.1:${tcpAppPort}
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await new Promise((r) => app?.close(r));
      await new Promise((r) => tcpApp?.close(r));
    });

    /** Sends `request`, reads until the proxy closes (or `resetAfter` bytes came, then resets), then closes. */
    async function play(request: string, options: { resetAfter?: number; closeAfterSend?: boolean } = {}): Promise<void> {
      const conn = await HttpConnection.open(fe);
      try {
        await conn.write(request);
        if (options.closeAfterSend) {
          await delay(200);
          return;
        }
        if (options.resetAfter !== undefined) {
          const resetAfter = options.resetAfter;
          await eventually(() => conn.reader.received >= resetAfter, 5000);
          // A reset: a FIN would only half-close, and the proxy would wait for the server.
          conn.socket.resetAndDestroy();
          await delay(200);
          return;
        }
        await conn.waitClosed(5000);
      } finally {
        conn.destroy();
      }
    }

    it('counts aborts during the data phase on the backend and its server, and nothing else', async () => {
      const get = (path: string): string => `GET /${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`;
      await play(get('truncate'));
      await play(get('reset'));
      await play(get('silent'));
      await play(get('stall'));
      // Leaves once the response has started (its head and the first bytes of the body).
      await play(get('leave'), { resetAfter: 40 });
      await play(get('mute'));
      // A request body cut short by the client.
      await play('POST /upload HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123456789', { closeAfterSend: true });
      await play(get('whole'));

      const expected: Record<(typeof CASES)[number], [number, number]> = {
        truncate: [0, 1],
        reset: [0, 1],
        silent: [0, 0],
        stall: [0, 1],
        leave: [1, 0],
        mute: [0, 0],
        upload: [1, 0],
        whole: [0, 0],
      };
      const seen: Record<string, number[]> = {};
      const want: Record<string, number[]> = {};
      for (const c of CASES) want[c] = [...expected[c], ...expected[c]];
      // The proxy may count the last aborts a moment after the client saw the end.
      for (let i = 0; i < 50; i++) {
        for (const c of CASES) {
          seen[c] = [
            ...(await statNumbers(stats, c, 'BACKEND', ['cli_abrt', 'srv_abrt'])),
            ...(await statNumbers(stats, c, 's1', ['cli_abrt', 'srv_abrt'])),
          ];
        }
        if (JSON.stringify(seen) === JSON.stringify(want)) break;
        await delay(100);
      }
      assert.deepEqual(seen, want);
    });

    it('counts a reset by either side of a TCP stream', async () => {
      // The server resets after its first byte.
      const srv = await HttpConnection.open(tcpSrv);
      try {
        await srv.write('R');
        await srv.waitClosed(5000);
      } finally {
        srv.destroy();
      }
      // The client resets while the server sends.
      const cli = await HttpConnection.open(tcpCli);
      try {
        await cli.write('S');
        await eventually(() => cli.reader.received >= 2, 5000);
        cli.socket.resetAndDestroy();
      } finally {
        cli.destroy();
      }
      let seen: number[][] = [];
      const want = [[0, 1, 0, 1], [1, 0, 1, 0]];
      for (let i = 0; i < 50; i++) {
        seen = [];
        for (const px of ['tcp_srv', 'tcp_cli']) {
          seen.push([...(await statNumbers(stats, px, 'BACKEND', ['cli_abrt', 'srv_abrt'])), ...(await statNumbers(stats, px, 's1', ['cli_abrt', 'srv_abrt']))]);
        }
        if (JSON.stringify(seen) === JSON.stringify(want)) break;
        await delay(100);
      }
      assert.deepEqual(seen, want);
    });
  });
}
