/** Sample fetches (src/rules/sample-fetch.ts) used by `balance hash` and stick rules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LbRequest } from '../../src/balance/balancer.ts';
import { compileSampleFetch, pathStart, requestCookie, urlParam, type SampleFetch } from '../../src/rules/sample-fetch.ts';
import { httpRequest, parseHead, tcpRequest } from '../balance/support.ts';

function fetcher(expression: string): SampleFetch {
  const compiled = compileSampleFetch(expression);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.fetch;
}
const fetch = (expression: string, req: LbRequest): string | undefined => fetcher(expression).fetch(req);

describe('sample fetches', () => {
  it('src: the client address, in tcp and http mode', () => {
    assert.equal(fetch('src', tcpRequest('10.0.0.9')), '10.0.0.9');
    assert.equal(fetch('src', httpRequest('/', ['Host: h'], '2001:db8::1')), '2001:db8::1');
    assert.equal(fetcher('src').l7, false);
  });

  it('method, path, url, query, base', () => {
    const req = httpRequest('/a/b.html?x=1&y=2', ['Host: www.example.com']);
    assert.equal(fetch('method', req), 'GET');
    assert.equal(fetch('path', req), '/a/b.html');
    assert.equal(fetch('url', req), '/a/b.html?x=1&y=2');
    assert.equal(fetch('query', req), 'x=1&y=2');
    assert.equal(fetch('base', req), 'www.example.com/a/b.html');
    assert.equal(fetch('query', httpRequest('/a')), undefined);
    assert.equal(fetcher('path').l7, true);
  });

  it('path and base of an absolute-form target', () => {
    const req = { clientAddress: '::1', lbHead: parseHead('GET http://example.org:8080/p/q?z HTTP/1.1\r\nHost: example.org:8080\r\n\r\n') };
    assert.equal(fetch('path', req), '/p/q');
    assert.equal(fetch('url', req), 'http://example.org:8080/p/q?z');
    assert.equal(fetch('base', req), 'example.org:8080/p/q');
  });

  it('L7 fetches yield nothing in tcp mode', () => {
    for (const e of ['method', 'path', 'url', 'query', 'base', 'req.hdr(host)', 'url_param(a)', 'req.cookie(a)']) {
      assert.equal(fetch(e, tcpRequest()), undefined, e);
    }
  });

  it('req.hdr / hdr: last occurrence by default, or the Nth (negative from the end)', () => {
    const req = httpRequest('/', ['Host: h', 'X-A: one', 'x-a: two', 'X-A: three']);
    assert.equal(fetch('req.hdr(x-a)', req), 'three');
    assert.equal(fetch('hdr(X-A)', req), 'three');
    assert.equal(fetch('req.hdr(x-a,1)', req), 'one');
    assert.equal(fetch('req.hdr(x-a,2)', req), 'two');
    assert.equal(fetch('req.hdr(x-a,-3)', req), 'one');
    assert.equal(fetch('req.hdr(x-a,4)', req), undefined);
    assert.equal(fetch('req.hdr(x-missing)', req), undefined);
  });

  it('req.hdr_ip / hdr_ip: a leading IPv4 address (a port after it ignored) or a whole IPv6 one (HAProxy 2.6.12’s values)', () => {
    const req = httpRequest('/', ['Host: h', 'A: 1.2.3.4:80', 'B: junk', 'C: 2001:db8::1', 'D: 10.0.0.1', 'D: ::ffff:1.2.3.4']);
    assert.equal(fetch('req.hdr_ip(a)', req), '1.2.3.4');
    assert.equal(fetch('req.hdr_ip(b)', req), undefined);
    assert.equal(fetch('req.hdr_ip(c),ipmask(24,64)', req), '2001:db8::');
    assert.equal(fetch('hdr_ip(d)', req), '::ffff:1.2.3.4');
    assert.equal(fetch('hdr_ip(d,1)', req), '10.0.0.1');
  });

  it('url_param / urlp: first matching parameter, custom delimiter', () => {
    const req = httpRequest('/p?a=1&user=bob&user=eve&empty=');
    assert.equal(fetch('url_param(user)', req), 'bob');
    assert.equal(fetch('urlp(a)', req), '1');
    assert.equal(fetch('url_param(empty)', req), '');
    assert.equal(fetch('url_param(nope)', req), undefined);
    assert.equal(fetch('url_param(b,;)', httpRequest('/p?a=1;b=2')), '2');
    assert.equal(urlParam('/p', 'a'), undefined);
    assert.equal(urlParam('/p?ab=1&a=2', 'a'), '2');
  });

  it('req.cookie / cook / cookie: the last cookie of that name across Cookie headers', () => {
    const req = httpRequest('/', ['Host: h', 'Cookie: a=1; sid=abc', 'Cookie: sid=def; b=2']);
    assert.equal(fetch('req.cookie(sid)', req), 'def');
    assert.equal(fetch('cook(a)', req), '1');
    assert.equal(fetch('cookie(b)', req), '2');
    assert.equal(fetch('req.cookie(missing)', req), undefined);
    assert.equal(requestCookie(parseHead('GET / HTTP/1.1\r\nHost: h\r\nCookie: x=\r\n\r\n'), 'x'), '');
  });

  it('req.cook_cnt / req.cook_val / req.cook without a name: any cookie (HAProxy 2.6.12’s values)', () => {
    const req = httpRequest('/', ['Host: h', 'Cookie: cook1=0; cook2=123; cook3=22; $Version=1; cook2=7 x; n=-5; b=1 2; flag; e=']);
    const expected: readonly (readonly [string, string | undefined])[] = [
      ['req.cook_cnt()', '7'],
      ['req.cook_val()', '0'],
      ['req.cook_val(cook2)', '54'], // strl2ic("7 x"): the space counts as digit -16
      ['req.cook(cook2)', '7 x'],
      ['req.cook()', '0'],
      ['req.cook_val(n)', '-5'],
      ['req.cook_cnt(cook2)', '2'],
      ['req.cook_val(b)', '-58'],
      ['cook_cnt', '7'],
      ['cook_val(e)', '0'],
      ['req.cook_val(none)', undefined],
      ['req.cook_cnt(none)', '0'],
      ['req.cook_val(cook2),add(1)', '55'],
    ];
    for (const [expression, value] of expected) assert.equal(fetch(expression, req), value, expression);
  });

  it('pathStart finds the path of origin-form and absolute-form targets', () => {
    assert.equal(pathStart('/a'), 0);
    assert.equal(pathStart('http://h/a'), 8);
    assert.equal(pathStart('http://h'), 8);
    assert.equal(pathStart('*'), 0);
  });

  it('explains what it cannot compile', () => {
    const error = (e: string): string => {
      const c = compileSampleFetch(e);
      assert.equal(c.ok, false, e);
      return c.ok ? '' : c.message;
    };
    assert.match(error('bogus'), /unknown fetch method 'bogus' \(supported: src, method/);
    assert.match(error('src(1)'), /takes no argument/);
    assert.match(error('req.hdr()'), /expects a header name/);
    assert.match(error('req.hdr(x,0)'), /invalid occurrence/);
    assert.match(error('req.hdr(x,abc)'), /invalid occurrence/);
    assert.match(error('url_param()'), /expects a parameter name/);
    assert.match(error('req.cookie(a,b)'), /expects a cookie name/);
    assert.match(error('Path'), /invalid sample expression|unknown fetch/);
    assert.match(error('path)'), /missing comma after fetch keyword 'path'/);
  });

  it('keeps the expression as written', () => {
    assert.equal(fetcher(' req.hdr(host) ').expression, ' req.hdr(host) ');
  });
});

describe('requestCookie', () => {
  const cookie = (line: string, name: string): string | undefined => requestCookie(parseHead(`GET / HTTP/1.1\r\nHost: h\r\n${line}\r\n\r\n`), name);
  it('trims names and values, skips pairs without =, and needs the exact name', () => {
    assert.equal(cookie('Cookie:  a = 1 ;b=2;;c', 'a'), '1');
    assert.equal(cookie('Cookie: a=1;b=2;;c', 'b'), '2');
    assert.equal(cookie('Cookie: a=1;b=2;;c', 'c'), undefined);
    assert.equal(cookie('Cookie: ab=1; b=2', 'a'), undefined);
    assert.equal(cookie('Cookie: x=a=b', 'x'), 'a=b');
    assert.equal(cookie('Cookie: sid=1; sid=2', 'sid'), '2');
  });
});

describe('header values with an unterminated quoted string', () => {
  it('the value runs to its end, as http_find_hdr_value_end (HAProxy gives `t{a|g}"#`)', async () => {
    const { context, get, sample } = await import('./support.ts');
    const head = get('/', 'Host: h', 'X-Tag: t{a|g}"#', 'X-Two: a, "b\\', 'X-Three: "x,y", z');
    assert.equal(sample('req.hdr(x-tag)', context(head))?.text, 't{a|g}"#');
    assert.equal(sample('req.hdr(x-two)', context(head))?.text, '"b\\');
    assert.equal(sample('req.hdr(x-three,1)', context(head))?.text, '"x,y"');
    assert.equal(sample('req.hdr(x-three)', context(head))?.text, 'z');
  });
});
