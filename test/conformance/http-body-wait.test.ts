/**
 * Black-box conformance of waiting for message bodies: `http-request wait-for-body` (with and
 * without `at-least`, its 408, the 100-continue the proxy sends itself), `option
 * http-buffer-request`, `http-response wait-for-body` (and its 504), and the body fetches
 * (`req.body`, `req.body_len`, `req.body_size`, `req.body_param`, `res.body_len`) that read
 * what was waited for — byte for byte against HAProxy 2.6.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/http-body-wait.test.js
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { cliReady, statNumbers } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';

const PORT_NAMES = ['wait', 'buffer', 'res', 'raw', 'param', 'stats'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 100
    stats socket ipv4@127.0.0.1:${p.stats} level admin
${HTTP_DEFAULTS}
    log stdout format raw local0
    log-format "LOG %ft %b %ST %tsc %TR %{+Q}r"

frontend fe_wait
    bind 127.0.0.1:${p.wait}
    http-request wait-for-body time 300ms if { path_beg /wait } || { path_beg /hold }
    http-request wait-for-body time 300ms at-least 4 if { path_beg /least }
    http-request return status 200 content-type text/plain lf-string "len=%[req.body_len] size=%[req.body_size] body=%[req.body] p=%[req.body_param(b)]" if { path_beg /wait } || { path_beg /least } || { path_beg /nowait }
    http-request return status 200 content-type text/plain lf-string "h=%[req.hdr(x)] lit=é" hdr x-h "%[req.hdr(x)] é" if { path /bytes }
    default_backend be_raw

frontend fe_buffer
    bind 127.0.0.1:${p.buffer}
    timeout http-request 300ms
    option http-buffer-request
    http-request set-header x-body-len %[req.body_len]
    default_backend be_raw

frontend fe_res
    bind 127.0.0.1:${p.res}
    default_backend be_res

backend be_res
    http-response wait-for-body time 300ms if { status 200 }
    http-response set-header x-res-len %[res.body_len]
    server s1 127.0.0.1:${p.raw}

frontend fe_param
    bind 127.0.0.1:${p.param}
    timeout http-request 300ms
    default_backend be_param

backend be_param
    # The wait of url_param's check_post is the backend's (http_wait_for_request_body).
    timeout http-request 300ms
    balance url_param b check_post
    server s1 127.0.0.1:${p.raw}

backend be_raw
    server s1 127.0.0.1:${p.raw}
`;
}

/**
 * A server written byte by byte: `/slow` answers a 10-byte body in two writes 50 ms apart,
 * `/stall` sends half of its body and then nothing; anything else echoes what it received of
 * the request (head and body, as one string) in its body.
 */
class RawServer {
  readonly server: Server;
  readonly sockets = new Set<Socket>();
  readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Every request as the server received it. */
  readonly received: string[] = [];
  constructor() {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      let buffered = '';
      socket.on('data', (d) => {
        buffered += d.toString('latin1');
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const request = buffered.slice(0, end + 4 + length);
        buffered = buffered.slice(end + 4 + length);
        this.received.push(request);
        this.#answer(socket, request);
      });
    });
  }
  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
  #answer(socket: Socket, request: string): void {
    if (request.startsWith('GET /slow ')) {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcde');
      this.#later(50, () => socket.write('fghij'));
    } else if (request.startsWith('GET /stall ')) {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcde');
    } else {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${request.length}\r\n\r\n${request}`);
    }
  }
  listen(port: number): Promise<void> {
    return new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }
  close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Sends the parts of a request (a number is a pause in ms) on a fresh connection; resolves with
 * everything received until the proxy closes, `quiet` ms pass without a byte, or `ms` in all.
 */
function exchange(port: number, parts: readonly (string | number)[], ms = 2000, quiet = 400): Promise<{ bytes: string; closed: boolean; elapsed: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let bytes = '';
    let closed = false;
    let settled = false;
    let quietTimer: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(quietTimer);
      socket.destroy();
      resolve({ bytes, closed, elapsed: performance.now() - started });
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (d) => {
      bytes += d.toString('latin1');
      clearTimeout(quietTimer);
      quietTimer = setTimeout(done, quiet);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      done();
    });
    void (async () => {
      for (const part of parts) {
        if (typeof part === 'number') await new Promise((r) => setTimeout(r, part));
        else if (!settled) socket.write(part);
      }
    })();
  });
}

/**
 * Sends a request head and part of its body, then after 100 ms closes the connection (a FIN) or
 * resets it; resolves with what came back.
 */
function abandon(port: number, request: string, how: 'fin' | 'reset'): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let bytes = '';
    const limit = setTimeout(() => socket.destroy(), 2000);
    socket.on('data', (d) => (bytes += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(limit);
      resolve(bytes);
    });
    socket.write(request);
    setTimeout(() => (how === 'fin' ? socket.end() : socket.resetAndDestroy()), 100);
  });
}

/** The fields of the `LOG` line of the request for `path`: frontend, backend, %ST, %tsc, %TR. */
async function logLine(proxy: ProxyProcess | undefined, path: string): Promise<string[]> {
  let line: string | undefined;
  await eventually(() => (line = proxy?.stdout.split('\n').find((l) => l.startsWith('LOG ') && l.includes(` ${path} HTTP/1.1"`))) !== undefined, 3000);
  assert.ok(line, `no log line for ${path}:\n${proxy?.stdout}`);
  return line.split(' ').slice(1, 6);
}

function reply(text: string, close = false): string {
  return `HTTP/1.1 200 OK\r\ncontent-length: ${text.length}\r\ncontent-type: text/plain\r\n${close ? 'connection: close\r\n' : ''}\r\n${text}`;
}

const TIMEOUT_408 =
  'HTTP/1.1 408 Request Time-out\r\ncontent-length: 110\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n' +
  "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n";

for (const target of TARGETS) {
  describe(`waiting for bodies on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    const raw = new RawServer();

    before(async () => {
      const list = await freePorts(PORT_NAMES.length);
      ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i] as number])) as Ports;
      await raw.listen(ports.raw);
      proxy = await startProxy(target, configFor(ports));
      await cliReady(ports.stats);
    });

    after(async () => {
      await stopProxy(target, proxy);
      await raw.close();
    });

    it('wait-for-body: the rules see the whole body, sent in two parts', async () => {
      const res = await exchange(ports.wait, ['POST /wait HTTP/1.1\r\nHost: h\r\nContent-Length: 8\r\n\r\nb=1', 40, '&c=22']);
      assert.equal(res.bytes, reply('len=8 size=8 body=b=1&c=22 p=1'));
      const chunked = await exchange(ports.wait, ['POST /wait HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nb=1\r\n', 40, '4\r\n&c=2\r\n0\r\n\r\n']);
      assert.equal(chunked.bytes, reply('len=7 size=7 body=b=1&c=2 p=1'));
    });

    it('without a wait, the body fetches see what came with the head', async () => {
      const res = await exchange(ports.wait, ['POST /nowait HTTP/1.1\r\nHost: h\r\nContent-Length: 20\r\n\r\nb=1']);
      // The rest of the body never comes: the connection closes after the reply.
      assert.equal(res.bytes, reply('len=3 size=20 body=b=1 p=1', true));
    });

    it('reply payloads and headers built by rules carry the request\u2019s bytes and the configuration\u2019s UTF-8 as they are', async () => {
      // exchange() writes its strings as UTF-8: the header's value is the two bytes C3 BC.
      const res = await exchange(ports.wait, ['GET /bytes HTTP/1.1\r\nHost: h\r\nx: \u00fc\r\n\r\n']);
      const bytes = Buffer.from(res.bytes, 'latin1');
      // ü from the request (C3 BC) and é from the configuration (C3 A9), each once encoded.
      assert.ok(bytes.includes(Buffer.from('\r\nx-h: \u00fc \u00e9\r\n', 'utf8')), res.bytes);
      const body = Buffer.from('h=\u00fc lit=\u00e9', 'utf8');
      assert.ok(bytes.subarray(bytes.length - body.length).equals(body), res.bytes);
    });

    it('at-least: the rules go on once that much of the body is there', async () => {
      const res = await exchange(ports.wait, ['POST /least HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nab', 40, 'cd']);
      assert.equal(res.bytes, reply('len=4 size=10 body=abcd p=', true));
      assert.ok(res.elapsed < 280, `answered after ${res.elapsed} ms`);
    });

    it('a body that does not come in time gets 408 and the connection closes', async () => {
      const res = await exchange(ports.wait, ['POST /wait HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc']);
      assert.equal(res.bytes, TIMEOUT_408);
      assert.equal(res.closed, true);
      assert.ok(res.elapsed >= 250, `408 after ${res.elapsed} ms`);
    });

    it('Expect: 100-continue is answered by the proxy while it waits', async () => {
      const res = await exchange(ports.wait, ['POST /wait HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n', 60, 'b=9']);
      assert.equal(res.bytes, `HTTP/1.1 100 Continue\r\n\r\n${reply('len=3 size=3 body=b=9 p=9')}`);
    });

    it('option http-buffer-request: the server gets the head and the whole body at once, the rules saw its length', async () => {
      const before = raw.received.length;
      const res = await exchange(ports.buffer, ['POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabc', 40, 'def']);
      assert.match(res.bytes, /^HTTP\/1\.1 200 OK\r\n/);
      const got = raw.received.slice(before);
      assert.equal(got.length, 1);
      assert.match(got[0] as string, /\r\nx-body-len: 6\r\n\r\nabcdef$/);
    });

    it('option http-buffer-request: 408 when the body stops coming', async () => {
      const before = raw.received.length;
      const res = await exchange(ports.buffer, ['POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabc']);
      assert.equal(res.bytes, TIMEOUT_408);
      assert.equal(raw.received.length, before);
    });

    it('the 408 of a body wait is logged cR; %TR only when the wait came after the request was processed (balance url_param)', async () => {
      const post = (port: number, path: string) => exchange(port, [`POST ${path} HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nb=1`]);
      assert.equal((await post(ports.wait, '/wait-late')).bytes, TIMEOUT_408);
      assert.equal((await post(ports.buffer, '/buffer-late')).bytes, TIMEOUT_408);
      assert.equal((await post(ports.param, '/param-late')).bytes, TIMEOUT_408);
      assert.deepEqual(await logLine(proxy, '/wait-late'), ['fe_wait', 'fe_wait', '408', 'cR--', '-1']);
      assert.deepEqual(await logLine(proxy, '/buffer-late'), ['fe_buffer', 'fe_buffer', '408', 'cR--', '-1']);
      assert.deepEqual(await logLine(proxy, '/param-late'), ['fe_param', 'be_param', '408', 'cR--', '0']);
    });

    it('the request\u2019s time (%TR) runs until the body waited for is there', async () => {
      for (const [port, path] of [[ports.wait, '/wait-tr'], [ports.buffer, '/buffer-tr'], [ports.param, '/param-tr']] as const) {
        const res = await exchange(port, [`POST ${path} HTTP/1.1\r\nHost: h\r\nContent-Length: 8\r\n\r\nb=1`, 150, '&c=22']);
        assert.match(res.bytes, /^HTTP\/1\.1 200 OK\r\n/, path);
        // fe_wait answers with its `http-request return` (LR--), the others from the server.
        const [, , status, , tr] = await logLine(proxy, path);
        assert.equal(status, '200', path);
        assert.ok(Number(tr) >= 120, `${path}: %TR ${tr}`);
      }
    });

    it('a client that closes or resets during a body wait gets nothing; the request goes on to its backend, logged CR, %TR at the close', async () => {
      const cases: [number, string, string][] = [
        [ports.wait, '/hold', 'fe_wait be_raw'],
        [ports.buffer, '/buffer', 'fe_buffer be_raw'],
        [ports.param, '/param', 'fe_param be_param'],
      ];
      const COUNTED = ['ereq', 'hrsp_other', 'cli_abrt'];
      const rows = [['fe_wait', 'FRONTEND'], ['fe_buffer', 'FRONTEND'], ['fe_param', 'FRONTEND'], ['be_raw', 'BACKEND'], ['be_param', 'BACKEND']] as const;
      const counters = () => Promise.all(rows.map(([px, sv]) => statNumbers(ports.stats, px, sv, COUNTED)));
      const before = await counters();
      for (const [port, path, proxies] of cases) {
        for (const how of ['fin', 'reset'] as const) {
          const got = await abandon(port, `POST ${path}-${how} HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nb=1`, how);
          assert.equal(got, '', `${path} ${how}`);
          const [fe, be, status, tsc, tr] = await logLine(proxy, `${path}-${how}`);
          assert.deepEqual([`${fe} ${be}`, status, tsc], [proxies, '-1', 'CR--'], `${path} ${how}`);
          assert.ok(Number(tr) >= 80, `${path} ${how}: %TR ${tr}`);
        }
      }
      // Each stream: a failed request of its frontend, its status (-1) among the other
      // responses, a client abort in its backend (the frontends' cli_abrt stays empty).
      const after = await counters();
      // (An empty field, a frontend's cli_abrt or a backend's ereq, reads as 0.)
      const delta = after.map((row, i) => row.map((n, j) => n - ((before[i] as number[])[j] as number)));
      assert.deepEqual(delta, [[2, 2, 0], [2, 2, 0], [2, 2, 0], [0, 4, 4], [0, 2, 2]]);
    });

    it('http-response wait-for-body: the response rules see the whole body, the client all of it', async () => {
      const res = await exchange(ports.res, ['GET /slow HTTP/1.1\r\nHost: h\r\n\r\n']);
      // Header names compared in lower case: HAProxy writes them so, Switchyard as the server did.
      assert.equal(res.bytes.toLowerCase(), 'http/1.1 200 ok\r\ncontent-length: 10\r\nx-res-len: 10\r\n\r\nabcdefghij');
    });

    it('http-response wait-for-body: 504 when the body stops coming; the client connection stays', async () => {
      const res = await exchange(ports.res, ['GET /stall HTTP/1.1\r\nHost: h\r\n\r\n']);
      assert.equal(
        res.bytes,
        'HTTP/1.1 504 Gateway Time-out\r\ncontent-length: 92\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n' +
          "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n",
      );
      assert.equal(res.closed, false);
    });
  });
}
