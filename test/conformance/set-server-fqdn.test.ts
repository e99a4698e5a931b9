/**
 * `set server B/S fqdn NAME` (HAProxy 2.6's srv_update_fqdn / srv_set_fqdn): a server with
 * `resolvers` leaves the resolution of its name for the new one's, and the traffic follows
 * the new name's address ("changed its IP from X to Y by RESOLVERS/NAMESERVER"), in every
 * thread (`nbthread 2`, one on a Node that refuses threads); a server given by address with
 * `resolvers` takes a name too; a name differing only by case or a trailing dot is answered
 * as a change but changes nothing; the server is flagged (SRV_ADMF_HMAINT, shown from its
 * next admin change on). Every answer, refusals included, is HAProxy's. The nameserver is
 * test/support/fake-dns-server.ts.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/set-server-fqdn.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { answererOf, destroyAllClients } from '../support/http-client.ts';
import { eventually, HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { refusesThreads } from '../support/runtimes.ts';
import { ProxyProcess } from '../support/proxy-process.ts';
import { FakeDnsServer } from '../support/fake-dns-server.ts';
import { cli, serverStateFields } from '../support/cli-client.ts';

const ONE = 'one.switchyard.test';
const TWO = 'two.switchyard.test';
const THREE = 'three.switchyard.test';

/** Some consecutive answers (connections spread over the threads) are all `expected`. */
async function answersBecome(port: number, expected: string, timeoutMs = 5000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let row = 0;
  while (performance.now() < deadline) {
    row = (await answererOf(port)) === expected ? row + 1 : 0;
    if (row === 8) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** srv_addr and srv_fqdn of B/S in `show servers state`. */
async function addrAndFqdn(api: number, backend: string, server: string): Promise<string[]> {
  const fields = await serverStateFields(api, backend, server);
  return [fields[4] ?? '', fields[17] ?? ''];
}

for (const target of TARGETS) {
  describe(`set server fqdn on ${target}`, () => {
    let port = 0;
    let api = 0;
    let dns: FakeDnsServer;
    const apps: HttpTestBackend[] = [];
    let proxy: ProxyProcess | undefined;

    before(async () => {
      let appPort: number;
      [port, api, appPort] = (await freePorts(3)) as [number, number, number];
      apps.push(await appBackend(appPort, 'one', { host: '127.0.0.1' }), await appBackend(appPort, 'two', { host: '127.0.0.2' }));
      dns = await FakeDnsServer.start();
      dns.set(ONE, { records: [{ type: 'A', address: '127.0.0.1' }] });
      dns.set(TWO, { records: [{ type: 'A', address: '127.0.0.2' }] });
      dns.set(THREE, { records: [{ type: 'A', address: '127.0.0.3' }] });
      proxy = await ProxyProcess.start(
        target,
        `global
    nbthread ${refusesThreads(target) ? 1 : 2}
    stats socket ipv4@127.0.0.1:${api} level admin

resolvers dns
    nameserver ns1 127.0.0.1:${dns.port}
    timeout resolve 100ms
    timeout retry 100ms
${HTTP_DEFAULTS}
frontend f
    bind 127.0.0.1:${port}
    default_backend b

backend b
    server s1 ${ONE}:${appPort} resolvers dns resolve-prefer ipv4 init-addr none

backend x
    server s2 127.0.0.1:${appPort} resolvers dns resolve-prefer ipv4
    server s3 127.0.0.1:${appPort}
    server-template t 1 _http._tcp.srv.switchyard.test resolvers dns init-addr none
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await proxy?.stop();
      await Promise.all(apps.map((a) => a.close()));
      await dns.close();
    });

    it('the server follows its new name, in every thread', async () => {
      const p = proxy as ProxyProcess;
      assert.ok(await answersBecome(port, 'one'), p.stderr);
      assert.equal(await cli(api, `set server b/s1 fqdn ${TWO}\n`), `b/s1 changed its FQDN from ${ONE} to ${TWO} by 'stats socket command'\n\n`);
      assert.ok(await answersBecome(port, 'two'), p.stderr);
      assert.ok(await eventually(() => p.stderr.includes('b/s1 changed its IP from 127.0.0.1 to 127.0.0.2 by dns/ns1.'), 2000), p.stderr);
      assert.deepEqual(await addrAndFqdn(api, 'b', 's1'), ['127.0.0.2', TWO]);
      // A server given by address takes a name, and its address.
      assert.equal(await cli(api, `set server x/s2 fqdn ${THREE}\n`), `x/s2 changed its FQDN from (null) to ${THREE} by 'stats socket command'\n\n`);
      assert.ok(await eventually(() => p.stderr.includes('x/s2 changed its IP from 127.0.0.1 to 127.0.0.3 by dns/ns1.'), 3000), p.stderr);
      assert.deepEqual(await addrAndFqdn(api, 'x', 's2'), ['127.0.0.3', THREE]);
    });

    it("answers each case with HAProxy's text", async () => {
      const by = " by 'stats socket command'\n\n";
      const steps: [string, string][] = [
        ['set server b/s1 fqdn', 'set server <b>/<s> fqdn requires a FQDN.\n\n'],
        ['set server x/s3 fqdn a.test', 'set server <b>/<s> fqdn failed because no resolution is configured.\n\n'],
        ['set server x/t1 fqdn a.test', 'set server <b>/<s> fqdn failed because SRV resolution is configured.\n\n'],
        [`set server b/s1 fqdn ${TWO}`, `no need to change the FDQN${by}`],
        ['set server b/s1 fqdn bad_name!', `invalid fqdn 'bad_name!'${by}`],
        [`set server b/s1 fqdn ${'a'.repeat(256)}`, `invalid fqdn '${'a'.repeat(256)}'${by}`],
        ['set server b/s1 fqdn a..test', `could not update b/s1 FQDN${by}`],
        ['set server b/s1 fqdn .test', `could not update b/s1 FQDN${by}`],
        // The same resolution: answered as a change, nothing changes.
        [`set server b/s1 fqdn ${TWO.toUpperCase()}`, `b/s1 changed its FQDN from ${TWO} to ${TWO.toUpperCase()}${by}`],
        [`set server b/s1 fqdn ${TWO}.`, `b/s1 changed its FQDN from ${TWO} to ${TWO}.${by}`],
      ];
      for (const [command, text] of steps) assert.equal(await cli(api, `${command}\n`), text, command);
      assert.deepEqual(await addrAndFqdn(api, 'b', 's1'), ['127.0.0.2', TWO]);
      assert.equal(await answererOf(port), 'two');
    });

    it("shows the FQDN-set-from-CLI flag (0x40) once the server's next admin change commits it", async () => {
      const admin = async (): Promise<string> => (await serverStateFields(api, 'b', 's1'))[6] ?? '';
      assert.equal(await admin(), '0');
      assert.equal(await cli(api, 'set server b/s1 state drain\n'), '\n');
      assert.equal(await admin(), String(0x40 | 0x08));
      assert.equal(await cli(api, 'set server b/s1 state ready\n'), '\n');
      assert.equal(await admin(), String(0x40));
    });
  });
}
