/** `npm run proxy` with no arguments: the bundled demo config and its demo backends. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { RUNTIMES } from '../support/runtimes.ts';
import { HttpConnection } from '../support/http-client.ts';

for (const runtime of RUNTIMES) {
  describe(`demo on ${runtime}`, () => {
    it('serves examples/demo.cfg with its demo backends, balancing by weight', async () => {
      const proxy = await ProxyProcess.start(runtime, undefined);
      try {
        const served: string[] = [];
        for (let i = 0; i < 8; i++) {
          const conn = await HttpConnection.open(8080);
          const res = await conn.request('GET', '/');
          assert.equal(res.status, 200);
          served.push(/demo backend (s\d)/.exec(res.text)?.[1] ?? res.text);
          conn.destroy();
        }
        const count = (name: string) => served.filter((s) => s === name).length;
        assert.deepEqual([count('s1'), count('s2'), count('s3')], [2, 2, 4], served.join(','));
        assert.match(proxy.stdout, /demo demo_servers\/s3 .* 200 .* "GET \/ HTTP\/1\.1"/);
      } finally {
        assert.equal(await proxy.stop(), 0, proxy.stderr);
      }
    });
  });
}
