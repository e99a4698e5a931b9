/**
 * `disable frontend` / `enable frontend` on the runtime API and SIGTTOU / SIGTTIN (HAProxy's
 * pause_proxy / resume_proxy, sig_pause / sig_listen): the frontend's port refuses connections
 * while paused, and serves again once resumed; `show stat` says PAUSED; HAProxy 2.6.12's
 * messages and warnings; "Proxy NAME stopped" when one is shut down or soft-stopped.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/frontend-pause.test.js
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { cli, statRows } from '../support/cli-client.ts';
import { HttpConnection, destroyAllClients, statusOf } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy } from '../support/http-suite.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

/** Whether the port takes a TCP connection now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until `cond` holds (it fails the test after `timeoutMs`). */
async function until(cond: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() >= deadline) assert.fail(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const served = statusOf;

for (const target of TARGETS) {
  describe(`disable/enable frontend, SIGTTOU/SIGTTIN on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let fe = 0;
    let other = 0;
    let api = 0;

    before(async () => {
      [fe, other, api] = (await freePorts(3)) as [number, number, number];
      proxy = await startProxy(
        target,
        [
          'global',
          `    stats socket 127.0.0.1:${api} level admin`,
          HTTP_DEFAULTS,
          'frontend fe',
          `    bind 127.0.0.1:${fe}`,
          '    http-request return status 200 content-type text/plain string "fe"',
          'frontend other',
          `    bind 127.0.0.1:${other}`,
          '    http-request return status 200 content-type text/plain string "other"',
          '',
        ].join('\n'),
      );
    });

    after(async () => {
      destroyAllClients();
      // The pause and resume lines are warnings: stopped without the reference run's no-warning check.
      await proxy?.stop();
    });

    const status = async (name: string) => (await statRows(api)).find((r) => r['pxname'] === name && r['svname'] === 'FRONTEND')?.['status'];

    it('disable frontend releases the port, enable frontend takes it again', async () => {
      assert.equal(await served(fe), 200);
      // A kept-alive connection accepted before the pause goes on being served.
      const kept = await HttpConnection.open(fe);
      assert.equal((await kept.request('GET', '/')).status, 200);
      assert.equal(await cli(api, 'disable frontend fe\n'), '\n');
      await until(async () => !(await accepts(fe)), 'fe refuses connections');
      assert.equal(await status('fe'), 'PAUSED');
      assert.equal(await served(other), 200, 'the other frontend is not paused');
      assert.equal((await kept.request('GET', '/')).status, 200);
      kept.destroy();
      assert.equal(await cli(api, 'disable frontend fe\n'), 'All sockets are already disabled.\n\n');
      assert.equal(await cli(api, 'enable frontend fe\n'), '\n');
      assert.equal(await served(fe), 200);
      assert.equal(await status('fe'), 'OPEN');
      assert.equal(await cli(api, 'enable frontend fe\n'), 'All sockets are already enabled.\n\n');
      assert.equal(await cli(api, 'disable frontend nope\n'), 'No such frontend.\n\n');
      assert.equal(await cli(api, 'enable frontend\n'), 'A frontend name is expected.\n\n');
      const running = proxy as ProxyProcess;
      assert.match(running.stderr, /\[WARNING\]\s+\(\d+\) : Paused frontend fe\.\n/);
      assert.match(running.stderr, /\[WARNING\]\s+\(\d+\) : Resumed frontend fe\.\n/);
    });

    it('SIGTTOU pauses every listener (the CLI too), SIGTTIN resumes them', async () => {
      const running = proxy as ProxyProcess;
      process.kill(running.pid, 'SIGTTOU');
      await until(async () => !(await accepts(fe)) && !(await accepts(other)) && !(await accepts(api)), 'every port refuses connections');
      process.kill(running.pid, 'SIGTTIN');
      await until(async () => (await accepts(fe)) && (await accepts(other)) && (await accepts(api)), 'every port accepts again');
      assert.equal(await status('other'), 'OPEN');
      assert.equal(await served(other), 200);
      assert.equal(running.child.exitCode, null, 'neither signal stops the process');
    });

    it('shutdown frontend, then a soft stop: "Proxy NAME stopped (cumulated conns: ...)." for each', async () => {
      const running = proxy as ProxyProcess;
      assert.equal(await cli(api, 'shutdown frontend other\n'), '\n');
      await until(async () => /\[WARNING\]\s+\(\d+\) : Proxy other stopped \(cumulated conns: FE: \d+, BE: 0\)\.\n/.test(running.stderr), 'the shutdown line');
      running.child.kill('SIGUSR1');
      await until(async () => /\[WARNING\]\s+\(\d+\) : Proxy fe stopped \(cumulated conns: FE: \d+, BE: 0\)\.\n/.test(running.stderr), 'the soft stop line');
      assert.equal((running.stderr.match(/Proxy other stopped/g) ?? []).length, 1, 'a stopped frontend is not named again');
    });
  });
}
