/** The text of `show errors` (src/runtime-api/error-dump.ts), as HAProxy 2.6 prints it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredCapture } from '../../src/proxy/error-captures.ts';
import { captureBlock, dumpTextLine, errorsDate, showErrorsText, type DumpedProxy } from '../../src/runtime-api/error-dump.ts';

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

function lines(buf: Uint8Array): string {
  let out = '';
  let ptr = 0;
  let lineStart = 0;
  while (ptr < buf.byteLength) {
    const line = dumpTextLine(buf, buf.byteLength, lineStart, ptr);
    out += line.text;
    ptr = line.next;
    lineStart = line.lineStart;
  }
  return out;
}

function capture(over: Partial<StoredCapture> = {}): StoredCapture {
  return {
    response: false,
    proxy: 'fe',
    otherEnd: undefined,
    server: undefined,
    serverId: -1,
    when: new Date(2026, 11, 5, 9, 20, 38, 267).getTime(),
    sourceAddress: '127.0.0.1',
    sourcePort: 40498,
    bytes: bytes('GET /a b HTTP/1.1\r\nHost: x\r\n\r\n'),
    errorAt: 7,
    wrapsAt: 16336,
    h1: { connFlags: 0x100, streamFlags: 0x810, state: 6, msgFlags: 0x1400, chunkLen: 0, bodyLen: 0 },
    eventId: 0,
    ...over,
  };
}

describe('show errors text', () => {
  it('dates as HAProxy: day/month/year:hh:mm:ss.mmm, local time', () => {
    assert.equal(errorsDate(new Date(2026, 0, 2, 3, 4, 5, 6).getTime()), '02/Jan/2026:03:04:05.006');
  });

  it('escapes a buffer line by line: \\t \\n \\r \\e \\\\ and \\xHH (upper case), LF ending a line', () => {
    assert.equal(lines(bytes('a\tb\x1b\\\x7f\xe9\r\nnext')), '  00000  a\\tb\\e\\\\\\x7F\\xE9\\r\\n\n  00009  next\n');
  });

  it("continues a line longer than 80 columns on the next, marked '+'", () => {
    const text = lines(bytes(`${'x'.repeat(100)}\n`));
    assert.equal(text, `  00000  ${'x'.repeat(70)}\n  00070+ ${'x'.repeat(30)}\\n\n`);
    // an escape that does not fit goes whole to the next line
    assert.equal(lines(bytes(`${'y'.repeat(67)}\x01`)), `  00000  ${'y'.repeat(67)}\n  00067+ \\x01\n`);
  });

  it("prints a request's capture: names, event, source, buffer figures, H1 context, bytes", () => {
    assert.equal(
      captureBlock(capture(), 2, -1, 16384),
      ` \n[05/Dec/2026:09:20:38.267] frontend fe (#2): invalid request
  backend <NONE> (#-1), server <NONE> (#-1), event #0, src 127.0.0.1:40498
  buffer starts at 0 (including 0 out), 16354 free,
  len 30, wraps at 16336, error at position 7
  H1 connection flags 0x00000100, H1 stream flags 0x00000810
  H1 msg state MSG_RQVER(6), H1 msg flags 0x00001400
  H1 chunk len 0 bytes, H1 body len 0 bytes :
  
  00000  GET /a b HTTP/1.1\\r\\n
  00019  Host: x\\r\\n
  00028  \\r\\n
`,
    );
  });

  it("prints a response's capture under its backend, with the frontend and server", () => {
    const c = capture({ response: true, proxy: 'be', otherEnd: 'fe', server: 's1', serverId: 1, bytes: bytes('HTTP/1.1 200 OK\r\n'), h1: { connFlags: 0x80002200, streamFlags: 0x4810, state: 17, msgFlags: 0x1414, chunkLen: 0, bodyLen: 0 } });
    const text = captureBlock(c, 5, 2, 16384);
    assert.ok(text.startsWith(' \n[05/Dec/2026:09:20:38.267] backend be (#5): invalid response\n  frontend fe (#2), server s1 (#1), event #0, src 127.0.0.1:40498\n'), text);
    assert.ok(text.includes('  H1 connection flags 0x80002200, H1 stream flags 0x00004810\n  H1 msg state MSG_HDR_NAME(17), H1 msg flags 0x00001414\n'), text);
  });

  it('filters by proxy id (its own or the other side of the capture) and direction', () => {
    const req = capture({ proxy: 'fe', eventId: 0 });
    const res = capture({ response: true, proxy: 'be', otherEnd: 'fe', eventId: 1 });
    const proxies: DumpedProxy[] = [
      { name: 'fe', id: 2, request: req, response: undefined },
      { name: 'be', id: 3, request: undefined, response: res },
    ];
    const count = (id: number, requests = true, responses = true): number =>
      showErrorsText(proxies, 2, 0, { proxyId: id, requests, responses }, 16384).split('invalid r').length - 1;
    assert.equal(count(-1), 2);
    assert.equal(count(2), 2, 'the frontend also names the response it was the frontend of');
    assert.equal(count(3), 1);
    assert.equal(count(7), 0);
    assert.equal(count(-1, true, false), 1);
    assert.equal(count(-1, false, true), 1);
    assert.ok(showErrorsText([], 4, 0, { proxyId: -1, requests: true, responses: true }, 16384).endsWith('] : 4\n'));
  });
});
