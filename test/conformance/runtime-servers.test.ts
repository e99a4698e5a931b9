/**
 * Dynamic servers through the real proxy (HAProxy 2.6's `add server` / `del server`): HAProxy's
 * answers and checks, a new server starting in maintenance, taking traffic once enabled, and
 * leaving the balancer once deleted; ids reused as HAProxy reuses them. `show sess` and
 * `shutdown session` on a tcp stream.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/runtime-servers.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy } from '../support/http-suite.ts';
import { holdingServer, type TestBackend } from '../support/tcp-backends.ts';
import { dial } from '../support/tcp-client.ts';
import { cli } from '../support/cli-client.ts';


for (const target of TARGETS) {
  describe(`dynamic servers on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let sock: string;
    let web: number;
    let b2: number;
    let tcpPort: number;
    const backends: HttpTestBackend[] = [];
    let holder: TestBackend | undefined;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-dynsrv-'));
      sock = join(dir, 'admin.sock');
      const [fePort, p1, p2, tp, hp] = await freePorts(5);
      web = fePort as number;
      b2 = p2 as number;
      tcpPort = tp as number;
      holder = await holdingServer(hp as number, 'held');
      backends.push(await appBackend(p1 as number, 's1'), await appBackend(b2, 's2'));
      proxy = await startProxy(
        target,
        `
global
    stats socket ${sock} level admin
${HTTP_DEFAULTS}
listen web
    bind 127.0.0.1:${web}
    balance roundrobin
    use-server s1 if { path /pinned }
    server s1 127.0.0.1:${p1}
backend fixed
    balance static-rr
backend dis
    server d1 127.0.0.1:1 disabled
    server d2 127.0.0.1:1
backend tcpbe
    mode tcp
    balance leastconn
listen tcpl
    mode tcp
    bind 127.0.0.1:${tcpPort}
    server h1 127.0.0.1:${hp}
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await proxy?.stop();
      await Promise.all(backends.map((b) => b.close()));
      await holder?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function served(n: number): Promise<string[]> {
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        const conn = await HttpConnection.open(web);
        try {
          const res = await conn.request('GET', '/');
          assert.equal(res.status, 200);
          names.push(res.header('x-backend') ?? '?');
        } finally {
          conn.destroy();
        }
      }
      return names.sort();
    }

    it("add server: HAProxy's checks and answers", async () => {
      assert.equal(await cli(sock, `add server nope/s2 127.0.0.1:${b2}\n`), 'No such backend.\n');
      assert.equal(await cli(sock, 'add server web\n'), "Require 'backend/server'.\n");
      assert.equal(await cli(sock, 'add server web/s2\n'), "'server' expects <name> and <addr>[:<port>] as arguments.\n\n");
      assert.equal(await cli(sock, `add server fixed/s2 127.0.0.1:${b2}\n`), 'Backend must use a dynamic load balancing to support dynamic servers.\n');
      assert.equal(await cli(sock, `add server tcpbe/s2 127.0.0.1:${b2} proto h2\n`), 'MUX protocol is not usable for server.\n\n');
      assert.equal(await cli(sock, `add server web/s2 127.0.0.1:${b2} cookie c2\n`), "'cookie' option is not accepted for dynamic server\n\n");
      assert.equal(await cli(sock, `add server web/s1 127.0.0.1:${b2}\n`), 'Already exists a server with the same name in backend.\n\n');
      assert.equal(await cli(sock, 'operator;add server web/s3 127.0.0.1:1\n'), '\nPermission denied\n\n');
    });

    it('a new server starts in maintenance, takes traffic once enabled, and can be deleted once in maintenance', async () => {
      assert.equal(await cli(sock, `add server web/s2 127.0.0.1:${b2} weight 1\n`), 'New server registered.\n\n');
      assert.deepEqual(await served(4), ['s1', 's1', 's1', 's1']);
      assert.match(await cli(sock, 'show servers state web\n'), /\n\d+ web 2 s2 127\.0\.0\.1 0 1 1 1 /);
      assert.equal(await cli(sock, 'enable server web/s2\n'), '\n');
      assert.deepEqual(await served(4), ['s1', 's1', 's2', 's2']);
      assert.equal(await cli(sock, 'del server web/s2\n'), 'Only servers in maintenance mode can be deleted.\n');
      assert.equal(await cli(sock, 'del server web/s1\n'), 'This server cannot be removed at runtime due to other configuration elements pointing to it.\n');
      assert.equal(await cli(sock, 'del server web/zz\n'), 'No such server.\n');
      assert.equal(await cli(sock, 'disable server web/s2\n'), '\n');
      assert.equal(await cli(sock, 'del server web/s2\n'), 'Server deleted.\n');
      assert.deepEqual(await served(3), ['s1', 's1', 's1']);
      assert.doesNotMatch(await cli(sock, 'show servers state web\n'), / s2 /);
      // The freed id is taken again.
      assert.equal(await cli(sock, `add server web/s3 127.0.0.1:${b2}\n`), 'New server registered.\n\n');
      assert.match(await cli(sock, 'show servers state web\n'), /\n\d+ web 2 s3 127\.0\.0\.1 /);
    });

    it('a server added under the name of a deleted one has its own settings, not those the configuration gave the old one', async () => {
      assert.match(await cli(sock, 'show servers state dis\n'), /\n\d+ dis 1 d1 127\.0\.0\.1 0 5 /);
      assert.equal(await cli(sock, 'del server dis/d1\n'), 'Server deleted.\n');
      assert.equal(await cli(sock, 'add server dis/d1 127.0.0.1:2\n'), 'New server registered.\n\n');
      // Only the CLI's maintenance (FMAINT), not the configuration's `disabled` (CMAINT) of the deleted d1.
      assert.match(await cli(sock, 'show servers state dis\n'), /\n\d+ dis 1 d1 127\.0\.0\.1 0 1 /);
    });

    it('show sess lists a tcp stream (source, proxies, server, age); shutdown session ends it', async () => {
      const client = await dial(tcpPort);
      try {
        const greeting = await new Promise<string>((resolve) => client.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
        assert.equal(greeting, 'held\n');
        const listing = await cli(sock, 'show sess\n');
        const mine = listing.split('\n').filter((l) => l.includes(' fe=tcpl '));
        assert.equal(mine.length, 1, listing);
        const line = mine[0] as string;
        assert.match(line, new RegExp(`^0x[0-9a-f]+: proto=tcpv4 src=127\\.0\\.0\\.1:${client.localPort} fe=tcpl be=tcpl srv=h1 (ts=\\S+ epoch=\\S+ )?age=\\d+s`));
        assert.equal(await cli(sock, 'shutdown session\n'), "Session pointer expected (use 'show sess').\n\n");
        assert.equal(await cli(sock, 'shutdown session 0x1234\n'), "No such session (use 'show sess').\n\n");
        const closed = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('the stream was not shut down')), 5000);
          client.once('end', () => {
            clearTimeout(timer);
            resolve();
          });
          client.resume();
        });
        assert.equal(await cli(sock, `shutdown session ${line.split(':')[0]}\n`), '\n');
        await closed;
        assert.doesNotMatch(await cli(sock, 'show sess\n'), / fe=tcpl /);
      } finally {
        client.destroy();
      }
    });
  });
}
