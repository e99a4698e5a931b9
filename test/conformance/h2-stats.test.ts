/**
 * HAProxy's `h2` stats module on a frontend (`show stat`: h2_headers_rcvd ... h2_backend_total_streams):
 * a client's HEADERS, DATA, SETTINGS (its own and its acknowledgement), RST_STREAM and GOAWAY
 * frames are counted; a connection error counts a connection protocol error and the GOAWAY that
 * answers it; open connections and streams return to 0 when the clients leave, totals stay.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/h2-stats.test.js
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { statNumbers } from '../support/cli-client.ts';
import { FrameType, RawH2, frame } from '../support/h2-raw.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';

const H2_FIELDS = [
  'h2_headers_rcvd', 'h2_data_rcvd', 'h2_settings_rcvd', 'h2_rst_stream_rcvd', 'h2_goaway_rcvd',
  'h2_detected_conn_protocol_errors', 'h2_detected_strm_protocol_errors', 'h2_rst_stream_resp', 'h2_goaway_resp',
  'h2_open_connections', 'h2_backend_open_streams', 'h2_total_connections', 'h2_backend_total_streams',
] as const;

/** The h2 fields of a proxy's FRONTEND (or BACKEND) `show stat` row. */
async function h2Row(port: number, proxy: string, row = 'FRONTEND'): Promise<Record<string, number>> {
  const values = await statNumbers(port, proxy, row, H2_FIELDS);
  return Object.fromEntries(H2_FIELDS.map((f, i) => [f, values[i] as number]));
}

const GET = (path: string): [string, string][] => [
  [':method', 'GET'],
  [':scheme', 'http'],
  [':path', path],
  [':authority', 'x'],
];

for (const target of TARGETS) {
  describe(`h2 stats module on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let fe: number;
    let stats: number;
    let toH2: number;
    let h2Server: http2.Http2Server;

    before(async () => {
      let h2Port: number;
      [fe, stats, toH2, h2Port] = (await freePorts(4)) as [number, number, number, number];
      // An HTTP/2 server (prior knowledge) answering every request with a small body.
      h2Server = http2.createServer();
      h2Server.on('stream', (stream) => {
        stream.respond({ ':status': 200, 'content-type': 'text/plain' });
        stream.end('hello');
      });
      await new Promise<void>((resolve) => h2Server.listen(h2Port, '127.0.0.1', resolve));
      proxy = await startProxy(
        target,
        `
global
    stats socket ipv4@127.0.0.1:${stats} level admin
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe} proto h2
    http-request wait-for-body time 1s if METH_POST
    http-request return status 200 content-type text/plain string ok

frontend to_h2
    bind 127.0.0.1:${toH2}
    default_backend be_h2

backend be_h2
    http-reuse always
    server s1 127.0.0.1:${h2Port} proto h2
`,
      );
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await new Promise((r) => h2Server.close(r));
    });

    /** The change of each field over `run` (the start-up probe of the port is left out). */
    async function delta(run: () => Promise<void>): Promise<Record<string, number>> {
      const before = await h2Row(stats, 'fe');
      await run();
      let after: Record<string, number> = {};
      for (let i = 0; i < 50; i++) {
        after = await h2Row(stats, 'fe');
        if (after.h2_open_connections === before.h2_open_connections && after.h2_backend_open_streams === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return Object.fromEntries(H2_FIELDS.map((f) => [f, (after[f] as number) - (before[f] as number)]));
    }

    it('counts the frames a client sends, its connection and its streams', async () => {
      const d = await delta(async () => {
        const c = await RawH2.connect(fe);
        // Stream 1: a GET; stream 3: a POST whose body the rules wait for; stream 5 is reset by the client.
        c.sendHeaders(1, GET('/a'), true);
        assert.ok((await c.response(1)) !== null);
        c.sendHeaders(3, [[':method', 'POST'], [':scheme', 'http'], [':path', '/b'], [':authority', 'x'], ['content-length', '2']], false);
        c.sendData(3, Buffer.from('xy'), true);
        assert.ok((await c.response(3)) !== null);
        c.sendHeaders(5, [[':method', 'POST'], [':scheme', 'http'], [':path', '/c'], [':authority', 'x'], ['content-length', '9']], false);
        await new Promise((r) => setTimeout(r, 100));
        c.socket.write(frame(FrameType.RST_STREAM, 0, 5, [0, 0, 0, 8]));
        c.socket.write(frame(FrameType.GOAWAY, 0, 0, [0, 0, 0, 5, 0, 0, 0, 0]));
        await new Promise((r) => setTimeout(r, 200));
        c.close();
      });
      assert.deepEqual(d, {
        h2_headers_rcvd: 3,
        h2_data_rcvd: 1,
        // The client's SETTINGS and its acknowledgement of the frontend's; HAProxy counts the
        // first SETTINGS twice (once checked after the preface, once processed).
        h2_settings_rcvd: 3,
        h2_rst_stream_rcvd: 1,
        h2_goaway_rcvd: 1,
        h2_detected_conn_protocol_errors: 0,
        h2_detected_strm_protocol_errors: 0,
        h2_rst_stream_resp: 0,
        h2_goaway_resp: 0,
        h2_open_connections: 0,
        h2_backend_open_streams: 0,
        h2_total_connections: 1,
        h2_backend_total_streams: 3,
      });
    });

    it('a backend counts its HTTP/2 server connection: the server frames received, the streams', async () => {
      const before = await h2Row(stats, 'be_h2', 'BACKEND');
      const conn = await HttpConnection.open(toH2);
      for (const path of ['/one', '/two']) {
        const res = await conn.request('GET', path);
        assert.equal(res.status, 200);
        assert.equal(res.text, 'hello');
      }
      conn.destroy();
      let d: Record<string, number> = {};
      for (let i = 0; i < 50; i++) {
        const after = await h2Row(stats, 'be_h2', 'BACKEND');
        d = Object.fromEntries(H2_FIELDS.map((f) => [f, (after[f] as number) - (before[f] as number)]));
        if (d.h2_backend_total_streams === 2 && d.h2_backend_open_streams === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(d, {
        // Each response's HEADERS and its DATA; the server's SETTINGS (counted twice, as HAProxy
        // counts a first SETTINGS) and its acknowledgement of ours.
        h2_headers_rcvd: 2,
        h2_data_rcvd: 2,
        h2_settings_rcvd: 3,
        h2_rst_stream_rcvd: 0,
        h2_goaway_rcvd: 0,
        h2_detected_conn_protocol_errors: 0,
        h2_detected_strm_protocol_errors: 0,
        h2_rst_stream_resp: 0,
        h2_goaway_resp: 0,
        // The connection stays in the pool, idle.
        h2_open_connections: 1,
        h2_backend_open_streams: 0,
        h2_total_connections: 1,
        h2_backend_total_streams: 2,
      });
    });

    it('a connection error is counted with the GOAWAY that answers it', async () => {
      const d = await delta(async () => {
        const bad = await RawH2.connect(fe);
        // DATA on stream 0: a connection error (PROTOCOL_ERROR).
        bad.socket.write(frame(FrameType.DATA, 0, 0, Buffer.from('zz')));
        const goaway = await bad.next(FrameType.GOAWAY);
        assert.ok(goaway !== null);
        bad.close();
      });
      assert.equal(d.h2_detected_conn_protocol_errors, 1, JSON.stringify(d));
      assert.equal(d.h2_goaway_resp, 1, JSON.stringify(d));
      assert.equal(d.h2_total_connections, 1, JSON.stringify(d));
      assert.equal(d.h2_open_connections, 0, JSON.stringify(d));
    });
  });
}
