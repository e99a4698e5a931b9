/**
 * Black-box conformance of `agent-check`: fake agents on loopback answer one line per
 * `agent-send` line, and the runtime API's `show servers state` shows what the proxy made of it:
 * `50%` halves the configured weight, `down` takes the server down (operational state 0),
 * `drain` sets the forced-drain admin flag (8), `maxconn:N` sets the limit. Checked against
 * HAProxy 2.6:  CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/health-agent.test.js
 */
import assert from 'node:assert/strict';
import { connect, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, startProxy } from '../support/http-suite.ts';
import { agentServer } from '../support/agent-server.ts';

const HOST = '127.0.0.1';
const PORT_NAMES = ['fe', 'cli', 'app', 'a1', 'a2', 'a3'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

const agent = (port: number, reply: string): Promise<Server> => agentServer(port, reply, HOST);

function cli(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: HOST });
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${command}`));
    }, 5000);
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (text: string) => (answer += text));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

function configFor(p: Ports): string {
  return `
global
    stats socket ${HOST}:${p.cli} level admin

defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend fe
    bind ${HOST}:${p.fe}
    default_backend be

backend be
    default-server agent-send "hello\\n" agent-inter 100ms
    server s1 ${HOST}:${p.app} weight 100 agent-check agent-port ${p.a1}
    server s2 ${HOST}:${p.app} weight 100 agent-check agent-port ${p.a2}
    server s3 ${HOST}:${p.app} weight 100 agent-check agent-addr ${HOST} agent-port ${p.a3}
`;
}

for (const target of TARGETS) {
  describe(`agent-check on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const agents: Server[] = [];

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      agents.push(await agent(ports.a1, '50% maxconn:30\n'));
      agents.push(await agent(ports.a2, 'down # maintenance window\n'));
      agents.push(await agent(ports.a3, 'drain\r\n'));
      proxy = await startProxy(target, configFor(ports));
    });

    after(async () => {
      await proxy?.stop();
      for (const a of agents) await new Promise((r) => a.close(r));
    });

    /** [srv_op_state, srv_admin_state, srv_uweight, srv_iweight] per server. */
    async function states(): Promise<string[][]> {
      const text = await cli(ports.cli, 'show servers state be');
      return text
        .split('\n')
        .filter((l) => / be \d+ s\d /.test(l))
        .map((l) => l.split(' ').slice(5, 9));
    }

    it('applies weights, maxconn, down and drain from the agents', async () => {
      const wanted = [
        ['2', '0', '50', '100'],
        ['0', '0', '100', '100'],
        ['2', '8', '100', '100'],
      ];
      let last: string[][] = [];
      for (let i = 0; i < 50 && JSON.stringify(last) !== JSON.stringify(wanted); i++) {
        last = await states();
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(last, wanted);
      const stat = await cli(ports.cli, 'show stat');
      // slim (the 7th field) is the agent's maxconn.
      assert.match(stat, /^be,s1,(?:[^,]*,){4}30,/m);
    });
  });
}
