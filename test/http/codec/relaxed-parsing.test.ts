/**
 * The parsers' `relaxed` mode (option accept-invalid-http-request / -response): the bytes HAProxy
 * 2.6 then lets through pass, byte-at-a-time as well as whole; what could change framing still fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpParseError, RequestHeadParser, ResponseHeadParser, latin1Bytes } from '../../../src/http/codec/index.ts';

type Parser = RequestHeadParser | ResponseHeadParser;

/** Feeds s whole, then byte by byte to a second parser; returns the head or the error code (both ways must agree). */
function outcome(make: () => Parser, s: string): string {
  const results: string[] = [];
  for (const split of [false, true]) {
    const parser = make();
    const b = latin1Bytes(s);
    try {
      if (split) for (let i = 0; i < b.length && !parser.done; i++) parser.feed(b, i, i + 1);
      else parser.feed(b);
      assert.ok(parser.done, 'head complete');
      const head = parser.head!;
      const names: string[] = [];
      for (let i = 0; i < head.headerCount; i++) names.push(head.nameAt(i));
      results.push(`ok ${names.join(',')}`);
    } catch (err) {
      if (!(err instanceof HttpParseError)) throw err;
      results.push(err.code);
    }
  }
  assert.equal(results[0], results[1], `whole vs split: ${JSON.stringify(s)}`);
  return results[0]!;
}

const strictReq = () => new RequestHeadParser();
const relaxedReq = () => new RequestHeadParser({ relaxed: true });
const strictRes = () => new ResponseHeadParser();
const relaxedRes = () => new ResponseHeadParser({ relaxed: true });

describe('relaxed request parsing (accept-invalid-http-request)', () => {
  it('accepts a header name with visible non-token bytes or obs-text', () => {
    for (const name of ['X{y', '{', 'a"b', 'x(1)', 'na\xefve', 'X-[]']) {
      const s = `GET / HTTP/1.1\r\nHost: a\r\n${name}: v\r\n\r\n`;
      assert.equal(outcome(strictReq, s), 'BAD_HEADER_NAME', name);
      assert.equal(outcome(relaxedReq, s), `ok Host,${name}`, name);
    }
  });

  it('still refuses whitespace, controls and DEL in a header name', () => {
    for (const name of ['Transfer-Encoding ', 'Content-Length\t', 'X y', 'X\x01y', 'X\x7fy', 'X\x00']) {
      const s = `GET / HTTP/1.1\r\nHost: a\r\n${name}: 5\r\n\r\n`;
      assert.equal(outcome(relaxedReq, s), 'BAD_HEADER_NAME', JSON.stringify(name));
    }
    assert.equal(outcome(relaxedReq, 'GET / HTTP/1.1\r\nHost: a\r\n Folded: 1\r\n\r\n'), 'OBS_FOLD');
    assert.equal(outcome(relaxedReq, 'GET / HTTP/1.1\r\nHost: a\r\nX\ry: 1\r\n\r\n'), 'BAD_HEADER_NAME');
  });

  it('accepts # and non-ASCII bytes in the target, not controls', () => {
    for (const target of ['/caf\xe9', '/a#b', '#', '\xff']) {
      const s = `GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`;
      assert.equal(outcome(strictReq, s), 'BAD_URI', target);
    }
    const parser = relaxedReq();
    parser.feed(latin1Bytes('GET /caf\xe9#x HTTP/1.1\r\nHost: a\r\n\r\n'));
    assert.equal(parser.head!.target, '/caf\xe9#x');
    assert.equal(outcome(relaxedReq, 'GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n'), 'ok Host');
    assert.equal(outcome(relaxedReq, 'GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n'), 'CONTROL_CHAR_IN_URI');
    assert.equal(outcome(relaxedReq, 'GET /a\x7fb HTTP/1.1\r\nHost: a\r\n\r\n'), 'CONTROL_CHAR_IN_URI');
  });

  it('keeps framing checks: a relaxed name is never a framing header', () => {
    const s = 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length{: 5\r\nTransfer-Encoding: chunked\r\n\r\n';
    const parser = relaxedReq();
    parser.feed(latin1Bytes(s));
    assert.equal(parser.head!.chunked, true);
    assert.equal(outcome(relaxedReq, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'), outcome(strictReq, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'));
  });

  it('takes an HTTP/0.9 GET as HAProxy does: an HTTP/1.0 request without headers', () => {
    for (const line of ['GET /', 'GET /a?b ', 'GET  /x']) {
      assert.equal(outcome(strictReq, `${line}\r\n`), 'BAD_REQUEST_LINE', line);
      assert.equal(outcome(relaxedReq, `${line}\r\n`), 'ok ', line);
    }
    // whole, and split at every byte (the line then spans reads): the same head
    const bytes = latin1Bytes('GET /path?q=1\r\nHost: ignored\r\n\r\n');
    for (const step of [bytes.length, 1, 3]) {
      const parser = relaxedReq();
      let used = 0;
      for (let i = 0; i < bytes.length && !parser.done; i += step) used += parser.feed(bytes, i, Math.min(bytes.length, i + step));
      assert.ok(parser.done);
      assert.equal(used, 15, 'the request ends with its line: what follows is not its headers');
      const head = parser.head!;
      assert.equal(head.method, 'GET');
      assert.equal(head.target, '/path?q=1');
      assert.equal(head.versionMinor, 0);
      assert.equal(head.headerCount, 0);
      assert.equal(new TextDecoder('latin1').decode(head.raw), 'GET /path?q=1 HTTP/1.0\r\n\r\n');
    }
  });

  it('refuses an HTTP/0.9 request other than GET, or without a target, as HAProxy', () => {
    assert.equal(outcome(relaxedReq, 'POST /\r\n'), 'BAD_VERSION');
    assert.equal(outcome(relaxedReq, 'get /\r\n'), 'BAD_VERSION');
    assert.equal(outcome(relaxedReq, 'GETX /\r\n'), 'BAD_VERSION');
    assert.equal(outcome(relaxedReq, 'GET\r\n'), 'BAD_REQUEST_LINE');
    assert.equal(outcome(relaxedReq, 'GET \r\n'), 'BAD_REQUEST_LINE');
    // a bare LF ends no line here, HTTP/0.9 or not
    assert.equal(outcome(relaxedReq, 'GET /\n'), 'BAD_REQUEST_LINE');
    assert.equal(outcome(relaxedReq, 'GET /\r\r'), 'BARE_CR');
  });
});

describe('relaxed response parsing (accept-invalid-http-response)', () => {
  it('accepts a header name with { and keeps refusing whitespace in one', () => {
    const s = 'HTTP/1.1 200 OK\r\nX{y: 1\r\nContent-Length: 0\r\n\r\n';
    assert.equal(outcome(strictRes, s), 'BAD_HEADER_NAME');
    assert.equal(outcome(relaxedRes, s), 'ok X{y,Content-Length');
    assert.equal(outcome(relaxedRes, 'HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n'), 'BAD_HEADER_NAME');
  });

  it('can be switched per message (a server-side parser takes its backend setting)', () => {
    const parser = new ResponseHeadParser();
    const s = latin1Bytes('HTTP/1.1 200 OK\r\nX{y: 1\r\n\r\n');
    assert.throws(() => parser.feed(s), HttpParseError);
    parser.reset();
    parser.relaxed = true;
    parser.feed(s);
    assert.ok(parser.done);
  });
});
