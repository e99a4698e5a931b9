import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { libcUnixDatagramSender, type LibcDatagramCalls } from '../../adapters/shared/libc-unix-datagram.ts';

/** The sockaddr_un bytes and length each sendto() got. */
function recordingCalls(): { calls: LibcDatagramCalls; addresses: { name: string; length: number }[] } {
  const addresses: { name: string; length: number }[] = [];
  const calls: LibcDatagramCalls = {
    socket: () => 7,
    sendto: (_fd, bytes, _flags, address, length) => {
      // sun_path: from offset 2, `length - 2` bytes as the kernel reads them.
      addresses.push({ name: Buffer.from(address.subarray(2, length)).toString('latin1'), length });
      return bytes.length;
    },
    close: () => 0,
    errno: () => 0,
  };
  return { calls, addresses };
}

describe('libcUnixDatagramSender', () => {
  it('sends to a path with its terminating NUL, and to an abstract name without one', () => {
    const { calls, addresses } = recordingCalls();
    const sender = libcUnixDatagramSender(calls);
    const line = new TextEncoder().encode('x');
    sender.send(line, '/dev/log');
    sender.send(line, '\0notify');
    sender.send(line, '/dev/log');
    // HAProxy's abns@ names fill the whole sun_path (108 bytes), with no room for a NUL after.
    const padded = `\0logs${'\0'.repeat(103)}`;
    sender.send(line, padded);
    assert.deepEqual(addresses, [
      { name: '/dev/log\0', length: 2 + 8 + 1 },
      { name: '\0notify', length: 2 + 7 },
      { name: '/dev/log\0', length: 2 + 8 + 1 },
      { name: padded, length: 110 },
    ]);
    sender.close();
  });
});
