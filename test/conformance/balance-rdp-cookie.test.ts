/**
 * Black-box conformance of `balance rdp-cookie[(NAME)]` (HAProxy's get_server_rch): a crafted
 * RDP X.224 connection request carrying `Cookie: mstshash=USER` is let in by `tcp-request
 * content accept if { req.rdp_cookie_cnt gt 0 }`, and the user name's hash (map-based sdbm)
 * picks the server: the same user always reaches the same server, and each name reaches the
 * server HAProxy 2.6.12 chose for it (recorded from the real binary). `show stat` reports the
 * algorithm as `rdp-cookie`. `persist rdp-cookie`: the `msts` cookie naming a server's
 * address and port sends the connection there whatever roundrobin would do.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/balance-rdp-cookie.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { statRows } from '../support/cli-client.ts';
import { holdingServer, type TestBackend } from '../support/tcp-backends.ts';
import { firstLineAfter } from '../support/tcp-client.ts';

const PORT_NAMES = ['stats', 'rdp', 'named', 'persist', 'x', 'y', 'z'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    stats socket ipv4@127.0.0.1:${p.stats} level admin
${HTTP_DEFAULTS}
listen li_rdp
    mode tcp
    bind 127.0.0.1:${p.rdp}
    balance rdp-cookie
    tcp-request inspect-delay 10s
    tcp-request content accept if { req.rdp_cookie_cnt gt 0 }
    server x 127.0.0.1:${p.x}
    server y 127.0.0.1:${p.y}
    server z 127.0.0.1:${p.z}

listen li_named
    mode tcp
    bind 127.0.0.1:${p.named}
    balance rdp-cookie(user)
    tcp-request inspect-delay 10s
    tcp-request content accept if { req.rdp_cookie_cnt(user) gt 0 }
    server x 127.0.0.1:${p.x}
    server y 127.0.0.1:${p.y}
    server z 127.0.0.1:${p.z}

listen li_persist
    mode tcp
    bind 127.0.0.1:${p.persist}
    balance roundrobin
    persist rdp-cookie
    tcp-request inspect-delay 10s
    tcp-request content accept if { req.rdp_cookie_cnt gt 0 }
    server x 127.0.0.1:${p.x}
    server y 127.0.0.1:${p.y}
    server z 127.0.0.1:${p.z}
`;
}

/**
 * Microsoft's `msts` load-balancing cookie for 127.0.0.1:PORT: the address's bytes and the
 * port's network-order bytes read as little-endian integers, as HAProxy compares them.
 */
function mstsFor(port: number): string {
  const addr = Buffer.from([127, 0, 0, 1]).readUInt32LE(0);
  const netPort = ((port & 0xff) << 8) | (port >>> 8);
  return `${addr}.${netPort}.0000`;
}

/** A TPKT + X.224 connection request whose user data is `Cookie: NAME=VALUE\r\n`. */
function rdpRequest(name: string, value: string): Buffer {
  const cookie = Buffer.from(`Cookie: ${name}=${value}\r\n`, 'latin1');
  const x224 = Buffer.concat([Buffer.from([6 + cookie.length, 0xe0, 0, 0, 0, 0, 0]), cookie]);
  const length = 4 + x224.length;
  return Buffer.concat([Buffer.from([3, 0, length >> 8, length & 0xff]), x224]);
}

/** Sends `bytes`, returns the first line the server wrote, then closes. */
function ask(port: number, bytes: Buffer): Promise<string> {
  return firstLineAfter(port, bytes);
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
/** The server HAProxy 2.6.12 picks for each user (map-based sdbm over x, y, z of weight 1). */
const EXPECTED: Record<string, string> = { alice: 'z', bob: 'z', carol: 'y', dave: 'x', erin: 'z', frank: 'z', grace: 'z', heidi: 'x' };

for (const target of TARGETS) {
  describe(`balance rdp-cookie on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const backends: TestBackend[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      backends.push(await holdingServer(ports.x, 'x'), await holdingServer(ports.y, 'y'), await holdingServer(ports.z, 'z'));
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await Promise.all(backends.map((b) => b.close()));
    });

    it('hashes the mstshash cookie: each user sticks to the server HAProxy picks for it', async () => {
      const seen: Record<string, string> = {};
      for (const user of USERS) seen[user] = await ask(ports.rdp, rdpRequest('mstshash', user));
      assert.deepEqual(seen, EXPECTED);
      for (const user of USERS.slice(0, 3)) {
        for (let i = 0; i < 2; i++) assert.equal(await ask(ports.rdp, rdpRequest('mstshash', user)), seen[user], `${user} again`);
      }
    });

    it('rdp-cookie(NAME) hashes that cookie instead', async () => {
      const seen: Record<string, string> = {};
      for (const user of USERS) seen[user] = await ask(ports.named, rdpRequest('user', user));
      assert.deepEqual(seen, EXPECTED);
    });

    it('persist rdp-cookie: the msts cookie naming a server address and port takes the session there', async () => {
      for (let i = 0; i < 4; i++) assert.equal(await ask(ports.persist, rdpRequest('msts', mstsFor(ports.y))), 'y', `connection ${i}`);
      const spread = new Set<string>();
      for (let i = 0; i < 3; i++) spread.add(await ask(ports.persist, rdpRequest('msts', mstsFor(1))));
      assert.equal(spread.size, 3, 'a cookie naming no server leaves roundrobin to rotate');
    });

    it("show stat names the algorithm 'rdp-cookie'", async () => {
      const rows = await statRows(ports.stats);
      const row = rows.find((r) => r['pxname'] === 'li_rdp' && r['svname'] === 'BACKEND');
      assert.equal(row?.['algo'], 'rdp-cookie');
    });
  });
}
