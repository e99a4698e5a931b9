import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latin1Bytes } from '../../src/http/codec/chars.ts';
import { ErrorFileReply } from '../../src/http/error-file-reply.ts';
import { parseErrorMessage } from '../../src/http/error-message.ts';
import { ReplyConnection } from '../../src/http/local-reply.ts';

function reply(file: string, status = 503): ErrorFileReply {
  const parsed = parseErrorMessage(latin1Bytes(file));
  assert.ok(parsed.ok);
  return new ErrorFileReply(status, parsed.message);
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const { none, close, keepAlive } = ReplyConnection;

describe('errorfiles on the wire, as HAProxy 2.6’s H1 mux writes them', () => {
  it('HTTP/1.1 file: `HTTP/1.1` status line, names lower-cased, connection header last as for any reply', () => {
    const r = reply('HTTP/1.1 503 Busy\r\nContent-Length: 4\r\nX-A: b\r\n\r\nbusy');
    assert.equal(text(r.encode(none)), 'HTTP/1.1 503 Busy\r\ncontent-length: 4\r\nx-a: b\r\n\r\nbusy');
    assert.equal(text(r.encode(close)), 'HTTP/1.1 503 Busy\r\ncontent-length: 4\r\nx-a: b\r\nconnection: close\r\n\r\nbusy');
    assert.equal(text(r.encode(keepAlive)), 'HTTP/1.1 503 Busy\r\ncontent-length: 4\r\nx-a: b\r\nconnection: keep-alive\r\n\r\nbusy');
    assert.equal(r.closes, false);
    assert.equal(r.status, 503);
    assert.equal(r.bodyLength, 4);
  });

  it('HTTP/1.0 file: its own status line; keep-alive is said on every kept connection, close never', () => {
    const r = reply('HTTP/1.0 503 Service Unavailable\r\nContent-Length: 2\r\n\r\nno');
    assert.equal(text(r.encode(none)), 'HTTP/1.0 503 Service Unavailable\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nno');
    assert.equal(text(r.encode(close)), 'HTTP/1.0 503 Service Unavailable\r\ncontent-length: 2\r\n\r\nno');
  });

  it('Connection: keep-alive and close are taken out (close also closes); other tokens stay', () => {
    assert.equal(text(reply('HTTP/1.1 403 N\r\nConnection: keep-alive, foo\r\nContent-Length: 0\r\n\r\n').encode(none)), 'HTTP/1.1 403 N\r\nconnection: foo\r\ncontent-length: 0\r\n\r\n');
    assert.equal(text(reply('HTTP/1.1 403 N\r\nConnection: foo,  bar\r\nContent-Length: 0\r\n\r\n').encode(none)), 'HTTP/1.1 403 N\r\nconnection: foo,  bar\r\ncontent-length: 0\r\n\r\n');
    assert.equal(text(reply('HTTP/1.1 403 N\r\nConnection: close, foo, bar\r\nContent-Length: 0\r\n\r\n').encode(close)), 'HTTP/1.1 403 N\r\nconnection: foo,bar\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    const closing = reply('HTTP/1.1 403 N\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    assert.equal(closing.closes, true);
    assert.equal(text(closing.encode(close)), 'HTTP/1.1 403 N\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  });

  it('Connection: upgrade: no connection header is added', () => {
    assert.equal(text(reply('HTTP/1.1 503 N\r\nConnection: upgrade\r\nContent-Length: 0\r\n\r\n').encode(close)), 'HTTP/1.1 503 N\r\nconnection: upgrade\r\ncontent-length: 0\r\n\r\n');
  });

  it('without Content-Length the connection closes after the payload', () => {
    const r = reply('HTTP/1.1 504 NoLen\r\nX: y\r\n\r\nbody');
    assert.equal(r.closes, true);
    assert.equal(text(r.encode(close)), 'HTTP/1.1 504 NoLen\r\nx: y\r\nconnection: close\r\n\r\nbody');
  });

  it('a 204 file loses its length headers; an empty reason keeps its space', () => {
    assert.equal(text(reply('HTTP/1.1 204\r\nContent-Length: 0\r\nX: y\r\n\r\n', 503).encode(none)), 'HTTP/1.1 204 \r\nx: y\r\n\r\n');
  });

  it('an empty file answers nothing and closes', () => {
    const r = new ErrorFileReply(500, undefined);
    assert.equal(r.encode(none).byteLength, 0);
    assert.equal(r.closes, true);
  });

  it('payload bytes go out as they are (latin1 file content)', () => {
    assert.deepEqual([...reply('HTTP/1.1 503 X\r\nContent-Length: 2\r\n\r\n\xe9\xff').encode(none).slice(-2)], [0xe9, 0xff]);
  });
});
