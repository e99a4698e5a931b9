/** `thread` on binds: each thread opens the binds whose set names it, a UNIX socket only in the first of its set. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/config/load.ts';
import { connectionCountSlots } from '../../src/proxy/process-limits.ts';
import { Proxy } from '../../src/proxy/proxy.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

const CONFIG = `global
    nbthread 3
defaults
    mode tcp
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend second_only
    bind 127.0.0.1:10001 thread 2
    bind 127.0.0.1:10002
    bind /tmp/switchyard-bind-threads-unit.sock thread 2-3
    bind 127.0.0.1:10003 thread odd
    default_backend b
frontend first_only
    bind 127.0.0.1:10004 thread 1
    default_backend b
backend b
    server s 127.0.0.1:1
`;

/** What one thread of the generation opens: the ports or paths, and each bind's listener. */
async function openedBy(index: number): Promise<{ listened: (string | number)[]; byBind: (string | number | undefined)[]; listening: boolean[] }> {
  const rt = new FakeRuntime();
  const config = await parseConfigText(CONFIG, 't.cfg');
  const proxy = new Proxy(rt, config, {
    thread: { index, connectionCounts: new Int32Array(connectionCountSlots(2)), serverCounts: new Int32Array(16) },
  });
  await proxy.start();
  try {
    const [second, first] = proxy.frontends as [(typeof proxy.frontends)[number], (typeof proxy.frontends)[number]];
    const listened = [...second.listeners, ...first.listeners].map((l) => (l.port === 0 ? l.host : l.port));
    const byBind = second.model.binds.map((_, i) => {
      const l = second.listenerOf(i);
      return l === undefined ? undefined : l.port === 0 ? l.host : l.port;
    });
    return { listened, byBind, listening: [second.listening, first.listening] };
  } finally {
    await proxy.stop(0);
  }
}

describe('bind thread sets', () => {
  it('each thread opens the binds of its set; the listeners are found by their bind', async () => {
    const path = '/tmp/switchyard-bind-threads-unit.sock';
    assert.deepEqual(await openedBy(0), { listened: [10002, 10003, 10004], byBind: [undefined, 10002, undefined, 10003], listening: [true, true] });
    assert.deepEqual(await openedBy(1), { listened: [10001, 10002, path], byBind: [10001, 10002, path, undefined], listening: [true, true] });
    assert.deepEqual(await openedBy(2), { listened: [10002, 10003], byBind: [undefined, 10002, undefined, 10003], listening: [true, true] });
  });
});
