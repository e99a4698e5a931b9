import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Socket, SocketHandler } from '../../src/runtime.ts';
import { SslCountedSocket } from '../../src/stream/ssl-counted-socket.ts';

/** A dialled socket whose events the test fires by hand through the handler it was given. */
function dialled(): { socket: Socket; fire: () => SocketHandler; destroyed: () => number } {
  let handler: SocketHandler | undefined;
  let destroys = 0;
  const socket = {
    setHandler(h: SocketHandler) {
      handler = h;
    },
    write: () => true,
    end() {},
    destroy() {
      destroys++;
    },
    reset() {},
    pause() {},
    resume() {},
    setNoDelay() {},
    setKeepAlive() {},
    bufferedAmount: 0,
    remoteAddress: '127.0.0.1',
    remotePort: 443,
    localAddress: '127.0.0.1',
    localPort: 40000,
    tls: undefined,
  } satisfies Socket;
  return { socket, fire: () => handler as SocketHandler, destroyed: () => destroys };
}

function recorder(log: string[], name: string): SocketHandler {
  return {
    onConnect: (s) => log.push(`${name} connect ${s instanceof SslCountedSocket}`),
    onData: (s, chunk) => log.push(`${name} data ${chunk.length} ${s instanceof SslCountedSocket}`),
    onEnd: () => log.push(`${name} end`),
    onDrain: () => log.push(`${name} drain`),
    onClose: (s, error) => log.push(`${name} close ${error?.code ?? '-'} ${s instanceof SslCountedSocket}`),
  };
}

it('a TLS connection to a server is counted open from its dial to its close, once, whoever holds it then', () => {
  const counts = { open: 0, total: 0 };
  const limits = {
    sslConnectionOpened: () => {
      counts.open++;
      counts.total++;
    },
    sslConnectionClosed: () => counts.open--,
    sslConnectionsFull: false,
  };
  const { socket, fire, destroyed } = dialled();
  const log: string[] = [];
  const counted = new SslCountedSocket(socket, recorder(log, 'leg'), limits);
  assert.deepEqual(counts, { open: 1, total: 1 });
  fire().onConnect?.(socket);
  counted.setHandler(recorder(log, 'session'));
  fire().onData(socket, new Uint8Array(3));
  fire().onEnd(socket);
  counted.destroy();
  assert.equal(destroyed(), 1);
  fire().onClose(socket, { code: 'ECONNRESET', message: 'reset' });
  fire().onClose(socket, undefined);
  assert.deepEqual(log, ['leg connect true', 'session data 3 true', 'session end', 'session close ECONNRESET true', 'session close - true']);
  assert.deepEqual(counts, { open: 0, total: 1 });
});
