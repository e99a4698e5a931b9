/**
 * `agent-addr` host names (src/proxy/agent-addr.ts, src/config/keywords/server-agent.ts): what
 * the keyword keeps, which names HAProxy's resolv_hostname_validation lets through, the first
 * address the resolver gives, and HAProxy 2.6's parse error (checked against the binary:
 * `haproxy -c` with `agent-addr localhost`, `no-such-host.invalid`, `127.0.0.1:80`, `[::1]`, `*`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/config/load.ts';
import type { ConfigModel } from '../../src/config/model.ts';
import { resolveAgentAddresses, validHostName } from '../../src/proxy/agent-addr.ts';

const HEAD = ['defaults', '  mode http', '  timeout connect 5s', '  timeout client 30s', '  timeout server 30s', 'backend b'];

/** `backend b` with these server lines, the first at line 7 of t.cfg. */
function withServers(...lines: string[]): Promise<ConfigModel> {
  return parseConfigText(`${[...HEAD, ...lines].join('\n')}\n`, 't.cfg');
}

/** A resolver that knows `localhost` (two addresses) and counts its questions. */
function fakeLookup(asked: string[]) {
  return async (host: string): Promise<string[]> => {
    asked.push(host);
    if (host.toLowerCase() === 'localhost') return ['127.0.0.1', '::1'];
    throw new Error('ENOTFOUND');
  };
}

const agentAddrs = (config: ConfigModel) => config.backends[0]?.servers.map((s) => s.agent?.addr);

describe('agent-addr', () => {
  it('resolves the agent-addr of a server without agent-check, and keeps its agent-port beside it', async () => {
    const config = await withServers('  server a 10.0.0.1:80 agent-addr localhost agent-port 9', '  server b 10.0.0.1:80 agent-addr no-such-host.invalid');
    const outcome = await resolveAgentAddresses(config, fakeLookup([]));
    assert.deepEqual(outcome.config.backends[0]?.servers.map((s) => [s.agent, s.agentTarget]), [
      [undefined, { port: 9, addr: '127.0.0.1' }],
      [undefined, { port: undefined, addr: 'no-such-host.invalid' }],
    ]);
    assert.deepEqual(outcome.alerts, ["[t.cfg:8] : 'server b/b' : parsing agent-addr failed. Check if 'no-such-host.invalid' is correct address.."]);
  });

  it('keeps IP literals, unbrackets IPv6, reads * as 0.0.0.0, and leaves names to resolve', async () => {
    const config = await withServers(
      '  server a 10.0.0.1:80 agent-check agent-addr 10.0.0.2',
      '  server b 10.0.0.1:80 agent-check agent-addr [::1]',
      '  server c 10.0.0.1:80 agent-check agent-addr *',
      '  server d 10.0.0.1:80 agent-check agent-addr localhost',
    );
    assert.deepEqual(agentAddrs(config), ['10.0.0.2', '::1', '0.0.0.0', 'localhost']);
  });

  it('resolves each name once, to its first address', async () => {
    const asked: string[] = [];
    const config = await withServers(
      '  server a 10.0.0.1:80 agent-check agent-addr localhost',
      '  server b 10.0.0.1:80 agent-check agent-addr localhost',
      '  server c 10.0.0.1:80 agent-check agent-addr 10.0.0.3',
    );
    const outcome = await resolveAgentAddresses(config, fakeLookup(asked));
    assert.deepEqual(outcome.alerts, []);
    assert.deepEqual(agentAddrs(outcome.config), ['127.0.0.1', '127.0.0.1', '10.0.0.3']);
    assert.deepEqual(asked, ['localhost']);
  });

  it("refuses a name that does not resolve, or no host name, with HAProxy's parse error", async () => {
    const asked: string[] = [];
    const config = await withServers(
      '  server a 10.0.0.1:80 agent-check agent-addr no-such-host.invalid',
      '  server b 10.0.0.1:80 agent-check agent-addr 127.0.0.1:80',
    );
    const outcome = await resolveAgentAddresses(config, fakeLookup(asked));
    assert.deepEqual(outcome.alerts, [
      "[t.cfg:7] : 'server b/a' : parsing agent-addr failed. Check if 'no-such-host.invalid' is correct address..",
      "[t.cfg:8] : 'server b/b' : parsing agent-addr failed. Check if '127.0.0.1:80' is correct address..",
    ]);
    assert.deepEqual(outcome.files, ['t.cfg']);
    // Text that is no host name is not asked for.
    assert.deepEqual(asked, ['no-such-host.invalid']);
  });

  it('validates host names as resolv_hostname_validation', () => {
    for (const ok of ['localhost', 'a.b-c_d.example', 'a..b', `${'x'.repeat(63)}.test`]) assert.equal(validHostName(ok), true, ok);
    for (const bad of ['127.0.0.1:80', 'bad/name', `${'x'.repeat(64)}.test`, 'a'.repeat(256), 'sp ace']) assert.equal(validHostName(bad), false, bad);
  });
});
