/**
 * `source` through the real proxy: connections to servers, and their health checks, leave from
 * the configured local address (127.0.0.2 etc.: any 127/8 address is local on Linux), and a
 * server's port range gives each connection a port of the range. The servers report the
 * address they see.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/source-address.test.js
 */
import assert from 'node:assert/strict';
import { tcpServer } from '../support/tcp-backends.ts';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { fetchLine } from '../support/tcp-client.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['backendSource', 'serverSource', 'rangeSource', 'checked', 'peer', 'range'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s

listen backend_source
    bind 127.0.0.1:${p.backendSource}
    source 127.0.0.2
    server s 127.0.0.1:${p.peer}

listen server_source
    bind 127.0.0.1:${p.serverSource}
    source 127.0.0.2
    server s 127.0.0.1:${p.peer} source 127.0.0.3

listen range_source
    bind 127.0.0.1:${p.rangeSource}
    server s 127.0.0.1:${p.peer} source 127.0.0.4:${p.range}-${p.range + 2}

listen checked
    bind 127.0.0.1:${p.checked}
    source 127.0.0.5
    # The check reads the peer's line: HAProxy's plain connect check resets at once, before the peer can see it.
    option tcp-check
    tcp-check expect rstring ^127
    server s 127.0.0.1:${p.peer} check inter 200ms
`;
}

/** Writes the address and port it sees, then closes (so the TIME_WAIT stays on its side). */
function peerServer(port: number, seen: string[]): Promise<{ close(): Promise<void> }> {
  return tcpServer(
    port,
    (socket) => {
      seen.push(`${socket.remoteAddress}:${socket.remotePort}`);
      socket.end(`${socket.remoteAddress} ${socket.remotePort}\n`);
    },
    { allowHalfOpen: false },
  );
}

async function seenAddress(port: number): Promise<[string, number]> {
  const line = (await fetchLine(port)).trim();
  const [address, remotePort] = line.split(' ');
  return [address ?? '', Number(remotePort)];
}

for (const target of TARGETS) {
  describe(`source on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let peer: { close(): Promise<void> } | undefined;
    const seen: string[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      peer = await peerServer(p.peer, seen);
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await peer?.close();
    });

    it("a backend's source is the address its server connections leave from", async () => {
      const [address] = await seenAddress(p.backendSource);
      assert.equal(address, '127.0.0.2');
    });

    it("a server's source wins over its backend's", async () => {
      const [address] = await seenAddress(p.serverSource);
      assert.equal(address, '127.0.0.3');
    });

    it("a server's port range gives each connection a port of the range", async () => {
      const ports: number[] = [];
      for (let i = 0; i < 3; i++) {
        const [address, port] = await seenAddress(p.rangeSource);
        assert.equal(address, '127.0.0.4');
        ports.push(port);
      }
      for (const port of ports) assert.ok(port >= p.range && port <= p.range + 2, `port ${port} in ${p.range}-${p.range + 2}`);
      // Ports are handed out in turn (a port some other socket holds is skipped, so not strictly one each).
      assert.ok(new Set(ports).size > 1, `ports in turn: ${ports.join(',')}`);
    });

    it('health checks leave from the source address too', async () => {
      assert.ok(await eventually(() => seen.some((s) => s.startsWith('127.0.0.5:')), 10_000), seen.join(' '));
    });
  });
}
