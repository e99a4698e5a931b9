/**
 * examples/kubernetes/ as a cluster would run it: the ConfigMap's haproxy.cfg, with its binds on
 * 127.0.0.1 (free ports), `parse-resolv-conf` replaced by a nameserver on loopback standing in
 * for the cluster DNS, and the pods' port by a test server's. The Deployment's probes and ports
 * and the Service's target port are checked against that configuration; then the readiness path
 * answers 200 before any pod exists, the web frontend 503, and once the DNS names a pod the
 * requests reach it (server-template slots filled from the A records), and stop reaching it
 * once the name moves to another address.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/kubernetes-example.test.js
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { TARGETS, startProxy } from '../support/http-suite.ts';
import { FakeDnsServer } from '../support/fake-dns-server.ts';
import { repoRoot } from '../support/runtimes.ts';

const DIR = join(repoRoot, 'examples/kubernetes');
const SERVICE_NAME = 'app.default.svc.cluster.local';

/** The ConfigMap's haproxy.cfg: the literal block under `haproxy.cfg: |`, de-indented. */
function configMapConfig(): string {
  const lines = readFileSync(join(DIR, 'configmap.yaml'), 'utf8').split('\n');
  const start = lines.findIndex((l) => /^\s+haproxy\.cfg: \|$/.test(l));
  assert.ok(start >= 0, 'configmap.yaml has a haproxy.cfg block');
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() !== '' && !line.startsWith('    ')) break;
    body.push(line.slice(4));
  }
  return body.join('\n');
}

/** The values of every `key: value` line of a manifest, in order (enough for these files). */
function yamlValues(file: string, key: string): string[] {
  const values: string[] = [];
  for (const m of readFileSync(join(DIR, file), 'utf8').matchAll(new RegExp(`^\\s*-?\\s*${key}: (.+)$`, 'gm'))) values.push((m[1] as string).trim());
  return values;
}

const CONFIG = configMapConfig();

describe('examples/kubernetes: the manifests agree with the configuration', () => {
  it('probes the monitor-uri on the health bind; the http port is the web bind; the Service targets it', () => {
    const monitor = /^\s*monitor-uri (\S+)$/m.exec(CONFIG)?.[1];
    assert.equal(monitor, '/healthz');
    assert.deepEqual(yamlValues('deployment.yaml', 'path'), [monitor, monitor], 'readiness and liveness probe the monitor-uri');
    const binds = [...CONFIG.matchAll(/^frontend (\S+)\n\s+bind :(\d+)$/gm)].map((m) => [m[1], m[2]]);
    assert.deepEqual(binds, [
      ['health', '8405'],
      ['web', '8080'],
    ]);
    // containerPort names: `http` 8080, `health` 8405; the probes ask `health`, the Service `http`.
    assert.deepEqual(yamlValues('deployment.yaml', 'containerPort'), ['8080', '8405']);
    assert.deepEqual(yamlValues('deployment.yaml', 'port'), ['health', 'health']);
    assert.deepEqual(yamlValues('service.yaml', 'targetPort'), ['http']);
    assert.equal(yamlValues('deployment.yaml', 'mountPath')[0], '/usr/local/etc/haproxy');
  });
});

for (const target of TARGETS) {
  describe(`examples/kubernetes' configuration on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dns: FakeDnsServer;
    let pod: HttpTestBackend;
    let health = 0;
    let web = 0;

    before(async () => {
      const [h, w, p] = (await freePorts(3)) as [number, number, number];
      health = h;
      web = w;
      dns = await FakeDnsServer.start();
      pod = await appBackend(p, 'pod-a');
      const config = CONFIG.replace('bind :8405', `bind 127.0.0.1:${health}`)
        .replace('bind :8080', `bind 127.0.0.1:${web}`)
        .replace('parse-resolv-conf', `nameserver cluster 127.0.0.1:${dns.port}`)
        .replace(`${SERVICE_NAME}:80 `, `${SERVICE_NAME}:${p} `)
        // The pods' checks every 2 s by default; the test does not wait that long.
        .replace(' check resolvers', ' check inter 200ms resolvers');
      assert.notEqual(config, CONFIG);
      proxy = await startProxy(target, config);
    });

    after(async () => {
      destroyAllClients();
      try {
        // Not stopProxy: HAProxy rightly warns here (the servers' address and state changes).
        const code = await proxy?.stop();
        if (target !== 'haproxy') assert.equal(code, 0, proxy?.stderr);
      } finally {
        await pod.close();
        await dns.close();
      }
    });

    async function get(port: number): Promise<{ status: number; backend: string | undefined }> {
      const conn = await HttpConnection.open(port);
      try {
        const res = await conn.request('GET', '/healthz-or-app', { connection: 'close' });
        return { status: res.status, backend: res.header('x-backend') };
      } finally {
        conn.destroy();
      }
    }

    /** Polls until `port` answers `status` (the resolvers and checks run on their own timers). */
    async function answers(port: number, status: number): Promise<{ status: number; backend: string | undefined }> {
      const deadline = performance.now() + 10_000;
      for (;;) {
        const res = await get(port);
        if (res.status === status || performance.now() > deadline) return res;
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    it('is ready (monitor-uri 200) before any pod exists; the web frontend has no server yet (503)', async () => {
      const conn = await HttpConnection.open(health);
      assert.equal((await conn.request('GET', '/healthz', { connection: 'close' })).status, 200);
      conn.destroy();
      assert.equal((await get(web)).status, 503);
    });

    it('sends the requests to the pod the cluster DNS names, and no more once the name moves to another address', async () => {
      dns.set(SERVICE_NAME, { records: [{ type: 'A', address: '127.0.0.1', ttl: 5 }] });
      assert.deepEqual(await answers(web, 200), { status: 200, backend: 'pod-a' });
      // The pod is replaced by one nothing answers for (127.0.0.2): its slot takes that address,
      // whose checks fail, and the backend has no server left.
      dns.set(SERVICE_NAME, { records: [{ type: 'A', address: '127.0.0.2', ttl: 5 }] });
      assert.equal((await answers(web, 503)).status, 503);
    });
  });
}
