/**
 * Black-box conformance of the idle server connection pool: 1,000 keep-alive clients each send
 * one request and stay connected, silent. With `http-reuse safe` (the default) no first request
 * may ride another client's connection, so every client opens one; what the proxy keeps of them
 * afterwards is bounded as in HAProxy 2.6: by what was in use at once (the clients come 50 at a
 * time), by `pool-max-conn`, and every `pool-purge-delay` down towards what recent traffic
 * needed - nothing, here. The backend counts the connections it still holds.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/idle-pool.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const CLIENTS = 1000;
const AT_ONCE = 50;
const POOL_MAX = 10;

interface Ports {
  bounded: number;
  plain: number;
  beBounded: number;
  bePlain: number;
}

function configFor(p: Ports): string {
  return `
global
    maxconn 5000
${HTTP_DEFAULTS}
    # the clients stay idle for the whole test
    timeout client 60s
    timeout http-keep-alive 60s

frontend fe_bounded
    bind 127.0.0.1:${p.bounded}
    default_backend be_bounded

backend be_bounded
    server s1 127.0.0.1:${p.beBounded} pool-max-conn ${POOL_MAX} pool-purge-delay 300ms

frontend fe_plain
    bind 127.0.0.1:${p.plain}
    default_backend be_plain

backend be_plain
    server s1 127.0.0.1:${p.bePlain}
`;
}

/** `n` clients, `atOnce` at a time, each sending one GET and reading its answer; all left open. */
async function idleClients(port: number, n: number, atOnce: number): Promise<HttpConnection[]> {
  const clients: HttpConnection[] = [];
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < n) {
      started++;
      const conn = await HttpConnection.open(port);
      clients.push(conn);
      const res = await conn.request('GET', `/idle/${clients.length}`);
      assert.equal(res.status, 200);
    }
  };
  await Promise.all(Array.from({ length: atOnce }, worker));
  return clients;
}

for (const target of TARGETS) {
  describe(`idle server connections on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let beBounded: HttpTestBackend;
    let bePlain: HttpTestBackend;

    before(async () => {
      const [bounded, plain, b1, b2] = await freePorts(4);
      ports = { bounded: bounded as number, plain: plain as number, beBounded: b1 as number, bePlain: b2 as number };
      beBounded = await appBackend(ports.beBounded, 'bounded');
      bePlain = await appBackend(ports.bePlain, 'plain');
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all([beBounded.close(), bePlain.close()]);
    });

    it(`keeps no more idle server connections than were in use at once (${CLIENTS} idle clients, ${AT_ONCE} at a time)`, async () => {
      const clients = await idleClients(ports.plain, CLIENTS, AT_ONCE);
      assert.equal(bePlain.accepted, CLIENTS, 'a first request never rides another client’s idle connection (http-reuse safe)');
      const bounded = await eventually(() => bePlain.openConnections().length <= AT_ONCE, 2000);
      assert.ok(bounded, `${bePlain.openConnections().length} server connections kept for ${CLIENTS} idle clients`);
      assert.equal(clients.filter((c) => c.closed).length, 0, 'the clients are still connected');
      for (const c of clients) c.destroy();
    });

    it(`pool-max-conn ${POOL_MAX} bounds them, and each pool-purge-delay closes them down to none without traffic`, async () => {
      const clients = await idleClients(ports.bounded, CLIENTS, AT_ONCE);
      assert.ok(
        await eventually(() => beBounded.openConnections().length <= POOL_MAX, 2000),
        `${beBounded.openConnections().length} server connections kept with pool-max-conn ${POOL_MAX}`,
      );
      let most = 0;
      const purged = await eventually(() => {
        const open = beBounded.openConnections().length;
        most = Math.max(most, open);
        return open === 0;
      }, 10_000);
      assert.ok(most <= POOL_MAX, `${most} idle server connections at one time`);
      assert.ok(purged, `${beBounded.openConnections().length} idle server connections left 10 s after the clients went idle`);
      assert.equal(clients.filter((c) => c.closed).length, 0, 'the clients are still connected');
      // A later request still works (on a new server connection).
      const res = await (clients[0] as HttpConnection).request('GET', '/again');
      assert.equal(res.status, 200);
      for (const c of clients) c.destroy();
    });
  });
}
