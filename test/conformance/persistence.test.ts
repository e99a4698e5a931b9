/**
 * Black-box conformance of persistence: `cookie NAME insert indirect nocache` (the first response
 * sets the cookie, a client carrying it sticks to its server although roundrobin rotates, the
 * server never sees the cookie, unknown values are balanced and re-cookied, a server that is
 * `disabled` or whose process is gone loses its clients to another server with a new cookie),
 * `cookie NAME prefix`, and `stick on src` in tcp and http mode (clients from 127.0.0.1 and
 * 127.0.0.2 land on different servers and each sticks; `expire` forgets them).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/persistence.test.js
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { headerValues, readRequestBody } from '../support/http-wire.ts';
import { namedServer, type TestBackend } from '../support/tcp-backends.ts';

const PORT_NAMES = [
  'cookie', 'cookieRules', 'gone', 'prefix', 'stickHttp', 'stickTcp',
  'a', 'b', 'c', 'goneA', 'goneB', 'prefixA', 'httpP', 'httpQ', 'tcpX', 'tcpY',
] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

const EXPIRE_MS = 1000;

function configFor(p: Ports): string {
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
frontend fe_cookie
    bind 127.0.0.1:${p.cookie}
    default_backend be_cookie

backend be_cookie
    balance roundrobin
    cookie SRV insert indirect nocache
    server a 127.0.0.1:${p.a} cookie ca
    server b 127.0.0.1:${p.b} cookie cb
    server c 127.0.0.1:${p.c} cookie cc
    server d 127.0.0.1:${p.c} cookie cd disabled

frontend fe_cookie_rules
    bind 127.0.0.1:${p.cookieRules}
    http-request set-header Cookie "SRV=cb; app=2" if { path /pin }
    http-request del-header Cookie if { path /forget }
    default_backend be_cookie

frontend fe_gone
    bind 127.0.0.1:${p.gone}
    default_backend be_gone

backend be_gone
    option redispatch
    retries 1
    cookie SRV insert indirect
    server ga 127.0.0.1:${p.goneA} cookie ga
    server gb 127.0.0.1:${p.goneB} cookie gb

frontend fe_prefix
    bind 127.0.0.1:${p.prefix}
    default_backend be_prefix

backend be_prefix
    cookie JSESSIONID prefix
    server pa 127.0.0.1:${p.prefixA} cookie pa

frontend fe_stick_http
    bind 127.0.0.1:${p.stickHttp}
    default_backend be_stick_http

backend be_stick_http
    balance roundrobin
    stick-table type ip size 100 expire ${EXPIRE_MS}ms
    stick on src
    server p 127.0.0.1:${p.httpP}
    server q 127.0.0.1:${p.httpQ}

listen li_stick_tcp
    mode tcp
    bind 127.0.0.1:${p.stickTcp}
    balance roundrobin
    stick-table type ip size 100 expire ${EXPIRE_MS}ms
    stick on src
    server x 127.0.0.1:${p.tcpX}
    server y 127.0.0.1:${p.tcpY}
`;
}

/**
 * A backend that tells who it is (x-backend), what Cookie headers it received (x-cookie, `-`
 * for none), sets `JSESSIONID=app1; path=/` on `/login` and sends an ETag (a validator, which
 * makes the response cacheable) on `/etag`.
 */
function cookieApp(port: number, name: string): Promise<HttpTestBackend> {
  return httpBackend(port, name, async ({ socket, reader, request }) => {
    await readRequestBody(reader, request, { deadline: performance.now() + 10_000 });
    const cookies = headerValues(request.headers, 'cookie');
    const lines = ['HTTP/1.1 200 OK', `x-backend: ${name}`, `x-cookie: ${cookies.length === 0 ? '-' : cookies.join(' | ')}`];
    if (request.target === '/login') lines.push('Set-Cookie: JSESSIONID=app1; path=/');
    if (request.target === '/etag') lines.push('ETag: "v1"');
    lines.push('content-length: 0');
    await writeAsync(socket, `${lines.join('\r\n')}\r\n\r\n`);
    return 'keep';
  });
}

/** One request on a new connection (optionally from another loopback source address). */
async function get(port: number, headers: Record<string, string> = {}, localAddress?: string, target = '/') {
  const conn = await HttpConnection.open(port, localAddress === undefined ? {} : { localAddress });
  try {
    return await conn.request('GET', target, headers);
  } finally {
    conn.destroy();
  }
}

/** Connects from `localAddress`, returns the first line the tcp server wrote before closing. */
function tcpName(port: number, localAddress: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port, localAddress });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${port} within 5 s`));
    }, 5000);
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text.trim());
    });
    socket.on('end', () => socket.end());
  });
}

const COOKIE_OF: Record<string, string> = { a: 'ca', b: 'cb', c: 'cc' };

for (const target of TARGETS) {
  describe(`persistence on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: HttpTestBackend[] = [];
    const tcpBackends: TestBackend[] = [];
    let goneA: HttpTestBackend | undefined;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      for (const [name, port] of [['a', ports.a], ['b', ports.b], ['c', ports.c], ['gb', ports.goneB], ['pa', ports.prefixA], ['p', ports.httpP], ['q', ports.httpQ]] as const) {
        backends.push(await cookieApp(port, name));
      }
      goneA = await cookieApp(ports.goneA, 'ga');
      tcpBackends.push(await namedServer(ports.tcpX, 'x'), await namedServer(ports.tcpY, 'y'));
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all([...backends, ...(goneA ? [goneA] : [])].map((b) => b.close()));
      await Promise.all(tcpBackends.map((b) => b.close()));
    });

    it('cookie insert indirect: the first response sets the cookie; requests carrying it stick, without the server seeing it', async () => {
      const first = await get(ports.cookie);
      const server = first.header('x-backend') as string;
      assert.ok(server in COOKIE_OF, `answered by ${server}`);
      assert.deepEqual(headerValues(first.headers, 'set-cookie'), [`SRV=${COOKIE_OF[server]}; path=/`], first.head.raw);
      assert.equal(first.header('cache-control'), undefined, 'nocache: this response was not cacheable anyway');

      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const res = await get(ports.cookie, { cookie: 'SRV=cb; app=1' });
        seen.add(res.header('x-backend') as string);
        assert.deepEqual(headerValues(res.headers, 'set-cookie'), [], `no new cookie for a client with the right one\n${res.head.raw}`);
        assert.equal(res.header('x-cookie'), 'app=1', 'the server never sees SRV');
      }
      assert.deepEqual([...seen], ['b'], 'six requests, all on b (roundrobin alone would have rotated)');

      const spread = new Set<string>();
      for (let i = 0; i < 3; i++) spread.add((await get(ports.cookie)).header('x-backend') as string);
      assert.equal(spread.size, 3, 'without the cookie, roundrobin rotates over a, b, c');
    });

    it('cookie persistence reads the Cookie headers as the http-request rules left them', async () => {
      for (let i = 0; i < 3; i++) {
        const pinned = await get(ports.cookieRules, {}, undefined, '/pin');
        assert.equal(pinned.header('x-backend'), 'b', 'a cookie set by a rule pins the request');
        assert.equal(pinned.header('x-cookie'), 'app=2', 'and is stripped like a received one (indirect)');
        assert.deepEqual(headerValues(pinned.headers, 'set-cookie'), [], pinned.head.raw);
      }
      const forgotten = await get(ports.cookieRules, { cookie: 'SRV=cb' }, undefined, '/forget');
      const server = forgotten.header('x-backend') as string;
      assert.deepEqual(headerValues(forgotten.headers, 'set-cookie'), [`SRV=${COOKIE_OF[server]}; path=/`], `a cookie a rule removed is not seen: a fresh one\n${forgotten.head.raw}`);
    });

    it('cookie insert: an unknown or garbled value is balanced and gets a fresh cookie', async () => {
      for (const value of ['nosuch', 'cb~x', '', 'c']) {
        const res = await get(ports.cookie, { cookie: `SRV=${value}` });
        const server = res.header('x-backend') as string;
        assert.deepEqual(headerValues(res.headers, 'set-cookie'), [`SRV=${COOKIE_OF[server]}; path=/`], `SRV=${value}\n${res.head.raw}`);
        assert.equal(res.header('x-cookie'), '-', 'insert indirect removes even an invalid persistence cookie');
      }
    });

    it('cookie nocache: Cache-control: private when the response carrying the cookie would be cacheable', async () => {
      const res = await get(ports.cookie, {}, undefined, '/etag');
      assert.equal(headerValues(res.headers, 'set-cookie').length, 1, res.head.raw);
      assert.equal(res.header('cache-control'), 'private', res.head.raw);
    });

    it('cookie for a disabled server: the request is balanced elsewhere and re-cookied', async () => {
      for (let i = 0; i < 3; i++) {
        const res = await get(ports.cookie, { cookie: 'SRV=cd' });
        const server = res.header('x-backend') as string;
        assert.ok(server in COOKIE_OF, server);
        assert.deepEqual(headerValues(res.headers, 'set-cookie'), [`SRV=${COOKIE_OF[server]}; path=/`], res.head.raw);
      }
    });

    it('cookie for a server whose process is gone: option redispatch moves the client and gives it the new cookie', async () => {
      const before = await get(ports.gone, { cookie: 'SRV=ga' });
      assert.equal(before.header('x-backend'), 'ga');
      await goneA?.close();
      goneA = undefined;
      for (let i = 0; i < 2; i++) {
        const res = await get(ports.gone, { cookie: 'SRV=ga' });
        assert.equal(res.status, 200, res.head.raw);
        assert.equal(res.header('x-backend'), 'gb');
        assert.deepEqual(headerValues(res.headers, 'set-cookie'), ['SRV=gb; path=/'], res.head.raw);
      }
    });

    it('cookie prefix: the server cookie is prefixed with VALUE~ and the prefix is stripped on the way in', async () => {
      const login = await get(ports.prefix, {}, undefined, '/login');
      assert.deepEqual(headerValues(login.headers, 'set-cookie'), ['JSESSIONID=pa~app1; path=/'], login.head.raw);
      const next = await get(ports.prefix, { cookie: 'JSESSIONID=pa~app1; other=2' });
      assert.equal(next.header('x-cookie'), 'JSESSIONID=app1; other=2');
      assert.deepEqual(headerValues(next.headers, 'set-cookie'), []);
    });

    it('stick on src (mode http): 127.0.0.1 and 127.0.0.2 land on different servers and each sticks; expire forgets them', async () => {
      const one = (await get(ports.stickHttp, {}, '127.0.0.1')).header('x-backend');
      const two = (await get(ports.stickHttp, {}, '127.0.0.2')).header('x-backend');
      assert.notEqual(one, two, 'the second source is balanced to the other server');
      for (let i = 0; i < 3; i++) {
        assert.equal((await get(ports.stickHttp, {}, '127.0.0.2')).header('x-backend'), two);
        assert.equal((await get(ports.stickHttp, {}, '127.0.0.1')).header('x-backend'), one);
      }
      await delay(EXPIRE_MS + 500);
      // Both entries expired: roundrobin, which made two choices so far, picks the first server's
      // turn again for whichever source comes first — 127.0.0.2 moves to where 127.0.0.1 was.
      assert.equal((await get(ports.stickHttp, {}, '127.0.0.2')).header('x-backend'), one);
      assert.equal((await get(ports.stickHttp, {}, '127.0.0.2')).header('x-backend'), one, 'and sticks there');
    });

    it('stick on src (mode tcp): each source sticks to its server; expire forgets it', async () => {
      const one = await tcpName(ports.stickTcp, '127.0.0.1');
      const two = await tcpName(ports.stickTcp, '127.0.0.2');
      assert.deepEqual([one, two].sort(), ['x', 'y']);
      for (let i = 0; i < 3; i++) {
        assert.equal(await tcpName(ports.stickTcp, '127.0.0.2'), two);
        assert.equal(await tcpName(ports.stickTcp, '127.0.0.1'), one);
      }
      await delay(EXPIRE_MS + 500);
      assert.equal(await tcpName(ports.stickTcp, '127.0.0.2'), one);
      assert.equal(await tcpName(ports.stickTcp, '127.0.0.2'), one);
    });
  });
}
