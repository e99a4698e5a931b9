/**
 * `option prefer-last-server` through the real proxy: a keep-alive client's next request goes
 * to the server whose connection its session holds (HAProxy's assign_server and sess->srv_list)
 * instead of the balancer's choice. With HTTP/1 servers a session holds its server connection
 * only when it is private (`http-reuse never` here); under the default `http-reuse safe` the
 * connection goes back to the server's idle pool, so HAProxy 2.6 keeps balancing — as checked.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/prefer-last-server.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['prefer', 'plain', 'preferSafe', 'hashed', 'b1', 'b2'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  const servers = `    server s1 127.0.0.1:${p.b1}\n    server s2 127.0.0.1:${p.b2}`;
  return `
${HTTP_DEFAULTS}
listen prefer
    bind 127.0.0.1:${p.prefer}
    balance roundrobin
    http-reuse never
    option prefer-last-server
${servers}

listen plain
    bind 127.0.0.1:${p.plain}
    balance roundrobin
    http-reuse never
${servers}

listen prefer_safe
    bind 127.0.0.1:${p.preferSafe}
    balance roundrobin
    option prefer-last-server
${servers}

listen hashed
    bind 127.0.0.1:${p.hashed}
    balance url_param k
    http-reuse never
    option prefer-last-server
${servers}
`;
}

/** The servers that answered `targets`, in order, all sent on one keep-alive client connection. */
async function servedInTurn(port: number, targets: readonly string[]): Promise<string[]> {
  const conn = await HttpConnection.open(port);
  try {
    const seen: string[] = [];
    for (const target of targets) {
      const res = await conn.request('GET', target);
      assert.equal(res.status, 200, res.head.startLine);
      seen.push(res.header('x-backend') ?? '?');
    }
    return seen;
  } finally {
    conn.destroy();
  }
}

const SIX = ['/a', '/b', '/c', '/d', '/e', '/f'];

for (const target of TARGETS) {
  describe(`option prefer-last-server on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    const backends: HttpTestBackend[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      backends.push(await appBackend(p.b1, 's1'), await appBackend(p.b2, 's2'));
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it("keeps a keep-alive client's requests on the server its session holds a connection to", async () => {
      const seen = await servedInTurn(p.prefer, SIX);
      assert.equal(new Set(seen).size, 1, seen.join(','));
      // Another client starts where round robin is: the option does not stop balancing between sessions.
      const other = await servedInTurn(p.prefer, SIX);
      assert.equal(new Set(other).size, 1, other.join(','));
      assert.notEqual(other[0], seen[0], `${seen.join(',')} then ${other.join(',')}`);
    });

    it('without it, round robin alternates on the same client connection', async () => {
      const seen = await servedInTurn(p.plain, SIX);
      for (let i = 1; i < seen.length; i++) assert.notEqual(seen[i], seen[i - 1], seen.join(','));
    });

    it('under http-reuse safe the server connection is not the session’s: requests still alternate (HAProxy 2.6)', async () => {
      const seen = await servedInTurn(p.preferSafe, SIX);
      for (let i = 1; i < seen.length; i++) assert.notEqual(seen[i], seen[i - 1], seen.join(','));
    });

    it('a hashing algorithm keeps its choice (assign_server skips the option for hash kinds)', async () => {
      // Find two keys that hash to different servers, then send them in turn on one connection.
      const byServer = new Map<string, string>();
      for (let i = 0; i < 40 && byServer.size < 2; i++) {
        const [server] = await servedInTurn(p.hashed, [`/?k=${i}`]);
        if (!byServer.has(server as string)) byServer.set(server as string, `/?k=${i}`);
      }
      assert.equal(byServer.size, 2, 'two keys on two servers');
      const [k1, k2] = [...byServer.values()] as [string, string];
      const seen = await servedInTurn(p.hashed, [k1, k2, k1, k2]);
      assert.deepEqual(seen, [...byServer.keys(), ...byServer.keys()]);
    });
  });
}
