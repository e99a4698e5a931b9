/**
 * Servers added at run time (`add server`) take the global TLS settings as configured ones do
 * (HAProxy 2.6 parses their line with the same keyword parsers): `ca-base` / `crt-base` complete
 * relative `ca-file` / `crt` paths (then looked up in the runtime API's stores), and
 * `ssl-server-verify none` is their default verify.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/runtime-servers-ssl-globals.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { repoRoot } from '../support/runtimes.ts';
import { statusOf, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';

const TLS = `${repoRoot}test/fixtures/tls`;

const status = statusOf;

for (const target of TARGETS) {
  describe(`add server with ca-base, crt-base and ssl-server-verify on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let sock: string;
    let tls: number;
    let front: number;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-dynssl-'));
      sock = join(dir, 'admin.sock');
      [tls, front] = (await freePorts(2)) as [number, number];
      proxy = await startProxy(
        target,
        `
global
    stats socket ${sock} level admin
    ca-base ${TLS}
    crt-base ${TLS}
    ssl-server-verify none
${HTTP_DEFAULTS}
frontend tls
    bind 127.0.0.1:${tls} ssl crt ${TLS}/a.example.pem
    http-request return status 200
frontend front
    bind 127.0.0.1:${front}
    default_backend dyn
backend dyn
    balance roundrobin
    server s0 127.0.0.1:${tls} ssl verify required ca-file ca.pem crt client.example.pem sni str(a.example)
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await proxy?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('relative ca-file and crt paths are completed with ca-base and crt-base', async () => {
      assert.equal(
        await cli(sock, `add server dyn/d1 127.0.0.1:${tls} ssl verify required ca-file ca.pem crt client.example.pem sni str(a.example)\n`),
        'New server registered.\n\n',
      );
      assert.equal(await cli(sock, 'disable server dyn/s0\n'), '\n');
      assert.equal(await cli(sock, 'enable server dyn/d1\n'), '\n');
      assert.equal(await status(front), 200);
    });

    it('ssl-server-verify none is the default verify: ssl without a CA is accepted', async () => {
      assert.equal(await cli(sock, `add server dyn/d2 127.0.0.1:${tls} ssl\n`), 'New server registered.\n\n');
      assert.equal(await cli(sock, 'disable server dyn/d1\n'), '\n');
      assert.equal(await cli(sock, 'enable server dyn/d2\n'), '\n');
      assert.equal(await status(front), 200);
    });
  });
}
