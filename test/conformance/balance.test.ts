/**
 * Black-box conformance of the balancing algorithms through the real proxy: hash algorithms
 * send the same key to the same server and consistent hashing moves only the keys of a server
 * that leaves; url_param/hdr fall back to round-robin without their key; leastconn avoids the
 * busy server; first fills servers in order; source sticks per client address.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/balance.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['chash', 'chashLess', 'mapBased', 'urlParam', 'hdr', 'leastconn', 'first', 'source', 'b1', 'b2', 'b3', 'b4'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function servers(p: Ports, extra = '', disabledLast = false): string {
  return [p.b1, p.b2, p.b3, p.b4]
    .map((port, i) => `    server s${i + 1} 127.0.0.1:${port}${extra}${disabledLast && i === 3 ? ' disabled' : ''}`)
    .join('\n');
}

function configFor(p: Ports): string {
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
listen chash
    bind 127.0.0.1:${p.chash}
    balance uri
    hash-type consistent
${servers(p)}

listen chash_less
    bind 127.0.0.1:${p.chashLess}
    balance uri
    hash-type consistent
${servers(p, '', true)}

listen map_based
    bind 127.0.0.1:${p.mapBased}
    balance uri whole
${servers(p)}

listen url_param
    bind 127.0.0.1:${p.urlParam}
    balance url_param user
${servers(p)}

listen hdr
    bind 127.0.0.1:${p.hdr}
    balance hdr(host) use_domain_only
${servers(p)}

listen leastconn
    bind 127.0.0.1:${p.leastconn}
    balance leastconn
    server s1 127.0.0.1:${p.b1}
    server s2 127.0.0.1:${p.b2}

listen first
    bind 127.0.0.1:${p.first}
    balance first
    server s1 127.0.0.1:${p.b1} maxconn 2
    server s2 127.0.0.1:${p.b2} maxconn 2
    server s3 127.0.0.1:${p.b3} maxconn 2

listen source
    bind 127.0.0.1:${p.source}
    balance source
${servers(p)}
`;
}

/** Sends one request on a fresh connection and returns the backend that answered. */
async function served(port: number, target: string, headers: Record<string, string> = {}, localAddress?: string): Promise<string> {
  const conn = await HttpConnection.open(port, localAddress === undefined ? {} : { localAddress });
  try {
    const res = await conn.request('GET', target, headers);
    assert.equal(res.status, 200, `${target}: ${res.head.startLine}`);
    return res.header('x-backend') ?? '?';
  } finally {
    conn.destroy();
  }
}

const KEYS = Array.from({ length: 120 }, (_, i) => `/item/${i * 7919}`);

for (const target of TARGETS) {
  describe(`balancing algorithms on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    const backends: HttpTestBackend[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      for (const [i, port] of [p.b1, p.b2, p.b3, p.b4].entries()) backends.push(await appBackend(port, `s${i + 1}`));
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it('hash-type consistent: the same URI always reaches the same server, and keys spread over all servers', async () => {
      const first = new Map<string, string>();
      for (const key of KEYS) first.set(key, await served(p.chash, key));
      for (const key of KEYS.slice(0, 40)) assert.equal(await served(p.chash, key), first.get(key), key);
      const used = new Set(first.values());
      assert.equal(used.size, 4, `servers used: ${[...used].join(',')}`);
    });

    it('hash-type consistent: when a server leaves, only its keys move', async () => {
      const full = new Map<string, string>();
      for (const key of KEYS) full.set(key, await served(p.chash, key));
      let moved = 0;
      for (const key of KEYS) {
        const now = await served(p.chashLess, key);
        assert.notEqual(now, 's4', 's4 is disabled');
        if (full.get(key) !== 's4') assert.equal(now, full.get(key), `${key} kept its server`);
        else moved++;
      }
      assert.ok(moved > 0 && moved < KEYS.length / 2, `${moved} of ${KEYS.length} keys moved (those of s4 only)`);
    });

    it('balance uri whole (map-based): the query string is part of the key and the mapping is stable', async () => {
      const a = await served(p.mapBased, '/page?x=1');
      for (let i = 0; i < 5; i++) assert.equal(await served(p.mapBased, '/page?x=1'), a);
      const spread = new Set<string>();
      for (let i = 0; i < 40; i++) spread.add(await served(p.mapBased, `/page?x=${i}`));
      assert.ok(spread.size > 1, 'different queries reach different servers');
    });

    it('balance url_param: a parameter value sticks to a server; without it requests rotate', async () => {
      const alice = await served(p.urlParam, '/a?user=alice');
      for (let i = 0; i < 5; i++) assert.equal(await served(p.urlParam, `/other${i}?x=1&user=alice`), alice);
      const rotating = new Set<string>();
      for (let i = 0; i < 8; i++) rotating.add(await served(p.urlParam, '/no-param'));
      assert.ok(rotating.size >= 2, `round-robin without the parameter (${[...rotating].join(',')})`);
    });

    it('balance hdr(host) use_domain_only: hosts of one domain share a server; no Host header rotates', async () => {
      const www = await served(p.hdr, '/', { host: 'www.example.com' });
      assert.equal(await served(p.hdr, '/', { host: 'api.example.com' }), www);
      assert.equal(await served(p.hdr, '/', { host: 'static.example.com:8080' }), www);
    });

    it('balance leastconn: new requests avoid the server busy with a slow one', async () => {
      const slow = await HttpConnection.open(p.leastconn);
      const slowRes = slow.request('GET', '/slow/600');
      await delay(100);
      const busy = backends.find((b) => b.openConnections().some((c) => c.requests > 0 && c.closedAt === undefined));
      const picks = new Set<string>();
      for (let i = 0; i < 4; i++) picks.add(await served(p.leastconn, `/fast${i}`));
      assert.equal((await slowRes).status, 200);
      slow.destroy();
      assert.equal(picks.size, 1, `all fast requests went to the idle server (${[...picks].join(',')})`);
      if (busy !== undefined) assert.ok(!picks.has(busy.name), `not to the busy ${busy.name}`);
    });

    it('balance first: fills the first server up to its maxconn before using the next', async () => {
      const conns = await Promise.all([0, 1, 2, 3].map(() => HttpConnection.open(p.first)));
      const results = await Promise.all(conns.map((c, i) => c.request('GET', `/slow/${300 + i * 10}`)));
      const names = results.map((r) => r.header('x-backend'));
      for (const c of conns) c.destroy();
      assert.equal(names.filter((n) => n === 's1').length, 2, names.join(','));
      assert.equal(names.filter((n) => n === 's2').length, 2, names.join(','));
      assert.equal(await served(p.first, '/idle'), 's1', 'an idle farm starts again at s1');
    });

    it('balance source: each client address sticks to one server', async () => {
      const one = await served(p.source, '/', {}, '127.0.0.1');
      const two = await served(p.source, '/', {}, '127.0.0.2');
      for (let i = 0; i < 4; i++) {
        assert.equal(await served(p.source, `/r${i}`, {}, '127.0.0.1'), one);
        assert.equal(await served(p.source, `/r${i}`, {}, '127.0.0.2'), two);
      }
    });
  });
}
