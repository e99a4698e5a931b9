import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latin1Bytes } from '../../src/http/codec/chars.ts';
import { parseErrorMessage, type ErrorMessage } from '../../src/http/error-message.ts';

const parse = (text: string) => parseErrorMessage(latin1Bytes(text));

function message(text: string): ErrorMessage {
  const parsed = parse(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.ok(parsed.message !== undefined);
  return parsed.message;
}

function error(text: string): string {
  const parsed = parse(text);
  assert.ok(!parsed.ok, 'expected the file to be refused');
  return parsed.error;
}

describe('error files as HAProxy 2.6 loads them (http_str_to_htx)', () => {
  it('keeps the status line as written, lower-cases names, trims values, keeps the payload', () => {
    const m = message('HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nX-Err:   a b  \r\nContent-Length: 5\r\n\r\nsorry');
    assert.equal(m.version, 'HTTP/1.0');
    assert.equal(m.version11, false);
    assert.equal(m.code, '503');
    assert.equal(m.reason, 'Service Unavailable');
    assert.deepEqual(m.headers, [
      ['cache-control', 'no-cache'],
      ['x-err', 'a b'],
      ['content-length', '5'],
    ]);
    assert.equal(Buffer.from(m.body).toString('latin1'), 'sorry');
    assert.equal(m.hasLength, true);
  });

  it('an empty file is valid: no message at all', () => {
    assert.deepEqual(parse(''), { ok: true, message: undefined });
  });

  it('accepts what HAProxy’s parser accepts: bare LF, no reason, any code length, obs-fold, leading empty lines', () => {
    assert.equal(message('HTTP/1.1 503 X\nContent-Length: 4\n\nabcd').hasLength, true);
    assert.equal(message('HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n').reason, '');
    assert.equal(message('HTTP/1.1 50 X\r\nContent-Length: 0\r\n\r\n').status, 50);
    assert.deepEqual(message('HTTP/1.1 503 X\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n').headers[0], ['x-a', 'one   two']);
    assert.equal(message('\r\n\nHTTP/1.1 503 X\r\nContent-Length: 0\r\n\r\n').code, '503');
    assert.equal(message('HTTP/2.0 503 X\r\nContent-Length: 0\r\n\r\n').version11, true);
  });

  it('a payload without Content-Length runs to the end of the file (and to the end of the connection)', () => {
    const m = message('HTTP/1.1 504 Slow\r\nX: y\r\n\r\nbody-without-length');
    assert.equal(m.hasLength, false);
    assert.equal(Buffer.from(m.body).toString('latin1'), 'body-without-length');
  });

  it('repeated equal Content-Length values collapse to one; Transfer-Encoding removes Content-Length', () => {
    assert.deepEqual(message('HTTP/1.1 503 X\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nab').headers, [['content-length', '2']]);
    const te = message('HTTP/1.1 503 X\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nab');
    assert.deepEqual(te.headers, [['transfer-encoding', 'gzip']]);
    assert.equal(te.hasLength, false);
  });

  it('refuses with HAProxy’s messages and error offsets (checked against haproxy -c)', () => {
    assert.equal(error('HTTP/1.1 503 X\r\nContent-Length: 4\r\n'), 'unable to parse headers (error offset: -2)');
    assert.equal(error('garbage\r\n\r\n'), 'unable to parse headers (error offset: 0)');
    assert.equal(error('HTTP/1.1 503 X\r\nBad Header: x\r\n\r\n'), 'unable to parse headers (error offset: 19)');
    assert.equal(error('HTTP/1.1 503 X\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcd'), 'unable to parse headers (error offset: 51)');
    assert.equal(error('HTTP/1.1 503 X\r\nContent-Length: 4\r\n\r\nabcdef'), 'payload size does not match the announced content-length (6 != 4)');
    assert.equal(error('HTTP/1.1 503 X\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n'), 'chunk-encoded payload not supported');
    assert.equal(error('HTTP/1.1 100 X\r\n\r\n'), 'invalid http status code for an error message (100)');
    assert.equal(error('HTTP/1.1 204 X\r\n\r\nab'), 'message payload not expected');
    assert.equal(error('HTTP/1.1 503 X\r\nContent-Length: 0\r\n\r\nab'), 'message payload not expected');
    assert.equal(error('HTTP/1.10 503 X\r\nContent-Length: 0\r\n\r\n'), 'invalid http version (HTTP/1.10)');
    assert.equal(error('http/1.1 503 X\r\n\r\n'), 'unable to parse headers (error offset: 0)');
  });

  it('at most 100 header lines, as tune.http.maxhdr', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `X-${i}: v\r\n`).join('');
    assert.equal(message(`HTTP/1.1 503 X\r\n${lines(100)}\r\n`).headers.length, 100);
    // Where HAProxy runs out of slots: after the 101st line (918, as haproxy -c reports).
    assert.equal(error(`HTTP/1.1 503 X\r\n${lines(101)}\r\n`), 'unable to parse headers (error offset: 918)');
  });
});
