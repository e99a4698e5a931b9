/** The response filter chain (src/stream/response-filter.ts): decoding, observing, re-framing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadEditor, RequestHeadParser, ResponseHeadParser, type RequestHead, type ResponseHead } from '../../src/http/codec/index.ts';
import { ResponseFilterChain, frameChunked, type FilterBodyRole, type FilterOutput, type ResponseFilter } from '../../src/stream/response-filter.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function request(): RequestHead {
  const p = new RequestHeadParser();
  p.feed(enc('GET / HTTP/1.1\r\nHost: h\r\n\r\n'), 0);
  return p.head as RequestHead;
}

function response(lines: string): ResponseHead {
  const p = new ResponseHeadParser();
  p.feed(enc(`HTTP/1.1 200 OK\r\n${lines}\r\n`), 0);
  return p.head as ResponseHead;
}

/** Records the payload it sees; 'transform' upper-cases it and adds a marker per flush. */
class Recorder implements ResponseFilter {
  seen = '';
  released = 0;
  readonly role: FilterBodyRole;
  constructor(role: FilterBodyRole) {
    this.role = role;
  }
  request(): void {}
  responseHead(_req: RequestHead, res: ResponseHead, editor: HeadEditor): FilterBodyRole {
    if (this.role === 'transform') frameChunked(res, editor);
    return this.role;
  }
  data(payload: Uint8Array, out: FilterOutput): void {
    this.seen += text(payload);
    out.push(this.role === 'transform' ? enc(text(payload).toUpperCase()) : payload);
  }
  flush(out: FilterOutput): void {
    if (this.role === 'transform') out.push(enc('|'));
  }
  end(out: FilterOutput): void {
    if (this.role === 'transform') out.push(enc('$'));
  }
  release(): void {
    this.released++;
  }
}

function run(chain: ResponseFilterChain, res: ResponseHead, wire: string[]): { out: string; head: string; engaged: boolean } {
  const editor = new HeadEditor().begin(res);
  const engaged = chain.responseHead(request(), res, editor);
  const head = text(editor.build());
  if (!engaged) return { out: '', head, engaged };
  let out = '';
  for (const w of wire) out += text(chain.wire(enc(w)));
  out += text(chain.finish());
  return { out, head, engaged };
}

describe('ResponseFilterChain', () => {
  it('observers see the decoded payload and the wire bytes go on as they are', () => {
    const observer = new Recorder('observe');
    const chain = new ResponseFilterChain([observer]);
    const wire = ['5\r\nhel', 'lo\r\n0', '0003\r\nabc\r\n0\r\nX-T: 1\r\n\r\n'];
    const { out, head } = run(chain, response('Transfer-Encoding: chunked\r\n'), wire);
    assert.equal(out, wire.join(''));
    assert.equal(observer.seen, 'helloabc');
    assert.match(head, /transfer-encoding: chunked/i);
  });

  it('a transforming filter gets a chunked head and one chunk per read (the last read ending in the last chunk, unflushed), observers after it see its output', () => {
    const upper = new Recorder('transform');
    const after = new Recorder('observe');
    const chain = new ResponseFilterChain([upper, after]);
    const { out, head } = run(chain, response('Content-Length: 8\r\n'), ['abc', '', 'defgh']);
    assert.doesNotMatch(head, /content-length/i);
    assert.match(head, /\r\ntransfer-encoding: chunked\r\n/);
    assert.equal(out, '4\r\nABC|\r\n1\r\n|\r\n6\r\nDEFGH$\r\n0\r\n\r\n');
    assert.equal(upper.seen, 'abcdefgh');
    assert.equal(after.seen, 'ABC||DEFGH$');
  });

  it('is dropped when no filter takes the body, and releases its filters', () => {
    const none = new Recorder('none');
    const chain = new ResponseFilterChain([none]);
    assert.equal(run(chain, response('Content-Length: 1\r\n'), []).engaged, false);
    assert.equal(none.released, 1);
  });
});
