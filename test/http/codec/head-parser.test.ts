import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  H_CONNECTION,
  H_CONTENT_LENGTH,
  H_HOST,
  HttpParseError,
  RequestHeadParser,
  ResponseHeadParser,
  headerName,
  headerValue,
  latin1Bytes,
  latin1String,
} from '../../../src/http/codec/index.ts';

const enc = latin1Bytes;

function parseRequest(s: string, parser = new RequestHeadParser()) {
  const b = enc(s);
  const n = parser.feed(b);
  assert.ok(parser.done, 'head complete');
  return { head: parser.head!, consumed: n, parser };
}

describe('header access', () => {
  const { head } = parseRequest(
    'GET / HTTP/1.1\r\nHost: example.com\r\nX-Forwarded-For: 10.0.0.1\r\nx-forwarded-for:  10.0.0.2 \r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\n\r\n',
  );
  const xff = headerName('X-Forwarded-For');

  it('headerValue finds the first match case-insensitively without a string name', () => {
    assert.equal(headerValue(head, enc('x-forwarded-for')), '10.0.0.1');
    assert.equal(headerValue(head, xff), '10.0.0.1');
    assert.equal(headerValue(head, enc('x-missing')), undefined);
  });

  it('get, getAll, indexOf, has', () => {
    assert.equal(head.get(H_HOST), 'example.com');
    assert.deepEqual(head.getAll(xff), ['10.0.0.1', '10.0.0.2']);
    assert.equal(head.indexOf(xff), 1);
    assert.equal(head.indexOf(xff, 2), 2);
    assert.equal(head.indexOf(xff, 3), -1);
    assert.ok(head.has(H_CONNECTION));
    assert.ok(!head.has(H_CONTENT_LENGTH));
  });

  it('a name that is a prefix or extension does not match', () => {
    assert.equal(head.get(enc('x-forwarded')), undefined);
    assert.equal(head.get(enc('x-forwarded-forx')), undefined);
    assert.equal(head.get(enc('hos')), undefined);
  });

  it('non-letter bytes compare exactly (no |0x20 trick)', () => {
    const { head: h } = parseRequest('GET / HTTP/1.1\r\nHost: a\r\nX_A: underscore\r\n\r\n');
    assert.equal(h.get(enc('x_a')), 'underscore');
    assert.equal(h.get(enc('x\x7fa')), undefined);
  });

  it('names keep their original case, values are trimmed', () => {
    assert.equal(head.nameAt(2), 'x-forwarded-for');
    assert.equal(head.valueAt(2), '10.0.0.2');
    assert.ok(head.nameIs(2, xff));
    assert.ok(head.valueIs(0, enc('example.com')));
    assert.ok(head.valueIs(0, enc('EXAMPLE.COM'.toLowerCase())));
  });

  it('hasToken looks inside comma lists', () => {
    assert.ok(head.hasToken(H_CONNECTION, enc('keep-alive')));
    assert.ok(head.hasToken(H_CONNECTION, enc('x-secret')));
    assert.ok(!head.hasToken(H_CONNECTION, enc('close')));
    assert.ok(!head.hasToken(H_CONNECTION, enc('keep')));
  });

  it('offsets address the raw bytes; lines are contiguous', () => {
    const o = head.offsets;
    assert.equal(o.length, head.headerCount * 4);
    assert.equal(o[0], head.startLineEnd);
    for (let i = 0; i < head.headerCount; i++) {
      const line = latin1String(head.raw, o[4 * i]!, head.lineEnd(i));
      assert.ok(line.endsWith('\r\n'), line);
      assert.ok(line.startsWith(head.nameAt(i) + ':'));
    }
    assert.equal(head.lineEnd(head.headerCount - 1), head.raw.length - 2);
    assert.equal(latin1String(head.raw, head.targetStart, head.targetEnd), '/');
  });

  it('entries and forEach enumerate in order', () => {
    assert.deepEqual(
      head.entries().map(([n]) => n),
      ['Host', 'X-Forwarded-For', 'x-forwarded-for', 'Connection', 'X-Secret'],
    );
    const seen: number[] = [];
    head.forEach((i) => seen.push(i));
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  });

  it('headerName rejects non-tokens', () => {
    assert.throws(() => headerName('Bad Name'), TypeError);
    assert.throws(() => headerName(''), TypeError);
    assert.throws(() => headerName('X-é'), TypeError);
  });
});

describe('RequestHeadParser lifecycle', () => {
  it('returns consumed bytes and leaves the rest of the chunk (body, next request)', () => {
    const s = 'POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: h\r\n\r\n';
    const b = enc(s);
    const p = new RequestHeadParser();
    const n = p.feed(b, 0);
    assert.equal(n, s.indexOf('abc'));
    assert.equal(p.head!.contentLength, 3);
    assert.equal(p.feed(b, n), 0, 'done parser consumes nothing');
    p.reset();
    const m = p.feed(b, n + 3);
    assert.equal(n + 3 + m, b.length);
    assert.equal(p.head!.target, '/b');
  });

  it('interns common methods and builds others', () => {
    for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'PROPFIND', 'GETS', 'POS']) {
      assert.equal(parseRequest(`${m} / HTTP/1.1\r\nHost: a\r\n\r\n`).head.method, m);
    }
    assert.equal(parseRequest('CONNECT a:1 HTTP/1.1\r\nHost: a\r\n\r\n').head.method, 'CONNECT');
  });

  it('a copied head survives the caller reusing its chunk', () => {
    const b = enc('GET /x HTTP/1.1\r\nHost: a\r\n\r\n');
    const { head } = parseRequest(latin1String(b, 0, b.length));
    const p = new RequestHeadParser();
    p.feed(b);
    const h = p.head!;
    b.fill(0x41);
    assert.equal(latin1String(h.raw, 0, 6), 'GET /x');
    assert.deepEqual(h.entries(), head.entries());
  });

  it('copyHead: false keeps a view of the chunk when the head fits in it', () => {
    const b = enc('xxGET /x HTTP/1.1\r\nHost: a\r\n\r\nrest');
    const p = new RequestHeadParser({ copyHead: false });
    const n = p.feed(b, 2);
    assert.equal(n, b.length - 6);
    assert.equal(p.head!.raw.buffer, b.buffer);
    assert.equal(p.head!.raw.byteOffset, 2);
    assert.equal(p.head!.get(H_HOST), 'a');
  });

  it('heads spanning chunks get their own bytes; a later head does not clobber them', () => {
    const p = new RequestHeadParser();
    const feedBytewise = (s: string) => {
      const b = enc(s);
      for (let i = 0; i < b.length; i++) p.feed(b.subarray(i, i + 1));
      assert.ok(p.done);
      const h = p.head!;
      p.reset();
      return h;
    };
    const a = feedBytewise('GET /first HTTP/1.1\r\nHost: one\r\n\r\n');
    const b = feedBytewise('GET /second HTTP/1.1\r\nHost: two\r\n\r\n');
    assert.equal(latin1String(a.raw, 0, a.raw.length), 'GET /first HTTP/1.1\r\nHost: one\r\n\r\n');
    assert.equal(a.host, 'one');
    assert.equal(b.host, 'two');
  });

  it('inProgress and bytesReceived track a partial head; leading CRLFs alone are idle', () => {
    const p = new RequestHeadParser();
    assert.equal(p.inProgress, false);
    p.feed(enc('\r\n'));
    assert.equal(p.inProgress, false);
    p.feed(enc('GET / HT'));
    assert.equal(p.inProgress, true);
    assert.equal(p.bytesReceived, 10);
  });

  it('an error sticks until reset, with code, status and offset', () => {
    const p = new RequestHeadParser();
    const b = enc('GET /a\x01 HTTP/1.1\r\n\r\n');
    let first: unknown;
    try {
      p.feed(b);
    } catch (e) {
      first = e;
    }
    assert.ok(first instanceof HttpParseError);
    assert.equal(first.code, 'CONTROL_CHAR_IN_URI');
    assert.equal(first.status, 400);
    assert.equal(first.isResponse, false);
    assert.equal(first.offset, 6);
    assert.throws(() => p.feed(enc('x')), (e) => e === first);
    p.reset();
    p.feed(enc('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
    assert.ok(p.done);
  });

  it('semantic errors also stick', () => {
    const p = new RequestHeadParser();
    assert.throws(() => p.feed(enc('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n')), { code: 'DUPLICATE_HOST' });
    assert.throws(() => p.feed(enc('GET / HTTP/1.1\r\nHost: a\r\n\r\n')), { code: 'DUPLICATE_HOST' });
    assert.equal(p.done, false);
  });

  it('the limit counts bytes across chunks', () => {
    const p = new RequestHeadParser({ maxHeadSize: 30 });
    p.feed(enc('GET / HTTP/1.1\r\n'));
    p.feed(enc('Host: a\r\n'));
    assert.throws(() => p.feed(enc('X: 123456\r\n\r\n')), { code: 'HEAD_TOO_LARGE', status: 400 });
  });

  it('rejects invalid options', () => {
    assert.throws(() => new RequestHeadParser({ maxHeadSize: 0 }), RangeError);
  });

  it('a response parser reports 502 and isResponse', () => {
    const p = new ResponseHeadParser();
    assert.throws(
      () => p.feed(enc('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n')),
      (e) => e instanceof HttpParseError && e.status === 502 && e.isResponse && e.code === 'BAD_CONTENT_LENGTH',
    );
  });

  it('ResponseHead.interim marks 1xx other than 101', () => {
    const p = new ResponseHeadParser();
    p.feed(enc('HTTP/1.1 103 Early Hints\r\n\r\n'));
    assert.equal(p.head!.interim, true);
    p.reset();
    p.feed(enc('HTTP/1.1 101 Switching Protocols\r\n\r\n'));
    assert.equal(p.head!.interim, false);
  });
});
