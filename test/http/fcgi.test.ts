/**
 * The FastCGI record codec, the CGI parameters of a request and the STDOUT-to-HTTP/1 writer
 * (src/http/fcgi/), against the bytes of the FastCGI specification and HAProxy 2.6's mux_fcgi.c.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestHeadParser, type RequestHead } from '../../src/http/codec/index.ts';
import { beginRequest, decodeParams, ParamsWriter, record, RecordReader, RecordType, streamRecords } from '../../src/http/fcgi/records.ts';
import { CgiParamsError, writeCgiParams, type CgiFacts } from '../../src/http/fcgi/cgi-params.ts';
import { FcgiResponseWriter, imfDate } from '../../src/http/fcgi/response-writer.ts';

const enc = new TextEncoder();
const dec = (b: Uint8Array | undefined): string => (b === undefined ? '' : Buffer.from(b).toString('latin1'));

function head(text: string): RequestHead {
  const parser = new RequestHeadParser();
  parser.feed(enc.encode(text), 0);
  assert.ok(parser.done);
  return parser.head as RequestHead;
}

const FACTS: CgiFacts = {
  docroot: '/var/www',
  index: undefined,
  pathInfo: undefined,
  clientAddress: '192.0.2.1',
  clientPort: 40000,
  localAddress: '127.0.0.1',
  localPort: 8080,
  https: false,
  params: [],
  hiddenHeaders: new Set(['authorization']),
  bodyLength: 0,
  software: 'Switchyard test',
};

function params(text: string, facts: Partial<CgiFacts> = {}): [string, string][] {
  const w = new ParamsWriter();
  writeCgiParams(head(text), { ...FACTS, ...facts }, w);
  return decodeParams(w.bytes());
}

describe('FastCGI records', () => {
  it('BEGIN_REQUEST: version 1, the id big-endian, responder role, FCGI_KEEP_CONN', () => {
    assert.deepEqual([...beginRequest(0x0102, true)], [1, 1, 1, 2, 0, 8, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
    assert.equal(beginRequest(1, false)[10], 0);
  });

  it('an empty record ends a stream; content longer than 65535 bytes takes several records', () => {
    assert.deepEqual([...record(RecordType.STDIN, 3)], [1, 5, 0, 3, 0, 0, 0, 0]);
    const big = new Uint8Array(70000).fill(7);
    const out = streamRecords(RecordType.STDIN, 1, big);
    assert.equal(out.byteLength, 70000 + 16);
    assert.deepEqual([...out.subarray(0, 8)], [1, 5, 0, 1, 0xff, 0xff, 0, 0]);
    assert.deepEqual([...out.subarray(8 + 65535, 16 + 65535)], [1, 5, 0, 1, (70000 - 65535) >> 8, (70000 - 65535) & 0xff, 0, 0]);
  });

  it('name-value pairs: one length byte below 128, four with the top bit above; names uppercase, other characters as _', () => {
    const w = new ParamsWriter();
    w.add('http_x-my.hdr', 'v');
    w.add('LONG', 'x'.repeat(200));
    const bytes = w.bytes();
    assert.deepEqual([...bytes.subarray(0, 2)], [13, 1]);
    assert.equal(dec(bytes.subarray(2, 15)), 'HTTP_X_MY_HDR');
    assert.deepEqual([...bytes.subarray(16, 21)], [4, 0x80, 0, 0, 200]);
    assert.deepEqual(decodeParams(bytes), [['HTTP_X_MY_HDR', 'v'], ['LONG', 'x'.repeat(200)]]);
    assert.throws(() => decodeParams(bytes.subarray(0, 10)), /truncated/);
  });

  it('the reader gathers records split across reads and skips their padding', () => {
    const seen: [number, number, string][] = [];
    const reader = new RecordReader({ record: (type, id, content) => seen.push([type, id, dec(content)]) });
    const padded = new Uint8Array([1, 6, 0, 1, 0, 3, 2, 0, 0x61, 0x62, 0x63, 0, 0]);
    const all = new Uint8Array([...padded, ...record(RecordType.END_REQUEST, 1, new Uint8Array(8))]);
    for (let i = 0; i < all.byteLength; i += 5) reader.feed(all.subarray(i, i + 5));
    assert.deepEqual(seen, [[6, 1, 'abc'], [3, 1, '\0'.repeat(8)]]);
    assert.equal(reader.buffered, 0);
    assert.throws(() => reader.feed(new Uint8Array([2, 6, 0, 1, 0, 0, 0, 0])), /version 2/);
  });
});

describe('CGI parameters (fcgi_strm_send_params)', () => {
  it('headers first (HTTP_*, CONTENT_TYPE, CONTENT_LENGTH), hidden ones left out, then the defaults in HAProxy order', () => {
    const got = params('POST /dir/a%20b.php?x=1&y HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nAuthorization: Basic eA==\r\nTE: gzip, trailers\r\n\r\n');
    assert.deepEqual(got, [
      ['HTTP_HOST', 'example.com'],
      ['CONTENT_TYPE', 'text/plain'],
      ['CONTENT_LENGTH', '3'],
      ['HTTP_TE', 'trailers'],
      ['GATEWAY_INTERFACE', 'CGI/1.1'],
      ['DOCUMENT_ROOT', '/var/www'],
      ['SCRIPT_NAME', '/dir/a b.php'],
      ['REQUEST_URI', '/dir/a%20b.php?x=1&y'],
      ['REQUEST_METHOD', 'POST'],
      ['QUERY_STRING', 'x=1&y'],
      ['SERVER_NAME', 'example.com'],
      ['SERVER_PORT', '8080'],
      ['SERVER_PROTOCOL', 'HTTP/1.1'],
      ['REMOTE_ADDR', '192.0.2.1'],
      ['REMOTE_PORT', '40000'],
      ['SCRIPT_FILENAME', '/var/www/dir/a b.php'],
      ['SERVER_SOFTWARE', 'Switchyard test'],
    ]);
  });

  it('without Host, SERVER_NAME is the address reached; without Content-Length, CONTENT_LENGTH is the body gathered', () => {
    const got = new Map(params('GET / HTTP/1.1\r\n\r\n', { bodyLength: 0, https: true }));
    assert.equal(got.get('SERVER_NAME'), '127.0.0.1');
    assert.equal(got.get('CONTENT_LENGTH'), '0');
    assert.equal(got.get('HTTPS'), 'on');
    assert.equal(got.has('QUERY_STRING'), false, 'empty values are not sent');
    assert.equal(got.get('SCRIPT_NAME'), '/');
  });

  it('path-info: capture 1 is the script name, capture 2 the path info (PATH_TRANSLATED follows); index after a trailing /', () => {
    const pathInfo = /^(\/.+\.php)(\/.*)?$/;
    const got = new Map(params('GET /app/index.php/user/1?q HTTP/1.1\r\n\r\n', { pathInfo, index: 'index.php' }));
    assert.equal(got.get('SCRIPT_NAME'), '/app/index.php');
    assert.equal(got.get('PATH_INFO'), '/user/1');
    assert.equal(got.get('PATH_TRANSLATED'), '/var/www/user/1');
    assert.equal(got.get('SCRIPT_FILENAME'), '/var/www/app/index.php');
    const dir = new Map(params('GET /app/ HTTP/1.1\r\n\r\n', { pathInfo, index: 'index.php' }));
    assert.equal(dir.get('SCRIPT_NAME'), '/app/index.php');
    assert.equal(dir.has('PATH_INFO'), false);
  });

  it('set-param values come after the headers and replace the defaults they name', () => {
    const got = params('GET /x HTTP/1.1\r\n\r\n', { params: [['document_root', '/srv'], ['script_name', '/s.php'], ['x_custom', 'v']] });
    const names = got.map(([n]) => n);
    assert.deepEqual(got.slice(0, 3), [['DOCUMENT_ROOT', '/srv'], ['SCRIPT_NAME', '/s.php'], ['X_CUSTOM', 'v']]);
    assert.equal(names.filter((n) => n === 'DOCUMENT_ROOT').length, 1);
    assert.equal(names.includes('PATH_INFO'), false, 'a set script name leaves the path info unset');
    assert.equal(new Map(got).get('SCRIPT_FILENAME'), '/srv/s.php');
  });

  it('a bad %-escape in the path fails the request', () => {
    assert.throws(() => params('GET /a%zz HTTP/1.1\r\n\r\n'), CgiParamsError);
  });
});

describe('STDOUT to HTTP/1 (h1_postparse_res_hdrs, fcgi_flt_http_headers)', () => {
  const NOW = Date.UTC(2026, 11, 5, 20, 1, 2);

  function write(parts: string[], ended: boolean, method = 'GET'): string {
    const w = new FcgiResponseWriter(() => NOW);
    w.begin();
    w.requestMethod(method, 1);
    for (const p of parts) w.stdout(enc.encode(p));
    return dec(w.flush(ended));
  }

  it('a response read whole gets a content-length and a date; names go lowercase; Status sets the status line', () => {
    assert.equal(imfDate(NOW), 'Sat, 05 Dec 2026 20:01:02 GMT');
    assert.equal(
      write(['Status: 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n', 'gone'], true),
      'HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ndate: Sat, 05 Dec 2026 20:01:02 GMT\r\ncontent-length: 4\r\n\r\ngone',
    );
  });

  it('Location alone is a 302 Moved Temporarily; no Status is 200 OK; a bare status has an empty reason', () => {
    assert.match(write(['Location: /x\n\n'], true), /^HTTP\/1\.1 302 Moved Temporarily\r\nlocation: \/x\r\n/);
    assert.match(write(['X: 1\n\n'], true), /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(write(['Status: 201\r\n\r\n'], true), /^HTTP\/1\.1 201 \r\n/);
  });

  it('a response still open when its head is read goes chunked; its end is the last chunk', () => {
    const w = new FcgiResponseWriter(() => NOW);
    w.begin();
    w.requestMethod('GET', 1);
    w.stdout(enc.encode('Date: x\r\n\r\nab'));
    assert.equal(dec(w.flush(false)), 'HTTP/1.1 200 OK\r\ndate: x\r\ntransfer-encoding: chunked\r\n\r\n2\r\nab\r\n');
    w.stdout(enc.encode('cde'));
    assert.equal(dec(w.flush(true)), '3\r\ncde\r\n0\r\n\r\n');
    assert.equal(w.complete, true);
  });

  it('a HEAD response has no body; an invalid header line is an error', () => {
    assert.equal(write(['X: 1\r\n\r\nbody'], true, 'HEAD'), 'HTTP/1.1 200 OK\r\nx: 1\r\ndate: Sat, 05 Dec 2026 20:01:02 GMT\r\n\r\n');
    assert.throws(() => write(['no colon here\r\n\r\n'], true), /invalid header line/);
  });
});
