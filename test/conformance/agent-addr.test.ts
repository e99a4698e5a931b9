/**
 * `agent-addr` as HAProxy 2.6's srv_parse_agent_addr reads it (str2ip, which resolves): an IP
 * address, an IPv6 one in brackets, or a host name, resolved by the system resolver once the
 * configuration is read; the agent is then dialled there. A name that does not resolve, or
 * text that is no host name (`127.0.0.1:80`), refuses the configuration (with `-c` too) with
 * HAProxy's parse error: `[FILE:LINE] : 'server B/S' : parsing agent-addr failed. Check if 'X'
 * is correct address..`, then "Error(s) found in configuration file : FILE".
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/agent-addr.test.js
 */
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import type { Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HTTP_DEFAULTS, TARGETS } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess, runCli, writeTempConfig } from '../support/proxy-process.ts';
import { agentServer } from '../support/agent-server.ts';
import { cli, cliReady, serverStateFields } from '../support/cli-client.ts';

/** An agent-checked server. */
const AGENT_CHECK = 'agent-check agent-inter 100ms agent-send "hello\\n"';

/** `head` (global), the defaults, `frontend f` on `fe`, then `backend b` with one server (`agent` its agent options) at `agentAddr`: the last line. */
function configWith(agentAddr: string, agentPort: number, fe: number, head = '', agent = AGENT_CHECK): string {
  return `${head}${HTTP_DEFAULTS.trim()}

frontend f
    bind 127.0.0.1:${fe}
    default_backend b

backend b
    server s1 127.0.0.1:${agentPort} ${agent} agent-port ${agentPort} agent-addr ${agentAddr}
`;
}

/** The server line: the last line of configWith's text. */
function serverLine(text: string): number {
  return text.trimEnd().split('\n').length;
}

for (const target of TARGETS) {
  describe(`agent-addr host names on ${target}`, () => {
    let dir: string;
    let agentPort: number;
    let fe: number;
    let agent: Server;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-agentaddr-'));
      [agentPort, fe] = (await freePorts(2)) as [number, number];
      agent = await agentServer(agentPort, 'drain\n');
    });

    after(async () => {
      await new Promise((r) => agent.close(r));
      rmSync(dir, { recursive: true, force: true });
    });

    for (const value of ['localhost', '[::1]', '::1', '127.0.0.1']) {
      it(`-c accepts agent-addr ${value}`, async () => {
        const cfg = writeTempConfig(configWith(value, agentPort, fe));
        try {
          const result = await runCli(target, ['-c', '-f', cfg.path]);
          assert.equal(result.code, 0, result.stderr);
          assert.equal(result.stdout, 'Configuration file is valid\n');
        } finally {
          cfg.cleanup();
        }
      });
    }

    for (const [value, agent] of [
      ['no-such-host.invalid', AGENT_CHECK],
      ['127.0.0.1:80', AGENT_CHECK],
      ['bad/name', AGENT_CHECK],
      ['no-such-host.invalid', ''],
      ['bad/name', ''],
    ] as const) {
      it(`agent-addr ${value}${agent === '' ? ' without agent-check' : ''} is refused, by -c and at startup, with HAProxy's parse error`, async () => {
        const text = configWith(value, agentPort, fe, '', agent);
        const cfg = writeTempConfig(text);
        try {
          for (const args of [['-c', '-f', cfg.path], ['-f', cfg.path]]) {
            const result = await runCli(target, args);
            assert.equal(result.code, 1, `${args.join(' ')}: exit code\n${result.stderr}`);
            const alerts = result.stderr
              .split('\n')
              .filter((l) => l.startsWith('[ALERT]'))
              .map((l) => l.replace(/^\[ALERT\] +\(\d+\) : /, ''));
            assert.deepEqual(alerts, [
              `config : [${cfg.path}:${serverLine(text)}] : 'server b/s1' : parsing agent-addr failed. Check if '${value}' is correct address..`,
              `config : Error(s) found in configuration file : ${cfg.path}`,
              'config : Fatal errors found in configuration.',
            ]);
          }
        } finally {
          cfg.cleanup();
        }
      });
    }

    it('the agent named by host name is dialled at its address', async () => {
      const sock = join(dir, 'admin.sock');
      const expected = (await lookup('localhost')).address;
      const head = `global\n    stats socket ${sock} level admin\n`;
      const proxy = await ProxyProcess.start(target, configWith('localhost', agentPort, fe, head));
      try {
        await cliReady(sock);
        let fields: string[] = [];
        // The agent answers "drain": admin state 8 (forced drain) once it was heard.
        const deadline = performance.now() + 5000;
        while (performance.now() < deadline) {
          fields = await serverStateFields(sock, 'b', 's1');
          if (fields[6] === '8') break;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.equal(fields[23], expected, `srv_agent_addr\n${fields.join(' ')}`);
        assert.equal(fields[24], String(agentPort));
        assert.equal(fields[6], '8', `srv_admin_state\n${await cli(sock, 'show servers state b\n')}`);
      } finally {
        await proxy.stop();
      }
    });

    it('without agent-check, the name is resolved all the same and shown with its port', async () => {
      const sock = join(dir, 'noagent.sock');
      const expected = (await lookup('localhost')).address;
      const head = `global\n    stats socket ${sock} level admin\n`;
      const proxy = await ProxyProcess.start(target, configWith('localhost', agentPort, fe, head, ''));
      try {
        await cliReady(sock);
        const fields = await serverStateFields(sock, 'b', 's1');
        assert.deepEqual([fields[14], fields[23], fields[24]], ['0', expected, String(agentPort)], `srv_agent_state, srv_agent_addr, srv_agent_port\n${fields.join(' ')}`);
      } finally {
        await proxy.stop();
      }
    });
  });
}
