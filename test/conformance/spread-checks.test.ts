/**
 * `spread-checks` / `max-spread-checks` through the real proxy: HAProxy's start_checks spreads
 * the first checks of N servers over the smallest interval (here 30 s: the last would start
 * 20 s in); `max-spread-checks 300ms` caps that spread, so every server is checked at once.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/spread-checks.test.js
 */
import assert from 'node:assert/strict';
import { tcpServer } from '../support/tcp-backends.ts';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['front', 's1', 's2', 's3'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    spread-checks 5
    max-spread-checks 300ms

defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s

listen checked
    bind 127.0.0.1:${p.front}
    # The check reads the server's line: HAProxy's plain connect check resets before the server sees it.
    option tcp-check
    tcp-check expect string ready
    server s1 127.0.0.1:${p.s1} check inter 30s
    server s2 127.0.0.1:${p.s2} check inter 30s
    server s3 127.0.0.1:${p.s3} check inter 30s
`;
}

/** Counts the connections it gets, answering each with a line. */
function countingServer(port: number, counts: Map<number, number>): Promise<{ close(): Promise<void> }> {
  return tcpServer(
    port,
    (socket) => {
      counts.set(port, (counts.get(port) ?? 0) + 1);
      socket.end('ready\n');
    },
    { allowHalfOpen: false },
  );
}

for (const target of TARGETS) {
  describe(`spread-checks and max-spread-checks on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    const counts = new Map<number, number>();
    const servers: { close(): Promise<void> }[] = [];

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      for (const port of [p.s1, p.s2, p.s3]) servers.push(await countingServer(port, counts));
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await Promise.all(servers.map((s) => s.close()));
    });

    it('the first checks of every server start within max-spread-checks, not over the 30 s interval', async () => {
      const all = await eventually(() => [p.s1, p.s2, p.s3].every((port) => (counts.get(port) ?? 0) >= 1), 6000);
      assert.ok(all, `checked: ${[p.s1, p.s2, p.s3].map((port) => counts.get(port) ?? 0).join(',')}`);
    });
  });
}
