/** HeldBody (src/stream/held-body.ts): wire bytes kept as they came, the payload decoded only when asked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestHeadParser, ResponseHeadParser, type RequestHead, type ResponseHead } from '../../src/http/codec/index.ts';
import { HeldBody } from '../../src/stream/held-body.ts';
import { DEFAULT_BUFFER_SIZES } from '../../src/http/buffer-sizes.ts';

const BUFFER_ROOM = DEFAULT_BUFFER_SIZES.room;

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function request(head: string): RequestHead {
  const p = new RequestHeadParser();
  p.feed(enc(head), 0);
  return p.head as RequestHead;
}

function response(head: string): ResponseHead {
  const p = new ResponseHeadParser();
  p.feed(enc(head), 0);
  return p.head as ResponseHead;
}

describe('HeldBody', () => {
  it('a Content-Length body: payload, announced size, end', () => {
    const held = new HeldBody(BUFFER_ROOM);
    held.begin(request('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n'), false);
    held.push(enc('abc'));
    assert.equal(held.payloadBytes, 3);
    assert.equal(held.announcedBytes, 10);
    held.push(enc('defghij'));
    held.ended = true;
    assert.equal(text(held.payload()), 'abcdefghij');
    assert.equal(held.final, true);
  });

  it('a chunked body is decoded across reads; the wire bytes go on untouched', () => {
    const held = new HeldBody(BUFFER_ROOM);
    held.begin(request('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n'), false);
    held.push(enc('5\r\nhel'));
    assert.equal(held.payloadBytes, 3);
    assert.equal(held.announcedBytes, 5);
    held.push(enc('lo\r\n3\r\n!!!\r\n0\r\n\r\n'));
    assert.equal(text(held.payload()), 'hello!!!');
    assert.equal(held.announcedBytes, 8);
    assert.deepEqual(held.take().map(text), ['5\r\nhel', 'lo\r\n3\r\n!!!\r\n0\r\n\r\n']);
    assert.equal(held.payloadBytes, 0);
  });

  it('after take() the decoder continues with the same framing', () => {
    const held = new HeldBody(BUFFER_ROOM);
    held.begin(request('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n'), false);
    held.push(enc('4\r\nab'));
    assert.equal(held.payloadBytes, 2);
    held.take();
    held.push(enc('cd\r\n2\r\nef\r\n'));
    assert.equal(text(held.payload()), 'cdef');
  });

  it('bytes handed over before any question leave the rest undecoded (read as empty)', () => {
    const held = new HeldBody(BUFFER_ROOM);
    held.begin(request('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n'), false);
    held.push(enc('4\r\nab'));
    held.take();
    held.push(enc('cd\r\n2\r\nef\r\n'));
    assert.equal(held.payloadBytes, 0);
    assert.equal(held.payload().byteLength, 0);
  });

  it('full once the head and the payload fill the buffer room', () => {
    const head = request('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n');
    const held = new HeldBody(BUFFER_ROOM);
    held.begin(head, false);
    held.push(new Uint8Array(BUFFER_ROOM - head.raw.byteLength - 1));
    assert.equal(held.full, false);
    held.push(new Uint8Array(1));
    assert.equal(held.full, true);
    assert.equal(held.final, true);
  });

  it('responses without a body are complete at once', () => {
    const held = new HeldBody(BUFFER_ROOM);
    held.begin(response('HTTP/1.1 204 No Content\r\n\r\n'), false, 'GET');
    assert.equal(held.ended, true);
    held.begin(response('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'), false, 'HEAD');
    assert.equal(held.ended, true);
    held.begin(response('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'), false, 'GET');
    assert.equal(held.ended, false);
  });
});
