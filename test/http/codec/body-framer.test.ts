import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyFramer, HttpParseError, ResponseHeadParser, latin1Bytes, latin1String } from '../../../src/http/codec/index.ts';

const enc = latin1Bytes;

function responseHead(s: string) {
  const p = new ResponseHeadParser();
  p.feed(enc(s));
  assert.ok(p.done);
  return p.head!;
}

describe('BodyFramer', () => {
  it('length: consumes exactly n bytes across chunks and stops before the next message', () => {
    const f = new BodyFramer().setLength(7);
    assert.equal(f.feed(enc('abc')), 3);
    assert.equal(f.remaining, 4);
    assert.equal(f.done, false);
    const b = enc('defgHTTP/1.1');
    assert.equal(f.feed(b), 4);
    assert.equal(f.done, true);
    assert.equal(f.feed(b, 4), 0);
    assert.equal(f.payloadBytes, 7);
    assert.equal(f.bytesConsumed, 7);
  });

  it('length 0 and none are done at once', () => {
    assert.equal(new BodyFramer().setLength(0).done, true);
    const f = new BodyFramer().setNone();
    assert.equal(f.done, true);
    assert.equal(f.feed(enc('x')), 0);
  });

  it('chunked: huge chunk sizes stream in O(1) memory and onData sees payload ranges in place', () => {
    const f = new BodyFramer().setChunked();
    const ranges: [number, number][] = [];
    let last: Uint8Array | undefined;
    f.onData = (c, s, e) => {
      last = c;
      ranges.push([s, e]);
    };
    assert.equal(f.feed(enc('100000;big\r\n')), 12);
    const block = new Uint8Array(65536);
    for (let i = 0; i < 16; i++) assert.equal(f.feed(block), 65536);
    assert.equal(f.payloadBytes, 0x100000);
    assert.equal(last, block);
    assert.deepEqual(ranges[0], [0, 65536]);
    const tail = enc('\r\n0\r\n\r\nNEXT');
    assert.equal(f.feed(tail), 7);
    assert.ok(f.done);
    assert.equal(f.bytesConsumed, 12 + 0x100000 + 7);
  });

  it('chunked: payload through onData, framing excluded', () => {
    const f = new BodyFramer().setChunked();
    let payload = '';
    f.onData = (c, s, e) => {
      payload += latin1String(c, s, e);
    };
    const s = '3\r\nabc\r\n2;x="y;z"\r\nde\r\n0\r\nT: 1\r\n\r\n';
    assert.equal(f.feed(enc(s)), s.length);
    assert.equal(payload, 'abcde');
    assert.equal(f.payloadBytes, 5);
  });

  it('until close: everything until eof()', () => {
    const f = new BodyFramer().setUntilClose();
    assert.equal(f.feed(enc('abc')), 3);
    assert.equal(f.done, false);
    assert.equal(f.eof(), true);
    assert.equal(f.done, true);
    assert.equal(f.payloadBytes, 3);
  });

  it('eof() inside a length or chunked body is INCOMPLETE_MESSAGE (400 request / 502 response)', () => {
    const a = new BodyFramer().setLength(5);
    a.feed(enc('ab'));
    assert.throws(() => a.eof(), { code: 'INCOMPLETE_MESSAGE', status: 400 });
    const b = new BodyFramer().setChunked(true);
    b.feed(enc('5\r\nab'));
    assert.throws(() => b.eof(), { code: 'INCOMPLETE_MESSAGE', status: 502 });
    assert.equal(new BodyFramer().setNone().eof(), true);
  });

  it('errors carry the body offset of the offending byte', () => {
    const f = new BodyFramer().setChunked();
    f.feed(enc('3\r\nabc'));
    assert.throws(
      () => f.feed(enc('\r\nzz')),
      (e) => e instanceof HttpParseError && e.code === 'BAD_CHUNK' && e.offset === 8,
    );
    assert.throws(() => f.feed(enc('0\r\n\r\n')), { code: 'BAD_CHUNK' }, 'the error sticks');
  });

  it('trailer limits', () => {
    const f = new BodyFramer({ maxHeaders: 2 }).setChunked();
    assert.throws(() => f.feed(enc('0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n')), { code: 'TRAILERS_TOO_LARGE' });
    const g = new BodyFramer({ maxHeadSize: 10 }).setChunked();
    assert.throws(() => g.feed(enc('0\r\nA: 1234567890\r\n\r\n')), { code: 'TRAILERS_TOO_LARGE' });
    const h = new BodyFramer().setChunked();
    assert.throws(() => h.feed(enc('0\r\nHOST: x\r\n\r\n')), { code: 'BAD_TRAILER' });
    const k = new BodyFramer().setChunked();
    const ok = '0\r\nHosts: x\r\nContent-Lengthy: 1\r\n\r\n';
    assert.equal(k.feed(enc(ok)), ok.length, 'only exact names are refused');
    assert.ok(k.done);
  });

  it('reuse: start* resets counters and errors', () => {
    const f = new BodyFramer().setChunked();
    assert.throws(() => f.feed(enc('x')));
    f.setLength(2);
    assert.equal(f.error, undefined);
    assert.equal(f.feed(enc('ab')), 2);
    assert.equal(f.bytesConsumed, 2);
  });

  describe('startResponse (RFC 9112 §6.3)', () => {
    const table: [string, string, string][] = [
      ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', 'HEAD', 'none'],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'HEAD', 'none'],
      ['HTTP/1.1 100 Continue\r\n\r\n', 'POST', 'none'],
      ['HTTP/1.1 101 Switching Protocols\r\n\r\n', 'GET', 'none'],
      ['HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n', 'GET', 'none'],
      ['HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n', 'GET', 'none'],
      ['HTTP/1.1 200 OK\r\n\r\n', 'CONNECT', 'none'],
      ['HTTP/1.1 407 Proxy Auth\r\nContent-Length: 3\r\n\r\n', 'CONNECT', 'length'],
      ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', 'GET', 'length'],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'GET', 'chunked'],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', 'GET', 'close'],
      ['HTTP/1.1 200 OK\r\n\r\n', 'GET', 'close'],
      ['HTTP/1.1 404 Not Found\r\n\r\n', 'POST', 'close'],
    ];
    for (const [head, method, mode] of table) {
      it(`${head.split('\r\n').slice(0, 2).join(' | ')} for ${method} -> ${mode}`, () => {
        const f = new BodyFramer().startResponse(responseHead(head), method);
        assert.equal(f.mode, mode);
        assert.equal(f.done, mode === 'none');
      });
    }
  });

  /** Feeds `text` split at `cut`, returning what a proxy forwards (consumed bytes not discarded). */
  function forwarded(text: string, cut: number): { wire: string; payload: string; done: boolean } {
    const f = new BodyFramer().setChunked();
    let payload = '';
    f.onData = (c, s, e) => {
      payload += latin1String(c, s, e);
    };
    let wire = '';
    for (const piece of [text.slice(0, cut), text.slice(cut)]) {
      const bytes = enc(piece);
      let off = 0;
      while (off < bytes.length && !f.done) {
        const n = f.feed(bytes, off);
        assert.ok(n > 0, 'feed() always makes progress');
        if (!f.discard) wire += latin1String(bytes, off, off + n);
        off += n;
      }
    }
    return { wire, payload, done: f.done };
  }

  // HAProxy accepts any number of leading zeros (h1_parse_chunk_size bounds the value, not the
  // digits); the zeros after the first are not forwarded, at every split point.
  it('chunked: leading zeros are valid; all but one are discarded, wherever the input is split', () => {
    const text = '0000000000000000000005\r\nhello\r\n000\r\n\r\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const r = forwarded(text, cut);
      assert.equal(r.wire, '05\r\nhello\r\n0\r\n\r\n', `cut at ${cut}`);
      assert.equal(r.payload, 'hello');
      assert.ok(r.done);
    }
    assert.equal(forwarded('5\r\nhello\r\n0\r\n\r\n', 3).wire, '5\r\nhello\r\n0\r\n\r\n', 'nothing discarded without leading zeros');
    assert.equal(forwarded('10\r\n0123456789abcdef\r\n0\r\n\r\n', 1).wire, '10\r\n0123456789abcdef\r\n0\r\n\r\n', 'zeros after a significant digit are kept');
  });

  it('chunked: sizes from 2^52 up are refused, as HAProxy; 2^52 - 1 behind leading zeros is accepted', () => {
    const f = new BodyFramer().setChunked();
    assert.throws(() => f.feed(enc('10000000000000\r\n')), (e: unknown) => e instanceof HttpParseError && e.code === 'BAD_CHUNK');
    const g = new BodyFramer().setChunked();
    const line = enc('000fffffffffffff\r\n');
    let off = 0;
    while (off < line.length) off += g.feed(line, off);
    assert.equal(g.remaining, 2 ** 52 - 1);
  });

  it('chunked: a run of leading zeros longer than the size line bound is BAD_CHUNK', () => {
    const f = new BodyFramer({ maxChunkLine: 64 }).setChunked();
    const bytes = enc(`${'0'.repeat(100)}5\r\n`);
    assert.throws(() => {
      let off = 0;
      while (off < bytes.length) off += f.feed(bytes, off);
    }, (e: unknown) => e instanceof HttpParseError && e.code === 'BAD_CHUNK');
  });
});
