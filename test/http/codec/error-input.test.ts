/**
 * What the head parsers tell `show errors` (src/http/codec/head-parser.ts): the refused
 * message's bytes and error position (inputAtError), whole or fed in pieces, and the first byte
 * `relaxed` let through (relaxedAt).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestHeadParser, ResponseHeadParser, latin1Bytes } from '../../../src/http/codec/index.ts';

const text = (b: Uint8Array): string => String.fromCharCode(...b);

/** Feeds `s` in pieces of `piece` bytes until the parser throws; what it captured then. */
function refused(parser: RequestHeadParser | ResponseHeadParser, s: string, piece: number): { text: string; errorAt: number; valueError: boolean } {
  const b = latin1Bytes(s);
  for (let i = 0; i < b.length; i += piece) {
    const end = Math.min(b.length, i + piece);
    try {
      parser.feed(b, i, end);
    } catch {
      const got = parser.inputAtError(b, i, end);
      return { text: text(got.bytes), errorAt: got.errorAt, valueError: got.valueError };
    }
  }
  throw new Error('not refused');
}

describe('parser input at an error', () => {
  it('gives the message and the faulty byte, whole or in pieces', () => {
    const s = 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n';
    assert.deepEqual(refused(new RequestHeadParser(), s, s.length), { text: s, errorAt: 7, valueError: false });
    // in pieces, the bytes kept from the earlier pieces and this one, up to where it was cut
    assert.deepEqual(refused(new RequestHeadParser(), s, 5), { text: 'GET /a b H', errorAt: 7, valueError: false });
  });

  it('counts the leading empty lines of its chunk, as HAProxy keeps them in its buffer', () => {
    assert.deepEqual(refused(new RequestHeadParser(), '\r\nGET /\x01 HTTP/1.1\r\n\r\n', 100), { text: '\r\nGET /\x01 HTTP/1.1\r\n\r\n', errorAt: 7, valueError: false });
  });

  it("points at a refused Content-Length's value", () => {
    const bad = 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n';
    assert.deepEqual(refused(new RequestHeadParser(), bad, bad.length), { text: bad, errorAt: bad.indexOf('1x'), valueError: true });
    const twice = 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n';
    assert.deepEqual(refused(new ResponseHeadParser(), twice, twice.length), { text: twice, errorAt: twice.indexOf('2\r'), valueError: true });
  });

  it('tells the first byte relaxed parsing let through, and forgets it at reset', () => {
    const parser = new RequestHeadParser({ relaxed: true });
    parser.feed(latin1Bytes('GET /\xe9 HTTP/1.1\r\nBad[Name: y\r\n\r\n'));
    assert.equal(parser.done, true);
    assert.equal(parser.relaxedAt, 5);
    parser.reset();
    parser.feed(latin1Bytes('GET / HTTP/1.1\r\nBad[Name: y\r\n\r\n'));
    assert.equal(parser.relaxedAt, 19);
    parser.reset();
    parser.feed(latin1Bytes('GET / HTTP/1.1\r\nHost: y\r\n\r\n'));
    assert.equal(parser.relaxedAt, -1);
  });
});
