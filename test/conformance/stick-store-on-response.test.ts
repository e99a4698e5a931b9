/**
 * Black-box conformance of when `stick on` stores: HAProxy records the server once its response
 * head is in (AN_RES_STORE_RULES runs after AN_RES_WAIT_HTTP), not when the connection is
 * established; in TCP mode, after the tcp-response content rules (AN_RES_INSPECT) decided.
 *
 * - while the server holds its response, `show table` has no entry for the key; the entry
 *   (`srvkey addr`: the server's IP:PORT) appears with the response;
 * - a server written without address nor port (`0.0.0.0`, mapped ports, as VTest's unset
 *   `${sN_addr}:${sN_port}` macros make it) dials the frontend's own address: the request comes
 *   back to the same backend, which must not find its own entry yet (a store at connect made it
 *   loop for ever, reg-test stickiness/srvkey-addr); round robin sends it on to the real
 *   server, and the outer request then stores `0.0.0.0:+0`, as HAProxy does;
 * - tcp mode with `tcp-response inspect-delay`: no entry until the server's first bytes let
 *   `tcp-response content accept` decide.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/stick-store-on-response.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { appBackend, httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';
import { tcpServer, type TestBackend } from '../support/tcp-backends.ts';
import { dial, readAll } from '../support/tcp-client.ts';

const PORT_NAMES = ['stats', 'held', 'loop', 'slow', 'real', 'tcp', 'banner'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 100
    stats socket ipv4@127.0.0.1:${p.stats} level admin
${HTTP_DEFAULTS}
frontend fe_held
    bind 127.0.0.1:${p.held}
    default_backend be_held

backend be_held
    stick-table type string size 100 srvkey addr
    stick on urlp(client)
    server slow 127.0.0.1:${p.slow}

frontend fe_loop
    bind 127.0.0.1:${p.loop}
    maxconn 10
    default_backend be_loop

backend be_loop
    balance roundrobin
    stick-table type string size 100 srvkey addr
    stick on urlp(client)
    server self 0.0.0.0
    server real 127.0.0.1:${p.real}

listen li_tcp
    mode tcp
    bind 127.0.0.1:${p.tcp}
    tcp-response inspect-delay 10s
    tcp-response content accept if { res.len gt 0 }
    stick-table type ip size 100
    stick on src
    server banner 127.0.0.1:${p.banner}
`;
}

/** The lines of `show table NAME` that hold an entry. */
async function entries(stats: number, table: string): Promise<string[]> {
  const out = await cli(stats, `show table ${table}\n`);
  return out.split('\n').filter((line) => line.includes(' key='));
}

/** An entry without its address: `key=K use=U exp=E server_id=I server_key=S`. */
function withoutPointer(line: string): string {
  return line.replace(/^0x[0-9a-f]+: /, '');
}

for (const target of TARGETS) {
  describe(`stick on stores with the response on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: HttpTestBackend[] = [];
    const releases: Array<() => void> = [];
    const bannerReleases: Array<() => void> = [];
    let banner: TestBackend | undefined;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      // Answers once the test releases it.
      backends.push(
        await httpBackend(ports.slow, 'slow', async ({ socket }) => {
          await new Promise<void>((release) => releases.push(release));
          await writeAsync(socket, 'HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nslow');
          return 'keep';
        }),
      );
      backends.push(await appBackend(ports.real, 'real'));
      // Writes its banner once the test releases it.
      banner = await tcpServer(ports.banner, (socket) => {
        bannerReleases.push(() => socket.end('banner\n'));
        socket.resume();
      });
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      for (const release of releases.splice(0)) release();
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
      await banner?.close();
    });

    it('no entry while the server holds its response; the entry comes with the response', async () => {
      const slow = backends[0] as HttpTestBackend;
      const conn = await HttpConnection.open(ports.held);
      const pending = conn.request('GET', '/?client=c1');
      assert.ok(await slow.waitForRequests(1, 10_000), 'the server gets the request');
      assert.deepEqual(await entries(ports.stats, 'be_held'), [], 'nothing stored before the response');
      for (const release of releases.splice(0)) release();
      const res = await pending;
      assert.equal(res.status, 200);
      assert.equal(res.text, 'slow');
      let lines: string[] = [];
      assert.ok(
        await eventuallyAsync(async () => (lines = await entries(ports.stats, 'be_held')).length === 1, 10_000),
        `one entry after the response, got ${JSON.stringify(lines)}`,
      );
      assert.equal(withoutPointer(lines[0] as string), `key=c1 use=0 exp=0 server_id=1 server_key=127.0.0.1:${ports.slow}`);
      conn.destroy();
    });

    it('a request that loops back to its own frontend does not find its own entry', async () => {
      const real = backends[1] as HttpTestBackend;
      const conn = await HttpConnection.open(ports.loop);
      const res = await conn.request('GET', '/?client=c2');
      assert.equal(res.status, 200, 'the looped request reaches the real server');
      assert.equal(real.requests, 1);
      let lines: string[] = [];
      assert.ok(
        await eventuallyAsync(async () => (lines = await entries(ports.stats, 'be_loop')).length === 1, 10_000),
        `one entry, got ${JSON.stringify(lines)}`,
      );
      // The outer request went to `self` and stored last, over the inner one's `real`.
      assert.equal(withoutPointer(lines[0] as string), 'key=c2 use=0 exp=0 server_id=1 server_key=0.0.0.0:+0');
      conn.destroy();
    });

    it('tcp mode: no entry until the tcp-response content rules accepted the response', async () => {
      const socket = await dial(ports.tcp);
      const read = readAll(socket);
      assert.ok(await eventuallyAsync(async () => bannerReleases.length === 1, 10_000), 'the server gets the connection');
      assert.deepEqual(await entries(ports.stats, 'li_tcp'), [], 'nothing stored while the response is inspected');
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
      for (const release of bannerReleases.splice(0)) release();
      // Our FIN only once the banner is in: HAProxy may close before relaying it otherwise.
      assert.ok(await eventuallyAsync(async () => received === 'banner\n', 10_000), `banner relayed, got ${JSON.stringify(received)}`);
      socket.end();
      assert.equal((await read).toString(), 'banner\n');
      let lines: string[] = [];
      assert.ok(
        await eventuallyAsync(async () => (lines = await entries(ports.stats, 'li_tcp')).length === 1, 10_000),
        `one entry after the response, got ${JSON.stringify(lines)}`,
      );
      assert.equal(withoutPointer(lines[0] as string), 'key=127.0.0.1 use=0 exp=0 server_id=1 server_key=banner');
    });
  });
}

/** eventually() for an asynchronous condition (each probe is one CLI round trip). */
async function eventuallyAsync(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
