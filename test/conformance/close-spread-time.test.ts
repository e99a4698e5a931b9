/**
 * Global `close-spread-time` through the real program and against HAProxy 2.6: after a soft stop
 * (SIGUSR1), idle keep-alive connections are closed at moments spread over the window rather
 * than all at once (HTTP/2 ones with their GOAWAY), and requests on active connections keep
 * them alive at first, then get `connection: close` as the window goes by. The windows are wide and the assertions loose:
 * only what random draws over seconds make all but certain.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/close-spread-time.test.js
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, eventually } from '../support/http-suite.ts';
import { headerHasToken } from '../support/http-wire.ts';
import { FrameType, RawH2 } from '../support/h2-raw.ts';

/** Own timeouts well beyond the windows: only the soft stop closes the connections. */
function configWith(window: string, port: number, bindOptions = ''): string {
  return `global
    close-spread-time ${window}
    hard-stop-after 60s
defaults
    mode http
    timeout connect 500ms
    timeout client 60s
    timeout server 60s
    timeout http-request 60s
    timeout http-keep-alive 60s
frontend fe
    bind 127.0.0.1:${port}${bindOptions}
    http-request return status 200 content-type text/plain string ok
`;
}

/** Resolves once the proxy's listener refuses connections (the soft stop unbound it). */
async function untilUnbound(port: number, timeoutMs: number): Promise<boolean> {
  let refused = false;
  let probing = false;
  return eventually(() => {
    if (!probing && !refused) {
      probing = true;
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        probing = false;
      });
      socket.once('error', () => {
        socket.destroy();
        refused = true;
        probing = false;
      });
    }
    return refused;
  }, timeoutMs, 20);
}

/** Opens `count` connections, each having had one kept-alive response. */
async function keptAlive(port: number, count: number): Promise<HttpConnection[]> {
  const conns: HttpConnection[] = [];
  for (let i = 0; i < count; i++) {
    const conn = await HttpConnection.open(port);
    conns.push(conn);
    const res = await conn.request('GET', '/');
    assert.equal(res.status, 200);
    assert.equal(headerHasToken(res.headers, 'connection', 'close'), false);
  }
  return conns;
}

for (const target of TARGETS) {
  describe(`close-spread-time on ${target}`, () => {
    it('SIGUSR1: idle keep-alive connections are closed over the window, not all at once, then the process exits', async () => {
      const [port] = (await freePorts(1)) as [number];
      const proxy = await ProxyProcess.start(target, configWith('4s', port), [], 20_000, port);
      try {
        const conns = await keptAlive(port, 16);
        const closedAt: number[] = [];
        for (const conn of conns) {
          conn.socket.once('end', () => {
            closedAt.push(performance.now());
            conn.socket.end();
          });
        }
        const signalled = performance.now();
        proxy.child.kill('SIGUSR1');
        assert.ok(await eventually(() => closedAt.length === conns.length, 25_000, 50), `${closedAt.length} of ${conns.length} closed`);
        const offsets = closedAt.map((t) => Math.round(t - signalled)).sort((a, b) => a - b);
        const first = offsets[0] as number;
        const last = offsets[offsets.length - 1] as number;
        // 16 uniform draws over 4 s: the chance they all fall within 1 s is about 1e-8.
        assert.ok(last - first >= 1000, `closed all at once: ${offsets.join(', ')} ms after SIGUSR1`);
        assert.ok(last >= 1000, `all closed within the first second: ${offsets.join(', ')}`);
        const code = await Promise.race([proxy.exited(), new Promise<'late'>((r) => setTimeout(() => r('late'), 15_000))]);
        assert.notEqual(code, 'late', 'the process did not exit once its connections were closed');
      } finally {
        destroyAllClients();
        await proxy.stop();
      }
    });

    it('SIGUSR1: requests on active connections are answered, kept alive at first, then with connection: close', async () => {
      const [port] = (await freePorts(1)) as [number];
      const proxy = await ProxyProcess.start(target, configWith('6s', port), [], 20_000, port);
      try {
        const conns = await keptAlive(port, 6);
        proxy.child.kill('SIGUSR1');
        assert.ok(await untilUnbound(port, 10_000), 'the listener still accepts after SIGUSR1');
        let keptAliveAfterStop = 0;
        let closedByHeader = 0;
        const deadline = performance.now() + 15_000;
        // Each connection sends requests back to back until one is the last: either its
        // response says connection: close, or the connection was closed between two requests
        // (an idle moment drawn in the window), which a request may meet.
        await Promise.all(
          conns.map(async (conn) => {
            while (performance.now() < deadline) {
              let res;
              try {
                res = await conn.request('GET', '/', {}, undefined, 5000);
              } catch {
                return;
              }
              assert.equal(res.status, 200);
              if (headerHasToken(res.headers, 'connection', 'close')) {
                closedByHeader++;
                assert.ok(await conn.waitClosed(5000), 'open after connection: close');
                return;
              }
              keptAliveAfterStop++;
            }
          }),
        );
        assert.ok(keptAliveAfterStop >= 1, 'every connection closed at its first request after SIGUSR1');
        assert.ok(closedByHeader >= 1, 'no response said connection: close');
      } finally {
        destroyAllClients();
        await proxy.stop();
      }
    });

    it('SIGUSR1: idle HTTP/2 connections get their GOAWAY over the window, not all at once', async () => {
      const [port] = (await freePorts(1)) as [number];
      const proxy = await ProxyProcess.start(target, configWith('4s', port, ' proto h2'), [], 20_000, port);
      const conns: RawH2[] = [];
      try {
        for (let i = 0; i < 10; i++) {
          const conn = await RawH2.connect(port);
          conns.push(conn);
          conn.sendHeaders(1, [[':method', 'GET'], [':scheme', 'http'], [':authority', 'example.test'], [':path', '/']], true);
          assert.notEqual(await conn.response(1, 5000), null, 'no response');
          assert.equal(await conn.data(1, (text) => text === 'ok', 5000), 'ok');
        }
        const signalled = performance.now();
        const goawayAt = conns.map((conn) => conn.next(FrameType.GOAWAY, 0, 25_000).then((f) => (f === null ? undefined : Math.round(performance.now() - signalled))));
        proxy.child.kill('SIGUSR1');
        const offsets = await Promise.all(goawayAt);
        assert.ok(offsets.every((t) => t !== undefined), `a connection got no GOAWAY: ${offsets.join(', ')}`);
        const sorted = (offsets as number[]).sort((a, b) => a - b);
        // 10 uniform draws over 4 s: the chance they all fall within 800 ms is about 5e-6.
        assert.ok((sorted[sorted.length - 1] as number) - (sorted[0] as number) >= 800, `GOAWAY all at once: ${sorted.join(', ')} ms after SIGUSR1`);
      } finally {
        for (const conn of conns) conn.close();
        await proxy.stop();
      }
    });
  });
}
