/**
 * A burst of clients for the accept-rate tests: `count` connections opened at once, each asking
 * one request as soon as it is up; none may be refused (past a rate, connections wait).
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { eventually } from './http-suite.ts';

/** The answers' times in ms after the first answer, sorted. `ready` is the event after which a client may write. */
export async function burstAnswerTimes(count: number, dial: () => Socket, ready: 'connect' | 'secureConnect', timeoutMs: number): Promise<number[]> {
  const sockets: Socket[] = [];
  const answered: number[] = [];
  let failed = 0;
  try {
    for (let i = 0; i < count; i++) {
      const socket = dial();
      socket.on('error', () => failed++);
      socket.once(ready, () => socket.write('GET / HTTP/1.1\r\nhost: rate.test\r\nconnection: close\r\n\r\n'));
      socket.once('data', (chunk: Buffer) => {
        if (chunk.toString('latin1').startsWith('HTTP/1.1 200')) answered.push(performance.now());
      });
      sockets.push(socket);
    }
    await eventually(() => answered.length + failed >= count, timeoutMs);
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  assert.equal(failed, 0, 'a connection was refused or reset: past the rate, connections must wait');
  assert.equal(answered.length, count, `${answered.length} of ${count} answered`);
  const first = Math.min(...answered);
  return answered.map((t) => t - first).sort((a, b) => a - b);
}
