/**
 * Black-box conformance of many idle keep-alive client connections in `mode http`: 500 clients
 * each send one request and then stay idle; `timeout http-keep-alive` must close every one of
 * them, and release it as HAProxy does (close, not a half-close held until the client closes or
 * `timeout client` expires: a client writing afterwards gets a reset). The bounds are generous
 * correctness limits (a connection left open, or held for `timeout client`), not performance
 * measurements; bench/ measures how late the closes are (`npm run bench -- memory`).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-idle.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, buildRequest, delay, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const CONNECTIONS = 500;
/** Clients connecting at a time (a burst of 500 SYNs would test the listen backlog instead). */
const CONCURRENCY = 50;
const KEEP_ALIVE_MS = 500;
/** `timeout client` is far longer: a proxy holding connections half-closed until then fails. */
const CLIENT_TIMEOUT = '60s';

function configFor(port: number, backendPort: number): string {
  return `
global
    maxconn 2000
${HTTP_DEFAULTS}
frontend fe_idle
    bind 127.0.0.1:${port}
    timeout client ${CLIENT_TIMEOUT}
    timeout http-keep-alive ${KEEP_ALIVE_MS}ms
    default_backend be_idle

backend be_idle
    server s1 127.0.0.1:${backendPort}
`;
}

/** Opens `n` connections, `CONCURRENCY` at a time, each answered once; they stay open and idle. */
async function openIdle(port: number, n: number): Promise<HttpConnection[]> {
  const conns: HttpConnection[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const conn = await HttpConnection.open(port);
      conns.push(conn);
      const res = await conn.request('GET', '/idle');
      assert.equal(res.status, 200);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return conns;
}

/**
 * True once writing to the connection fails (EPIPE/ECONNRESET): the proxy's socket is gone and
 * the kernel answered our bytes with a reset. A proxy that only half-closed reads and ignores
 * them, so no error comes.
 */
async function writeIsReset(conn: HttpConnection, timeoutMs: number): Promise<boolean> {
  let failed = false;
  const onError = (): void => {
    failed = true;
  };
  conn.socket.on('error', onError);
  const request = buildRequest('GET', '/late', { host: 'example.test' });
  const deadline = performance.now() + timeoutMs;
  while (!failed && !conn.socket.destroyed && performance.now() < deadline) {
    conn.socket.write(request);
    await delay(50);
  }
  conn.socket.off('error', onError);
  return failed || conn.socket.destroyed;
}

for (const target of TARGETS) {
  describe(`HTTP idle keep-alive connections on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let backend: HttpTestBackend;
    let port: number;

    before(async () => {
      const [p, bp] = await freePorts(2);
      port = p as number;
      backend = await appBackend(bp as number, 'idle');
      proxy = await startProxy(target, configFor(port, bp as number));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await backend.close();
    });

    it(`timeout http-keep-alive closes all of ${CONNECTIONS} idle connections and releases them (a later write is reset)`, async () => {
      const conns = await openIdle(port, CONNECTIONS);
      assert.equal(conns.length, CONNECTIONS);
      const allClosed = await eventually(() => conns.every((c) => c.closed), 15_000, 50);
      const open = conns.filter((c) => !c.closed).length;
      assert.ok(allClosed, `${open} of ${CONNECTIONS} idle connections still open 15 s after their ${KEEP_ALIVE_MS} ms keep-alive timeout`);
      for (const conn of conns) assert.equal(conn.reader.buffered.length, 0, 'nothing sent before closing');
      // Every one is released, not held half-closed until `timeout client` (60 s).
      const reset = await Promise.all(conns.map((c) => writeIsReset(c, 3000)));
      const held = reset.filter((r) => !r).length;
      assert.equal(held, 0, `${held} of ${CONNECTIONS} connections still held half-closed by the proxy`);
      for (const conn of conns) conn.destroy();
    });
  });
}
