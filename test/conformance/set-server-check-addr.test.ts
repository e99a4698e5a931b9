/**
 * `set server B/S check-port P` and `check-addr A [port P]` (HAProxy 2.6's
 * srv_update_check_addr_port): the health check probes the new port and address at once (a
 * server DOWN because nothing listens comes UP when pointed at a listener), `show servers
 * state` prints them (srv_check_port, srv_check_addr; the agent's columns too), and refusals
 * are warnings that change nothing. With `nbthread 2`: the command is replayed in every
 * thread, the check (main thread) follows it (one thread on a Node that refuses threads).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/set-server-check-addr.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { tcpServer, type TestBackend } from '../support/tcp-backends.ts';
import { refusesThreads } from '../support/runtimes.ts';
import { cli, serverStateFields, statRows } from '../support/cli-client.ts';
import { TARGETS, startProxy } from '../support/http-suite.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';

const HOST = '127.0.0.1';

for (const target of TARGETS) {
  describe(`set server check-addr / check-port on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let listener: TestBackend | undefined;
    let api = 0;
    let open = 0;
    let closed = 0;

    before(async () => {
      const [fe, port, openPort, closedPort] = (await freePorts(4)) as [number, number, number, number];
      [api, open, closed] = [port, openPort, closedPort];
      listener = await tcpServer(open, (socket) => socket.destroy());
      proxy = await startProxy(
        target,
        [
          'global',
          `    nbthread ${refusesThreads(target) ? 1 : 2}`,
          `    stats socket ${HOST}:${api} level admin`,
          'defaults',
          '    mode tcp',
          '    timeout connect 1s',
          '    timeout client 5s',
          '    timeout server 5s',
          'backend be',
          `    server s1 ${HOST}:${closed} check inter 100ms`,
          `    server s2 ${HOST}:${closed}`,
          `    server s3 ${HOST}:${closed} check inter 1s port ${open} addr 127.0.0.1`,
          `    server s4 ${HOST} check inter 1s port ${open}`,
          `    server s5 ${HOST}:${closed} agent-check agent-port ${closed} agent-inter 1s`,
          'frontend fe',
          `    bind ${HOST}:${fe}`,
          '    default_backend be',
          '',
        ].join('\n'),
      );
    });

    after(async () => {
      await proxy?.stop();
      await listener?.close();
    });

    const status = async (): Promise<string> => (await statRows(api)).find((r) => r['pxname'] === 'be' && r['svname'] === 's1')?.['status'] ?? '';
    const until = async (want: string): Promise<void> => {
      const deadline = performance.now() + 10_000;
      while (!(await status()).startsWith(want)) {
        if (performance.now() > deadline) assert.fail(`s1 not ${want}: ${await status()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    /** srv_check_port and srv_check_addr of B/S. */
    const checkTarget = async (server: string): Promise<string[]> => (await serverStateFields(api, 'be', server)).slice(21, 23);

    it('the check follows check-port and check-addr', async () => {
      await until('DOWN');
      assert.deepEqual(await checkTarget('s1'), ['0', '-']);
      assert.deepEqual(await checkTarget('s3'), [String(open), '127.0.0.1']);
      assert.equal(await cli(api, `set server be/s1 check-port ${open}\n`), '\n');
      await until('UP');
      assert.deepEqual(await checkTarget('s1'), [String(open), '-']);
      assert.equal(await cli(api, `set server be/s1 check-addr ${HOST} port ${closed}\n`), '\n');
      await until('DOWN');
      assert.deepEqual(await checkTarget('s1'), [String(closed), HOST]);
      // The unspecified address is no address of the check's own: the server's is probed.
      assert.equal(await cli(api, `set server be/s1 check-addr * port ${open}\n`), '\n');
      await until('UP');
      assert.deepEqual(await checkTarget('s1'), [String(open), '0.0.0.0']);
      assert.equal(await cli(api, 'set server be/s1 check-addr [::1]\n'), '\n');
      assert.deepEqual(await checkTarget('s1'), [String(open), '::1']);
    });

    it("answers each refusal with HAProxy's text, and changes nothing then", async () => {
      const steps: [string, string][] = [
        ['set server be/s1 check-addr', 'set server <b>/<s> check-addr requires an address and optionally a port.\n\n'],
        ['set server be/s1 check-port', 'set server <b>/<s> check-port requires a port.\n\n'],
        ['set server be/s2 check-port 80', 'health checks are not enabled on this server\n'],
        ['set server be/s2 check-addr 127.0.0.1', 'health checks are not enabled on this server\n'],
        ['set server be/s1 check-port 65536', 'provided port is invalid\n'],
        ['set server be/s1 check-port -1', 'provided port is invalid\n'],
        ['set server be/s1 check-port x', 'provided port is not an integer\n'],
        ['set server be/s1 check-port +80', 'provided port is not an integer\n'],
        ['set server be/s1 check-port 12x', 'provided port is not an integer\n'],
        ['set server be/s1 check-port 2147483648', 'provided port is not an integer\n'],
        ['set server be/s1 check-addr localhost', "invalid addr 'localhost'\n"],
        ['set server be/s1 check-addr 1.2.3', "invalid addr '1.2.3'\n"],
        ['set server be/s1 check-addr 127.0.0.01', "invalid addr '127.0.0.01'\n"],
        ['set server be/s1 check-addr 1.2.3.4:80', "invalid addr '1.2.3.4:80'\n"],
        ['set server be/s1 check-addr 127.0.0.2 port 99999', 'provided port is invalid\n'],
        ['set server be/s1 check-addr 127.0.0.2 port', 'provided port is not an integer\n'],
        // A server without a port (port mapping) needs the check's.
        ['set server be/s4 check-port 0', "can't unset 'port' since MAPPORTS is in use\n"],
      ];
      for (const [command, answer] of steps) assert.equal(await cli(api, `${command}\n`), answer, command);
      assert.deepEqual(await checkTarget('s1'), [String(open), '::1']);
      assert.deepEqual(await checkTarget('s4'), [String(open), '-']);
      // A stopped check is not an enabled one.
      assert.equal(await cli(api, 'disable health be/s1\n'), '\n');
      assert.equal(await cli(api, 'set server be/s1 check-port 81\n'), 'health checks are not enabled on this server\n');
      assert.equal(await cli(api, 'enable health be/s1\n'), '\n');
      assert.equal(await cli(api, 'set server be/s1 check-port 0\n'), '\n');
      assert.deepEqual(await checkTarget('s1'), ['0', '::1']);
    });

    it("prints the agent's state, address and port as HAProxy (`port` and `addr` are the agent's too)", async () => {
      /** srv_agent_state, srv_agent_addr, srv_agent_port of B/S. */
      const agentOf = async (server: string): Promise<string[]> => {
        const fields = await serverStateFields(api, 'be', server);
        return [fields[14] ?? '', fields[23] ?? '', fields[24] ?? ''];
      };
      assert.deepEqual(await agentOf('s2'), ['0', '-', '0']);
      assert.deepEqual(await agentOf('s3'), ['0', '127.0.0.1', String(open)]);
      assert.deepEqual(await agentOf('s4'), ['0', '-', String(open)]);
      assert.deepEqual(await agentOf('s5'), ['22', '-', String(closed)]);
      assert.equal(await cli(api, 'disable agent be/s5\n'), '\n');
      assert.deepEqual(await agentOf('s5'), ['18', '-', String(closed)]);
      assert.equal(await cli(api, 'enable agent be/s5\n'), '\n');
      assert.equal(await cli(api, 'set server be/s5 agent-addr 127.0.0.9 port 4242\n'), '\n');
      assert.deepEqual(await agentOf('s5'), ['22', '127.0.0.9', '4242']);
    });
  });
}
