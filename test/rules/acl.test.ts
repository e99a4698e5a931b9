/** ACL matching (src/rules/acl.ts, pattern-match.ts, acl-words.ts): methods, flags, derived keywords, predefined ACLs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileAcl, predefinedAcl, resolveCriterion } from '../../src/rules/acl.ts';
import { parseAclWords } from '../../src/rules/acl-words.ts';
import { Sample } from '../../src/rules/sample.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import { context, get } from './support.ts';

const SOURCE = { file: 't.cfg', line: 1 };

/** Whether the ACL written as `words` matches in `ctx`. */
function matches(words: string, ctx: SampleContext): boolean {
  const parsed = parseAclWords('a', words.split(' '), SOURCE);
  if (!parsed.ok) throw new Error(parsed.message);
  const compiled = compileAcl(parsed.acl, 'request');
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.acl.test(ctx, new Sample());
}

function refused(words: string): string {
  const parsed = parseAclWords('a', words.split(' '), SOURCE);
  assert.equal(parsed.ok, false, words);
  return parsed.ok ? '' : parsed.message;
}

const req = (target: string, ...headers: string[]): SampleContext => context(get(target, 'Host: www.Example.com', ...headers));

describe('ACL match methods', () => {
  it('str (the default for strings), exact and case-sensitive unless -i', () => {
    assert.equal(matches('path /a', req('/a')), true);
    assert.equal(matches('path /a', req('/a/b')), false);
    assert.equal(matches('path /A', req('/a')), false);
    assert.equal(matches('path -i /A', req('/a')), true);
    assert.equal(matches('path /x /y /a', req('/a')), true, 'any pattern');
  });

  it('beg, end, sub, reg', () => {
    assert.equal(matches('path -m beg /api', req('/api/v1')), true);
    assert.equal(matches('path -m beg /api', req('/ap')), false);
    assert.equal(matches('path -m end .png', req('/i/a.png')), true);
    assert.equal(matches('path -m sub /v1/', req('/api/v1/x')), true);
    assert.equal(matches('path -m reg ^/u/[0-9]+$', req('/u/42')), true);
    assert.equal(matches('path -m reg ^/u/[0-9]+$', req('/u/x')), false);
    assert.equal(matches('path -i -m reg ^/U/', req('/u/1')), true);
  });

  it('dir and dom match whole delimited portions', () => {
    assert.equal(matches('path -m dir img', req('/static/img/a.png')), true);
    assert.equal(matches('path -m dir img', req('/static/images/a.png')), false);
    assert.equal(matches('path -m dir /static/img/', req('/static/img')), true, 'delimiters around the pattern are ignored');
    assert.equal(matches('req.hdr(host) -i -m dom example', req('/')), true);
    assert.equal(matches('req.hdr(host) -m dom exam', req('/')), false);
  });

  it('len and int, with ranges and operators', () => {
    assert.equal(matches('path -m len 2', req('/a')), true);
    assert.equal(matches('path -m len 3:', req('/a')), false);
    const ctx = req('/', 'X-N: 15');
    assert.equal(matches('req.hdr_val(x-n) 15', ctx), true);
    assert.equal(matches('req.hdr_val(x-n) 10:20', ctx), true);
    assert.equal(matches('req.hdr_val(x-n) :14', ctx), false);
    assert.equal(matches('req.hdr_val(x-n) gt 14', ctx), true);
    assert.equal(matches('req.hdr_val(x-n) gt 15', ctx), false);
    assert.equal(matches('req.hdr_val(x-n) le 15', ctx), true);
    assert.equal(matches('req.hdr_val(x-n) lt 15', ctx), false);
    assert.equal(matches('dst_port 8080', ctx), true, 'int fetches default to int matching');
    assert.equal(matches('src_port 0:1023', ctx), false);
  });

  it('ip: addresses and networks, IPv4 and IPv6', () => {
    assert.equal(matches('src 192.0.2.0/24', req('/')), true);
    assert.equal(matches('src 10.0.0.0/8 192.0.2.1', req('/')), true);
    assert.equal(matches('src 198.51.100.0/24', req('/')), false);
    assert.equal(matches('src ::1 2001:db8::/32', context(get('/', 'Host: h'), { clientAddress: '2001:db8::5' })), true);
  });

  it('found and bool; a boolean fetch without pattern tests its truth', () => {
    assert.equal(matches('req.hdr(x-flag) -m found', req('/', 'X-Flag:')), true, 'an empty header is found');
    assert.equal(matches('req.hdr(x-flag) -m found', req('/')), false);
    assert.equal(matches('ssl_fc', req('/')), false);
    assert.equal(matches('ssl_fc', context(get('/', 'Host: h'), { clientTls: { sni: undefined, alpn: undefined, protocol: undefined } })), true);
    assert.equal(matches('req.hdr_cnt(x-a) -m bool', req('/', 'X-A: 1')), true);
    assert.equal(matches('req.hdr_cnt(x-a) -m bool', req('/')), false);
  });

  it('multi-valued fetches match when any occurrence matches; an explicit occurrence restricts it', () => {
    const ctx = req('/', 'X-Tag: blue, red', 'X-Tag: green');
    assert.equal(matches('req.hdr(x-tag) red', ctx), true);
    assert.equal(matches('req.hdr(x-tag,1) red', ctx), false);
    assert.equal(matches('req.hdr(x-tag,2) red', ctx), true);
    assert.equal(matches('req.cook(c) 2', req('/', 'Cookie: c=1; c=2')), true);
  });

  it('an ACL without patterns never matches (HAProxy warns); patterns after -m found are ignored with a warning', () => {
    const none = parseAclWords('a', ['path'], SOURCE);
    assert.ok(none.ok);
    assert.match(none.warning ?? '', /no pattern to match against were provided, so this ACL will never match/);
    assert.equal(matches('path', req('/')), false);
    const found = parseAclWords('a', ['req.hdr(x)', '-m', 'found', 'yes'], SOURCE);
    assert.ok(found.ok);
    assert.match(found.warning ?? '', /takes no pattern/);
  });

  it('-- ends the flags, so a pattern may start with a dash', () => {
    assert.equal(matches('req.hdr(x-d) -- -i', req('/', 'X-D: -i')), true);
  });
});

describe('ACL keywords derived from fetches', () => {
  it('path_beg, hdr_sub(NAME), url_reg, ssl_fc_sni_end imply their method', () => {
    assert.deepEqual(resolveCriterion('path_beg'), { expression: 'path', method: 'beg' });
    assert.deepEqual(resolveCriterion('hdr_sub(host)'), { expression: 'hdr(host)', method: 'sub' });
    assert.deepEqual(resolveCriterion('ssl_fc_sni_end'), { expression: 'ssl_fc_sni', method: 'end' });
    assert.deepEqual(resolveCriterion('src_port'), { expression: 'src_port', method: undefined }, 'a fetch name is never split');
    assert.equal(matches('path_beg /api', req('/api/x')), true);
    assert.equal(matches('hdr_beg(host) -i www.', req('/')), true);
    assert.equal(matches('hdr_end(host) .com', req('/')), true);
    assert.equal(matches('url_sub ?debug', req('/a?debug=1')), true);
    assert.equal(matches('hdr_dom(host) -i example', req('/')), true);
  });

  it('lets -m replace the method the keyword implies, as HAProxy does (hdr_dom(host) -m end)', () => {
    const compiled = compileAcl(
      { name: 'a', criterion: 'hdr_dom(host)', method: 'end', ignoreCase: true, patterns: ['example.com'], source: { file: 't', line: 1 } },
      'request',
    );
    assert.ok(compiled.ok);
    assert.equal(compiled.acl.test(context(get('/', 'Host: www.EXAMPLE.com')), new Sample()), true);
    assert.equal(compiled.acl.test(context(get('/', 'Host: example.com.evil')), new Sample()), false);
  });
});

describe('predefined ACLs', () => {
  const test = (name: string, ctx: SampleContext): boolean => {
    const model = predefinedAcl(name);
    assert.ok(model, name);
    const compiled = compileAcl(model, 'request');
    assert.ok(compiled.ok, name);
    return compiled.acl.test(ctx, new Sample());
  };
  it('TRUE, FALSE, METH_GET, HTTP_1.1, LOCALHOST, HTTP_URL_ABS, HTTP_CONTENT', () => {
    assert.equal(test('TRUE', req('/')), true);
    assert.equal(test('FALSE', req('/')), false);
    assert.equal(test('METH_GET', req('/')), true);
    assert.equal(test('METH_POST', req('/')), false);
    assert.equal(test('HTTP_1.1', req('/')), true);
    assert.equal(test('HTTP_1.0', req('/')), false);
    assert.equal(test('LOCALHOST', req('/')), false);
    assert.equal(test('LOCALHOST', context(get('/', 'Host: h'), { clientAddress: '127.0.0.9' })), true);
    assert.equal(test('HTTP_URL_ABS', context(get('http://h/x', 'Host: h'))), true);
    assert.equal(test('HTTP_URL_ABS', req('/x')), false);
    assert.equal(test('HTTP_CONTENT', req('/', 'Content-Length: 3')), true);
    assert.equal(test('HTTP_CONTENT', req('/')), false);
  });
});

describe('ACL errors', () => {
  it('explains what it refuses', () => {
    assert.match(refused('nosuch x'), /unknown fetch method 'nosuch' .*in ACL expression 'nosuch'/);
    assert.match(refused('path -m reg ('), /regex '\(' is invalid/);
    assert.match(refused('src_port abc'), /'abc' is not a number/);
    assert.match(refused('src 300.1.1.1'), /not a valid IPv4 or IPv6 address/);
    assert.match(refused('path -m nosuch x'), /unknown match method 'nosuch'/);
    assert.match(refused('path -f list.txt'), /pattern file <list.txt> was not loaded with the configuration/);
    assert.match(refused('path -x /a'), /not a valid ACL option/);
    assert.match(refused('path -m bool'), /'-m bool' only applies to boolean or integer samples/);
  });

  it("refuses an explicit -m whose type a binary or boolean sample does not cast to (HAProxy's sample_casts)", () => {
    assert.equal(refused('req.hdr(a),sha1 -m int 0'), "matching method 'int' cannot be used with fetch keyword 'req.hdr'");
    assert.equal(refused('req.body -m ip 1.2.3.4'), "matching method 'ip' cannot be used with fetch keyword 'req.body'");
    assert.equal(refused('ssl_fc -m ip 1.2.3.4'), "matching method 'ip' cannot be used with fetch keyword 'ssl_fc'");
    for (const ok of ['req.hdr(a),sha1 -m str x', 'req.hdr(a),sha1 -m found', 'req.hdr(a),base64 -m int 0', 'src -m int 1']) {
      assert.equal(parseAclWords('a', ok.split(' '), SOURCE).ok, true, ok);
    }
  });
});

