/** Typed sample fetches, converters and their scopes (src/rules/sample-fetch.ts), on real parsed heads. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadEditor } from '../../src/http/codec/index.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import { context, get, responseHead, sample } from './support.ts';

const error = (expression: string, direction: 'request' | 'response' = 'request'): string => {
  const c = compileSampleFetch(expression, { direction });
  assert.equal(c.ok, false, expression);
  return c.ok ? '' : c.message;
};

describe('connection fetches', () => {
  it('src, src_port, dst, dst_port with their types', () => {
    const ctx = context(undefined);
    assert.deepEqual(sample('src', ctx), { type: 'ip', text: '192.0.2.1' });
    assert.deepEqual(sample('src_port', ctx), { type: 'int', text: '40000' });
    assert.deepEqual(sample('dst', ctx), { type: 'ip', text: '10.0.0.1' });
    assert.deepEqual(sample('dst_port', ctx), { type: 'int', text: '8080' });
  });

  it('ssl_fc is a boolean; ssl_fc_sni / ssl_fc_alpn are absent on plain connections', () => {
    assert.deepEqual(sample('ssl_fc', context(undefined)), { type: 'bool', text: '0' });
    assert.equal(sample('ssl_fc_sni', context(undefined)), undefined);
    const tls = context(undefined, { clientTls: { sni: 'a.example', alpn: 'http/1.1', protocol: 'TLSv1.3' } });
    assert.deepEqual(sample('ssl_fc', tls), { type: 'bool', text: '1' });
    assert.deepEqual(sample('ssl_fc_sni', tls), { type: 'str', text: 'a.example' });
    assert.deepEqual(sample('ssl_fc_alpn', tls), { type: 'str', text: 'http/1.1' });
    assert.deepEqual(sample('ssl_fc_protocol', tls), { type: 'str', text: 'TLSv1.3' });
  });

  it('hostname comes from the context (absent when the runtime cannot tell)', () => {
    assert.deepEqual(sample('hostname', context(undefined)), { type: 'str', text: 'proxy-host' });
    assert.equal(sample('hostname', context(undefined, { hostname: undefined })), undefined);
  });

  it('a bare LbRequest is a context: the optional fields read as absent', () => {
    const ctx = { clientAddress: '::1', lbHead: undefined };
    assert.equal(sample('dst_port', ctx), undefined);
    assert.deepEqual(sample('ssl_fc', ctx), { type: 'bool', text: '0' });
  });
});

describe('request fetches', () => {
  it('req.ver, method, path', () => {
    const ctx = context(get('/a?b=1', 'Host: h'));
    assert.deepEqual(sample('req.ver', ctx), { type: 'str', text: '1.1' });
    assert.deepEqual(sample('method', ctx), { type: 'str', text: 'GET' });
    assert.deepEqual(sample('path', ctx), { type: 'str', text: '/a' });
  });

  it('req.hdr splits values on commas (outside quotes); req.fhdr does not', () => {
    const ctx = context(get('/', 'Host: h', 'X-In: a, "b,c"', 'X-In: d'));
    assert.equal(sample('req.hdr(x-in)', ctx)?.text, 'd');
    assert.equal(sample('req.hdr(x-in,1)', ctx)?.text, 'a');
    assert.equal(sample('req.hdr(x-in,2)', ctx)?.text, '"b,c"');
    assert.equal(sample('req.hdr(x-in,-2)', ctx)?.text, '"b,c"');
    assert.equal(sample('req.hdr(x-in,4)', ctx), undefined);
    assert.equal(sample('req.fhdr(x-in,1)', ctx)?.text, 'a, "b,c"');
    assert.deepEqual(sample('req.hdr_cnt(x-in)', ctx), { type: 'int', text: '3' });
    assert.deepEqual(sample('req.fhdr_cnt(x-in)', ctx), { type: 'int', text: '2' });
    assert.deepEqual(sample('hdr_cnt(x-none)', ctx), { type: 'int', text: '0' });
  });

  it('req.hdr_val is an integer, absent when not numeric', () => {
    const ctx = context(get('/', 'Host: h', 'X-N: 42', 'X-S: abc'));
    assert.deepEqual(sample('req.hdr_val(x-n)', ctx), { type: 'int', text: '42' });
    assert.equal(sample('req.hdr_val(x-s)', ctx), undefined);
  });

  it('header fetches read the edits made so far (HAProxy applies each action at once)', () => {
    const head = get('/', 'Host: h', 'X-A: old', 'X-B: keep');
    const editor = new HeadEditor().begin(head);
    editor.set('X-A', 'new').append('X-C', 'added').remove(head.indexOf(new TextEncoder().encode('x-b')));
    const ctx = context(head, { requestEdits: editor });
    assert.equal(sample('req.hdr(x-a)', ctx)?.text, 'new');
    assert.equal(sample('req.hdr_cnt(x-a)', ctx)?.text, '1');
    assert.equal(sample('req.hdr(x-c)', ctx)?.text, 'added');
    assert.equal(sample('req.hdr(x-b)', ctx), undefined);
    editor.replace(head.indexOf(new TextEncoder().encode('host')), 'other');
    assert.equal(sample('req.hdr(host)', ctx)?.text, 'other');
  });

  it('req.cook / req.cook_cnt', () => {
    const ctx = context(get('/', 'Host: h', 'Cookie: a=1; sid=x', 'Cookie: sid=y'));
    assert.equal(sample('req.cook(sid)', ctx)?.text, 'y');
    assert.deepEqual(sample('req.cook_cnt(sid)', ctx), { type: 'int', text: '2' });
  });
});

describe('response fetches', () => {
  it('status, res.hdr, res.hdr_cnt, and hdr reading the response in response rules', () => {
    const res = responseHead('HTTP/1.1 404 Not Found\r\nX-M: a, b\r\nContent-Length: 0\r\n\r\n');
    const ctx = context(get('/', 'Host: h', 'X-M: request'), { response: res });
    assert.deepEqual(sample('status', ctx, { direction: 'response' }), { type: 'int', text: '404' });
    assert.equal(sample('res.hdr(x-m)', ctx, { direction: 'response' })?.text, 'b');
    assert.equal(sample('res.hdr_cnt(x-m)', ctx, { direction: 'response' })?.text, '2');
    assert.equal(sample('hdr(x-m)', ctx, { direction: 'response' })?.text, 'b');
    assert.equal(sample('hdr(x-m)', ctx)?.text, 'request');
    assert.deepEqual(sample('res.ver', ctx, { direction: 'response' }), { type: 'str', text: '1.1' });
  });

  it('status is absent before a response exists', () => {
    assert.equal(sample('status', context(get('/', 'Host: h')), { direction: 'response' }), undefined);
  });
});

describe('converters', () => {
  it('lower, upper, length, chained', () => {
    const ctx = context(get('/MiXed', 'Host: Example.COM'));
    assert.equal(sample('req.hdr(host),lower', ctx)?.text, 'example.com');
    assert.equal(sample('path,upper', ctx)?.text, '/MIXED');
    assert.deepEqual(sample('path,lower,length', ctx), { type: 'int', text: '6' });
    const length = compileSampleFetch('path,length');
    assert.equal(length.ok && length.fetch.type, 'int');
  });

  it('refuses unknown converters and arguments', () => {
    assert.match(error('path,nosuch'), /unknown converter 'nosuch'/);
    assert.match(error('path,lower(1)'), /invalid arg 1 in converter 'lower' : expected '\)' before '1\)'/);
  });
});

describe('scopes', () => {
  it('request fetches cannot be used on the response, nor response fetches on the request', () => {
    assert.match(error('path', 'response'), /'path' may not be reliably used here because it needs 'HTTP request headers'/);
    assert.match(error('req.hdr(x)', 'response'), /needs 'HTTP request headers'/);
    assert.match(error('status'), /needs 'HTTP response headers'/);
    assert.match(error('res.hdr(x)'), /needs 'HTTP response headers'/);
    assert.equal(compileSampleFetch('src', { direction: 'response' }).ok, true);
  });
});
