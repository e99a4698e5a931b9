/** Each bind's accept queue, by HAProxy 2.6's listener_backlog() (checked with `ss -ltn` on HAProxy 2.6.12). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/config/load.ts';
import { UNLIMITED_BACKLOG } from '../../src/proxy/listener-backlog.ts';
import { Proxy } from '../../src/proxy/proxy.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

/** port -> backlog asked of the runtime, for a configuration started on the fake runtime. */
async function backlogs(text: string): Promise<Record<number, number | undefined>> {
  const rt = new FakeRuntime();
  const proxy = new Proxy(rt, await parseConfigText(text, 't.cfg'));
  await proxy.start();
  await proxy.stop(0);
  return Object.fromEntries(rt.listenCalls.map((o) => [o.port, o.backlog]));
}

const TIMEOUTS = '    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n';
const BACKEND = 'backend b\n    server s 127.0.0.1:1\n';

describe('listener backlog', () => {
  it("takes the bind's backlog, else the frontend's, else its maxconn, else the global maxconn", async () => {
    const text = `global
    maxconn 200
defaults
    mode tcp
${TIMEOUTS}
frontend global_maxconn
    bind 127.0.0.1:10001
    default_backend b
frontend own_maxconn
    bind 127.0.0.1:10002
    maxconn 300
    default_backend b
frontend bind_backlog
    bind 127.0.0.1:10003 backlog 77
    bind 127.0.0.1:10004
    maxconn 300
    backlog 55
    default_backend b
listen l
    bind 127.0.0.1:10005 backlog 0
    backlog 44
    server s 127.0.0.1:1
${BACKEND}`;
    assert.deepEqual(await backlogs(text), { 10001: 200, 10002: 300, 10003: 77, 10004: 55, 10005: 44 });
  });

  it('inherits backlog from defaults', async () => {
    const text = `defaults
    mode tcp
    backlog 33
${TIMEOUTS}
frontend f
    bind 127.0.0.1:10001
    maxconn 300
    default_backend b
${BACKEND}`;
    assert.deepEqual(await backlogs(text), { 10001: 33 });
  });

  it('asks for more than any somaxconn when no maxconn limits the frontend', async () => {
    const text = `defaults
    mode tcp
${TIMEOUTS}
frontend f
    bind 127.0.0.1:10001
    default_backend b
${BACKEND}`;
    assert.deepEqual(await backlogs(text), { 10001: UNLIMITED_BACKLOG });
    assert.ok(UNLIMITED_BACKLOG >= 65_535);
  });
});
