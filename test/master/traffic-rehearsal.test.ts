/**
 * A spare's data-plane rehearsal (src/master/traffic-rehearsal.ts) on the Node adapter: it
 * listens on loopback ephemeral ports only, sends its requests there and nowhere else, both a
 * locally answered and a forwarded request get through, and nothing stays open afterwards.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeRuntime } from '../../adapters/node/runtime.ts';
import { rehearseTraffic } from '../../src/master/traffic-rehearsal.ts';
import type { Listener, Runtime } from '../../src/runtime.ts';

function openTcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'TCPSocketWrap').length;
}

describe('traffic rehearsal', () => {
  it('runs on loopback ephemeral ports only, through the proxy to its origin, and leaves nothing open', async () => {
    const before = openTcpHandles();
    const listened: { host: string; port: number; listener: Listener; closed: boolean }[] = [];
    const connected: number[] = [];
    let originConnections = 0;
    const spy: Runtime = {
      ...nodeRuntime,
      async listen(options, onConnection) {
        const first = listened.length === 0;
        const listener = await nodeRuntime.listen(options, (socket) => {
          if (first) originConnections++;
          onConnection(socket);
        });
        const entry = { host: options.host, port: options.port, listener, closed: false };
        listened.push(entry);
        return {
          ...listener,
          get port() {
            return listener.port;
          },
          close: () => {
            entry.closed = true;
            return listener.close();
          },
        };
      },
      connect(options, handler) {
        connected.push(options.port);
        return nodeRuntime.connect(options, handler);
      },
    };
    await rehearseTraffic(spy);
    assert.ok(listened.length >= 2, 'an origin and the rehearsal frontend');
    for (const l of listened) {
      assert.equal(l.host, '127.0.0.1');
      assert.equal(l.port, 0, 'an ephemeral port');
      assert.ok(l.closed, 'closed again');
    }
    const ports = new Set(listened.map((l) => l.listener.port));
    assert.ok(connected.length > 0);
    for (const port of connected) assert.ok(ports.has(port), `a connection to ${port}, not one of its own listeners`);
    assert.ok(originConnections > 0, 'requests were forwarded to the origin');
    // Closed sockets leave the handle list at the next turns of the event loop.
    for (let i = 0; i < 50 && openTcpHandles() > before; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(openTcpHandles(), before);
  });
});
