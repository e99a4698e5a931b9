/** The captures `show errors` prints (src/proxy/error-captures.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCaptures, type ErrorCapture } from '../../src/proxy/error-captures.ts';

function capture(proxy: string, response: boolean): ErrorCapture {
  return {
    response,
    proxy,
    otherEnd: undefined,
    server: undefined,
    serverId: -1,
    when: 0,
    sourceAddress: '127.0.0.1',
    sourcePort: 1,
    bytes: new Uint8Array(0),
    errorAt: 0,
    wrapsAt: 16336,
    h1: { connFlags: 0, streamFlags: 0, state: 0, msgFlags: 0, chunkLen: 0, bodyLen: 0 },
  };
}

describe('error captures', () => {
  it('keeps the last request and the last response of each proxy, numbering every capture', () => {
    const captures = new ErrorCaptures();
    captures.record(capture('fe', false));
    captures.record(capture('be', true));
    captures.record(capture('fe', false));
    assert.equal(captures.total, 3);
    assert.equal(captures.last('fe', false)?.eventId, 2);
    assert.equal(captures.last('fe', true), undefined);
    assert.equal(captures.last('be', true)?.eventId, 1);
  });

  it("hands a thread's captures on instead of keeping them", () => {
    const captures = new ErrorCaptures();
    const sent: ErrorCapture[] = [];
    captures.forward = (c) => sent.push(c);
    captures.record(capture('fe', false));
    assert.equal(sent.length, 1);
    assert.equal(captures.total, 0);
    assert.equal(captures.last('fe', false), undefined);
  });
});
