/**
 * Failed connections in the stats (HAProxy's econ, `failed_conns`): a connection attempt that
 * fails is retried while `retries` allow (each retry counted in wretr); the connection counts
 * as failed once, when the retries are spent (back_handle_st_cer), on the backend and on the
 * server tried last, in `mode http` and `mode tcp` alike.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/stats-connect-errors.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { statNumbers } from '../support/cli-client.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { dial } from '../support/tcp-client.ts';

for (const target of TARGETS) {
  describe(`failed connections in the stats on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let http: number;
    let tcp: number;
    let stats: number;

    before(async () => {
      let nobody: number;
      [http, tcp, stats, nobody] = (await freePorts(4)) as [number, number, number, number];
      proxy = await startProxy(
        target,
        `
global
    stats socket ipv4@127.0.0.1:${stats} level admin
defaults
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    retries 2
listen web
    mode http
    bind 127.0.0.1:${http}
    server s1 127.0.0.1:${nobody}
listen raw
    mode tcp
    bind 127.0.0.1:${tcp}
    server s1 127.0.0.1:${nobody}
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
    });

    it('mode http: two retries, then one failed connection (503)', async () => {
      const conn = await HttpConnection.open(http);
      try {
        const res = await conn.request('GET', '/');
        assert.equal(res.status, 503);
      } finally {
        conn.destroy();
      }
      assert.deepEqual(await statNumbers({ port: stats }, 'web', 'BACKEND', ['econ', 'wretr']), [1, 2]);
      assert.deepEqual(await statNumbers({ port: stats }, 'web', 's1', ['econ', 'wretr']), [1, 2]);
    });

    it('mode tcp: the same, the client closed after the last attempt', async () => {
      const client = await dial(tcp);
      client.on('error', () => {});
      client.resume();
      // The proxy closes its side once it gives up (the client dialled half-open).
      await new Promise<void>((resolve) => {
        client.once('end', () => resolve());
        client.once('close', () => resolve());
      });
      client.destroy();
      assert.deepEqual(await statNumbers({ port: stats }, 'raw', 'BACKEND', ['econ', 'wretr']), [1, 2]);
      assert.deepEqual(await statNumbers({ port: stats }, 'raw', 's1', ['econ', 'wretr']), [1, 2]);
    });
  });
}
