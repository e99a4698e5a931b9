/**
 * What `set server ... check-port|check-addr` and `fqdn` changed survives a restart through the
 * server-state file (HAProxy 2.6's srv_state_srv_update): the next process checks the saved
 * check port and address, and a server whose FQDN was set from the CLI (SRV_ADMF_HMAINT in the
 * saved admin state) resolves that name again; the agent's address and port too. A saved check
 * port for a server without a check is refused as srv_update_check_addr_port refuses it
 * ("server-state partially applied ..."), and so is the agent port HAProxy saves for a server
 * whose `port` gave its (absent) agent one.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/server-state-check-fqdn.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { tcpServer, type TestBackend } from '../support/tcp-backends.ts';
import { cli, serverStateFields, statRows } from '../support/cli-client.ts';
import { eventually, TARGETS, startProxy } from '../support/http-suite.ts';
import { FakeDnsServer } from '../support/fake-dns-server.ts';

const ONE = 'one.switchyard.test';
const TWO = 'two.switchyard.test';

for (const target of TARGETS) {
  describe(`server-state file: check address and FQDN on ${target}`, () => {
    let dir: string;
    let api: string;
    let open = 0;
    let closed = 0;
    let fe = 0;
    let listener: TestBackend | undefined;
    let dns: FakeDnsServer;
    let proxy: ProxyProcess | undefined;

    const config = (): string => `
global
    stats socket ${api} level admin
    server-state-file ${join(dir, 'state')}

resolvers dns
    nameserver ns1 127.0.0.1:${dns.port}
    timeout resolve 100ms
    timeout retry 100ms

defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    load-server-state-from-file global

frontend fe
    bind 127.0.0.1:${fe}
    default_backend be

backend be
    server s1 127.0.0.1:${closed} check inter 100ms
    server s2 127.0.0.1:${closed}
    server s4 127.0.0.1:${closed} check inter 1s port ${open}
    server s5 127.0.0.1:${closed} agent-check agent-port ${closed} agent-inter 1s

backend b
    server s3 ${ONE}:${closed} resolvers dns resolve-prefer ipv4 init-addr none
`;

    const checkStatus = async (): Promise<string> => (await statRows(api)).find((r) => r['pxname'] === 'be' && r['svname'] === 's1')?.['check_status'] ?? '';

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-srvstate-check-'));
      api = join(dir, 'admin.sock');
      [fe, open, closed] = (await freePorts(3)) as [number, number, number];
      listener = await tcpServer(open, (socket) => socket.destroy());
      dns = await FakeDnsServer.start();
      dns.set(ONE, { records: [{ type: 'A', address: '127.0.0.1' }] });
      dns.set(TWO, { records: [{ type: 'A', address: '127.0.0.2' }] });
    });

    after(async () => {
      await proxy?.stop();
      await listener?.close();
      await dns.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('the next process checks the saved check port and resolves the name set from the CLI', async () => {
      writeFileSync(join(dir, 'state'), '1\n');
      proxy = await startProxy(target, config());
      const first = proxy;
      assert.equal(await cli(api, `set server be/s1 check-port ${open}\n`), '\n');
      assert.equal(await cli(api, 'set server be/s5 agent-addr 127.0.0.9 port 4242\n'), '\n');
      assert.ok(await eventually(() => first.stderr.includes('Server be/s1 is UP'), 3000), first.stderr);
      assert.ok(await eventually(() => first.stderr.includes(`b/s3 changed its IP from (none) to 127.0.0.1`), 3000), first.stderr);
      assert.equal(await cli(api, `set server b/s3 fqdn ${TWO}\n`), `b/s3 changed its FQDN from ${ONE} to ${TWO} by 'stats socket command'\n\n`);
      // The flag HAProxy saves (HMAINT) is committed by the next admin change.
      assert.equal(await cli(api, 'set server b/s3 state drain\n'), '\n');
      assert.equal(await cli(api, 'set server b/s3 state ready\n'), '\n');
      assert.ok(await eventually(() => first.stderr.includes('b/s3 changed its IP from 127.0.0.1 to 127.0.0.2'), 3000), first.stderr);
      let saved = await cli(api, 'show servers state\n');
      // A check port saved for a server without a check.
      saved = saved.replace(/^(\d+ be \d+ s2 (?:\S+ ){17})0 /m, '$11234 ');
      assert.match(saved, / s2 (\S+ ){17}1234 /);
      await first.stop();
      proxy = undefined;
      writeFileSync(join(dir, 'state'), saved);

      proxy = await startProxy(target, config());
      const second = proxy;
      assert.match(second.stderr, /\[WARNING\] +\(\d+\) : config : server-state partially applied for server 'be\/s2', health checks are not enabled on this server\n/);
      assert.deepEqual((await serverStateFields(api, 'be', 's1')).slice(21, 23), [String(open), '-']);
      // HAProxy's `port` is the agent's too: saved, it is refused for a server without an agent.
      assert.match(second.stderr, /\[WARNING\] +\(\d+\) : config : server-state partially applied for server 'be\/s4', agent checks are not enabled on this server\n/);
      assert.deepEqual((await serverStateFields(api, 'be', 's5')).slice(23, 25), ['127.0.0.9', '4242']);
      const deadline = performance.now() + 5000;
      let status = await checkStatus();
      while (status !== 'L4OK' && status !== 'L4CON' && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = await checkStatus();
      }
      assert.equal(status, 'L4OK');
      assert.equal((await serverStateFields(api, 'b', 's3'))[17], TWO);
      assert.ok(await eventually(() => second.stderr.includes('b/s3 changed its IP from') && second.stderr.includes('to 127.0.0.2'), 3000), second.stderr);
    });
  });
}
