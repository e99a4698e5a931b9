/** The buffer room a message's rewrites may take (src/stream/rewrite-room.ts) and HeadEditor's HTX growth. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadEditor, RequestHeadParser, type RequestHead } from '../../src/http/codec/index.ts';
import { bufferSizes, DEFAULT_BUFFER_SIZES } from '../../src/http/buffer-sizes.ts';
import { rewriteRoom } from '../../src/stream/rewrite-room.ts';

function request(text: string): RequestHead {
  const parser = new RequestHeadParser();
  parser.feed(new TextEncoder().encode(text), 0);
  return parser.head as RequestHead;
}

const HEAD = request('GET /req1 HTTP/1.1\r\ncontent-length: 2000\r\n\r\n');

describe('rewrite room', () => {
  it('a body that did not fit leaves the rewrite reserve free; a small message leaves more', () => {
    const small = bufferSizes({ bufsize: 2048, maxrewrite: 128 });
    assert.equal(rewriteRoom(small, HEAD, 1900), 128);
    // head: start line 8+20+16, field 8+14+4, end of headers 8+1 = 79 bytes; no body.
    assert.equal(rewriteRoom(small, HEAD, 0), 2000 - 79);
    assert.equal(rewriteRoom(DEFAULT_BUFFER_SIZES, HEAD, 100), 16336 - 79 - 108);
  });

  it('HeadEditor counts what edits add and take back in HTX bytes', () => {
    const editor = new HeadEditor().begin(HEAD);
    editor.set('x-hdr1', '0123456789');
    assert.equal(editor.htxGrowth, 8 + 6 + 10);
    editor.set('x-hdr1', '01234');
    assert.equal(editor.htxGrowth, 8 + 6 + 5);
    editor.delete('content-length');
    assert.equal(editor.htxGrowth, 8 + 6 + 5 - (8 + 14 + 4));
    editor.dropAppended(0);
    assert.equal(editor.htxGrowth, -(8 + 14 + 4));
    assert.equal(new HeadEditor().begin(HEAD).htxGrowth, 0);
  });
});
