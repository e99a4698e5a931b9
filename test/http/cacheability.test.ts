/** HAProxy's cacheability (cookie nocache, option checkcache), each case as HAProxy 2.6.12 answered it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cacheability, responseCacheability, setsCookie } from '../../src/http/cacheability.ts';
import { HeadEditor, RequestHeadParser, ResponseHeadParser, latin1Bytes } from '../../src/http/codec/index.ts';

function reqHead(method: string) {
  const p = new RequestHeadParser();
  p.feed(latin1Bytes(`${method} / HTTP/1.1\r\nHost: x\r\n\r\n`));
  assert.ok(p.done);
  return p.head!;
}

function resHead(status: string, headers: string) {
  const p = new ResponseHeadParser();
  p.feed(latin1Bytes(`HTTP/1.1 ${status}\r\n${headers}\r\n`));
  assert.ok(p.done);
  return p.head!;
}

const GET = reqHead('GET');
const POST = reqHead('POST');
const of = (headers: string, status = '200 OK', req = GET) => responseCacheability(req, resHead(status, headers));

describe('responseCacheability', () => {
  it('needs freshness or a validator', () => {
    assert.equal(of('Cache-Control: max-age=60\r\n'), Cacheability.withCookies);
    assert.equal(of('Expires: x\r\n'), Cacheability.withCookies);
    assert.equal(of('ETag: "x"\r\n'), Cacheability.withCookies);
    assert.equal(of('Last-Modified: x\r\n'), Cacheability.withCookies);
    assert.equal(of(''), Cacheability.none);
    assert.equal(of('Cache-Control: public\r\n'), Cacheability.none, 'public alone gives no freshness');
  });

  it('private, no-cache, no-store, max-age=0, s-maxage=0 and Pragma: no-cache prevent it; public wins over the method and the status', () => {
    for (const cc of ['private', 'no-cache', 'no-store', 'max-age=0', 's-maxage=0']) assert.equal(of(`Cache-Control: ${cc}\r\nExpires: x\r\n`), Cacheability.none, cc);
    assert.equal(of('Cache-Control: max-age=0, s-maxage=10\r\n'), Cacheability.none);
    assert.equal(of('Pragma: no-cache\r\nCache-Control: public, max-age=10\r\n'), Cacheability.none);
    assert.equal(of('Cache-Control: max-age=10\r\n', '302 Found'), Cacheability.none);
    assert.equal(of('Cache-Control: max-age=10\r\n', '404 Not Found'), Cacheability.withCookies);
    assert.equal(of('Cache-Control: public, max-age=10\r\n', '302 Found'), Cacheability.withCookies);
    assert.equal(of('Cache-Control: max-age=10\r\n', '200 OK', POST), Cacheability.none);
    assert.equal(of('Cache-Control: public, max-age=10\r\n', '200 OK', POST), Cacheability.withCookies);
  });

  it('no-cache="set-cookie" keeps the response cacheable without its cookies', () => {
    assert.equal(of('Cache-Control: no-cache="set-cookie, x", max-age=10\r\n'), Cacheability.withoutCookies);
  });

  it('setsCookie sees Set-Cookie and Set-Cookie2 as the rules left them', () => {
    const editor = new HeadEditor();
    const res = resHead('200 OK', 'Set-Cookie: a=b\r\n');
    editor.begin(res);
    assert.equal(setsCookie(res, editor), true);
    editor.removeAll(latin1Bytes('set-cookie'));
    assert.equal(setsCookie(res, editor), false);
    editor.append('Set-Cookie2', 'c=d');
    assert.equal(setsCookie(res, editor), true);
  });
});
