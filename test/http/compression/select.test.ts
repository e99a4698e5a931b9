/** HAProxy's compression selection (src/http/compression/select.ts, flt_http_comp.c select_compression_*_header). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadEditor, RequestHeadParser, ResponseHeadParser, type RequestHead, type ResponseHead } from '../../../src/http/codec/index.ts';
import { compressionSettings, etagType, parseQValue, responseCompressible, selectRequestAlgo, type CompressionSettings } from '../../../src/http/compression/select.ts';
import type { CompressionAlgo } from '../../../src/config/model.ts';

const enc = (s: string) => new TextEncoder().encode(s);

function request(lines: string[], version = '1.1', method = 'GET'): RequestHead {
  const p = new RequestHeadParser();
  p.feed(enc(`${method} / HTTP/${version}\r\nHost: h\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`), 0);
  return p.head as RequestHead;
}

function response(lines: string[], status = 200, version = '1.1'): ResponseHead {
  const p = new ResponseHeadParser();
  p.feed(enc(`HTTP/${version} ${status} X\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`), 0);
  return p.head as ResponseHead;
}

/** `compression algo` words as written: HAProxy's list has the last one first. */
const settings = (algos: CompressionAlgo[], types: string[] = [], offload = false): CompressionSettings => ({ algos: [...algos].reverse(), types: [...types].reverse(), offload });
const pick = (s: CompressionSettings, ae: string | undefined, extra: string[] = []) => selectRequestAlgo(s, request([...(ae === undefined ? [] : [`Accept-Encoding: ${ae}`]), ...extra]), undefined);

describe('compression: the algorithm from the request', () => {
  const gz = settings(['gzip', 'deflate']);
  it('takes the element with the highest q-value, the first of a tie, names compared without case', () => {
    assert.equal(pick(gz, 'gzip'), 'gzip');
    assert.equal(pick(gz, 'GZip'), 'gzip');
    assert.equal(pick(gz, 'deflate, gzip'), 'deflate');
    assert.equal(pick(gz, '*;q=0, gzip;q=0.750, deflate;q=0.500'), 'gzip');
    assert.equal(pick(gz, '*;q=0, gzip;q=0.500, deflate;q=0.750'), 'deflate');
    assert.equal(pick(gz, 'gzip;q=0, deflate;q=0'), undefined);
    assert.equal(pick(gz, 'br'), undefined);
    assert.equal(pick(gz, 'gzipx'), undefined);
    assert.equal(pick(gz, undefined), undefined);
    // Several header lines are one list.
    assert.equal(pick(gz, 'br', ['Accept-Encoding: deflate;q=0.2', 'Accept-Encoding: gzip;q=0.3']), 'gzip');
  });
  it('`*` takes the first algorithm of HAProxy\u2019s list: the last declared', () => {
    assert.equal(pick(gz, '*'), 'deflate');
    assert.equal(pick(settings(['deflate', 'gzip']), '*'), 'gzip');
  });
  it('raw-deflate answers to "deflate"; identity needs no header', () => {
    assert.equal(pick(settings(['raw-deflate']), 'deflate'), 'raw-deflate');
    assert.equal(pick(settings(['identity']), undefined), 'identity');
    assert.equal(pick(settings(['gzip', 'identity']), 'br'), 'identity');
  });
  it('refuses old Mozilla/4 agents, unless MSIE 6 SP2 or later', () => {
    assert.equal(pick(gz, 'gzip', ['User-Agent: Mozilla/4']), undefined);
    assert.equal(pick(gz, 'gzip', ['User-Agent: Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)']), undefined);
    assert.equal(pick(gz, 'gzip', ['User-Agent: Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)']), 'gzip');
    assert.equal(pick(gz, 'gzip', ['User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)']), 'gzip');
    assert.equal(pick(gz, 'gzip', ['User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; XX1)']), undefined);
    assert.equal(pick(gz, 'gzip', ['User-Agent: Mozilla/5.0']), 'gzip');
  });
  it('reads the request as the rules left it', () => {
    const req = request(['Accept-Encoding: gzip']);
    const editor = new HeadEditor().begin(req);
    editor.removeAll(enc('accept-encoding'));
    assert.equal(selectRequestAlgo(gz, req, editor), undefined);
    editor.append('accept-encoding', 'deflate');
    assert.equal(selectRequestAlgo(gz, req, editor), 'deflate');
  });
  it('q-values as http_parse_qvalue reads them', () => {
    assert.equal(parseQValue('1', 0), 1000);
    assert.equal(parseQValue('0', 0), 0);
    assert.equal(parseQValue('0.5', 0), 500);
    assert.equal(parseQValue('0.125', 0), 125);
    assert.equal(parseQValue('2.5', 0), 1000);
    assert.equal(parseQValue('x', 0), 1000);
  });
});

describe('compression: whether the response may be compressed', () => {
  const s = settings(['gzip'], ['text/html', 'text/plain']);
  const req = request([]);
  const ok = (lines: string[], status = 200, r = req) => responseCompressible(s, r, response(lines, status));
  it('needs a known length, status 200-203, HTTP/1.1 both ways, not HEAD', () => {
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 10']), true);
    assert.equal(ok(['Content-Type: text/plain', 'Transfer-Encoding: chunked']), true);
    assert.equal(ok(['Content-Type: text/plain']), false);
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 10'], 203), true);
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 10'], 204), false);
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 10'], 404), false);
    assert.equal(responseCompressible(s, req, response(['Content-Type: text/plain', 'Content-Length: 10'], 200, '1.0')), false);
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 10'], 200, request([], '1.0')), false);
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 10'], 200, request([], '1.1', 'HEAD')), false);
  });
  it('leaves encoded, no-transform, multipart and unlisted types alone; types match as prefixes without case', () => {
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 1', 'Content-Encoding: br']), false);
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 1', 'Cache-Control: public, NO-TRANSFORM']), false);
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 1', 'Cache-Control: no-transformx']), true);
    assert.equal(ok(['Content-Type: multipart/mixed', 'Content-Length: 1']), false);
    assert.equal(ok(['Content-Type: text/css', 'Content-Length: 1']), false);
    assert.equal(ok(['Content-Type: TEXT/PLAIN; charset=utf-8', 'Content-Length: 1']), true);
    assert.equal(ok(['Content-Length: 1']), false);
    assert.equal(responseCompressible(settings(['gzip']), req, response(['Content-Length: 1'])), true);
    assert.equal(responseCompressible(settings(['gzip']), req, response(['Content-Type: multipart/x', 'Content-Length: 1'])), false);
  });
  it('at most one ETag, and a valid one', () => {
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 1', 'ETag: "a"']), true);
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 1', 'ETag: W/"a"']), true);
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 1', 'ETag: a']), false);
    assert.equal(ok(['Content-Type: text/plain', 'Content-Length: 1', 'ETag: "a"', 'ETag: "a"']), false);
    assert.equal(etagType('""'), 'strong');
    assert.equal(etagType('"'), 'invalid');
    assert.equal(etagType('W/"x"'), 'weak');
    assert.equal(etagType('w/"x"'), 'invalid');
  });
});

describe('compression: frontend and backend settings', () => {
  it('the backend\u2019s algorithms and types win when it has them; offload from either', () => {
    const fe = { algos: ['gzip'] as CompressionAlgo[], types: ['text/plain'], offload: true };
    const be = { algos: ['deflate'] as CompressionAlgo[], types: [], offload: false };
    assert.deepEqual(compressionSettings(fe, be), { algos: ['deflate'], types: ['text/plain'], offload: true });
    assert.deepEqual(compressionSettings(undefined, be), { algos: ['deflate'], types: [], offload: false });
    assert.equal(compressionSettings(undefined, undefined), undefined);
  });
});
