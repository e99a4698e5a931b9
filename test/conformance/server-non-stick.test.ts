/**
 * Black-box conformance of the server options `non-stick` and `stick` (HAProxy 2.6's
 * SRV_F_NON_STICK in process_store_rules): `stick store-request` and `stick on` rules store no
 * entry for a stream that went to a `non-stick` server, and `stick` undoes a default-server's
 * `non-stick`. Read through the runtime API's `show table`.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/server-non-stick.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

function configFor(fe: number, srv: number, cliPort: number): string {
  return `
global
    maxconn 100
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    use_backend ns if { path_beg /ns/ }
    default_backend st

backend ns
    stick-table type string len 32 size 10 expire 1m
    stick store-request path
    stick on hdr(x-key)
    server a 127.0.0.1:${srv} non-stick

backend st
    stick-table type string len 32 size 10 expire 1m
    stick store-request path
    stick on hdr(x-key)
    default-server non-stick
    server b 127.0.0.1:${srv} stick
`;
}

for (const target of TARGETS) {
  describe(`server non-stick and stick on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let fe: number;
    let cliPort: number;
    let backend: HttpTestBackend;

    before(async () => {
      const [p1, p2, p3] = await freePorts(3);
      fe = p1 as number;
      cliPort = p3 as number;
      backend = await appBackend(p2 as number, 'app');
      proxy = await startProxy(target, configFor(fe, p2 as number, cliPort));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await backend.close();
    });

    async function get(path: string, key: string): Promise<void> {
      const conn = await HttpConnection.open(fe);
      const res = await conn.request('GET', path, { 'x-key': key });
      assert.equal(res.status, 200);
      conn.destroy();
    }

    /** The keys `show table NAME` lists. */
    async function keys(table: string): Promise<string[]> {
      const text = await cli(cliPort, `show table ${table}\n`);
      return [...text.matchAll(/ key=(\S+) /g)].map((m) => m[1] as string).sort();
    }

    it('stores nothing for a non-stick server', async () => {
      await get('/ns/1', 'k1');
      await get('/ns/2', 'k2');
      assert.deepEqual(await keys('ns'), []);
    });

    it("stores the entries of a server whose 'stick' undoes the default-server's non-stick", async () => {
      await get('/st/1', 'k3');
      // One entry per table and stream: the first rule's (HAProxy stores a table once).
      assert.deepEqual(await keys('st'), ['/st/1']);
    });
  });
}
