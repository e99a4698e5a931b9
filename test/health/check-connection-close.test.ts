/** How a check ends its connection (check-connection-close.ts), on the fake runtime. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLOSE_GRACE_MS, closeCheckConnection } from '../../src/health/check-connection-close.ts';
import type { Socket, SocketHandler } from '../../src/runtime.ts';
import { FakeRuntime, type FakeSocket } from '../support/fake-runtime.ts';

const HOST = '127.0.0.1';
const IGNORE: SocketHandler = { onData() {}, onEnd() {}, onDrain() {}, onClose() {} };

/** A connected pair; the server answers our FIN with its own when `answers`. Returns both ends. */
async function pair(rt: FakeRuntime, answers: boolean): Promise<{ client: FakeSocket; server: { ended: boolean; socket: FakeSocket | undefined } }> {
  const server: { ended: boolean; socket: FakeSocket | undefined } = { ended: false, socket: undefined };
  await rt.listen({ host: HOST, port: 9000 }, (socket) => {
    server.socket = socket as FakeSocket;
    socket.setHandler({
      ...IGNORE,
      onEnd(s: Socket) {
        server.ended = true;
        if (answers) s.end();
      },
    });
  });
  const client = rt.connect({ host: HOST, port: 9000 }, IGNORE) as FakeSocket;
  rt.flush();
  return { client, server };
}

describe('closeCheckConnection', () => {
  it('a plain connection is reset at once, or closed with a FIN when its connect says linger', async () => {
    for (const linger of [false, true]) {
      const rt = new FakeRuntime();
      const { client } = await pair(rt, true);
      closeCheckConnection(rt, client, false, linger);
      assert.equal(client.closed, true);
      assert.equal(client.wasReset, !linger);
      rt.flush();
      assert.equal(rt.pendingTimers, 0);
    }
  });

  it('an established TLS connection says close_notify first (end), and is reset once the server closed too', async () => {
    const rt = new FakeRuntime();
    const { client, server } = await pair(rt, true);
    closeCheckConnection(rt, client, true, false);
    assert.equal(client.closed, false, 'not destroyed in the same turn');
    rt.flush();
    assert.equal(server.ended, true, 'the server read our end');
    assert.equal(client.closed, true);
    assert.equal(client.wasReset, true);
    assert.equal(rt.pendingTimers, 0);
  });

  it('a server that never closes: the connection is reset after the grace period', async () => {
    const rt = new FakeRuntime();
    const { client, server } = await pair(rt, false);
    closeCheckConnection(rt, client, true, false);
    rt.flush();
    assert.equal(server.ended, true);
    assert.equal(client.closed, false);
    rt.advance(CLOSE_GRACE_MS);
    rt.flush();
    assert.equal(client.closed, true);
    assert.equal(client.wasReset, true);
    assert.equal(rt.pendingTimers, 0);
  });

  it('stopping (not graceful): a TLS connection goes at once', async () => {
    const rt = new FakeRuntime();
    const { client } = await pair(rt, false);
    closeCheckConnection(rt, client, true, false, false);
    assert.equal(client.closed, true);
    assert.equal(client.wasReset, true);
    assert.equal(rt.pendingTimers, 0);
  });
});
