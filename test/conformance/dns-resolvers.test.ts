/**
 * DNS service discovery (`resolvers` sections, `server ... resolvers NAME`), as HAProxy 2.6 does
 * it, against a nameserver in the test process (test/support/fake-dns-server.ts) whose answers
 * change as the test goes:
 *
 *  - a server given by host name with `init-addr none` starts in maintenance and takes the
 *    address of its A record once it resolves, then follows the record when it changes
 *    ("changed its IP from X to Y by RESOLVERS/NAMESERVER");
 *  - NXDOMAIN for longer than `hold nx` puts it in maintenance ("(DNS NX status)"), shown as
 *    admin state 0x20 by `show servers state`; 503s meanwhile; it comes back when the name
 *    resolves again.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/dns-resolvers.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { answererOf, destroyAllClients } from '../support/http-client.ts';
import { eventually, HTTP_DEFAULTS, TARGETS, type Target } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess } from '../support/proxy-process.ts';
import { FakeDnsServer } from '../support/fake-dns-server.ts';
import { cli } from '../support/cli-client.ts';

const NAME = 'app.switchyard.test';

async function answersBecome(port: number, expected: string, timeoutMs = 5000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await answererOf(port)) === expected) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** The `show servers state` line of b/s1, split in fields. */
async function serverState(statsPort: number): Promise<string[]> {
  const text = await cli(statsPort, 'show servers state b\n');
  const line = text.split('\n').find((l) => / b \d+ s1 /.test(l));
  assert.ok(line !== undefined, text);
  return line.split(' ');
}

async function stop(target: Target, proxy: ProxyProcess | undefined): Promise<void> {
  if (proxy === undefined) return;
  const code = await proxy.stop();
  if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy.stderr}`);
}

for (const target of TARGETS) {
  describe(`DNS resolvers on ${target}`, () => {
    let port: number;
    let statsPort: number;
    let appPort: number;
    let dns: FakeDnsServer;
    const apps: HttpTestBackend[] = [];
    let proxy: ProxyProcess | undefined;

    before(async () => {
      [port, statsPort, appPort] = (await freePorts(3)) as [number, number, number];
      apps.push(await appBackend(appPort, 'one', { host: '127.0.0.1' }), await appBackend(appPort, 'two', { host: '127.0.0.2' }));
      dns = await FakeDnsServer.start();
    });

    after(async () => {
      destroyAllClients();
      await stop(target, proxy);
      await Promise.all(apps.map((a) => a.close()));
      await dns.close();
    });

    it('a server follows its A record, and NXDOMAIN past hold nx puts it in maintenance until it resolves again', async () => {
      dns.set(NAME, { records: [{ type: 'A', address: '127.0.0.1' }] });
      proxy = await ProxyProcess.start(
        target,
        `global
    stats socket ipv4@127.0.0.1:${statsPort} level admin

resolvers dns
    nameserver ns1 127.0.0.1:${dns.port}
    accepted_payload_size 1232
    resolve_retries 2
    timeout resolve 100ms
    timeout retry 100ms
    hold nx 300ms
${HTTP_DEFAULTS}
frontend f
    bind 127.0.0.1:${port}
    default_backend b

backend b
    server s1 ${NAME}:${appPort} resolvers dns resolve-prefer ipv4 init-addr none
`,
      );
      const p = proxy;
      // Resolved: s1 leaves maintenance and serves from 127.0.0.1.
      assert.ok(await answersBecome(port, 'one'), p.stderr);
      assert.ok(await eventually(() => p.stderr.includes('administratively READY'), 2000), p.stderr);
      assert.ok(p.stderr.includes(`b/s1 changed its IP from (none) to 127.0.0.1 by dns/ns1.`), p.stderr);
      assert.match(p.stderr, /Server b\/s1 \('app\.switchyard\.test'\) is UP\/READY \(resolves again\)\./);
      assert.match(p.stderr, /Server b\/s1 administratively READY thanks to valid DNS answer\./);
      const query = dns.queries.find((q) => q.name === NAME);
      assert.deepEqual(query, { name: NAME, qtype: 1, payloadSize: 1232 });
      let state = await serverState(statsPort);
      // srv_addr, srv_op_state (2 running), srv_admin_state (0), srv_fqdn.
      assert.deepEqual([state[4], state[5], state[6], state[17]], ['127.0.0.1', '2', '0', NAME]);

      // The record moves: so does the server.
      dns.set(NAME, { records: [{ type: 'A', address: '127.0.0.2' }] });
      assert.ok(await eventually(() => p.stderr.includes(`b/s1 changed its IP from 127.0.0.1 to 127.0.0.2 by dns/ns1.`), 3000), p.stderr);
      assert.ok(await answersBecome(port, 'two'), p.stderr);

      // NXDOMAIN: kept for `hold nx`, then maintenance with the cause, 503 meanwhile.
      dns.set(NAME, { rcode: 3 });
      assert.ok(
        await eventually(() => /Server b\/s1 is going DOWN for maintenance \(DNS NX status\)\. 0 active and 0 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\./.test(p.stderr), 5000),
        p.stderr,
      );
      // The stderr pipe may deliver the next line a little later.
      assert.ok(await eventually(() => /\[ALERT\] +\(\d+\) : backend 'b' has no server available!/.test(p.stderr), 2000), p.stderr);
      assert.equal(await answererOf(port), '503');
      state = await serverState(statsPort);
      // Maintenance from resolution: HAProxy's SRV_ADMF_RMAINT (0x20).
      assert.deepEqual([state[5], state[6]], ['0', '32']);
      const csv = await cli(statsPort, 'show stat\n');
      assert.match(csv, /^b,s1,(?:[^,]*,){15}MAINT \(resolution\),/m, csv);

      // It resolves again: back in service at the new address.
      dns.set(NAME, { records: [{ type: 'A', address: '127.0.0.1' }] });
      assert.ok(await answersBecome(port, 'one'), p.stderr);
      // The address was forgotten in maintenance: it comes back from none.
      assert.ok(await eventually(() => /DNS NX status[\s\S]*b\/s1 changed its IP from \(none\) to 127\.0\.0\.1 by dns\/ns1\.[\s\S]*resolves again\)\./.test(p.stderr), 2000), p.stderr);
      await stop(target, proxy);
      proxy = undefined;
    });

    it('server-template slots take one address each, and a slot whose record goes away waits in maintenance', async () => {
      const name = 'pool.switchyard.test';
      dns.set(name, { records: [{ type: 'A', address: '127.0.0.1' }, { type: 'A', address: '127.0.0.2' }] });
      proxy = await ProxyProcess.start(
        target,
        `global
    stats socket ipv4@127.0.0.1:${statsPort} level admin

resolvers dns
    nameserver ns1 127.0.0.1:${dns.port}
    timeout resolve 100ms
    timeout retry 100ms
${HTTP_DEFAULTS}
frontend f
    bind 127.0.0.1:${port}
    default_backend b

backend b
    balance roundrobin
    server-template web 3 ${name}:${appPort} resolvers dns resolve-prefer ipv4 init-addr none
`,
      );
      const p = proxy;
      assert.ok(await eventually(() => (p.stderr.match(/administratively READY/g) ?? []).length === 2, 3000), p.stderr);
      // Which slot takes which address follows the order of HAProxy's answer tree (a hash): only
      // that they differ, and that the first slot heard it from the nameserver, is pinned.
      const web1 = /b\/web1 changed its IP from \(none\) to (127\.0\.0\.[12]) by dns\/ns1\./.exec(p.stderr)?.[1];
      const web2 = /b\/web2 changed its IP from \(none\) to (127\.0\.0\.[12]) by DNS cache\./.exec(p.stderr)?.[1];
      assert.ok(web1 !== undefined && web2 !== undefined && web1 !== web2, p.stderr);
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) seen.add(await answererOf(port));
      assert.deepEqual([...seen].sort(), ['one', 'two']);
      const states = async (): Promise<string[]> => {
        const text = await cli(statsPort, 'show servers state b\n');
        return text.split('\n').filter((l) => / b \d+ web\d /.test(l)).map((l) => { const f = l.split(' '); return `${f[3]} ${f[4]} ${f[6]}`; });
      };
      // web3 found no address left: still in resolution maintenance (0x20).
      const before = await states();
      assert.deepEqual(before.slice(0, 2), [`web1 ${web1} 0`, `web2 ${web2} 0`]);
      assert.match(before[2] ?? '', /^web3 \S+ 32$/);

      // web1's address leaves the answer: it has none to take (web2 holds the other).
      dns.set(name, { records: [{ type: 'A', address: web2 }] });
      assert.ok(await eventually(() => /Server b\/web1 is going DOWN for maintenance \(No IP for server \)\. 1 active and 0 backup servers left\./.test(p.stderr), 3000), p.stderr);
      const left = web2 === '127.0.0.1' ? 'one' : 'two';
      for (let i = 0; i < 3; i++) assert.equal(await answererOf(port), left);
      assert.deepEqual((await states()).map((s) => s.split(' ')[2]), ['32', '0', '32']);
      await stop(target, proxy);
      proxy = undefined;
    });
  });
}
