/**
 * `hash-balance-factor` (bounded-load consistent hashing): every connection of one client hashes
 * to one server (`balance source`, `hash-type consistent`); with the factor the ring spills
 * them over to the next servers once that one holds its share of 150 % of the average.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/hash-balance-factor.test.js
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { holdingServer, type TestBackend } from '../support/tcp-backends.ts';
import { dial } from '../support/tcp-client.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

const SERVERS = 4;
const CLIENTS = 8;

for (const target of TARGETS) {
  describe(`hash-balance-factor on ${target}`, () => {
    const backends: TestBackend[] = [];
    let ports: number[] = [];

    before(async () => {
      ports = await freePorts(SERVERS + 2);
      for (let i = 0; i < SERVERS; i++) backends.push(await holdingServer(ports[i] as number, `s${i + 1}`));
    });

    after(async () => {
      await Promise.all(backends.map((b) => b.close()));
    });

    /** How many of CLIENTS concurrent connections each server holds. */
    async function spread(factorLine: string, port: number): Promise<number[]> {
      const servers = backends.map((b, i) => `    server s${i + 1} 127.0.0.1:${b.port}`).join('\n');
      let proxy: ProxyProcess | undefined;
      const sockets: Socket[] = [];
      try {
        proxy = await startProxy(
          target,
          `${HTTP_DEFAULTS}\n    mode tcp\nlisten li\n    bind 127.0.0.1:${port}\n    balance source\n    hash-type consistent\n${factorLine}${servers}\n`,
        );
        for (let i = 0; i < CLIENTS; i++) {
          const socket = await dial(port);
          socket.on('error', () => {});
          let got = '';
          socket.on('data', (d: Buffer) => (got += d.toString()));
          sockets.push(socket);
          // One at a time: each choice sees the sessions already placed.
          assert.ok(await eventually(() => got.endsWith('\n'), 5_000), `connection ${i} got no answer`);
        }
        return backends.map((b) => b.open.size);
      } finally {
        for (const s of sockets) s.destroy();
        await stopProxy(target, proxy);
        await eventually(() => backends.every((b) => b.open.size === 0), 5_000);
      }
    }

    it('without it, one client address goes to one server', async () => {
      const counts = await spread('', ports[SERVERS] as number);
      assert.deepEqual([...counts].sort((a, b) => b - a), [CLIENTS, 0, 0, 0], String(counts));
    });

    it('with 150, no server holds more than its share: ceil((n+1) x 1.5 / 4) when it was chosen', async () => {
      const counts = await spread('    hash-balance-factor 150\n', ports[SERVERS + 1] as number);
      // The 8th connection sees 7 served: ceil(8 x 1.5) = 12 slots, 3 per server.
      assert.ok(Math.max(...counts) <= 3, String(counts));
      assert.equal(counts.reduce((a, b) => a + b, 0), CLIENTS);
    });
  });
}
