/**
 * Accept-rate limits: a frontend's `rate-limit sessions N`, the process's `maxsessrate N` and
 * `maxconnrate N`. Past the rate, the proxy stops accepting: the connections wait in the
 * listener's backlog (none is refused) and are let in as the rate allows. A burst of 3N
 * connections therefore takes about two seconds to be answered, where it takes a moment
 * without a limit. The bounds are loose (a loaded machine delays answers, and HAProxy's
 * one-second frequency counter lets a second's worth through at once): at most 2N answers in the
 * first second, the last one a second or more after the first, every one answered.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { cli, statNumbers } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { burstAnswerTimes } from '../support/connection-burst.ts';
import { ProxyProcess } from '../support/proxy-process.ts';
import { nodeVersionOf, onNode, TARGETS } from '../support/runtimes.ts';

/** Node before 22.12 refuses `nbthread` (test/conformance/threads.test.ts checks that). */
function refusesThreads(target: (typeof TARGETS)[number]): boolean {
  if (!onNode(target)) return false;
  const [major, minor] = nodeVersionOf(target as 'node' | 'node-system');
  return major < 22 || (major === 22 && minor < 12);
}

const RATE = 20;
const BURST = 3 * RATE;

/** Opens BURST connections at once, each asking one request; resolves the answers' times (ms after the first answer). */
function burst(port: number): Promise<number[]> {
  return burstAnswerTimes(BURST, () => connect({ host: '127.0.0.1', port }), 'connect', 20_000);
}

function assertLimited(times: readonly number[]): void {
  const firstSecond = times.filter((t) => t < 1000).length;
  assert.ok(firstSecond <= 2 * RATE, `${firstSecond} of ${BURST} answered within the first second at ${RATE}/s: ${times.map(Math.round).join(' ')}`);
  assert.ok((times.at(-1) as number) >= 1000, `the ${BURST} answers came within ${Math.round(times.at(-1) as number)} ms at ${RATE}/s`);
}

function config(port: number, cliPort: number, global: string, frontend: string): string {
  return `
global
    stats socket 127.0.0.1:${cliPort} level admin
${global}
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port}
${frontend}
    http-request return status 200 content-type text/plain string ok
`;
}

for (const target of TARGETS) {
  describe(`accept-rate limits on ${target}`, () => {
    for (const threads of [1, 2]) {
      it(`rate-limit sessions ${RATE} holds the frontend at ${RATE} sessions/s${threads > 1 ? ' across nbthread 2' : ''}, refusing nothing`, { skip: threads > 1 && refusesThreads(target) ? 'nbthread is refused on this Node' : false }, async () => {
        const [port, cliPort] = (await freePorts(2)) as [number, number];
        const proxy = await ProxyProcess.start(target, config(port, cliPort, threads > 1 ? `    nbthread ${threads}` : '', `    rate-limit sessions ${RATE}`));
        try {
          assert.deepEqual(await statNumbers(cliPort, 'fe', 'FRONTEND', ['rate_lim']), [RATE]);
          assertLimited(await burst(port));
        } finally {
          await stopProxy(target, proxy);
        }
      });
    }

    it(`global maxsessrate ${RATE} holds the process at ${RATE} sessions/s; show info reports it and the rates`, async () => {
      const [port, cliPort] = (await freePorts(2)) as [number, number];
      const proxy = await ProxyProcess.start(target, config(port, cliPort, `    maxsessrate ${RATE}`, ''));
      try {
        assertLimited(await burst(port));
        const info = await cli(cliPort, 'show info\n');
        assert.match(info, new RegExp(`^SessRateLimit: ${RATE}$`, 'm'));
        assert.match(info, /^ConnRateLimit: 0$/m);
        const maxSess = Number(/^MaxSessRate: (\d+)$/m.exec(info)?.[1]);
        assert.ok(maxSess >= RATE / 2 && maxSess <= 2 * RATE, `MaxSessRate ${maxSess} at ${RATE}/s`);
      } finally {
        await stopProxy(target, proxy);
      }
    });

    it(`global maxconnrate ${RATE} holds the process at ${RATE} connections/s; set rate-limit changes the limits`, async () => {
      const [port, cliPort] = (await freePorts(2)) as [number, number];
      const proxy = await ProxyProcess.start(target, config(port, cliPort, `    maxconnrate ${RATE}`, ''));
      try {
        assertLimited(await burst(port));
        const info = await cli(cliPort, 'show info\n');
        assert.match(info, new RegExp(`^ConnRateLimit: ${RATE}$`, 'm'));
        const maxConn = Number(/^MaxConnRate: (\d+)$/m.exec(info)?.[1]);
        assert.ok(maxConn >= RATE / 2 && maxConn <= 2 * RATE, `MaxConnRate ${maxConn} at ${RATE}/s`);
        assert.equal(await cli(cliPort, 'set rate-limit connections global 0\n'), '\n');
        assert.equal(await cli(cliPort, 'set rate-limit sessions global 7\n'), '\n');
        const after = await cli(cliPort, 'show info\n');
        assert.match(after, /^ConnRateLimit: 0$/m);
        assert.match(after, /^SessRateLimit: 7$/m);
        // HAProxy's usage text, byte for byte.
        assert.equal(
          await cli(cliPort, 'set rate-limit connections foo 3\n'),
          "'set rate-limit' only supports :\n" +
            "   - 'connections global' to set the per-process maximum connection rate\n" +
            "   - 'sessions global' to set the per-process maximum session rate\n" +
            "   - 'ssl-sessions global' to set the per-process maximum SSL session rate\n" +
            "   - 'http-compression global' to set the per-process maximum compression speed in kB/s\n\n",
        );
      } finally {
        await stopProxy(target, proxy);
      }
    });
  });
}
