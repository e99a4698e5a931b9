/**
 * `show servers conn [BACKEND]` as HAProxy 2.6's dump_servers_state prints it: the header ends
 * with `idle_per_thr[N]`, N the process's threads (`nbthread`), and each server's row has
 * figures, never "-", where HAProxy's struct server has them: purge_delay, used_cur, used_max,
 * need_est, unsafe_nb, safe_nb, idle_lim (`pool-max-conn`, -1 for no limit), idle_cur, then one
 * idle count per thread (N of them). A keep-alive exchange leaves the connection idle (unsafe:
 * it carried one request) on the thread that served it.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/servers-conn.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess } from '../support/proxy-process.ts';
import { cli, cliReady } from '../support/cli-client.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { refusesThreads } from '../support/runtimes.ts';

const HEADER = '# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr';

/** The rows of `show servers conn web`, each split in words. */
async function connRows(cliPort: number): Promise<{ header: string; rows: string[][] }> {
  const lines = (await cli(cliPort, 'show servers conn web\n')).split('\n');
  return { header: lines[0] ?? '', rows: lines.filter((l) => l.startsWith('web/')).map((l) => l.split(' ')) };
}

for (const target of TARGETS) {
  for (const threads of [1, 2]) {
    const skip = threads > 1 && refusesThreads(target) ? 'nbthread is refused on this Node' : false;
    describe(`show servers conn with nbthread ${threads} on ${target}`, { skip }, () => {
      let proxy: ProxyProcess | undefined;
      let backend: HttpTestBackend;
      let port: number;
      let cliPort: number;
      let app: number;

      before(async () => {
        [port, cliPort, app] = (await freePorts(3)) as [number, number, number];
        backend = await appBackend(app, 'app');
        proxy = await ProxyProcess.start(
          target,
          `
global
    nbthread ${threads}
    stats socket 127.0.0.1:${cliPort} level admin
${HTTP_DEFAULTS}
listen web
    bind 127.0.0.1:${port}
    server s1 127.0.0.1:${app}
    server s2 127.0.0.1:${app} pool-max-conn 7 pool-purge-delay 60s
`,
        );
        await cliReady(cliPort);
      });

      after(async () => {
        destroyAllClients();
        await proxy?.stop();
        await backend.close();
      });

      it('before any traffic: the header counts the threads, every figure is 0', async () => {
        const { header, rows } = await connRows(cliPort);
        assert.equal(header, `${HEADER}[${threads}]`);
        const zeros = Array<string>(threads).fill('0');
        assert.deepEqual(rows, [
          ['web/s1', '2/1', '127.0.0.1', String(app), '-', '5000', '0', '0', '0', '0', '0', '-1', '0', ...zeros],
          ['web/s2', '2/2', '127.0.0.1', String(app), '-', '60000', '0', '0', '0', '0', '0', '7', '0', ...zeros],
        ]);
      });

      it('after a keep-alive exchange: one idle connection, on one thread', async () => {
        const client = await HttpConnection.open(port);
        const res = await client.request('GET', '/');
        assert.equal(res.status, 200);
        client.destroy();
        let rows: string[][] = [];
        const deadline = performance.now() + 3000;
        while (performance.now() < deadline) {
          rows = (await connRows(cliPort)).rows;
          if (rows.some((r) => Number(r[12]) > 0)) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        const used = rows.find((r) => Number(r[12]) > 0);
        assert.ok(used !== undefined, `no idle connection\n${rows.map((r) => r.join(' ')).join('\n')}`);
        // used_cur 0, used_max 1, need_est 1, unsafe 1, safe 0, idle_cur 1.
        assert.deepEqual([used[6], used[7], used[8], used[9], used[10], used[12]], ['0', '1', '1', '1', '0', '1'], used.join(' '));
        const perThread = used.slice(13).map(Number);
        assert.equal(perThread.length, threads);
        assert.deepEqual(perThread.toSorted(), [...Array<number>(threads - 1).fill(0), 1]);
      });
    });
  }
}
