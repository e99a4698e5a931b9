/**
 * base32, url32, base32+src, url32+src (src/rules/url-hash-fetches.ts): the values HAProxy
 * 2.6.12 gave for the same requests (curl to `/N?a=1&b=2` with `Host: www.example.com`,
 * and to `/N` with curl's own Host, from 127.0.0.1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, get, sample } from './support.ts';

describe('URL hash fetches', () => {
  it('hash the Host value and the path (base32: without the query; url32: with it)', () => {
    const at = (path: string, host: string) => context(get(path, `Host: ${host}`), { clientAddress: '127.0.0.1' });
    const withQuery = (n: number) => at(`/${n}?a=1&b=2`, 'www.example.com');
    assert.deepEqual(sample('base32', withQuery(0)), { type: 'int', text: '1590002121' });
    assert.deepEqual(sample('url32', withQuery(1)), { type: 'int', text: '2165534354' });
    assert.equal(sample('base32+src,hex', withQuery(2))?.text, 'F82BE9C97F000001');
    assert.equal(sample('url32+src,hex', withQuery(3))?.text, '0E33F4ED7F000001');
    const plain = (n: number) => at(`/${n}`, '127.0.0.1:39501');
    assert.equal(sample('base32', plain(0))?.text, '3923786338');
    assert.equal(sample('url32', plain(1))?.text, '3951841143');
    assert.equal(sample('base32+src,hex', plain(2))?.text, 'F48860007F000001');
  });

  it('an IPv6 client appends its 16 bytes', () => {
    const ctx = context(get('/', 'Host: h'), { clientAddress: '2001:db8::1' });
    const hex = sample('base32+src,hex', ctx)?.text ?? '';
    assert.equal(hex.length, 2 * (4 + 16));
    assert.equal(hex.slice(8), '20010DB8000000000000000000000001');
  });
});
