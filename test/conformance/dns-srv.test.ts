/**
 * DNS service discovery from SRV records and the resolvers' counters, as HAProxy 2.6 does them,
 * against a nameserver in the test process (test/support/fake-dns-server.ts) whose answers
 * change as the test goes:
 *
 *  - `server-template web 3 _http._tcp.NAME resolvers dns`: each SRV answer fills one slot with
 *    its target (the FQDN), port and weight ((w + 255) / 256); the address comes from the
 *    additional record ("by DNS additional record") or from the target's own A resolution
 *    ("by dns/ns1"); a record that goes away frees its slot "(entry removed from SRV record)";
 *    NXDOMAIN past `hold nx` frees them all;
 *  - `show resolvers [id]`: HAProxy's layout, counters from the queries really answered.
 *
 * Which free slot takes which of several new answers follows HAProxy's answer tree (a hash):
 * only the set of slots is compared, never which slot took which record.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/dns-srv.test.js
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

const SRV = '_http._tcp.svc.switchyard.test';
const A = 'a.svc.switchyard.test';
const B = 'b.svc.switchyard.test';

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/** `show servers state b`: per slot "addr admin uweight fqdn port srvrecord", sorted (which slot is which is HAProxy's hash order). */
async function slots(statsPort: number): Promise<string[]> {
  const text = await cli(statsPort, 'show servers state b\n');
  return text
    .split('\n')
    .filter((l) => / b \d+ web\d /.test(l))
    .map((l) => {
      const f = l.split(' ');
      return `${f[4]} ${f[6]} ${f[7]} ${f[17]} ${f[18]} ${f[19]}`;
    })
    .sort();
}

async function stop(target: Target, proxy: ProxyProcess | undefined): Promise<void> {
  if (proxy === undefined) return;
  const code = await proxy.stop();
  if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy.stderr}`);
}

for (const target of TARGETS) {
  describe(`DNS SRV discovery on ${target}`, () => {
    let port: number;
    let statsPort: number;
    let portA: number;
    let portB: number;
    let portC: number;
    let dns: FakeDnsServer;
    const apps: HttpTestBackend[] = [];
    let proxy: ProxyProcess | undefined;

    before(async () => {
      [port, statsPort, portA, portB, portC] = (await freePorts(5)) as [number, number, number, number, number];
      apps.push(
        await appBackend(portA, 'one', { host: '127.0.0.1' }),
        await appBackend(portB, 'two', { host: '127.0.0.2' }),
        await appBackend(portC, 'three', { host: '127.0.0.1' }),
      );
      dns = await FakeDnsServer.start();
    });

    after(async () => {
      destroyAllClients();
      await stop(target, proxy);
      await Promise.all(apps.map((a) => a.close()));
      await dns.close();
    });

    it('SRV answers fill server-template slots with target, port and weight; records gone free their slots', async () => {
      dns.set(SRV, {
        records: [
          { type: 'SRV', priority: 0, weight: 1000, port: portA, target: A },
          { type: 'SRV', priority: 0, weight: 10, port: portB, target: B },
        ],
        additional: [{ type: 'A', name: A, address: '127.0.0.1' }],
      });
      dns.set(B, { records: [{ type: 'A', address: '127.0.0.2' }] });
      proxy = await ProxyProcess.start(
        target,
        `global
    stats socket ipv4@127.0.0.1:${statsPort} level admin

resolvers dns
    nameserver ns1 127.0.0.1:${dns.port}
    timeout resolve 100ms
    timeout retry 100ms
    hold nx 300ms
${HTTP_DEFAULTS}
frontend f
    bind 127.0.0.1:${port}
    default_backend b

backend b
    balance roundrobin
    server-template web 3 ${SRV} resolvers dns resolve-prefer ipv4 init-addr none
`,
      );
      const p = proxy;
      // a: address from the additional record, port and weight (1000 + 255) / 256 = 4 from the
      // SRV record; b: its own A resolution, weight (10 + 255) / 256 = 1; the third slot waits.
      const first = [`127.0.0.1 64 4 ${A} ${portA} ${SRV}`, `127.0.0.2 64 1 ${B} ${portB} ${SRV}`, `- 32 1 - 0 ${SRV}`].sort();
      assert.deepEqual(await until(() => slots(statsPort), (s) => s.join() === first.join()), first, p.stderr);
      assert.ok(await eventually(() => p.stderr.includes('administratively READY'), 5000), p.stderr);
      assert.match(p.stderr, /b\/web\d changed its IP from \(none\) to 127\.0\.0\.1 by DNS additional record\./);
      assert.match(p.stderr, new RegExp(`Server b/web\\d \\('${A.replace(/\./g, '\\.')}'\\) is UP/READY \\(resolves again\\)\\.`));
      assert.match(p.stderr, /b\/web\d changed its IP from \(none\) to 127\.0\.0\.2 by dns\/ns1\./);
      assert.match(p.stderr, new RegExp(`Server b/web\\d \\('${B.replace(/\./g, '\\.')}'\\) is UP/READY \\(resolves again\\)\\.`));
      // Only the server resolved on its own hears "thanks to valid DNS answer".
      assert.equal((p.stderr.match(/administratively READY thanks to valid DNS answer/g) ?? []).length, 1, p.stderr);
      const seen = new Set<string>();
      for (let i = 0; i < 10 && seen.size < 2; i++) seen.add(await answererOf(port));
      assert.deepEqual([...seen].sort(), ['one', 'two']);

      // b goes away and a moves to another port with the largest weight: the slots of the old
      // records are freed, the new record takes the first free slot.
      dns.set(SRV, { records: [{ type: 'SRV', priority: 0, weight: 65535, port: portC, target: A }], additional: [{ type: 'A', name: A, address: '127.0.0.1' }] });
      const second = [`127.0.0.1 64 256 ${A} ${portC} ${SRV}`, `- 96 4 - 0 ${SRV}`, `- 96 1 - 0 ${SRV}`].sort();
      assert.deepEqual(await until(() => slots(statsPort), (s) => s.join() === second.join()), second, p.stderr);
      assert.match(p.stderr, /Server b\/web\d is going DOWN for maintenance \(entry removed from SRV record\)\./);
      assert.ok(await eventually(() => (p.stderr.match(/\(entry removed from SRV record\)/g) ?? []).length === 2, 5000), p.stderr);
      assert.equal(await until(() => answererOf(port), (a) => a === 'three'), 'three');

      // NXDOMAIN past `hold nx`: every slot is freed, 503.
      dns.set(SRV, { rcode: 3 });
      const third = [`- 96 256 - 0 ${SRV}`, `- 96 4 - 0 ${SRV}`, `- 96 1 - 0 ${SRV}`].sort();
      assert.deepEqual(await until(() => slots(statsPort), (s) => s.join() === third.join()), third, p.stderr);
      assert.ok(await eventually(() => (p.stderr.match(/\(entry removed from SRV record\)/g) ?? []).length === 3, 5000), p.stderr);
      assert.equal(await answererOf(port), '503');
      await stop(target, proxy);
      proxy = undefined;
    });

    it('resolve-opts allow-dup-ip lets slots share an address; resolve-net prefers an address of its networks', async () => {
      dns.set('dup.switchyard.test', { records: [{ type: 'A', address: '127.0.0.1' }] });
      dns.set('net.switchyard.test', { records: [{ type: 'A', address: '127.0.0.1' }, { type: 'A', address: '127.0.0.2' }] });
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
    server-template dup 2 dup.switchyard.test:${portA} resolvers dns resolve-prefer ipv4 init-addr none resolve-opts allow-dup-ip
    server-template nodup 2 dup.switchyard.test:${portA} resolvers dns resolve-prefer ipv4 init-addr none resolve-opts prevent-dup-ip
    server net net.switchyard.test:${portB} resolvers dns resolve-prefer ipv4 init-addr none resolve-net 10.0.0.0/8,127.0.0.2/32
`,
      );
      const p = proxy;
      const states = async (): Promise<string[]> => {
        const text = await cli(statsPort, 'show servers state b\n');
        return text
          .split('\n')
          .filter((l) => / b \d+ \w+ /.test(l))
          .map((l) => {
            const f = l.split(' ');
            return `${f[3]} ${f[4]} ${f[6]}`;
          });
      };
      // allow-dup-ip: both dup slots take the one address; without it the second nodup slot has none.
      // The nodup slots share the address with the dup ones: another server of the backend holds it.
      const expected = ['dup1 127.0.0.1 0', 'dup2 127.0.0.1 0', 'nodup1 - 32', 'nodup2 - 32', 'net 127.0.0.2 0'];
      assert.deepEqual(await until(states, (s) => s.join() === expected.join()), expected, p.stderr);
      await stop(target, proxy);
      proxy = undefined;
    });

    it('show resolvers prints each nameserver with the counters of the answers it gave', async () => {
      const name = 'counted.switchyard.test';
      dns.set(name, { records: [{ type: 'A', address: '127.0.0.1' }] });
      proxy = await ProxyProcess.start(
        target,
        `global
    stats socket ipv4@127.0.0.1:${statsPort} level admin

resolvers dns
    nameserver ns1 127.0.0.1:${dns.port}
    timeout resolve 100ms
    # Generous: a resend under load would make the late first answer count as outdated.
    timeout retry 2s
${HTTP_DEFAULTS}
frontend f
    bind 127.0.0.1:${port}
    default_backend b

backend b
    server s1 ${name}:${portA} resolvers dns resolve-prefer ipv4 init-addr none
`,
      );
      const p = proxy;
      const counters = async (): Promise<Map<string, number>> => {
        const text = await cli(statsPort, 'show resolvers dns\n');
        return new Map([...text.matchAll(/^ {2}(\w+): +(\d+)$/gm)].map((m) => [m[1] as string, Number(m[2])]));
      };
      // The name resolves (one address change counted as an update), then answers NXDOMAIN.
      await until(counters, (c) => (c.get('valid') ?? 0) >= 2);
      dns.set(name, { rcode: 3 });
      const c = await until(counters, (m) => (m.get('nx') ?? 0) >= 2);
      const text = await cli(statsPort, 'show resolvers dns\n');
      assert.match(
        text,
        /^Resolvers section dns\n nameserver ns1:\n {2}sent: +\d+\n {2}snd_error: +0\n {2}valid: +\d+\n {2}update: +1\n {2}cname: +0\n {2}cname_error: +0\n {2}any_err: +0\n {2}nx: +\d+\n {2}timeout: +0\n {2}refused: +0\n {2}other: +0\n {2}invalid: +0\n {2}too_big: +0\n {2}truncated: +0\n {2}outdated: +\d+\n/,
        text,
      );
      // Every answer of a name counts once; the queries sent can only be more (the last one may be in flight).
      assert.ok((c.get('sent') ?? 0) >= (c.get('valid') ?? 0) + (c.get('nx') ?? 0), text);
      assert.ok(/^ {2}sent: {8}\d+$/m.test(text) && /^ {2}cname_error: \d+$/m.test(text), text);
      assert.equal(await cli(statsPort, 'show resolvers nope\n'), "Can't find that resolvers section\n\n");
      await stop(target, proxy);
      proxy = undefined;
    });
  });
}
