/** `agent-check`: the reply line grammar (tcpcheck_agent_expect_reply) and its configuration. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAgentReply } from '../../src/health/agent-reply.ts';
import { parseConfigText } from '../../src/config/load.ts';

describe('parseAgentReply', () => {
  it('reads words in any order, separated by spaces, tabs or commas, the last of a kind winning', () => {
    assert.deepEqual(parseAgentReply('75%,maxconn:30,maint,down'), {
      health: 'down',
      admin: 'maint',
      weight: '75%',
      maxconn: '30',
      error: undefined,
      description: '',
    });
    assert.deepEqual(parseAgentReply('UP\tready 10% 20% # back  in service'), {
      health: 'up',
      admin: 'ready',
      weight: '20%',
      maxconn: undefined,
      error: undefined,
      description: 'back  in service',
    });
  });

  it('keeps the first unknown word as the error', () => {
    assert.equal(parseAgentReply('bogus other up').error, 'bogus');
    assert.equal(parseAgentReply('bogus other up').health, 'up');
  });
});

describe('agent-check server options', () => {
  it('fill the server model, default-server included', async () => {
    const model = await parseConfigText(
      [
        'defaults',
        '  timeout connect 1s',
        '  timeout client 1s',
        '  timeout server 1s',
        'backend b',
        '  default-server agent-inter 3s agent-send "ping\\n"',
        '  server s1 10.0.0.1:80 agent-check agent-port 9999 agent-addr 10.0.0.2',
        '  server s2 10.0.0.1:80 agent-port 9999',
        '',
      ].join('\n'),
      't.cfg',
    );
    const servers = model.backends[0]?.servers ?? [];
    assert.deepEqual(servers[0]?.agent, { port: 9999, addr: '10.0.0.2', inter: 3000, send: 'ping\n' });
    assert.equal(servers[1]?.agent, undefined);
  });
});
