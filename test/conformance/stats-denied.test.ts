/**
 * Denied requests in the stats (HAProxy's denied_req): a `deny` or `reject` among the frontend's
 * rules counts on the frontend only; once the backend is chosen, its own rules' denials count on
 * both (http_process_req_common: the backend's counter when SF_BE_ASSIGNED).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/stats-denied.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { statNumbers } from '../support/cli-client.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

for (const target of TARGETS) {
  describe(`denied requests in the stats on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let fe: number;
    let stats: number;
    let app: number;

    before(async () => {
      [fe, stats, app] = (await freePorts(3)) as [number, number, number];
      proxy = await startProxy(
        target,
        `
global
    stats socket ipv4@127.0.0.1:${stats} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe}
    http-request deny if { path /fe }
    default_backend be

backend be
    http-request deny if { path /be }
    http-request reject if { path /be-reject }
    server s1 127.0.0.1:${app}
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
    });

    it('counts a frontend denial on the frontend, a backend one on both', async () => {
      for (const path of ['/fe', '/be', '/be', '/be-reject']) {
        const conn = await HttpConnection.open(fe);
        try {
          await conn.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
          await conn.waitClosed(5000);
        } finally {
          conn.destroy();
        }
      }
      let frontend = 0;
      let backend = 0;
      for (let i = 0; i < 30 && !(frontend === 4 && backend === 3); i++) {
        [frontend = 0] = await statNumbers(stats, 'fe', 'FRONTEND', ['dreq']);
        [backend = 0] = await statNumbers(stats, 'be', 'BACKEND', ['dreq']);
        if (frontend !== 4 || backend !== 3) await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual([frontend, backend], [4, 3]);
    });
  });
}
