/** The hash algorithms' key extraction: which bytes of the request each one hashes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashSdbm } from '../../src/balance/hash-functions.ts';
import { ExpressionKey } from '../../src/balance/key-expression.ts';
import { HeaderKey } from '../../src/balance/key-header.ts';
import { addressHash as sourceHash, SourceKey } from '../../src/balance/key-source.ts';
import { UriKey, type UriKeyOptions } from '../../src/balance/key-uri.ts';
import { UrlParamKey } from '../../src/balance/key-url-param.ts';
import { latin1Bytes } from '../../src/http/codec/index.ts';
import { httpRequest, httpRequestWithBody, tcpRequest } from './support.ts';

const sdbm = (s: string): number => hashSdbm(latin1Bytes(s), 0, s.length);
const uri = (target: string, options: Partial<UriKeyOptions> = {}): number | undefined =>
  new UriKey({ len: 0, depth: 0, whole: false, pathOnly: false, ...options }, hashSdbm).hash(httpRequest(target));

describe('balance uri key (get_server_uh)', () => {
  it('hashes the target up to the query string', () => {
    assert.equal(uri('/a/b/c.html?x=1'), sdbm('/a/b/c.html'));
    assert.equal(uri('/a/b/c.html'), sdbm('/a/b/c.html'));
  });

  it('whole: includes the query string', () => {
    assert.equal(uri('/a/b/c.html?x=1', { whole: true }), sdbm('/a/b/c.html?x=1'));
  });

  it('len N: at most N characters', () => {
    assert.equal(uri('/abcdef/ghi', { len: 4 }), sdbm('/abc'));
    assert.equal(uri('/ab', { len: 4 }), sdbm('/ab'));
    assert.equal(uri('/ab?xyz', { len: 5, whole: true }), sdbm('/ab?x'));
  });

  it('depth N: the first N directories', () => {
    assert.equal(uri('/a/b/c/d.html', { depth: 1 }), sdbm('/a'));
    assert.equal(uri('/a/b/c/d.html', { depth: 2 }), sdbm('/a/b'));
    assert.equal(uri('/a/b/c/d.html', { depth: 9 }), sdbm('/a/b/c/d.html'));
    assert.equal(uri('/a/b?x=/y/z', { depth: 3, whole: true }), sdbm('/a/b?x=/y'));
    assert.equal(uri('/abcdef/g', { depth: 1, len: 3 }), sdbm('/ab'));
  });

  it('absolute-form targets are hashed whole unless path-only', () => {
    assert.equal(uri('http://example.com/a/b?q'), sdbm('http://example.com/a/b'));
    assert.equal(uri('http://example.com/a/b?q', { pathOnly: true }), sdbm('/a/b'));
    assert.equal(uri('http://example.com/a/b?q', { pathOnly: true, whole: true }), sdbm('/a/b?q'));
    assert.equal(uri('http://example.com:8080/x/y/z', { pathOnly: true, depth: 1 }), sdbm('/x'));
    assert.equal(uri('/a/b?q', { pathOnly: true }), sdbm('/a/b'));
    // No path: an empty key (HAProxy hashes "").
    assert.equal(uri('http://example.com', { pathOnly: true }), sdbm(''));
  });

  it('has no key in tcp mode', () => {
    assert.equal(new UriKey({ len: 0, depth: 0, whole: false, pathOnly: false }, hashSdbm).hash(tcpRequest()), undefined);
  });
});

describe('balance url_param key (get_server_ph)', () => {
  const key = new UrlParamKey('id', hashSdbm);
  const hash = (target: string): number | undefined => key.hash(httpRequest(target));

  it('hashes the value of the first NAME= parameter', () => {
    assert.equal(hash('/p?id=42'), sdbm('42'));
    assert.equal(hash('/p?a=1&id=42&b=2'), sdbm('42'));
    assert.equal(hash('/p?id=1&id=2'), sdbm('1'));
    assert.equal(hash('/p?a=1&id='), sdbm(''));
  });

  it('needs the exact name at a parameter start', () => {
    assert.equal(hash('/p?uid=42'), undefined);
    assert.equal(hash('/p?idx=42'), undefined);
    assert.equal(hash('/p?id'), undefined);
    assert.equal(hash('/p?x=id=3'), undefined);
    assert.equal(hash('/id=3'), undefined);
    assert.equal(hash('/p'), undefined);
  });

  it('has no key in tcp mode', () => {
    assert.equal(key.hash(tcpRequest()), undefined);
  });

  it('a POST without the parameter in its query string: the held payload is scanned (get_server_ph_post)', () => {
    const post = (body: string, target = '/p', method = 'POST'): number | undefined => key.hash(httpRequestWithBody(method, target, body));
    assert.equal(post('id=42'), sdbm('42'));
    assert.equal(post('a=1&id=42&b=2'), sdbm('42'));
    assert.equal(post('id=42', '/p?x=1'), sdbm('42'), 'a query string without it');
    assert.equal(post('id=42', '/p?id=7'), sdbm('7'), 'the query string comes first');
    assert.equal(post('id=42', '/p', 'PUT'), undefined, 'POST only');
    assert.equal(post('id=42', '/p', 'post'), undefined, 'the method is case-sensitive');
    assert.equal(post('uid=42'), undefined);
    assert.equal(post(''), undefined);
    assert.equal(post('id='), sdbm(''));
  });

  it('the POST value\'s first byte only is checked: white space gives an empty value, another non-token no key', () => {
    const post = (body: string): number | undefined => key.hash(httpRequestWithBody('POST', '/p', body));
    assert.equal(post('id=%41b'), sdbm('%41b'), '% is a token byte');
    assert.equal(post('id=a b=c'), sdbm('a b=c'), 'later bytes are not checked (HAProxy looks at the first one each time)');
    assert.equal(post('id= x'), sdbm(''));
    assert.equal(post('id=\r\n'), sdbm(''));
    assert.equal(post('id==q'), undefined, 'not URL-encoded: round robin');
    assert.equal(post('id={"a":1}'), undefined);
  });
});

describe('balance hdr() key (get_server_hh)', () => {
  const req = (...headers: string[]) => httpRequest('/', headers);

  it('hashes the first value of the first header of that name, case-insensitively', () => {
    const key = new HeaderKey('X-Tenant', false, hashSdbm);
    assert.equal(key.hash(req('Host: h', 'x-tenant: acme')), sdbm('acme'));
    assert.equal(key.hash(req('Host: h', 'X-TENANT:   acme  ', 'X-Tenant: other')), sdbm('acme'));
    assert.equal(key.hash(req('Host: h', 'X-Tenant: a , b')), sdbm('a'));
  });

  it('falls back (no key) when the header is missing or empty', () => {
    const key = new HeaderKey('x-tenant', false, hashSdbm);
    assert.equal(key.hash(req('Host: h')), undefined);
    assert.equal(key.hash(req('Host: h', 'X-Tenant:')), undefined);
    assert.equal(key.hash(tcpRequest()), undefined);
  });

  it('use_domain_only hashes the label before the top-level domain', () => {
    const key = new HeaderKey('host', true, hashSdbm);
    assert.equal(key.hash(req('Host: www.example.com')), sdbm('example'));
    assert.equal(key.hash(req('Host: mail.example.com')), sdbm('example'));
    assert.equal(key.hash(req('Host: a.b.example.co')), sdbm('example'));
    assert.equal(key.hash(req('Host: example.com')), sdbm('example'));
    assert.equal(key.hash(req('Host: localhost')), sdbm('localhost'));
    assert.equal(key.hash(req('Host: www.example.com:8080')), sdbm('example'));
  });
});

describe('balance source key (get_server_sh)', () => {
  /** HAProxy's unsigned value. */
  const addressHash = (a: string): number | undefined => {
    const h = sourceHash(a);
    return h === undefined ? undefined : h >>> 0;
  };
  it('uses the IPv4 address as a 32-bit integer', () => {
    assert.equal(addressHash('192.0.2.1'), 0xc0000201);
    assert.equal(addressHash('0.0.0.0'), 0);
    assert.equal(addressHash('255.255.255.255'), 0xffffffff);
    assert.equal(new SourceKey().hash(tcpRequest('10.1.2.3')), 0x0a010203);
    assert.equal(new SourceKey().hash(tcpRequest('unix')), undefined);
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 one', () => {
    assert.equal(addressHash('::ffff:192.0.2.1'), 0xc0000201);
    assert.equal(addressHash('::FFFF:c000:0201'), 0xc0000201);
  });

  it('XORs the four 32-bit words of an IPv6 address', () => {
    assert.equal(addressHash('2001:db8::1'), (0x20010db8 ^ 0 ^ 0 ^ 1) >>> 0);
    assert.equal(addressHash('2001:0db8:0000:0000:0000:0000:0000:0001'), addressHash('2001:db8::1'));
    assert.equal(addressHash('::1'), 1);
    assert.equal(addressHash('::'), 0);
    assert.equal(addressHash('1:2:3:4:5:6:7:8'), ((0x10002 ^ 0x30004 ^ 0x50006 ^ 0x70008) >>> 0));
    assert.equal(addressHash('fe80::1%eth0'), (0xfe800000 ^ 1) >>> 0);
    assert.equal(addressHash('[2001:db8::1]'), addressHash('2001:db8::1'));
    assert.equal(addressHash('64:ff9b::192.0.2.1'), (0x64ff9b ^ 0xc0000201) >>> 0);
  });

  it('has no key for what is not an address', () => {
    for (const bad of ['', 'unix', '/run/x.sock', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', ':1', '1:']) {
      assert.equal(addressHash(bad), undefined, bad);
    }
  });
});

describe('balance hash EXPR key', () => {
  it('hashes the fetched sample', () => {
    const key = new ExpressionKey('req.hdr(host)', hashSdbm);
    assert.equal(key.hash(httpRequest('/', ['Host: www.example.com'])), sdbm('www.example.com'));
    assert.equal(new ExpressionKey('src', hashSdbm).hash(tcpRequest('10.0.0.1')), sdbm('10.0.0.1'));
    assert.equal(new ExpressionKey('path', hashSdbm).hash(httpRequest('/a/b?c')), sdbm('/a/b'));
  });

  it('has no key when the sample is absent', () => {
    assert.equal(new ExpressionKey('req.hdr(x-missing)', hashSdbm).hash(httpRequest('/')), undefined);
    assert.equal(new ExpressionKey('path', hashSdbm).hash(tcpRequest()), undefined);
  });

  it('refuses an invalid expression with the fetch error', () => {
    assert.throws(() => new ExpressionKey('nope(1)', hashSdbm), /balance hash: unknown fetch method 'nope'/);
  });

  it('hashes long samples (buffer growth)', () => {
    const long = 'x'.repeat(5000);
    assert.equal(new ExpressionKey('req.hdr(x-long)', hashSdbm).hash(httpRequest('/', ['Host: h', `X-Long: ${long}`])), sdbm(long));
  });
});
