/**
 * The codec as a proxy uses it on one keep-alive client connection: parse a request head,
 * frame its body, forward, then continue with the next pipelined request in the same chunk.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  BodyFramer,
  H_CONTENT_LENGTH,
  H_X_FORWARDED_FOR,
  HeadEditor,
  HttpParseError,
  RequestHeadParser,
  errorResponse,
  latin1Bytes,
  latin1String,
} from '../../../src/http/codec/index.ts';

/** A minimal connection loop: returns what would be written upstream, or the error page. */
function serveConnection(chunks: Uint8Array[]): { upstream: string[]; reply?: Uint8Array; closed: boolean } {
  const parser = new RequestHeadParser();
  const framer = new BodyFramer();
  const editor = new HeadEditor();
  const upstream: string[] = [];
  let inBody = false;
  let closeAfter = false;
  try {
    for (const chunk of chunks) {
      let off = 0;
      while (off < chunk.length) {
        if (!inBody) {
          off += parser.feed(chunk, off);
          if (!parser.done) break; // need more bytes
          const head = parser.head!;
          editor.begin(head).removeHopByHop().set(H_X_FORWARDED_FOR, '192.0.2.1');
          if (head.smuggleSuspect) editor.removeAll(H_CONTENT_LENGTH);
          const out = editor.build(); // one new array, or head.raw untouched when nothing changed
          upstream.push(latin1String(out, 0, out.length));
          closeAfter = head.closeAfterResponse;
          framer.startRequest(head);
          parser.reset();
          inBody = !framer.done;
        } else {
          const start = off;
          off += framer.feed(chunk, off);
          upstream.push(latin1String(chunk, start, off)); // body bytes forwarded as received
          if (framer.done) inBody = false;
        }
        if (!inBody && closeAfter) return { upstream, closed: true };
      }
    }
  } catch (err) {
    if (!(err instanceof HttpParseError)) throw err;
    return { upstream, reply: errorResponse(err.status, true), closed: true };
  }
  return { upstream, closed: false };
}

const enc = latin1Bytes;

it('keep-alive: head, chunked body split across reads, then a pipelined request', () => {
  const r = serveConnection([
    enc('POST /upload HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel'),
    enc('lo\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n'),
  ]);
  assert.deepEqual(r.upstream, [
    'POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nx-forwarded-for: 192.0.2.1\r\n\r\n',
    '5\r\nhel',
    'lo\r\n0\r\n\r\n',
    'GET /next HTTP/1.1\r\nHost: a\r\nx-forwarded-for: 192.0.2.1\r\n\r\n',
  ]);
  assert.equal(r.closed, false);
});

it('smuggling attempt: CL + TE -> Content-Length dropped, connection closed after the exchange', () => {
  const r = serveConnection([enc('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n')]);
  assert.deepEqual(r.upstream, ['POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nx-forwarded-for: 192.0.2.1\r\n\r\n', '0\r\n\r\n']);
  assert.equal(r.closed, true);
});

it('a bad request gets the 400 page and a close', () => {
  const r = serveConnection([enc('GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n')]);
  assert.deepEqual(r.upstream, []);
  assert.ok(latin1String(r.reply!, 0, 24).startsWith('HTTP/1.1 400 Bad request'));
});

it('unknown request transfer-coding gets 422', () => {
  const r = serveConnection([enc('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: zstd, chunked\r\n\r\n')]);
  assert.ok(latin1String(r.reply!, 0, 40).startsWith('HTTP/1.1 422 Unprocessable Content'));
});

it('release() drops scratch buffers and the parser still works', () => {
  const p = new RequestHeadParser();
  const b = enc('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  p.feed(b.subarray(0, 5));
  p.release();
  assert.equal(p.inProgress, false);
  assert.equal(p.feed(b), b.length);
  assert.equal(p.head!.hasBody, false);
});
