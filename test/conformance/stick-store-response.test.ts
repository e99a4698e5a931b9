/**
 * Black-box conformance of `stick store-response EXPR [if|unless COND]` (HAProxy's
 * process_store_rules):
 *
 * - mode http: `res.cook(SID)` of the answering server's Set-Cookie is stored with that server
 *   when the response is a 200 (`if { status 200 }`), else the next store-response rule of the
 *   table applies (`res.hdr(x-sid)`); only the first rule that applies stores; a later request
 *   carrying the cookie (`stick match req.cook(SID)`) sticks to the server despite roundrobin;
 * - mode tcp: the server's first bytes (`payload(0,4)` on the response side, inspected under `tcp-response
 *   inspect-delay`) are stored; a client sending those bytes first (`stick match
 *   payload(0,4)` on the request side) reaches the same server.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/stick-store-response.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { readRequestBody } from '../support/http-wire.ts';
import { cli } from '../support/cli-client.ts';
import { holdingServer, type TestBackend } from '../support/tcp-backends.ts';
import { firstLineAfter } from '../support/tcp-client.ts';

const PORT_NAMES = ['stats', 'http', 'tcp', 'a', 'b', 'x', 'y'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    stats socket ipv4@127.0.0.1:${p.stats} level admin
${HTTP_DEFAULTS}
listen li_http
    bind 127.0.0.1:${p.http}
    balance roundrobin
    stick-table type string len 32 size 100
    stick store-response res.cook(SID) if { status 200 }
    stick store-response res.hdr(x-sid)
    stick match req.cook(SID)
    server a 127.0.0.1:${p.a}
    server b 127.0.0.1:${p.b}

listen li_tcp
    mode tcp
    bind 127.0.0.1:${p.tcp}
    balance roundrobin
    tcp-request inspect-delay 10s
    tcp-request content accept if { req.len ge 4 }
    tcp-response inspect-delay 10s
    tcp-response content accept if { res.len ge 4 }
    stick-table type string len 4 size 100
    stick store-response payload(0,4)
    stick match payload(0,4)
    server x 127.0.0.1:${p.x}
    server y 127.0.0.1:${p.y}
`;
}

/** `/login`: 200 with a SID cookie and x-sid; `/denied`: the same on a 403; else no cookie. */
function app(port: number, name: string): Promise<HttpTestBackend> {
  return httpBackend(port, name, async ({ socket, reader, request }) => {
    await readRequestBody(reader, request, { deadline: performance.now() + 10_000 });
    const lines = [request.target === '/denied' ? 'HTTP/1.1 403 Forbidden' : 'HTTP/1.1 200 OK', `x-backend: ${name}`];
    if (request.target === '/login') lines.push(`Set-Cookie: SID=${name}-tok; path=/`, `x-sid: hdr-${name}`);
    if (request.target === '/denied') lines.push(`Set-Cookie: SID=denied-${name}; path=/`, `x-sid: fb-${name}`);
    lines.push('content-length: 0');
    await writeAsync(socket, `${lines.join('\r\n')}\r\n\r\n`);
    return 'keep';
  });
}

async function get(port: number, target: string, headers: Record<string, string> = {}) {
  const conn = await HttpConnection.open(port);
  try {
    return await conn.request('GET', target, headers);
  } finally {
    conn.destroy();
  }
}

/** `key=K ... server_key=S` of every entry of `show table NAME`. */
async function entries(stats: number, table: string): Promise<string[]> {
  const out = await cli(stats, `show table ${table}\n`);
  return out
    .split('\n')
    .filter((line) => line.includes(' key='))
    .map((line) => `${/ key=(\S*)/.exec(line)?.[1]} ${/ server_key=(\S*)/.exec(line)?.[1]}`)
    .sort();
}

async function eventuallyAsync(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sends `token` first, returns the first line the server wrote, then closes. */
function ask(port: number, token: string): Promise<string> {
  return firstLineAfter(port, token);
}

for (const target of TARGETS) {
  describe(`stick store-response on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: HttpTestBackend[] = [];
    const tcpBackends: TestBackend[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      backends.push(await app(ports.a, 'a'), await app(ports.b, 'b'));
      tcpBackends.push(await holdingServer(ports.x, 'xxxx'), await holdingServer(ports.y, 'yyyy'));
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
      await Promise.all(tcpBackends.map((b) => b.close()));
    });

    it('mode http: stores the response cookie with its server, then requests carrying it stick', async () => {
      const login = await get(ports.http, '/login');
      const server = login.header('x-backend') as string;
      assert.ok(server === 'a' || server === 'b', login.head.raw);
      let found: string[] = [];
      assert.ok(
        await eventuallyAsync(async () => (found = await entries(ports.stats, 'li_http')).length >= 1, 10_000),
        'an entry after the response',
      );
      assert.deepEqual(found, [`${server}-tok ${server}`], 'the cookie, not x-sid: only the first applicable rule stores');
      for (let i = 0; i < 4; i++) {
        const res = await get(ports.http, '/', { cookie: `SID=${server}-tok` });
        assert.equal(res.header('x-backend'), server, `request ${i} sticks`);
      }
    });

    it('mode http: a failed condition lets the next store-response rule of the table store', async () => {
      const denied = await get(ports.http, '/denied');
      const server = denied.header('x-backend') as string;
      assert.equal(denied.status, 403);
      let found: string[] = [];
      assert.ok(
        await eventuallyAsync(async () => (found = await entries(ports.stats, 'li_http')).some((e) => e.startsWith('fb-')), 10_000),
        `the fallback header is stored, got ${JSON.stringify(found)}`,
      );
      assert.ok(found.includes(`fb-${server} ${server}`), JSON.stringify(found));
      assert.ok(!found.some((e) => e.startsWith('denied-')), `no cookie of a 403: ${JSON.stringify(found)}`);
    });

    it('mode tcp: the inspected response bytes are stored; a client sending them reaches that server', async () => {
      const first = await ask(ports.tcp, 'helo');
      assert.ok(first === 'xxxx' || first === 'yyyy', first);
      let found: string[] = [];
      assert.ok(
        await eventuallyAsync(async () => (found = await entries(ports.stats, 'li_tcp')).length >= 1, 10_000),
        'an entry after the response',
      );
      assert.deepEqual(found, [`${first} ${first === 'xxxx' ? 'x' : 'y'}`]);
      for (let i = 0; i < 4; i++) assert.equal(await ask(ports.tcp, first), first, `connection ${i} sticks`);
    });
  });
}
