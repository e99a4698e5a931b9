/** How the H1 mux's captures get HAProxy's figures and flags (src/mux/h1-error-capture.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestCapture, responseCapture, type RequestCaptureInfo } from '../../src/mux/h1-error-capture.ts';

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

function request(text: string, errorAt: number, over: Partial<RequestCaptureInfo> = {}): RequestCaptureInfo {
  return { frontend: 'fe', backend: undefined, server: undefined, notFirst: false, attached: false, bytes: bytes(text), errorAt, refused: true, sourceAddress: '127.0.0.1', sourcePort: 1, when: 0, bufsize: 16384, ...over };
}

describe('H1 error captures', () => {
  it("gives a refused request's flags: embryonic connection, parsing error, a later request marked", () => {
    const c = requestCapture(request('GET /a b HTTP/1.1\r\n\r\n', 7));
    assert.deepEqual(c.h1, { connFlags: 0x100, streamFlags: 0x810, state: 6, msgFlags: 0x1400, chunkLen: 0, bodyLen: 0 });
    assert.equal(c.wrapsAt, 16336);
    assert.equal(requestCapture(request('GET /a b HTTP/1.1\r\n\r\n', 7, { notFirst: true })).h1.streamFlags, 0x890);
  });

  it('gives a let-through request the state after its head, without the parsing error', () => {
    const head = 'GET / HTTP/1.1\r\nBad[Name: y\r\n\r\n';
    const c = requestCapture(request(head, 19, { refused: false, stateOf: { bytes: bytes(head), at: head.length } }));
    assert.equal(c.errorAt, 19);
    assert.deepEqual(c.h1, { connFlags: 0x100, streamFlags: 0x10, state: 30, msgFlags: 0x1510, chunkLen: 0, bodyLen: 0 });
  });

  it('captures a head too large as a full buffer: what HAProxy reads of it, the error at its end', () => {
    const big = `GET / HTTP/1.1\r\nX: ${'a'.repeat(17000)}\r\n\r\n`;
    const c = requestCapture(request(big, 15360, { full: true }));
    assert.equal(c.bytes.byteLength, 16320);
    assert.equal(c.errorAt, 16320);
    assert.equal(c.h1.connFlags, 0x120);
    assert.equal(c.h1.state, 22);
  });

  it("points a Content-Length's refusal past its line, and marks a HEAD's response", () => {
    const head = 'GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n';
    assert.equal(requestCapture(request(head, head.indexOf('1x'), { valueError: true })).h1.state, 24);
    const res = responseCapture({ backend: 'be', frontend: 'fe', server: { name: 's1', id: 1 }, method: 'HEAD', bytes: bytes('HTTP/1.1 2x0 OK\r\n'), errorAt: 10, refused: true, sourceAddress: '127.0.0.1', sourcePort: 1, when: 0, bufsize: 16384 });
    assert.deepEqual(res.h1, { connFlags: 0x80002200, streamFlags: 0x4910, state: 12, msgFlags: 0x5414, chunkLen: 0, bodyLen: 0 });
  });
});
