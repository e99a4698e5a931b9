/**
 * The server-side HTTP/2 mux (src/mux/h2-server.ts) on a recording socket: the request the
 * stream hands over (a built head, HTTP/1 bytes) as frames (HAProxy 2.6's field encoding), the server's frames as
 * the HTTP/1 response the stream reads, flow control, and what the stream hears on errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Socket, SocketError, SocketHandler, TlsInfo } from '../../src/runtime.ts';
import { H2ServerConnection, type H2ServerStream } from '../../src/mux/h2-server.ts';
import { beginWriteBatch, endWriteBatch } from '../../src/mux/write-batch.ts';
import type { Server } from '../../src/proxy/server.ts';
import { HeadEditor, RequestHeadParser, type RequestHead } from '../../src/http/codec/index.ts';
import { HeaderList, HpackDecoder, HpackEncoder, PREFACE, dataFrame, goawayFrame, headersFrames, rstStreamFrame, settingsFrame, windowUpdateFrame } from '../../src/http/h2/index.ts';

class WireSocket implements Socket {
  readonly written: Uint8Array[] = [];
  handler: SocketHandler | undefined;
  ended = false;
  destroyed = false;
  readonly bufferedAmount = 0;
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 1;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 2;
  readonly tls: TlsInfo | undefined = undefined;
  setHandler(handler: SocketHandler): void {
    this.handler = handler;
  }
  write(chunk: Uint8Array): boolean {
    this.written.push(chunk);
    return true;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  reset(): void {
    this.destroyed = true;
  }
  pause(): void {}
  resume(): void {}
  setNoDelay(): void {}
  setKeepAlive(): void {}
}

class Recorder implements SocketHandler {
  data = '';
  ends = 0;
  drains = 0;
  closed: SocketError | undefined | 'open' = 'open';
  onData(_s: Socket, chunk: Uint8Array): void {
    this.data += Buffer.from(chunk).toString('latin1');
  }
  onEnd(): void {
    this.ends++;
  }
  onDrain(): void {
    this.drains++;
  }
  onClose(_s: Socket, error: SocketError | undefined): void {
    this.closed = error;
  }
}

interface Sent {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** The frames the mux wrote after its preface. */
function framesOf(socket: WireSocket): Sent[] {
  let buf = Buffer.concat(socket.written);
  assert.deepEqual([...buf.subarray(0, PREFACE.byteLength)], [...PREFACE]);
  buf = buf.subarray(PREFACE.byteLength);
  const out: Sent[] = [];
  while (buf.length >= 9) {
    const len = buf.readUIntBE(0, 3);
    out.push({ type: buf[3]!, flags: buf[4]!, streamId: buf.readUInt32BE(5) & 0x7fffffff, payload: buf.subarray(9, 9 + len) });
    buf = buf.subarray(9 + len);
  }
  return out;
}

function decodeFields(payload: Buffer): [string, string][] {
  const list = new HeaderList();
  new HpackDecoder().decode(payload, 0, payload.length, list);
  return list.names.slice(0, list.count).map((n, i) => [n, list.values[i]!]);
}

function block(fields: [string, string][]): Uint8Array {
  const enc = new HpackEncoder({ huffman: false });
  enc.begin();
  for (const [n, v] of fields) enc.add(n, v);
  return enc.bytes.slice();
}

/** A connection on a recording socket and its first stream (`mux`, what the HttpStream writes to). */
function setup(): { wire: WireSocket; conn: H2ServerConnection; mux: H2ServerStream; rec: Recorder } {
  const wire = new WireSocket();
  const conn = new H2ServerConnection(wire);
  const rec = new Recorder();
  const mux = conn.openStream(rec);
  return { wire, conn, mux, rec };
}

const latin1 = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** `text` parsed, then edited as a stream's rules and the proxy would, built as a head (HeadEditor.buildRequestHead). */
function editedHead(text: string, edit: (editor: HeadEditor) => void): { head: RequestHead; body: Uint8Array } {
  const parser = new RequestHeadParser();
  const bytes = latin1(text);
  const used = parser.feed(bytes, 0);
  const editor = new HeadEditor().begin(parser.head!);
  edit(editor);
  return { head: editor.buildRequestHead(1000, 1 << 20)!, body: bytes.subarray(used) };
}

describe('H2ServerConnection', () => {
  it("the preface and HAProxy 2.6's backend SETTINGS in one write: ENABLE_PUSH=0, ENABLE_CONNECT_PROTOCOL=1, MAX_CONCURRENT_STREAMS=100", () => {
    const { wire } = setup();
    assert.equal(wire.written.length, 1);
    // The bytes HAProxy 2.6 (h2c_send_settings with H2_CF_IS_BACK, default tune.h2.*) sends.
    const expected = Buffer.concat([Buffer.from(PREFACE), Buffer.from('000012040000000000' + '000200000000' + '000800000001' + '000300000064', 'hex')]);
    assert.deepEqual(Buffer.from(wire.written[0]!), expected);
  });

  it('tune.h2.* reach the server connection as HAProxy announces them, 0 concurrent streams not announced', () => {
    const wire = new WireSocket();
    new H2ServerConnection(wire, undefined, Infinity, { headerTableSize: 8192, initialWindowSize: 1048576, maxConcurrentStreams: 0 });
    const settings = framesOf(wire)[0]!;
    assert.equal(settings.type, 0x4);
    assert.equal(settings.payload.toString('hex'), '000200000000' + '000800000001' + '000100002000' + '000400100000');
  });

  it('an origin-form request: :scheme https, no :authority, Host as a field, connection-specific fields and te other than trailers dropped', () => {
    const { wire, mux } = setup();
    mux.write(latin1('GET /x?y HTTP/1.1\r\nHost: a.example\r\nConnection: keep-alive\r\nTE: gzip\r\nX-A: 1\r\n\r\n'));
    const headers = framesOf(wire).find((f) => f.type === 0x1) as Sent;
    assert.equal(headers.streamId, 1);
    assert.equal(headers.flags & 0x1, 0x1, 'END_STREAM on a bodyless request');
    assert.deepEqual(decodeFields(headers.payload), [
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/x?y'],
      ['host', 'a.example'],
      ['x-a', '1'],
    ]);
  });

  it('an absolute-form request: scheme and authority from the target, Host dropped; te keeps only trailers', () => {
    const { wire, mux } = setup();
    mux.write(latin1('POST http://h.example:8080 HTTP/1.1\r\nhost: h.example:8080\r\nte: trailers, deflate\r\ncontent-length: 2\r\n\r\nok'));
    const frames = framesOf(wire);
    const headers = frames.find((f) => f.type === 0x1) as Sent;
    assert.deepEqual(decodeFields(headers.payload), [
      [':method', 'POST'],
      [':scheme', 'http'],
      [':authority', 'h.example:8080'],
      [':path', '/'],
      ['te', 'trailers'],
      ['content-length', '2'],
    ]);
    const data = frames.filter((f) => f.type === 0x0);
    assert.equal(Buffer.concat(data.map((d) => d.payload)).toString(), 'ok');
    assert.equal((data.at(-1) as Sent).flags & 0x1, 0x1);
  });

  it('a head handed over built (writeRequestHead), then its body as bytes: the frames the same head and body as bytes make', () => {
    const text = 'POST http://h.example/up HTTP/1.1\r\nhost: h.example\r\nconnection: keep-alive\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nx-t: 1\r\n\r\n';
    const edit = (e: HeadEditor): void => {
      e.setRequestLine('POST', '/up', 1).removeHopByHop().append('x-forwarded-for', '127.0.0.1');
    };
    const built = setup();
    const { head, body } = editedHead(text, edit);
    assert.equal(built.mux.writeRequestHead(head), true);
    assert.equal(built.mux.write(body), true);
    const asBytes = setup();
    const again = editedHead(text, edit);
    asBytes.mux.write(Buffer.concat([again.head.raw, again.body]));
    const frames = framesOf(built.wire);
    assert.deepEqual(frames, framesOf(asBytes.wire));
    const headers = frames.find((f) => f.type === 0x1) as Sent;
    assert.deepEqual(decodeFields(headers.payload), [
      [':method', 'POST'],
      [':scheme', 'https'],
      [':path', '/up'],
      ['host', 'h.example'],
      ['x-forwarded-for', '127.0.0.1'],
    ]);
    assert.deepEqual(frames.filter((f) => f.streamId === 1).map((f) => f.type), [0x1, 0x0, 0x1]);
  });

  it('a chunked request body goes as DATA payload, its trailers as a last HEADERS frame with END_STREAM', () => {
    const { wire, mux } = setup();
    mux.write(latin1('POST /g HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nx-t: 1\r\n\r\n'));
    const frames = framesOf(wire).filter((f) => f.streamId === 1);
    assert.deepEqual(frames.map((f) => f.type), [0x1, 0x0, 0x1]);
    assert.equal(frames[1]!.payload.toString(), 'abc');
    assert.equal(frames[2]!.flags & 0x1, 0x1);
    assert.deepEqual(decodeFields(frames[2]!.payload), [['x-t', '1']]);
  });

  it('a response without Content-Length reads as HTTP/1.1 chunked, its trailers as the trailer section', () => {
    const { conn, mux, rec, wire } = setup();
    mux.write(latin1('GET / HTTP/1.1\r\nhost: a\r\n\r\n'));
    conn.onData(wire, headersFrames(1, block([[':status', '200'], ['content-type', 'application/grpc']]), false, 16384));
    conn.onData(wire, dataFrame(1, latin1('ab'), 0, 2, false));
    conn.onData(wire, headersFrames(1, block([['grpc-status', '0']]), true, 16384));
    assert.equal(rec.data, 'HTTP/1.1 200 \r\ncontent-type: application/grpc\r\ntransfer-encoding: chunked\r\n\r\n2\r\nab\r\n0\r\ngrpc-status: 0\r\n\r\n');
    // The DATA read is credited back.
    assert.ok(framesOf(wire).some((f) => f.type === 0x8 && f.streamId === 0 && f.payload.readUInt32BE(0) === 2));
  });

  it('the next request after a complete exchange goes on stream 3', () => {
    const { conn, mux, rec, wire } = setup();
    mux.write(latin1('GET / HTTP/1.1\r\nhost: a\r\n\r\n'));
    conn.onData(wire, headersFrames(1, block([[':status', '204']]), true, 16384));
    assert.equal(rec.data, 'HTTP/1.1 204 \r\n\r\n');
    const next = conn.openStream(rec);
    mux.finish(undefined, true);
    next.write(latin1('GET /2 HTTP/1.1\r\nhost: a\r\n\r\n'));
    assert.deepEqual(framesOf(wire).filter((f) => f.type === 0x1).map((f) => f.streamId), [1, 3]);
  });

  it('a malformed response (a connection-specific field) is a closed server with an error, the stream reset', () => {
    const { conn, mux, rec, wire } = setup();
    mux.write(latin1('GET / HTTP/1.1\r\nhost: a\r\n\r\n'));
    conn.onData(wire, headersFrames(1, block([[':status', '200'], ['connection', 'close']]), true, 16384));
    assert.equal(rec.data, '');
    assert.notEqual(rec.closed, 'open');
    assert.ok(rec.closed !== undefined);
    const rst = framesOf(wire).find((f) => f.type === 0x3) as Sent;
    assert.equal(rst.payload.readUInt32BE(0), 0x1);
    // A stream error: the connection goes on.
    assert.ok(!framesOf(wire).some((f) => f.type === 0x7));
    assert.equal(wire.ended, false);
  });

  it('RST_STREAM from the server before a response: the stream hears a failed close', () => {
    const { conn, mux, rec, wire } = setup();
    mux.write(latin1('GET / HTTP/1.1\r\nhost: a\r\n\r\n'));
    conn.onData(wire, rstStreamFrame(1, 0x2));
    assert.ok(rec.closed !== 'open' && rec.closed !== undefined);
  });

  it('GOAWAY that leaves our stream unprocessed: the stream hears an end with nothing received', () => {
    const { conn, mux, rec, wire } = setup();
    mux.write(latin1('GET / HTTP/1.1\r\nhost: a\r\n\r\n'));
    conn.onData(wire, goawayFrame(0, 0));
    assert.equal(rec.ends, 1);
    assert.equal(rec.data, '');
  });

  it('request DATA waits for the server windows: write() says stop, the rest goes on WINDOW_UPDATE, then onDrain', () => {
    const { conn, mux, rec, wire } = setup();
    const body = Buffer.alloc(70000, 'b');
    const flowing = mux.write(Buffer.concat([latin1(`POST / HTTP/1.1\r\nhost: a\r\ncontent-length: ${body.length}\r\n\r\n`), body]));
    assert.equal(flowing, false);
    const sent = () => framesOf(wire).filter((f) => f.type === 0x0).reduce((n, f) => n + f.payload.length, 0);
    assert.equal(sent(), 65535);
    conn.onData(wire, windowUpdateFrame(0, 10000));
    assert.equal(sent(), 65535, 'the stream window is still closed');
    conn.onData(wire, windowUpdateFrame(1, 10000));
    assert.equal(sent(), 70000);
    assert.equal(rec.drains, 1);
    const last = framesOf(wire).filter((f) => f.type === 0x0).at(-1) as Sent;
    assert.equal(last.flags & 0x1, 0x1);
  });

  it('a paused stream gets no stream credit back until it resumes, and then the held bytes first; the connection is credited at once', () => {
    const { conn, mux, rec, wire } = setup();
    mux.write(latin1('GET / HTTP/1.1\r\nhost: a\r\n\r\n'));
    conn.onData(wire, headersFrames(1, block([[':status', '200'], ['content-length', '4']]), false, 16384));
    mux.pause();
    conn.onData(wire, dataFrame(1, latin1('abcd'), 0, 4, true));
    assert.equal(rec.data, 'HTTP/1.1 200 \r\ncontent-length: 4\r\n\r\n');
    assert.ok(framesOf(wire).some((f) => f.type === 0x8 && f.streamId === 0), 'the connection window is not held by one stream');
    assert.ok(!framesOf(wire).some((f) => f.type === 0x8 && f.streamId === 1));
    mux.resume();
    assert.equal(rec.data, 'HTTP/1.1 200 \r\ncontent-length: 4\r\n\r\nabcd');
  });
});

describe('H2ServerConnection: several streams', () => {
  function twoStreams(): { wire: WireSocket; conn: H2ServerConnection; a: H2ServerStream; b: H2ServerStream; ra: Recorder; rb: Recorder } {
    const wire = new WireSocket();
    const conn = new H2ServerConnection(wire);
    const ra = new Recorder();
    const rb = new Recorder();
    const a = conn.openStream(ra);
    const b = conn.openStream(rb);
    return { wire, conn, a, b, ra, rb };
  }

  it('two streams in flight at once, their responses interleaved, each user reads its own', () => {
    const { wire, conn, a, b, ra, rb } = twoStreams();
    a.write(latin1('GET /a HTTP/1.1\r\nhost: x\r\n\r\n'));
    b.write(latin1('GET /b HTTP/1.1\r\nhost: x\r\n\r\n'));
    assert.deepEqual(framesOf(wire).filter((f) => f.type === 0x1).map((f) => f.streamId), [1, 3]);
    conn.onData(wire, headersFrames(3, block([[':status', '200'], ['content-length', '2']]), false, 16384));
    conn.onData(wire, headersFrames(1, block([[':status', '201'], ['content-length', '1']]), false, 16384));
    conn.onData(wire, dataFrame(3, latin1('bb'), 0, 2, true));
    conn.onData(wire, dataFrame(1, latin1('a'), 0, 1, true));
    assert.equal(ra.data, 'HTTP/1.1 201 \r\ncontent-length: 1\r\n\r\na');
    assert.equal(rb.data, 'HTTP/1.1 200 \r\ncontent-length: 2\r\n\r\nbb');
  });

  it('RST_STREAM on one stream fails only that one; the other is answered and the connection stays', () => {
    const { wire, conn, a, b, ra, rb } = twoStreams();
    a.write(latin1('GET /a HTTP/1.1\r\nhost: x\r\n\r\n'));
    b.write(latin1('GET /b HTTP/1.1\r\nhost: x\r\n\r\n'));
    conn.onData(wire, rstStreamFrame(1, 0x2));
    assert.ok(ra.closed !== 'open' && ra.closed !== undefined, 'stream 1 fails');
    assert.equal(rb.closed, 'open');
    a.destroy();
    conn.onData(wire, headersFrames(3, block([[':status', '204']]), true, 16384));
    assert.equal(rb.data, 'HTTP/1.1 204 \r\n\r\n');
    assert.equal(conn.closed, false);
    assert.equal(wire.ended, false);
    assert.ok(conn.availStreams > 0);
  });

  it("GOAWAY: the stream above the server's last-stream-id is unanswered, the one below finishes, no new stream", () => {
    const { wire, conn, a, b, ra, rb } = twoStreams();
    a.write(latin1('GET /a HTTP/1.1\r\nhost: x\r\n\r\n'));
    b.write(latin1('GET /b HTTP/1.1\r\nhost: x\r\n\r\n'));
    conn.onData(wire, goawayFrame(1, 0));
    assert.equal(rb.ends, 1, 'stream 3 hears a server that closed without answering');
    assert.equal(rb.data, '');
    assert.equal(ra.ends, 0);
    assert.equal(conn.availStreams, 0);
    assert.equal(conn.acceptsNewStream, false);
    conn.onData(wire, headersFrames(1, block([[':status', '204']]), true, 16384));
    assert.equal(ra.data, 'HTTP/1.1 204 \r\n\r\n');
  });

  it('the connection window is shared in turns: streams blocked on it send one frame each as credit comes', () => {
    const { wire, conn, a, b } = twoStreams();
    // Stream windows large enough that only the connection's limits them.
    conn.onData(wire, settingsFrame([[0x4, 1 << 20]]));
    const body = Buffer.alloc(100000, 'a');
    a.write(Buffer.concat([latin1(`POST /a HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n`), body]));
    b.write(Buffer.concat([latin1(`POST /b HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n`), body]));
    const sent = (sid: number) => framesOf(wire).filter((f) => f.type === 0x0 && f.streamId === sid).reduce((n, f) => n + f.payload.length, 0);
    assert.equal(sent(1), 65535, 'the first stream took the whole connection window');
    assert.equal(sent(3), 0);
    conn.onData(wire, windowUpdateFrame(0, 2 * 16384));
    // Both got a turn: each sent one frame, not the first stream the whole credit.
    assert.equal(sent(1), 65535 + 16384);
    assert.equal(sent(3), 16384);
  });

  it('a paused stream holds only its own window: the other stream goes on and is credited', () => {
    const { wire, conn, a, b, ra, rb } = twoStreams();
    a.write(latin1('GET /a HTTP/1.1\r\nhost: x\r\n\r\n'));
    b.write(latin1('GET /b HTTP/1.1\r\nhost: x\r\n\r\n'));
    conn.onData(wire, headersFrames(1, block([[':status', '200']]), false, 16384));
    conn.onData(wire, headersFrames(3, block([[':status', '200']]), false, 16384));
    a.pause();
    conn.onData(wire, dataFrame(1, Buffer.alloc(1000, 'a'), 0, 1000, false));
    conn.onData(wire, dataFrame(3, Buffer.alloc(1000, 'b'), 0, 1000, false));
    const updates = framesOf(wire).filter((f) => f.type === 0x8);
    assert.equal(updates.filter((f) => f.streamId === 0).reduce((n, f) => n + f.payload.readUInt32BE(0), 0), 2000, 'the connection is credited for both');
    assert.ok(updates.some((f) => f.streamId === 3), 'stream 3 is credited');
    assert.ok(!updates.some((f) => f.streamId === 1), 'stream 1 is not, while paused');
    assert.ok(rb.data.endsWith('3e8\r\n' + 'b'.repeat(1000) + '\r\n'));
    assert.ok(!ra.data.includes('aaa'));
    a.resume();
    assert.ok(ra.data.includes('a'.repeat(1000)));
    assert.ok(framesOf(wire).some((f) => f.type === 0x8 && f.streamId === 1));
  });

  it("the server's SETTINGS_MAX_CONCURRENT_STREAMS: a stream beyond it waits for a slot before its HEADERS", () => {
    const { wire, conn, a, b, rb } = twoStreams();
    conn.onData(wire, settingsFrame([[0x3, 1]]));
    assert.equal(conn.availStreams, 0);
    a.write(latin1('GET /a HTTP/1.1\r\nhost: x\r\n\r\n'));
    assert.equal(b.write(latin1('GET /b HTTP/1.1\r\nhost: x\r\n\r\n')), false);
    assert.deepEqual(framesOf(wire).filter((f) => f.type === 0x1).map((f) => f.streamId), [1]);
    conn.onData(wire, headersFrames(1, block([[':status', '204']]), true, 16384));
    assert.deepEqual(framesOf(wire).filter((f) => f.type === 0x1).map((f) => f.streamId), [1, 3]);
    assert.equal(rb.drains, 1);
  });

  it('a head handed over built before the stream has a slot waits as bytes, and goes when one frees', () => {
    const { wire, conn, a, b, rb } = twoStreams();
    conn.onData(wire, settingsFrame([[0x3, 1]]));
    a.write(latin1('GET /a HTTP/1.1\r\nhost: x\r\n\r\n'));
    const { head } = editedHead('GET /b HTTP/1.1\r\nhost: x\r\n\r\n', (e) => e.append('x-b', '1'));
    assert.equal(b.writeRequestHead(head), false);
    conn.onData(wire, headersFrames(1, block([[':status', '204']]), true, 16384));
    const second = framesOf(wire).filter((f) => f.type === 0x1)[1] as Sent;
    assert.equal(second.streamId, 3);
    assert.deepEqual(decodeFields(second.payload), [[':method', 'GET'], [':scheme', 'https'], [':path', '/b'], ['host', 'x'], ['x-b', '1']]);
    assert.equal(rb.drains, 1);
  });
});

describe('H2ServerConnection: write batches (src/mux/write-batch.ts)', () => {
  it("the requests written while another connection's read is processed go out in one write when that read ends", () => {
    const wire = new WireSocket();
    const conn = new H2ServerConnection(wire);
    const streams = [0, 1, 2].map(() => conn.openStream(new Recorder()));
    beginWriteBatch();
    try {
      for (const [i, s] of streams.entries()) s.write(latin1(`GET /${i} HTTP/1.1\r\nhost: x\r\n\r\n`));
      assert.equal(wire.written.length, 1, 'only the preface is out while the batch is open');
    } finally {
      endWriteBatch();
    }
    assert.equal(wire.written.length, 2, 'the three requests in one write');
    assert.deepEqual(framesOf(wire).filter((f) => f.type === 0x1).map((f) => f.streamId), [1, 3, 5]);
  });

  it("outside a batch each request is its own write; the server's own read batches what it answers (SETTINGS ACK, PING ACK)", () => {
    const wire = new WireSocket();
    const conn = new H2ServerConnection(wire);
    const a = conn.openStream(new Recorder());
    const b = conn.openStream(new Recorder());
    a.write(latin1('GET /a HTTP/1.1\r\nhost: x\r\n\r\n'));
    b.write(latin1('GET /b HTTP/1.1\r\nhost: x\r\n\r\n'));
    assert.equal(wire.written.length, 3);
    const ping = Buffer.from('000008060000000000' + '0102030405060708', 'hex');
    conn.onData(wire, Buffer.concat([settingsFrame([]), ping, ping]));
    assert.equal(wire.written.length, 4, 'one write for the SETTINGS ACK and both PING ACKs');
    assert.deepEqual(framesOf(wire).slice(-3).map((f) => f.type), [0x4, 0x6, 0x6]);
  });

  it('a connection shut during a batch sends what it held before its FIN; one reset drops it', () => {
    const wire = new WireSocket();
    const conn = new H2ServerConnection(wire);
    const a = conn.openStream(new Recorder());
    beginWriteBatch();
    try {
      a.write(latin1('GET /a HTTP/1.1\r\nhost: x\r\n\r\n'));
      // DATA on stream 0: a connection error (GOAWAY PROTOCOL_ERROR, then FIN).
      conn.onData(wire, Buffer.from('000001000000000000' + '61', 'hex'));
      assert.ok(wire.ended, 'closed in the batch');
      assert.deepEqual(framesOf(wire).map((f) => f.type), [0x4, 0x1, 0x7], 'SETTINGS, the held HEADERS, then our GOAWAY, before the FIN');
    } finally {
      endWriteBatch();
    }
    const written = wire.written.length;
    const other = new WireSocket();
    const reset = new H2ServerConnection(other);
    const s = reset.openStream(new Recorder());
    beginWriteBatch();
    try {
      s.write(latin1('GET /a HTTP/1.1\r\nhost: x\r\n\r\n'));
      reset.reset();
    } finally {
      endWriteBatch();
    }
    assert.equal(other.written.length, 1, 'nothing written after the reset');
    assert.equal(wire.written.length, written);
  });
});

describe('H2ServerConnection: used connections (used_conn_cur)', () => {
  /** What the connection reads of its server: the used-connection count alone. */
  const serverStub = (): { usedConnections: number; maxReuse: number } => ({ usedConnections: 0, maxReuse: -1 });

  it('a shareable connection counts once while any stream uses it, and no longer once the last one left', () => {
    const server = serverStub();
    const conn = new H2ServerConnection(new WireSocket(), undefined, Infinity, {}, server as unknown as Server, '', undefined, true);
    const a = conn.openStream(new Recorder());
    const b = conn.openStream(new Recorder());
    assert.equal(server.usedConnections, 1);
    a.destroy();
    assert.equal(server.usedConnections, 1);
    b.destroy();
    assert.equal(server.usedConnections, 0);
  });

  it('a private or check connection is not counted', () => {
    const server = serverStub();
    const conn = new H2ServerConnection(new WireSocket(), undefined, Infinity, {}, server as unknown as Server);
    conn.openStream(new Recorder()).destroy();
    conn.openStream(new Recorder());
    assert.equal(server.usedConnections, 0);
  });
});
