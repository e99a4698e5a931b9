/**
 * Black-box conformance of `cookie ... attr VALUE` and `cookie ... dynamic` with
 * `dynamic-cookie-key` (HAProxy 2.6's http_ana.c insertion and srv_set_dyncookie):
 *
 * - the inserted Set-Cookie ends with the attributes, after domain and HttpOnly, in line order;
 * - a server without `cookie VALUE` is named by the XXH64 of key + address + port (16 hex
 *   digits), a server with one keeps it; a request carrying either sticks to its server;
 * - `set server B/S addr A port P` gives the server a new dynamic cookie; `set dynamic-cookie-key
 *   backend` recomputes them, `disable dynamic-cookie backend` removes them (the server then
 *   gets the removal cookie), `enable` brings them back;
 * - the removal cookie (a server without a cookie, no `dynamic`) carries the attributes too.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/cookie-attr-dynamic.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dynamicCookie } from '../../src/proxy/dynamic-cookie.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { headerValues, readRequestBody } from '../support/http-wire.ts';
import { cli } from '../support/cli-client.ts';

const PORT_NAMES = ['stats', 'dyn', 'plain', 'a', 'b', 'b2', 'n'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;
const KEY = 'k e y';

function configFor(p: Ports): string {
  return `
global
    stats socket ipv4@127.0.0.1:${p.stats} level admin
${HTTP_DEFAULTS}
defaults dyn
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    dynamic-cookie-key "${KEY}"

listen li_dyn from dyn
    bind 127.0.0.1:${p.dyn}
    balance roundrobin
    cookie SRV insert indirect httponly domain .example.test dynamic attr "SameSite=None" attr Priority=High
    server a 127.0.0.1:${p.a}
    server b 127.0.0.1:${p.b} cookie fixed

listen li_plain from dyn
    bind 127.0.0.1:${p.plain}
    cookie SRV insert attr "SameSite=Lax"
    server n 127.0.0.1:${p.n}
`;
}

function app(port: number, name: string): Promise<HttpTestBackend> {
  return httpBackend(port, name, async ({ socket, reader, request }) => {
    await readRequestBody(reader, request, { deadline: performance.now() + 10_000 });
    await writeAsync(socket, `HTTP/1.1 200 OK\r\nx-backend: ${name}\r\ncontent-length: 0\r\n\r\n`);
    return 'keep';
  });
}

async function get(port: number, headers: Record<string, string> = {}) {
  const conn = await HttpConnection.open(port);
  try {
    return await conn.request('GET', '/', headers);
  } finally {
    conn.destroy();
  }
}

const TAIL = '; path=/; domain=.example.test; HttpOnly; SameSite=None; Priority=High';

for (const target of TARGETS) {
  describe(`cookie attr and dynamic on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: HttpTestBackend[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      backends.push(await app(ports.a, 'a'), await app(ports.b, 'b'), await app(ports.b2, 'b2'), await app(ports.n, 'n'));
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it('inserts the dynamic or configured cookie with the attributes last, and sticks on either', async () => {
      const dynA = dynamicCookie(KEY, '127.0.0.1', ports.a) as string;
      const expected: Record<string, string> = { a: `SRV=${dynA}${TAIL}`, b: `SRV=fixed${TAIL}` };
      const seen = new Set<string>();
      for (let i = 0; i < 2; i++) {
        const res = await get(ports.dyn);
        const server = res.header('x-backend') as string;
        seen.add(server);
        assert.deepEqual(headerValues(res.headers, 'set-cookie'), [expected[server]], res.head.raw);
      }
      assert.deepEqual([...seen].sort(), ['a', 'b']);
      for (let i = 0; i < 3; i++) {
        const onA = await get(ports.dyn, { cookie: `SRV=${dynA}` });
        assert.equal(onA.header('x-backend'), 'a');
        assert.deepEqual(headerValues(onA.headers, 'set-cookie'), [], onA.head.raw);
        assert.equal((await get(ports.dyn, { cookie: 'SRV=fixed' })).header('x-backend'), 'b');
      }
    });

    it('gives a server a new dynamic cookie when its address changes', async () => {
      const out = await cli(ports.stats, `set server li_dyn/a addr 127.0.0.1 port ${ports.b2}\n`);
      assert.match(out, /port changed/, out);
      const moved = dynamicCookie(KEY, '127.0.0.1', ports.b2) as string;
      const res = await get(ports.dyn, { cookie: `SRV=${moved}` });
      assert.equal(res.header('x-backend'), 'b2', res.head.raw);
      assert.deepEqual(headerValues(res.headers, 'set-cookie'), [], res.head.raw);
      const stale = await get(ports.dyn, { cookie: `SRV=${dynamicCookie(KEY, '127.0.0.1', ports.a)}` });
      const server = stale.header('x-backend') as string;
      assert.deepEqual(headerValues(stale.headers, 'set-cookie'), [server === 'b' ? `SRV=fixed${TAIL}` : `SRV=${moved}${TAIL}`], stale.head.raw);
    });

    it('follows set dynamic-cookie-key and enable/disable dynamic-cookie backend', async () => {
      /** The Set-Cookie values of two fresh requests (roundrobin: one per server). */
      const cookies = async (): Promise<string[]> => {
        const out: string[] = [];
        for (let i = 0; i < 2; i++) out.push(...headerValues((await get(ports.dyn)).headers, 'set-cookie'));
        return out.sort();
      };
      assert.equal(await cli(ports.stats, 'set dynamic-cookie-key backend li_dyn other\n'), '\n');
      const rekeyed = dynamicCookie('other', '127.0.0.1', ports.b2) as string;
      assert.deepEqual(await cookies(), [`SRV=${rekeyed}${TAIL}`, `SRV=fixed${TAIL}`].sort());
      assert.equal(await cli(ports.stats, 'disable dynamic-cookie backend li_dyn\n'), '\n');
      assert.deepEqual(await cookies(), [`SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT${TAIL}`, `SRV=fixed${TAIL}`].sort());
      assert.equal(await cli(ports.stats, 'enable dynamic-cookie backend li_dyn\n'), '\n');
      assert.deepEqual(await cookies(), [`SRV=${rekeyed}${TAIL}`, `SRV=fixed${TAIL}`].sort());
      assert.match(await cli(ports.stats, 'enable dynamic-cookie backend nosuch\n'), /No such backend\./);
    });

    it('adds the attributes to the removal cookie of a server without a value', async () => {
      const res = await get(ports.plain);
      assert.deepEqual(headerValues(res.headers, 'set-cookie'), ['SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/; SameSite=Lax'], res.head.raw);
    });
  });
}
