import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendModel, FrontendModel } from '../../src/config/model.ts';
import { ErrorCode, FrameReader, FrameType, HeaderList, HpackDecoder, HpackEncoder, PREFACE, type Frame } from '../../src/http/h2/index.ts';
import { parseConfigText } from '../../src/config/load.ts';
import { LocalReply, ReplyConnection } from '../../src/http/local-reply.ts';
import { Proxy } from '../../src/proxy/proxy.ts';
import { SoftStopClosing } from '../../src/proxy/soft-stop-closing.ts';
import { beginWriteBatch, endWriteBatch } from '../../src/mux/write-batch.ts';
import type { Socket } from '../../src/runtime.ts';
import { FakeRuntime, type FakeSocket } from '../support/fake-runtime.ts';
import { backend, config, frontend, server } from '../support/model.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const here = { file: 'test.cfg', line: 1 };

interface Seen {
  type: number;
  flags: number;
  streamId: number;
  payload: Uint8Array;
}

/** An HTTP/1.1 server on the fake network: `reply(head)` answers, or holds the request (undefined). */
async function httpServer(rt: FakeRuntime, port: number, reply: (head: string) => Uint8Array | string | undefined): Promise<{ sockets: Socket[]; heads: string[] }> {
  const state = { sockets: [] as Socket[], heads: [] as string[] };
  await rt.listen({ host: '127.0.0.1', port }, (socket) => {
    state.sockets.push(socket);
    let buffered = '';
    socket.setHandler({
      onData(s, chunk) {
        buffered += dec.decode(chunk);
        let end: number;
        while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
          const head = buffered.slice(0, end + 4);
          buffered = buffered.slice(end + 4);
          state.heads.push(head);
          const answer = reply(head);
          if (answer !== undefined) s.write(typeof answer === 'string' ? enc.encode(answer) : answer);
          // A close-delimited answer ends with the server's FIN.
          if (typeof answer === 'string' && answer.includes('connection: close')) s.end();
        }
      },
      onEnd(s) {
        s.end();
      },
      onDrain() {},
      onClose() {},
    });
  });
  return state;
}

function h2Frontend(timeouts = {}): FrontendModel {
  const fe = frontend('fe', 8080, 'be', { mode: 'http' }, timeouts);
  return { ...fe, binds: [{ host: '127.0.0.1', port: 8080, ssl: undefined, alpn: undefined, name: undefined, v6only: false, backlog: undefined, proto: 'h2', source: here }] };
}

function httpBackend(): BackendModel {
  return backend('be', [server('s1', 9001)], { mode: 'http' });
}

function frame(type: number, flags: number, streamId: number, payload: Uint8Array | number[] = []): Uint8Array {
  const p = payload instanceof Uint8Array ? payload : new Uint8Array(payload);
  const out = new Uint8Array(9 + p.length);
  out[0] = (p.length >> 16) & 0xff;
  out[1] = (p.length >> 8) & 0xff;
  out[2] = p.length & 0xff;
  out[3] = type;
  out[4] = flags;
  out[5] = (streamId >>> 24) & 0x7f;
  out[6] = (streamId >> 16) & 0xff;
  out[7] = (streamId >> 8) & 0xff;
  out[8] = streamId & 0xff;
  out.set(p, 9);
  return out;
}

const hpack = new HpackEncoder();
function get(path: string): Uint8Array {
  hpack.begin();
  hpack.add(':method', 'GET');
  hpack.add(':scheme', 'http');
  hpack.add(':authority', 'example');
  hpack.add(':path', path);
  return hpack.bytes.slice();
}

class Client {
  readonly socket: FakeSocket;
  readonly rt: FakeRuntime;
  #read = 0;
  readonly #reader = new FrameReader();
  readonly decoder = new HpackDecoder();

  constructor(rt: FakeRuntime) {
    this.rt = rt;
    this.#reader.maxFrameSize = 1 << 24;
    this.socket = rt.dial('127.0.0.1', 8080);
    this.send(PREFACE, frame(FrameType.SETTINGS, 0, 0));
  }

  send(...parts: Uint8Array[]): void {
    for (const p of parts) this.socket.write(p);
    this.rt.flush();
  }

  /** Frames received since the last call. */
  frames(): Seen[] {
    const seen: Seen[] = [];
    const received = this.socket.received;
    for (; this.#read < received.length; this.#read++) {
      this.#reader.feed(received[this.#read]!, 0, (f: Frame) => seen.push({ type: f.type, flags: f.flags, streamId: f.streamId, payload: f.buf.slice(f.start, f.end) }));
    }
    return seen;
  }

  headers(f: Seen): Record<string, string> {
    const list = new HeaderList();
    this.decoder.decode(f.payload, 0, f.payload.length, list);
    const out: Record<string, string> = {};
    for (let i = 0; i < list.count; i++) out[list.names[i]!] = list.values[i]!;
    return out;
  }
}

function goawayCode(frames: Seen[]): number | undefined {
  const g = frames.find((f) => f.type === FrameType.GOAWAY);
  return g === undefined ? undefined : new DataView(g.payload.buffer, g.payload.byteOffset).getUint32(4);
}

async function setup(reply: (head: string) => Uint8Array | string | undefined, timeouts = {}, rt = new FakeRuntime()) {
  const srv = await httpServer(rt, 9001, reply);
  const proxy = new Proxy(rt, config([h2Frontend(timeouts)], [httpBackend()]));
  await proxy.start();
  return { rt, srv, proxy };
}

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-a: b\r\n\r\nok';

/** A fake runtime with Runtime.afterIo: its callbacks run when the test ends the round of I/O. */
class RoundRuntime extends FakeRuntime {
  readonly #afterIo: (() => void)[] = [];
  afterIo(callback: () => void): void {
    this.#afterIo.push(callback);
  }
  endRound(): void {
    for (const callback of this.#afterIo.splice(0)) callback();
    this.flush();
  }
}

describe('H2ClientConnection', () => {
  it('answers SETTINGS, serves a GET as HEADERS + DATA, and the server sees an HTTP/1.1 request', async () => {
    const { rt, srv } = await setup(() => OK);
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/a')));
    const frames = c.frames();
    assert.deepEqual(frames.slice(0, 2).map((f) => [f.type, f.flags]), [[FrameType.SETTINGS, 0], [FrameType.SETTINGS, 1]]);
    const h = frames.find((f) => f.type === FrameType.HEADERS)!;
    assert.deepEqual(c.headers(h), { ':status': '200', 'content-length': '2', 'x-a': 'b' });
    const d = frames.find((f) => f.type === FrameType.DATA)!;
    assert.equal(dec.decode(d.payload), 'ok');
    assert.equal(d.flags & 1, 1);
    assert.match(srv.heads[0]!, /^GET \/a HTTP\/1\.1\r\nhost: example\r\n/);
  });

  it('flow control: the response stops at the client window, the server is paused, WINDOW_UPDATE resumes both', async () => {
    const piece = new Uint8Array(100_000).fill(0x61);
    const { rt, srv } = await setup(() => `HTTP/1.1 200 OK\r\ncontent-length: ${4 * piece.length}\r\n\r\n`);
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/big')));
    const s = srv.sockets[0] as FakeSocket;
    for (let i = 0; i < 4; i++) s.write(piece);
    rt.flush();
    const data = () => c.frames().filter((f) => f.type === FrameType.DATA).reduce((n, f) => n + f.payload.length, 0);
    assert.equal(data(), 65535);
    // The proxy stopped reading the server: the later pieces wait in the (fake) kernel.
    assert.ok(s.bufferedAmount >= 2 * piece.length, String(s.bufferedAmount));
    c.send(frame(FrameType.WINDOW_UPDATE, 0, 0, [0, 0x10, 0, 0]), frame(FrameType.WINDOW_UPDATE, 0, 1, [0, 0x10, 0, 0]));
    assert.equal(data(), 4 * piece.length - 65535);
    assert.equal(s.bufferedAmount, 0);
  });

  it('a client that does not read its socket: the server is paused, the proxy does not buffer the response', async () => {
    const piece = new Uint8Array(100_000).fill(0x62);
    const { rt, srv } = await setup(() => `HTTP/1.1 200 OK\r\ncontent-length: ${10 * piece.length}\r\n\r\n`);
    const c = new Client(rt);
    // Windows wide open: only the socket holds the response back.
    c.send(frame(FrameType.WINDOW_UPDATE, 0, 0, [0x7f, 0, 0, 0]), frame(FrameType.SETTINGS, 0, 0, [0, 4, 0x7f, 0, 0, 0]));
    c.socket.pause();
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/big')));
    const s = srv.sockets[0] as FakeSocket;
    for (let i = 0; i < 10; i++) s.write(piece);
    rt.flush();
    // Most of the response is still with the server: the proxy holds at most what it read before pausing.
    assert.ok(s.bufferedAmount >= 6 * piece.length, String(s.bufferedAmount));
    c.socket.resume();
    rt.flush();
    const data = c.frames().filter((f) => f.type === FrameType.DATA).reduce((n, f) => n + f.payload.length, 0);
    assert.equal(data, 10 * piece.length);
  });

  it('tune.h2.max-concurrent-streams: a stream beyond the limit is refused (RST_STREAM REFUSED_STREAM)', async () => {
    const { rt, proxy } = await setup(() => undefined);
    proxy.frontends[0]!.h2Options = { maxConcurrentStreams: 2 };
    const c = new Client(rt);
    // SETTINGS_ENABLE_CONNECT_PROTOCOL first, as HAProxy's h2c_send_settings.
    assert.deepEqual(Array.from(c.frames()[0]!.payload), [0, 8, 0, 0, 0, 1, 0, 3, 0, 0, 0, 2]);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/1')), frame(FrameType.HEADERS, 0x5, 3, get('/2')), frame(FrameType.HEADERS, 0x5, 5, get('/3')));
    const rst = c.frames().filter((f) => f.type === FrameType.RST_STREAM);
    assert.deepEqual(rst.map((f) => [f.streamId, f.payload[3]]), [[5, ErrorCode.REFUSED_STREAM]]);
  });

  it('rapid reset (CVE-2023-44487): streams opened and cancelled at once end the connection with ENHANCE_YOUR_CALM', async () => {
    const { rt } = await setup(() => undefined);
    const c = new Client(rt);
    const parts: Uint8Array[] = [];
    for (let id = 1; id < 2 * 150; id += 2) parts.push(frame(FrameType.HEADERS, 0x5, id, get('/x')), frame(FrameType.RST_STREAM, 0, id, [0, 0, 0, 8]));
    c.send(...parts);
    assert.equal(goawayCode(c.frames()), ErrorCode.ENHANCE_YOUR_CALM);
  });

  it('a CONTINUATION flood (a header block past 64 KiB) ends the connection with ENHANCE_YOUR_CALM', async () => {
    const { rt } = await setup(() => OK);
    const c = new Client(rt);
    const parts = [frame(FrameType.HEADERS, 0x1, 1, get('/x'))];
    for (let i = 0; i < 10; i++) parts.push(frame(FrameType.CONTINUATION, 0, 1, new Uint8Array(16000)));
    c.send(...parts);
    assert.equal(goawayCode(c.frames()), ErrorCode.ENHANCE_YOUR_CALM);
  });

  it('a PING flood from a client that does not read ends the connection', async () => {
    const { rt } = await setup(() => OK);
    const c = new Client(rt);
    c.socket.pause();
    const ping = frame(FrameType.PING, 0, 0, [1, 2, 3, 4, 5, 6, 7, 8]);
    for (let i = 0; i < 200 && !c.socket.closed; i++) c.send(...Array.from({ length: 100 }, () => ping));
    c.socket.resume();
    rt.flush();
    assert.equal(goawayCode(c.frames()), ErrorCode.ENHANCE_YOUR_CALM);
  });

  it('a frame interleaved in a header block is a connection error (PROTOCOL_ERROR)', async () => {
    const { rt } = await setup(() => OK);
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x1, 1, get('/x')), frame(FrameType.PING, 0, 0, [0, 0, 0, 0, 0, 0, 0, 0]));
    assert.equal(goawayCode(c.frames()), ErrorCode.PROTOCOL_ERROR);
  });

  it('soft stop: GOAWAY(NO_ERROR) names stream 2^31-1, streams go on, idle for client-fin: a last GOAWAY with the last stream, and the close', async () => {
    let held: Socket | undefined;
    const { rt, srv, proxy } = await setup(() => undefined, { client: 60_000, clientFin: 2000 });
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/slow')));
    held = srv.sockets[0];
    proxy.frontends[0]!.drainSessions(SoftStopClosing.atOnce);
    rt.flush();
    const goaway = c.frames().find((f) => f.type === FrameType.GOAWAY)!;
    assert.deepEqual(Array.from(goaway.payload), [0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    held!.write(enc.encode(OK));
    rt.flush();
    assert.ok(c.frames().some((f) => f.type === FrameType.DATA && f.streamId === 1 && (f.flags & 1) === 1));
    // A stream the client sent before it saw the GOAWAY is still served.
    c.send(frame(FrameType.HEADERS, 0x5, 3, get('/b')));
    rt.flush();
    srv.sockets[srv.sockets.length - 1]!.write(enc.encode(OK));
    rt.flush();
    assert.ok(c.frames().some((f) => f.type === FrameType.DATA && f.streamId === 3 && (f.flags & 1) === 1));
    assert.equal(c.socket.peerEnded, false, 'open while the client may still send');
    rt.advance(2100);
    const last = c.frames().find((f) => f.type === FrameType.GOAWAY)!;
    assert.deepEqual(Array.from(last.payload), [0, 0, 0, 3, 0, 0, 0, 0]);
    assert.equal(c.socket.peerEnded, true);
  });

  it("responses sent while another connection's read is processed reach the client in one write when that read ends (write-batch.ts)", async () => {
    const { rt, srv } = await setup(() => undefined);
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/a')), frame(FrameType.HEADERS, 0x5, 3, get('/b')));
    c.frames();
    assert.equal(srv.heads.length, 2);
    const before = c.socket.received.length;
    beginWriteBatch();
    try {
      for (const s of srv.sockets) s.write(enc.encode(OK));
      rt.flush();
      assert.equal(c.socket.received.length, before, 'held while the batch is open');
    } finally {
      endWriteBatch();
    }
    rt.flush();
    assert.equal(c.socket.received.length, before + 1, 'both responses in one write');
    const frames = c.frames();
    assert.deepEqual(frames.map((f) => [f.type, f.streamId]).sort(), [[FrameType.DATA, 1], [FrameType.DATA, 3], [FrameType.HEADERS, 1], [FrameType.HEADERS, 3]]);
  });

  it('with Runtime.afterIo, responses read from two server connections reach the client in one write when the round of I/O ends', async () => {
    const rt = new RoundRuntime();
    const { srv } = await setup(() => undefined, {}, rt);
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/a')), frame(FrameType.HEADERS, 0x5, 3, get('/b')));
    rt.endRound();
    c.frames();
    assert.equal(srv.heads.length, 2);
    const before = c.socket.received.length;
    for (const s of srv.sockets) {
      s.write(enc.encode(OK));
      rt.flush();
    }
    assert.equal(c.socket.received.length, before, 'held until the round of I/O ends');
    rt.endRound();
    assert.equal(c.socket.received.length, before + 1, 'both responses in one write');
    const frames = c.frames();
    assert.deepEqual(frames.map((f) => [f.type, f.streamId]).sort(), [[FrameType.DATA, 1], [FrameType.DATA, 3], [FrameType.HEADERS, 1], [FrameType.HEADERS, 3]]);
  });

  it("a server that closes without answering: RST_STREAM REFUSED_STREAM, so that the client may retry (HAProxy's abort_keep_alive, h2_do_shutw)", async () => {
    const { rt, srv, proxy } = await setup(() => undefined);
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/a')));
    c.frames();
    assert.equal(srv.heads.length, 1);
    srv.sockets[0]!.end();
    rt.flush();
    const rst = c.frames().find((f) => f.type === FrameType.RST_STREAM);
    assert.ok(rst !== undefined, 'the stream is reset');
    assert.equal(rst.streamId, 1);
    assert.equal(new DataView(rst.payload.buffer, rst.payload.byteOffset).getUint32(0), ErrorCode.REFUSED_STREAM);
    assert.equal(proxy.backends.get('be')?.counters.eresp, 0, 'not a failed response');
  });
});

describe('H2ClientConnection responses', () => {
  it('a response delimited by the server closing ends with END_STREAM when the server closes', async () => {
    const { rt } = await setup(() => 'HTTP/1.1 200 OK\r\nconnection: close\r\n\r\npart');
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/close-delimited')));
    rt.flush();
    const data = c.frames().filter((f) => f.type === FrameType.DATA);
    assert.equal(dec.decode(Buffer.concat(data.map((f) => f.payload))), 'part');
    assert.equal(data.at(-1)!.flags & 1, 1);
  });

  it('a chunked response goes out as its payload only, its trailers as a last HEADERS; a HEAD response has no DATA', async () => {
    const { rt } = await setup((head) =>
      head.startsWith('HEAD') ? 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n' : 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n002\r\nde\r\n0\r\nx-trailer: 1\r\n\r\n',
    );
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/chunked')));
    let frames = c.frames();
    assert.equal(c.headers(frames.find((f) => f.type === FrameType.HEADERS)!)['transfer-encoding'], undefined);
    assert.equal(dec.decode(Buffer.concat(frames.filter((f) => f.type === FrameType.DATA).map((f) => f.payload))), 'abcde');
    // The trailer section goes out as a last HEADERS frame carrying END_STREAM.
    const stream1 = frames.filter((f) => f.streamId === 1);
    const last = stream1.at(-1)!;
    assert.deepEqual([last.type, last.flags], [FrameType.HEADERS, 0x5]);
    assert.deepEqual(c.headers(last), { 'x-trailer': '1' });
    assert.ok(stream1.filter((f) => f.type === FrameType.DATA).every((f) => (f.flags & 1) === 0));
    hpack.begin();
    hpack.add(':method', 'HEAD');
    hpack.add(':scheme', 'http');
    hpack.add(':path', '/h');
    c.send(frame(FrameType.HEADERS, 0x5, 3, hpack.bytes.slice()));
    frames = c.frames().filter((f) => f.streamId === 3);
    // As HAProxy: the end of a HEAD's response comes with the end of the server's (an empty DATA).
    assert.deepEqual(frames.map((f) => [f.type, f.flags, f.payload.length]), [[FrameType.HEADERS, 0x4, frames[0]!.payload.length], [FrameType.DATA, 0x1, 0]]);
  });

  it("a response whose end comes with its head is one HEADERS frame with END_STREAM (a gRPC trailers-only answer), as HAProxy's h2 mux sends it", async () => {
    const { rt } = await setup(() => 'HTTP/1.1 200 OK\r\ngrpc-status: 9\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n');
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/trailers-only')));
    const frames = c.frames().filter((f) => f.streamId === 1);
    assert.deepEqual(frames.map((f) => [f.type, f.flags]), [[FrameType.HEADERS, 0x5]]);
    assert.equal(c.headers(frames[0]!)['grpc-status'], '9');
  });

  it('a local reply (no server) is HEADERS + DATA; a 503 error page likewise', async () => {
    const rt = new FakeRuntime();
    const proxy = new Proxy(rt, config([h2Frontend()], [httpBackend()]));
    await proxy.start();
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/nobody-listens')));
    rt.advance(10_000);
    const frames = c.frames().filter((f) => f.streamId === 1);
    assert.equal(c.headers(frames.find((f) => f.type === FrameType.HEADERS)!)[':status'], '503');
    assert.match(dec.decode(Buffer.concat(frames.filter((f) => f.type === FrameType.DATA).map((f) => f.payload))), /503 Service Unavailable/);
  });
});

describe('H2ClientConnection: streams after streams on one connection', () => {
  function request(method: string, path: string): Uint8Array {
    hpack.begin();
    hpack.add(':method', method);
    hpack.add(':scheme', 'http');
    hpack.add(':authority', 'example');
    hpack.add(':path', path);
    return hpack.bytes.slice();
  }
  const echo = (head: string): string | undefined => {
    const path = /^\S+ (\S+)/.exec(head)![1]!;
    return path === '/hold' ? undefined : `HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-path: ${path}\r\n\r\nok`;
  };
  const answers = (c: Client, frames: Seen[]): Map<number, string> => {
    const out = new Map<number, string>();
    for (const f of frames) if (f.type === FrameType.HEADERS) out.set(f.streamId, `${c.headers(f)[':status']} ${c.headers(f)['x-path'] ?? '-'}`);
    return out;
  };

  it('each stream gets its own answer after streams answered, refused (400) and reset on the same connection', async () => {
    const { rt, srv } = await setup(echo);
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, request('GET', '/a')));
    // A read between them (a PING): the answered stream is long over when the next one comes.
    c.send(frame(FrameType.PING, 0, 0, new Uint8Array(8)));
    c.send(frame(FrameType.HEADERS, 0x5, 3, request('GET?', '/bad')));
    c.send(frame(FrameType.HEADERS, 0x5, 5, request('GET', '/hold')));
    c.send(frame(FrameType.RST_STREAM, 0, 5, [0, 0, 0, ErrorCode.CANCEL]));
    let seen = answers(c, c.frames());
    assert.equal(seen.get(1), '200 /a');
    assert.equal(seen.get(3), '400 -');
    assert.equal(seen.has(5), false);
    // Several at once, in one read, then one by one: every answer goes to its stream.
    c.send(frame(FrameType.HEADERS, 0x5, 7, request('GET', '/b')), frame(FrameType.HEADERS, 0x5, 9, request('GET', '/c')), frame(FrameType.HEADERS, 0x5, 11, request('GET?', '/bad')));
    for (let id = 13; id <= 41; id += 2) c.send(frame(FrameType.HEADERS, 0x5, id, request('GET', `/n${id}`)));
    seen = answers(c, c.frames());
    assert.equal(seen.get(7), '200 /b');
    assert.equal(seen.get(9), '200 /c');
    assert.equal(seen.get(11), '400 -');
    for (let id = 13; id <= 41; id += 2) assert.equal(seen.get(id), `200 /n${id}`);
    assert.deepEqual(
      srv.heads.map((h) => /^\S+ (\S+)/.exec(h)![1]),
      ['/a', '/hold', '/b', '/c', ...Array.from({ length: 15 }, (_, i) => `/n${13 + 2 * i}`)],
    );
  });
});

describe('H2ClientConnection: private server connections (http-reuse never)', () => {
  it("are the connection's: its streams ride one in turn, and it closes with the client connection", async () => {
    const rt = new FakeRuntime();
    const srv = await httpServer(rt, 9001, () => OK);
    const model = await parseConfigText(`
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:8080 proto h2
    default_backend be
backend be
    http-reuse never
    server s1 127.0.0.1:9001
`);
    const proxy = new Proxy(rt, model);
    await proxy.start();
    const c = new Client(rt);
    for (const [id, path] of [[1, '/a'], [3, '/b'], [5, '/c']] as const) c.send(frame(FrameType.HEADERS, 0x5, id, get(path)));
    assert.equal(c.frames().filter((f) => f.type === FrameType.HEADERS).length, 3);
    assert.equal(srv.heads.length, 3);
    assert.equal(srv.sockets.length, 1, 'one private server connection, reused by the later streams');
    assert.equal((srv.sockets[0] as FakeSocket).closed, false);
    c.socket.destroy();
    rt.flush();
    assert.equal((srv.sockets[0] as FakeSocket).closed, true, 'closed with the client connection');
  });
});

describe('H2ClientConnection: variables of concurrent streams', () => {
  it("each stream has its own txn variables, the connection's sess ones are shared, with tcp-request rules on the connection", async () => {
    const rt = new FakeRuntime();
    const held: Socket[] = [];
    await rt.listen({ host: '127.0.0.1', port: 9001 }, (socket) => {
      socket.setHandler({
        onData(s) {
          held.push(s);
        },
        onEnd(s) {
          s.end();
        },
        onDrain() {},
        onClose() {},
      });
    });
    const model = await parseConfigText(`
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:8080 proto h2
    tcp-request content set-var(sess.conn) str(c1)
    http-request set-var(txn.path) path
    http-response set-header x-path %[var(txn.path)]
    http-response set-header x-conn %[var(sess.conn)]
    default_backend be
backend be
    server s1 127.0.0.1:9001
`);
    const proxy = new Proxy(rt, model);
    await proxy.start();
    const c = new Client(rt);
    // Both requests reach the server before either is answered: their transactions overlap.
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/first')), frame(FrameType.HEADERS, 0x5, 3, get('/second')));
    assert.equal(held.length, 2);
    for (const s of held) s.write(enc.encode('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    rt.flush();
    const got = new Map<number, Record<string, string>>();
    for (const f of c.frames()) if (f.type === FrameType.HEADERS) got.set(f.streamId, c.headers(f));
    assert.equal(got.get(1)?.['x-path'], '/first');
    assert.equal(got.get(3)?.['x-path'], '/second');
    assert.equal(got.get(1)?.['x-conn'], 'c1');
    assert.equal(got.get(3)?.['x-conn'], 'c1');
  });

  it('without tcp-request rules too: a sess variable set by one stream is read by the next one', async () => {
    const rt = new FakeRuntime();
    const model = await parseConfigText(`
defaults
    mode http
    timeout client 5s
frontend fe
    bind 127.0.0.1:8080 proto h2
    http-request set-var(sess.seen) path if { path /first }
    http-request set-var(txn.mine) path
    http-request return status 200 hdr x-seen %[var(sess.seen)] hdr x-mine %[var(txn.mine)]
`);
    const proxy = new Proxy(rt, model);
    await proxy.start();
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/first')));
    c.send(frame(FrameType.HEADERS, 0x5, 3, get('/second')));
    const got = new Map<number, Record<string, string>>();
    for (const f of c.frames()) if (f.type === FrameType.HEADERS) got.set(f.streamId, c.headers(f));
    assert.deepEqual([got.get(1)?.['x-seen'], got.get(1)?.['x-mine']], ['/first', '/first']);
    assert.deepEqual([got.get(3)?.['x-seen'], got.get(3)?.['x-mine']], ['/first', '/second']);
  });
});

describe('H2ClientConnection, replies the proxy builds', () => {
  async function replyProxy(afterResponse: boolean) {
    const rt = new FakeRuntime();
    const model = await parseConfigText(`
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:8080 proto h2
    http-request return status 201 content-type text/plain string hello hdr x-r 1 if { path /ret }
    http-request deny deny_status 403 if { path /deny }
${afterResponse ? '    http-after-response set-header x-after %[status]\n    http-after-response set-status 202 if { status 201 }\n' : ''}    default_backend be
backend be
    server s1 127.0.0.1:9001
`);
    const proxy = new Proxy(rt, model);
    await proxy.start();
    return { rt, proxy };
  }

  function request(method: string, path: string): Uint8Array {
    hpack.begin();
    hpack.add(':method', method);
    hpack.add(':scheme', 'http');
    hpack.add(':authority', 'example');
    hpack.add(':path', path);
    return hpack.bytes.slice();
  }

  /** What stream `id` got: its header fields (the last HEADERS), its DATA payload, and whether END_STREAM came. */
  function answer(c: Client, frames: Seen[], id: number) {
    const mine = frames.filter((f) => f.streamId === id);
    const headers = mine.filter((f) => f.type === FrameType.HEADERS).map((f) => c.headers(f));
    const data = Buffer.concat(mine.filter((f) => f.type === FrameType.DATA).map((f) => f.payload)).toString('latin1');
    return { headers, data, ended: mine.some((f) => (f.flags & 0x1) !== 0) };
  }

  for (const afterResponse of [false, true]) {
    it(`return, deny and a HEAD of them go out as HEADERS (+ DATA)${afterResponse ? ', as the after-response rules edited them' : ''}`, async () => {
      const { rt } = await replyProxy(afterResponse);
      const c = new Client(rt);
      c.send(frame(FrameType.HEADERS, 0x5, 1, request('GET', '/ret')), frame(FrameType.HEADERS, 0x5, 3, request('HEAD', '/ret')), frame(FrameType.HEADERS, 0x5, 5, request('GET', '/deny')));
      const frames = c.frames();
      const ret = answer(c, frames, 1);
      assert.equal(ret.headers.length, 1);
      assert.equal(ret.headers[0]![':status'], afterResponse ? '202' : '201');
      assert.equal(ret.headers[0]!['content-type'], 'text/plain');
      assert.equal(ret.headers[0]!['content-length'], '5');
      assert.equal(ret.headers[0]!['x-r'], '1');
      assert.equal(ret.headers[0]!['x-after'], afterResponse ? '201' : undefined);
      assert.equal(ret.data, 'hello');
      assert.ok(ret.ended);
      const head = answer(c, frames, 3);
      assert.equal(head.headers[0]![':status'], afterResponse ? '202' : '201');
      assert.equal(head.headers[0]!['content-length'], '5');
      assert.equal(head.data, '');
      assert.ok(head.ended);
      const deny = answer(c, frames, 5);
      assert.equal(deny.headers[0]![':status'], '403');
      assert.equal(deny.headers[0]!['x-after'], afterResponse ? '403' : undefined);
      assert.equal(deny.headers[0]!['connection'], undefined);
      assert.match(deny.data, /403 Forbidden/);
      assert.ok(deny.ended);
    });
  }

  it("a reply's head is read once per connection variant and shared", () => {
    const reply = new LocalReply(200, [['content-length', '2']], new TextEncoder().encode('ok'));
    const head = reply.responseHead(ReplyConnection.none);
    assert.equal(head, reply.responseHead(ReplyConnection.none));
    assert.equal(head.status, 200);
    assert.equal(head.contentLength, 2);
    assert.equal(reply.responseHead(ReplyConnection.close).connectionClose, true);
    assert.equal(dec.decode(reply.payload), 'ok');
  });
});

describe('H2ClientConnection timeouts', () => {
  it('an idle connection is closed with GOAWAY(NO_ERROR) after timeout http-keep-alive', async () => {
    const { rt } = await setup(() => OK, { httpKeepAlive: 1000 });
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/a')));
    c.frames();
    rt.advance(900);
    assert.equal(goawayCode(c.frames()), undefined);
    rt.advance(200);
    const frames = c.frames();
    assert.equal(goawayCode(frames), ErrorCode.NO_ERROR);
    assert.deepEqual(Array.from(frames.find((f) => f.type === FrameType.GOAWAY)!.payload.subarray(0, 4)), [0, 0, 0, 1]);
    assert.equal(c.socket.peerEnded, true);
  });

  it("a stream's own deadline (timeout server) fires while other streams stay busy: 504 on that stream only", async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, (head) => (head.startsWith('GET /fast') ? OK : undefined));
    const proxy = new Proxy(rt, config([h2Frontend()], [backend('be', [server('s1', 9001)], { mode: 'http' }, { server: 1000 })]));
    await proxy.start();
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/slow')));
    rt.advance(500);
    c.send(frame(FrameType.HEADERS, 0x5, 3, get('/fast')));
    assert.equal(c.headers(c.frames().find((f) => f.type === FrameType.HEADERS && f.streamId === 3)!)[':status'], '200');
    rt.advance(600);
    const h = c.frames().find((f) => f.type === FrameType.HEADERS && f.streamId === 1);
    assert.ok(h, 'stream 1 answered');
    assert.equal(c.headers(h)[':status'], '504');
    assert.equal(goawayCode(c.frames()), undefined);
  });

  it('a client that never sends its preface is dropped after timeout http-request', async () => {
    const rt = new FakeRuntime();
    await httpServer(rt, 9001, () => OK);
    const proxy = new Proxy(rt, config([h2Frontend({ httpRequest: 500 })], [httpBackend()]));
    await proxy.start();
    const socket = rt.dial('127.0.0.1', 8080);
    rt.flush();
    rt.advance(600);
    assert.equal(socket.peerEnded, true);
  });
});

describe('H2ClientConnection tune.h2.*', () => {
  it('announces header-table-size and initial-window-size, and enforces the window once the client acknowledged it', async () => {
    const { rt, proxy } = await setup(() => undefined);
    proxy.frontends[0]!.h2Options = { headerTableSize: 8192, initialWindowSize: 1000, maxFrameSize: 1 << 20 };
    const c = new Client(rt);
    // 1 = HEADER_TABLE_SIZE 8192, 4 = INITIAL_WINDOW_SIZE 1000, 3 = MAX_CONCURRENT_STREAMS 100; the frame size stays 16384.
    assert.deepEqual(Array.from(c.frames()[0]!.payload), [0, 8, 0, 0, 0, 1, 0, 1, 0, 0, 0x20, 0, 0, 4, 0, 0, 3, 0xe8, 0, 3, 0, 0, 0, 100]);
    hpack.begin();
    hpack.add(':method', 'POST');
    hpack.add(':scheme', 'http');
    hpack.add(':path', '/p');
    const post = hpack.bytes.slice();
    // Before the ACK the client may still use the default window.
    c.send(frame(FrameType.HEADERS, 0x4, 1, post), frame(FrameType.DATA, 0, 1, new Uint8Array(2000)));
    assert.equal(c.frames().filter((f) => f.type === FrameType.RST_STREAM).length, 0);
    c.send(frame(FrameType.SETTINGS, 0x1, 0), frame(FrameType.HEADERS, 0x4, 3, post), frame(FrameType.DATA, 0, 3, new Uint8Array(2000)));
    const rst = c.frames().filter((f) => f.type === FrameType.RST_STREAM);
    assert.deepEqual(rst.map((f) => [f.streamId, f.payload[3]]), [[3, ErrorCode.FLOW_CONTROL_ERROR]]);
  });
});

describe('H2ClientConnection after its own RST_STREAM', () => {
  it('DATA and trailers the client sent before seeing our reset are ignored, not a connection error', async () => {
    const { rt } = await setup(() => OK);
    const c = new Client(rt);
    hpack.begin();
    hpack.add(':method', 'POST');
    hpack.add(':scheme', 'http');
    hpack.add(':path', '/p');
    // The response completes while the body is still coming: the proxy resets the stream (NO_ERROR).
    c.send(frame(FrameType.HEADERS, 0x4, 1, hpack.bytes.slice()), frame(FrameType.DATA, 0, 1, new Uint8Array(10)));
    const rst = c.frames().find((f) => f.type === FrameType.RST_STREAM);
    assert.deepEqual([rst?.streamId, rst?.payload[3]], [1, ErrorCode.NO_ERROR]);
    hpack.begin();
    hpack.add('x-trailer', '1');
    c.send(frame(FrameType.DATA, 0, 1, new Uint8Array(10)), frame(FrameType.HEADERS, 0x5, 1, hpack.bytes.slice()), frame(FrameType.HEADERS, 0x5, 3, get('/next')));
    const after = c.frames();
    assert.equal(goawayCode(after), undefined);
    assert.equal(after.filter((f) => f.type === FrameType.RST_STREAM).length, 0);
    assert.ok(after.some((f) => f.type === FrameType.HEADERS && f.streamId === 3));
  });
});

describe('H2ClientConnection: soft stop with close-spread-time', () => {
  /** Each call returns the next value (the last one repeated). */
  function scripted(...values: number[]): () => number {
    let i = 0;
    return () => values[Math.min(i++, values.length - 1)] as number;
  }

  it('an idle connection that served a stream gets its GOAWAY at a random moment of the window, not at once', async () => {
    const { rt, proxy } = await setup(() => OK);
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/a')));
    assert.ok(c.frames().some((f) => f.type === FrameType.DATA));
    proxy.frontends[0]!.drainSessions(new SoftStopClosing(1000, rt.now(), scripted(0.4)));
    rt.flush();
    rt.advance(390);
    assert.equal(goawayCode(c.frames()), undefined, 'GOAWAY at once');
    assert.equal(c.socket.peerEnded, false);
    rt.advance(20);
    assert.equal(goawayCode(c.frames()), ErrorCode.NO_ERROR);
    assert.equal(c.socket.peerEnded, true);
  });

  it('an active connection: GOAWAY when a draw says so, as the window goes by', async () => {
    const { rt, proxy } = await setup(() => OK);
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/a')));
    c.frames();
    // Draws: idle until 950 ms; at 100 ms the stream, served at once on this fake network, leaves
    // the connection idle again until 991 ms, then the event's draw (0.5 of the window); at
    // 600 ms the same, the idle one first.
    proxy.frontends[0]!.drainSessions(new SoftStopClosing(1000, rt.now(), scripted(0.95, 0.99, 0.5, 0.99, 0.5)));
    rt.advance(100);
    c.send(frame(FrameType.HEADERS, 0x5, 3, get('/b')));
    const early = c.frames();
    assert.equal(goawayCode(early), undefined, 'remaining 900 ms > 500: no GOAWAY');
    assert.ok(early.some((f) => f.type === FrameType.DATA && f.streamId === 3));
    rt.advance(500);
    c.send(frame(FrameType.HEADERS, 0x5, 5, get('/c')));
    const late = c.frames();
    assert.equal(goawayCode(late), ErrorCode.NO_ERROR, 'remaining 400 ms <= 500: GOAWAY');
    assert.ok(late.some((f) => f.type === FrameType.DATA && f.streamId === 5), 'the stream is served');
    // A GOAWAY naming stream 2^31-1 does not end the connection: the idle one's draw does.
    assert.equal(c.socket.peerEnded, false);
    rt.advance(400);
    assert.equal(c.socket.peerEnded, true);
  });

  it('infinite: no GOAWAY, the connection stays until its own timeout', async () => {
    const { rt, proxy } = await setup(() => OK, { httpKeepAlive: 3000 });
    const c = new Client(rt);
    c.send(frame(FrameType.HEADERS, 0x5, 1, get('/a')));
    c.frames();
    proxy.frontends[0]!.drainSessions(new SoftStopClosing('infinite', rt.now()));
    rt.advance(1000);
    c.send(frame(FrameType.HEADERS, 0x5, 3, get('/b')));
    assert.equal(goawayCode(c.frames()), undefined);
    assert.equal(c.socket.peerEnded, false);
    rt.advance(3100);
    assert.equal(c.socket.peerEnded, true, 'closed by timeout http-keep-alive');
  });
});
