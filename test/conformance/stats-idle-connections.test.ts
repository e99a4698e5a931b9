/**
 * A server's idle connections in the stats (HAProxy's srv_icur, idle_conn_cur, safe_conn_cur,
 * need_conn_est; Prometheus's idle_connections_current and friends): a connection that carried
 * one request waits in the idle list, one that carried more in the safe list; the need estimate
 * follows the connections in use at once.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/stats-idle-connections.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { statNumbers } from '../support/cli-client.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

const FIELDS = ['srv_icur', 'idle_conn_cur', 'safe_conn_cur', 'need_conn_est'] as const;

for (const target of TARGETS) {
  describe(`idle server connections in the stats on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let app: HttpTestBackend | undefined;
    let fe: number;
    let stats: number;

    before(async () => {
      let appPort: number;
      [fe, stats, appPort] = (await freePorts(3)) as [number, number, number];
      app = await appBackend(appPort, 'app');
      proxy = await startProxy(
        target,
        `
global
    stats socket ipv4@127.0.0.1:${stats} level admin
${HTTP_DEFAULTS}
    timeout client 30s
    timeout http-keep-alive 30s
frontend fe
    bind 127.0.0.1:${fe}
    default_backend be
backend be
    http-reuse always
    server s1 127.0.0.1:${appPort} pool-purge-delay 60s
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await app?.close();
    });

    /** The figures once they settle on `want` (the connection is parked a moment after the answer). */
    async function figures(want: readonly number[]): Promise<number[]> {
      let seen: number[] = [];
      for (let i = 0; i < 50; i++) {
        seen = await statNumbers(stats, 'be', 's1', FIELDS);
        if (JSON.stringify(seen) === JSON.stringify(want)) break;
        await delay(50);
      }
      return seen;
    }

    it('a connection used once is idle, used again safe; the need follows the use', async () => {
      assert.deepEqual(await figures([0, 0, 0, 0]), [0, 0, 0, 0], 'before any traffic');
      const a = await HttpConnection.open(fe);
      assert.equal((await a.request('GET', '/one')).status, 200);
      assert.deepEqual(await figures([1, 1, 0, 1]), [1, 1, 0, 1], 'after one request');
      // Another client rides it (http-reuse always): two requests carried, safe now.
      const b = await HttpConnection.open(fe);
      assert.equal((await b.request('GET', '/two')).status, 200);
      assert.deepEqual(await figures([1, 0, 1, 1]), [1, 0, 1, 1], 'after a second request on it');
      a.destroy();
      b.destroy();
      assert.equal(app?.accepted, 1);
    });
  });
}
