/**
 * Black-box conformance of the global `pp2-never-send-local` (HAProxy 2.6's connection.c): the
 * health checks of a `send-proxy-v2` server start with a v2 PROXY command carrying the check
 * connection's own addresses (source: its local end; destination: the server), as HAProxy <= 2.1
 * did, instead of a LOCAL header. Traffic headers are unchanged (the client's addresses).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/pp2-never-send-local.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'node:net';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { tcpServer, type TestBackend } from '../support/tcp-backends.ts';

const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

function configFor(front: number, server: number): string {
  return `
global
    maxconn 100
    pp2-never-send-local

defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend fe
    bind 127.0.0.1:${front}
    default_backend be

backend be
    server rec 127.0.0.1:${server} send-proxy-v2 check inter 300ms
`;
}

/** What one connection to the recording server sent first, and where it came from. */
interface Received {
  readonly remotePort: number;
  bytes: Buffer;
}

for (const target of TARGETS) {
  describe(`pp2-never-send-local on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let server: TestBackend;
    let port: number;
    const received: Received[] = [];

    before(async () => {
      const [front, rec] = (await freePorts(2)) as [number, number];
      port = rec;
      server = await tcpServer(port, (socket: Socket) => {
        const entry: Received = { remotePort: socket.remotePort ?? 0, bytes: Buffer.alloc(0) };
        received.push(entry);
        socket.on('data', (d: Buffer) => (entry.bytes = Buffer.concat([entry.bytes, d])));
        socket.on('error', () => {});
      });
      proxy = await startProxy(target, configFor(front, port));
    });

    after(async () => {
      await stopProxy(target, proxy);
      await server.close();
    });

    it("sends health checks a v2 PROXY command with the check connection's addresses", async () => {
      assert.ok(await eventually(() => received.some((r) => r.bytes.length >= 28), 10_000), 'no check header received');
      const first = received.find((r) => r.bytes.length >= 28) as Received;
      const header = first.bytes.subarray(0, 28);
      const expected = Buffer.concat([SIGNATURE, Buffer.from([0x21, 0x11, 0x00, 0x0c, 127, 0, 0, 1, 127, 0, 0, 1])]);
      assert.equal(header.subarray(0, 24).toString('hex'), expected.toString('hex'));
      // Source port: the check connection's own (a reset may end the check before accept() tells us).
      const sourcePort = header.readUInt16BE(24);
      assert.ok(sourcePort > 0 && sourcePort !== port, `source port ${sourcePort}`);
      if (first.remotePort > 0) assert.equal(sourcePort, first.remotePort);
      assert.equal(header.readUInt16BE(26), port);
    });
  });
}
