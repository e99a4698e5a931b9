/**
 * `set server B/S agent up|down`, `agent-port`, `agent-addr`, `agent-send` on a server with an
 * agent check: the agent's next runs go to the new address, and `agent down|up` changes the
 * server's state at once, "changed from CLI", as HAProxy 2.6.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/runtime-agent-commands.test.js
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { cli, statRows } from '../support/cli-client.ts';
import { TARGETS, startProxy } from '../support/http-suite.ts';
import { agentServer } from '../support/agent-server.ts';

const HOST = '127.0.0.1';

const agent = (port: number, reply: string): Promise<Server> => agentServer(port, reply, HOST);

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!(await cond())) {
    if (performance.now() >= deadline) assert.fail(`not within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const target of TARGETS) {
  describe(`set server agent commands on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let agents: Server[] = [];
    let api = 0;
    let up = 0;
    let down = 0;

    before(async () => {
      const [fe, app, cliPort, upPort, downPort] = (await freePorts(5)) as [number, number, number, number, number];
      [api, up, down] = [cliPort, upPort, downPort];
      agents = [await agent(up, 'up 100%\n'), await agent(down, 'down\n')];
      proxy = await startProxy(
        target,
        `global\n    stats socket ${HOST}:${api} level admin\ndefaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind ${HOST}:${fe}\n    default_backend be\nbackend be\n    server s1 ${HOST}:${app} agent-check agent-port ${up} agent-inter 100ms agent-send "hi\\n"\n`,
      );
    });

    after(async () => {
      await proxy?.stop();
      for (const a of agents) a.close();
    });

    const status = async () => (await statRows(api)).find((r) => r['pxname'] === 'be' && r['svname'] === 's1')?.['status'] ?? '';

    it('agent-port and agent-addr move the agent; agent down|up set the state', async () => {
      // Without a health check the server shows "no check" while it is up.
      const isUp = (s: string): boolean => s === 'no check' || s.startsWith('UP');
      await until(async () => isUp(await status()), 'up from the first agent');
      assert.equal(await cli(api, `set server be/s1 agent-port ${down}\n`), '\n');
      await until(async () => (await status()).startsWith('DOWN'), 'DOWN from the second agent');
      assert.equal(await cli(api, `set server be/s1 agent-addr ${HOST} port ${up}\n`), '\n');
      await until(async () => isUp(await status()), 'up again from the first agent');
      assert.equal(await cli(api, 'set server be/s1 agent-port 70000\n'), 'provided port is invalid\n');
      assert.equal(await cli(api, 'set server be/s1 agent sideways\n'), "'set server <srv> agent' expects 'up' or 'down'.\n\n");
      assert.equal(await cli(api, 'set server be/s1 agent-send hello\n'), '\n');
      const running = proxy as ProxyProcess;
      // `agent down` acts at once; the agent's next reply brings the server back.
      assert.equal(await cli(api, 'set server be/s1 agent down\n'), '\n');
      await until(async () => /Server be\/s1 is DOWN, changed from CLI\./.test(running.stderr), 'the DOWN line');
    });
  });
}
