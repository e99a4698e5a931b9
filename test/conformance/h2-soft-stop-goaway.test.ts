/**
 * Black-box conformance of the GOAWAY an HTTP/2 client connection gets on a soft stop
 * (SIGUSR1), as HAProxy 2.6's h2_process sends it: NO_ERROR with the highest stream id
 * (2^31-1), not the last stream seen, so that streams the client already sent are not lost.
 * The connection keeps serving new streams; idle, it lasts `timeout client-fin` (h2c's
 * shut_timeout), then h2_timeout_task sends a last GOAWAY naming the last stream seen and
 * closes it, and the process exits.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/h2-soft-stop-goaway.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually } from '../support/http-suite.ts';
import { FrameType, RawH2, field } from '../support/h2-raw.ts';

function configFor(port: number): string {
  return `global
    hard-stop-after 30s
defaults
    mode http
    timeout connect 500ms
    timeout client 20s
    timeout client-fin 1s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${port} proto h2
    http-request return status 200 content-type text/plain string ok
`;
}

const GET: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':authority', 'example.test'], [':path', '/']];

async function get(conn: RawH2, id: number): Promise<string | undefined> {
  conn.sendHeaders(id, GET, true);
  const head = await conn.response(id, 5000);
  return head?.type === FrameType.HEADERS ? field(head, ':status') : `frame type ${head?.type}`;
}

for (const target of TARGETS) {
  describe(`HTTP/2 GOAWAY on a soft stop on ${target}`, () => {
    it('GOAWAY NO_ERROR with stream id 2^31-1; new streams served; idle for client-fin, a last GOAWAY and the close', async () => {
      const [port] = (await freePorts(1)) as [number];
      const proxy = await ProxyProcess.start(target, configFor(port), [], 20_000, port);
      const conn = await RawH2.connect(port);
      try {
        assert.equal(await get(conn, 1), '200');
        proxy.child.kill('SIGUSR1');
        const goaway = await conn.next(FrameType.GOAWAY, 0, 5000);
        assert.ok(goaway !== null, 'no GOAWAY after SIGUSR1');
        assert.deepEqual([goaway.payload.readUInt32BE(0), goaway.payload.readUInt32BE(4)], [0x7fffffff, 0]);

        // Streams the client opens after it (as if sent before it arrived) are still served.
        assert.equal(await get(conn, 3), '200');
        assert.equal(await get(conn, 5), '200');
        const idle = performance.now();

        const last = await conn.next(FrameType.GOAWAY, 0, 10_000);
        const after = performance.now() - idle;
        assert.ok(last !== null, 'no last GOAWAY');
        assert.deepEqual([last.payload.readUInt32BE(0), last.payload.readUInt32BE(4)], [5, 0]);
        assert.ok(after >= 700 && after < 5000, `the last GOAWAY came ${Math.round(after)} ms after the connection went idle (timeout client-fin 1s)`);
        await eventually(() => conn.closed, 3000);
        assert.equal(conn.closed, true, 'the connection stayed open after the last GOAWAY');
        await eventually(() => proxy.child.exitCode !== null || proxy.child.signalCode !== null, 5000);
        assert.ok(proxy.child.exitCode !== null || proxy.child.signalCode !== null, 'the process did not exit after its last connection');
      } finally {
        conn.close();
        await proxy.stop();
      }
    });
  });
}
