import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpParseError, RequestHeadParser, type RequestHead } from '../../src/http/codec/index.ts';
import { HeaderList } from '../../src/http/h2/index.ts';
import { MalformedRequest, requestHeadFromFields, type RequestFacts } from '../../src/mux/h2/request-head.ts';

const dec = new TextDecoder('latin1');

function list(pairs: [string, string][]): HeaderList {
  const l = new HeaderList();
  for (const [n, v] of pairs) l.push(n, v);
  return l;
}

function build(pairs: [string, string][], endStream = true, maxHeaders = 100): { head: RequestHead; facts: RequestFacts } {
  const facts: RequestFacts = { contentLength: -1, chunked: false };
  return { head: requestHeadFromFields(list(pairs), endStream, facts, maxHeaders), facts };
}

/** The head the HTTP/1 parser makes of the same bytes: the built head must be indistinguishable. */
function assertAsParsed(head: RequestHead): void {
  const parser = new RequestHeadParser({ copyHead: true, maxHeaders: 1000, maxHeadSize: 1 << 20 });
  const bytes = head.raw.slice();
  assert.equal(parser.feed(bytes, 0), bytes.length);
  assert.ok(parser.done);
  const parsed = parser.head!;
  assert.deepEqual(head.offsets, parsed.offsets);
  assert.equal(head.headerCount, parsed.headerCount);
  assert.equal(head.startLineEnd, parsed.startLineEnd);
  assert.equal(head.versionMinor, parsed.versionMinor);
  assert.equal(head.method, parsed.method);
  assert.equal(head.target, parsed.target);
  assert.equal(head.targetStart, parsed.targetStart);
  assert.equal(head.targetEnd, parsed.targetEnd);
  for (const key of ['contentLength', 'chunked', 'keepAlive', 'mustClose', 'hostStart', 'hostEnd', 'hostIndex', 'hostFromTarget', 'connectionUpgrade'] as const) {
    assert.equal(head[key], parsed[key], key);
  }
  assert.equal(head.host, parsed.host);
}

const BASIC: [string, string][] = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'example.com:443'],
  [':path', '/a?b=1'],
];

describe('requestHeadFromFields: an HTTP/2 request as the HTTP/1 head the stream reads', () => {
  it('writes the head HAProxy h2_make_htx_request makes, with the offsets the HTTP/1 parser records', () => {
    const { head } = build([...BASIC, ['user-agent', 'ua'], ['cookie', 'a=1'], ['accept', '*/*'], ['cookie', 'b=2'], ['host', 'other']]);
    assert.equal(dec.decode(head.raw), 'GET https://example.com/a?b=1 HTTP/1.1\r\nhost: example.com\r\nuser-agent: ua\r\naccept: */*\r\ncookie: a=1; b=2\r\n\r\n');
    assert.equal(head.http2, true);
    assertAsParsed(head);
  });

  it('a body without content-length goes chunked; one content-length goes on, its repeats do not', () => {
    const chunked = build([...BASIC, ['x', '1']], false);
    assert.equal(chunked.facts.chunked, true);
    assert.match(dec.decode(chunked.head.raw), /\r\ntransfer-encoding: chunked\r\n\r\n$/);
    assertAsParsed(chunked.head);
    const counted = build([...BASIC, ['content-length', '5, 5'], ['content-length', '5']], false);
    assert.equal(counted.facts.chunked, false);
    assert.equal(counted.head.contentLength, 5);
    assert.equal((dec.decode(counted.head.raw).match(/content-length/g) ?? []).length, 1);
    assertAsParsed(counted.head);
  });

  it('values keep their blanks on the wire and lose them in the offsets, as a parsed head', () => {
    const { head } = build([...BASIC, ['x-a', '  padded \t'], ['x-b', ''], ['x-c', ' ']]);
    assert.equal(head.get(new TextEncoder().encode('x-a')), 'padded');
    assertAsParsed(head);
  });

  it('without a regular field, Host comes after the Upgrade pair of an extended CONNECT', () => {
    const { head, facts } = build([[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'http'], [':authority', 'h'], [':path', '/ws']], false);
    assert.equal(dec.decode(head.raw), 'GET http://h/ws HTTP/1.1\r\nupgrade: websocket\r\nconnection: upgrade\r\nhost: h\r\n\r\n');
    assert.equal(facts.chunked, false);
    assert.equal(typeof head.madeUpWebsocketKey, 'string');
    // (The HTTP/1 parser would refuse it: an HTTP/1 WebSocket upgrade needs its key.)
    assert.equal(head.upgrade, true);
    assert.deepEqual(head.entries(), [['upgrade', 'websocket'], ['connection', 'upgrade'], ['host', 'h']]);
  });

  it('CONNECT and the asterisk form', () => {
    const connect = build([[':method', 'CONNECT'], [':authority', 'h:8443']]).head;
    assert.equal(dec.decode(connect.raw), 'CONNECT h:8443 HTTP/1.1\r\nhost: h:8443\r\n\r\n');
    assertAsParsed(connect);
    const options = build([[':method', 'OPTIONS'], [':scheme', 'http'], [':path', '*']]).head;
    assert.equal(dec.decode(options.raw), 'OPTIONS * HTTP/1.1\r\n\r\n');
    assertAsParsed(options);
  });

  it('what the HTTP/1 parser refuses is an HttpParseError (a 400 on the stream), not a stream error', () => {
    const code = (pairs: [string, string][], maxHeaders = 100): string => {
      try {
        build(pairs, true, maxHeaders);
      } catch (error) {
        assert.ok(error instanceof HttpParseError, String(error));
        return error.code;
      }
      return 'accepted';
    };
    assert.equal(code([...BASIC, ['x', 'a\u0001b']]), 'BAD_HEADER_VALUE');
    assert.equal(code([...BASIC, ['x', 'a\u007fb']]), 'BAD_HEADER_VALUE');
    assert.equal(code([...BASIC, ['x', 'a\tb']]), 'accepted');
    assert.equal(code([[':method', 'G T'], [':scheme', 'http'], [':path', '/']]), 'BAD_REQUEST_LINE');
    assert.equal(code([[':method', ''], [':scheme', 'http'], [':path', '/']]), 'BAD_REQUEST_LINE');
    assert.equal(code([[':method', 'GET'], [':scheme', 'http'], [':path', '/a b']]), 'BAD_REQUEST_LINE');
    assert.equal(code([[':method', 'GET'], [':scheme', 'http'], [':path', '/a#b']]), 'BAD_URI');
    assert.equal(code([[':method', 'GET'], [':scheme', 'http'], [':path', '/a\u0001']]), 'CONTROL_CHAR_IN_URI');
    assert.equal(code([[':method', 'GET'], [':scheme', 'http'], [':authority', 'a b'], [':path', '/']]), 'BAD_REQUEST_LINE');
    // 100 fields at most, Host included (HAProxy's tune.http.maxhdr less the one it keeps spare).
    const fields = (n: number): [string, string][] => Array.from({ length: n }, (_, i) => [`x-${i}`, 'v'] as [string, string]);
    assert.equal(code([...BASIC, ...fields(99)]), 'accepted');
    assert.equal(code([...BASIC, ...fields(100)]), 'TOO_MANY_HEADERS');
    // The head is held to the HTTP/1 parser's size: 15360 bytes with its final CRLF.
    const start = 'GET https://example.com/a?b=1 HTTP/1.1\r\nhost: example.com\r\n'.length;
    const fill = 15360 - start - 2 - 'x: \r\n'.length;
    assert.equal(code([...BASIC, ['x', 'v'.repeat(fill)]]), 'accepted');
    assert.equal(code([...BASIC, ['x', 'v'.repeat(fill + 1)]]), 'HEAD_TOO_LARGE');
  });

  it('RFC 9113 §8 violations stay malformed (stream errors), ahead of what the parser would refuse', () => {
    assert.throws(() => build([...BASIC, ['x', 'a\u0001'], ['x-y', 'a\nb']]), MalformedRequest);
    assert.throws(() => build([...BASIC, ['X-Up', 'v']]), MalformedRequest);
    assert.throws(() => build([[':method', 'G T'], [':scheme', 'http']]), MalformedRequest);
  });
});
