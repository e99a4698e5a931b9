/**
 * The request-line actions (src/rules/actions/request-line-actions.ts, uri-normalizers.ts) on
 * real parsed heads, through the rule runner: what the server receives, what later fetches and
 * the balancer read, HAProxy 2.6's treatment of absolute-form targets, and the normalizers
 * with the cases of HAProxy's reg-test http-rules/normalize_uri.vtc.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FrontendModel, HttpRuleModel } from '../../src/config/model.ts';
import { UriKey } from '../../src/balance/key-uri.ts';
import { HeadEditor, type RequestHead } from '../../src/http/codec/index.ts';
import { expandReplacement } from '../../src/rules/actions/request-line-actions.ts';
import { HttpRuleRunner, httpRulesOf } from '../../src/rules/http-rules.ts';
import { Verdict } from '../../src/rules/http-action.ts';
import { percentDecodeUnreserved, percentToUppercase, sortQuery, stripDot, stripDotDot, mergeSlashes } from '../../src/rules/uri-normalizers.ts';
import type { Runtime, Socket } from '../../src/runtime.ts';
import { requestHead, sample, context } from './support.ts';

const socket = { remoteAddress: '192.0.2.1', remotePort: 5000, localAddress: '127.0.0.1', localPort: 80, tls: undefined } as unknown as Socket;
const runtime = { hostname: 'h', pid: 1 } as unknown as Runtime;
const rule = (fields: Record<string, unknown>): HttpRuleModel => ({ condition: undefined, source: { file: 't', line: 1 }, ...fields }) as HttpRuleModel;

interface Outcome {
  /** The head the server would receive. */
  readonly wire: string;
  readonly head: RequestHead;
  readonly verdict: Verdict;
  readonly runner: HttpRuleRunner;
}

/** Runs `rules` on the request `text` as the session does, and returns what would be forwarded. */
function run(text: string, ...rules: HttpRuleModel[]): Outcome {
  const fe = { name: 'fe', source: { file: 't', line: 1 }, httpRequestRules: rules } as unknown as FrontendModel;
  const runner = new HttpRuleRunner(httpRulesOf(fe, 'frontend'), socket, runtime, 'fe');
  const head = requestHead(text);
  const editor = new HeadEditor().begin(head);
  runner.beginRequest(head, editor);
  const verdict = runner.frontendRequest();
  return { wire: new TextDecoder().decode(editor.build()), head, verdict, runner };
}

const line = (o: Outcome): string => o.wire.slice(0, o.wire.indexOf('\r\n'));
const GET = (target: string, host = 'h') => `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
const set = (action: string, format: string) => rule({ action, format });
const replace = (action: string, regex: string, format: string) => rule({ action, regex, format });

describe('set-path, set-pathq, set-query, set-uri, set-method', () => {
  it('set-path keeps the query string; set-pathq replaces both', () => {
    assert.equal(line(run(GET('/a/b?x=1'), set('set-path', '/new%[path]'))), 'GET /new/a/b?x=1 HTTP/1.1');
    assert.equal(line(run(GET('/a/b?x=1'), set('set-pathq', '/p?q=%[query]'))), 'GET /p?q=x=1 HTTP/1.1');
  });

  it('absolute-form: the scheme and authority stay; without a path HAProxy replaces the whole target', () => {
    assert.equal(line(run(GET('http://h/a?x', 'h'), set('set-path', '/b'))), 'GET http://h/b?x HTTP/1.1');
    assert.equal(line(run(GET('http://h?x', 'h'), set('set-path', '/b'))), 'GET /b?x HTTP/1.1');
    assert.equal(line(run('OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n', set('set-path', '/b'))), 'OPTIONS /b HTTP/1.1');
  });

  it('set-query: replaces after the "?", adds one only for a non-empty query', () => {
    assert.equal(line(run(GET('/a?x=1'), set('set-query', 'y=2'))), 'GET /a?y=2 HTTP/1.1');
    assert.equal(line(run(GET('/a'), set('set-query', 'y=2'))), 'GET /a?y=2 HTTP/1.1');
    assert.equal(line(run(GET('/a?x=1'), set('set-query', ''))), 'GET /a? HTTP/1.1');
    assert.equal(line(run(GET('/a'), set('set-query', '%[req.hdr(nope)]'))), 'GET /a HTTP/1.1');
  });

  it('set-uri: an absolute URI rewrites every Host header to its authority (http_update_host)', () => {
    const o = run(GET('/a', 'old'), set('set-uri', 'http://new.example:8080/z?q'));
    assert.equal(line(o), 'GET http://new.example:8080/z?q HTTP/1.1');
    assert.match(o.wire, /\r\nHost: new\.example:8080\r\n/);
    assert.equal(o.head.host, 'new.example:8080');
    const origin = run(GET('http://h/a', 'h'), set('set-uri', '/only/path'));
    assert.equal(line(origin), 'GET /only/path HTTP/1.1');
    assert.match(origin.wire, /\r\nHost: h\r\n/);
    assert.equal(origin.head.hostFromTarget, false);
  });

  it('set-method changes the line; the method fetch keeps a known original method, as HAProxy’s txn->meth', () => {
    const o = run(GET('/a'), set('set-method', 'POST'), rule({ action: 'set-header', header: 'X-M', format: '%[method]' }));
    assert.equal(line(o), 'POST /a HTTP/1.1');
    assert.match(o.wire, /x-m: GET\r\n/);
    assert.equal(o.head.method, 'POST');
    assert.equal(o.head.receivedMethod, 'GET');
    const other = run('PURGE /a HTTP/1.1\r\nHost: h\r\n\r\n', set('set-method', 'GET'), rule({ action: 'set-header', header: 'X-M', format: '%[method]' }));
    assert.match(other.wire, /x-m: GET\r\n/, 'an unknown original method: the line’s method');
  });

  it('later fetches read the new line; the received one stays for logs', () => {
    const o = run(
      GET('/a?x=1'),
      set('set-path', '/b'),
      rule({ action: 'set-header', header: 'X-P', format: '%[path] %[url] %[query] %[pathq] %[base]' }),
      rule({ action: 'set-header', header: 'X-Log', format: '%HU' }),
    );
    assert.match(o.wire, /x-p: \/b \/b\?x=1 x=1 \/b\?x=1 h\/b\r\n/);
    assert.match(o.wire, /x-log: \/a\?x=1\r\n/);
    assert.equal(o.head.receivedTarget, '/a?x=1');
    assert.deepEqual(sample('url_param(x)', context(o.head)), { type: 'str', text: '1' });
  });

  it('the balancer hashes the rewritten target (balance uri)', () => {
    const key = new UriKey({ len: 0, depth: 0, whole: false, pathOnly: false }, (buf, start, end) => {
      let h = 0;
      for (let i = start; i < end; i++) h = (h * 31 + (buf[i] as number)) >>> 0;
      return h;
    });
    const rewritten = run(GET('/a'), set('set-path', '/b')).head;
    const direct = requestHead(GET('/b'));
    assert.equal(key.hash({ clientAddress: '', lbHead: rewritten }), key.hash({ clientAddress: '', lbHead: direct }));
  });

  it('with strict-mode off, a line no request may carry is not written: the rewrite is skipped and counted', () => {
    const o = run(GET('/a?bad=x'), rule({ action: 'strict-mode', on: false }), set('set-path', '/a b'), set('set-method', ''), set('set-uri', 'http:///x'));
    assert.equal(o.verdict, Verdict.continue);
    assert.equal(line(o), 'GET /a?bad=x HTTP/1.1');
    assert.equal(o.runner.failedRewrites, 3);
    assert.equal(o.runner.rewriteError, false);
    assert.equal(o.head.lineRewritten, false);
  });

  it('in strict mode (the default, and strict-mode on) a failed rewrite ends the rules with a 500', () => {
    for (const rules of [[set('set-uri', 'http:///x'), set('set-path', '/never')], [rule({ action: 'strict-mode', on: false }), rule({ action: 'strict-mode', on: true }), set('set-path', '/a b')]]) {
      const o = run(GET('/a'), ...rules);
      assert.equal(o.verdict, Verdict.reply);
      assert.equal(o.runner.reply?.status, 500);
      assert.equal(o.runner.rewriteError, true);
      assert.equal(o.runner.failedRewrites, 1);
      assert.equal(line(o), 'GET /a HTTP/1.1', 'the rules after it did not run');
    }
  });

  it('the strict mode is per message: the next request starts strict again', () => {
    const fe = { name: 'fe', source: { file: 't', line: 1 }, httpRequestRules: [rule({ action: 'strict-mode', on: false, condition: undefined })] } as unknown as FrontendModel;
    const runner = new HttpRuleRunner(httpRulesOf(fe, 'frontend'), socket, runtime, 'fe');
    const head = requestHead(GET('/a'));
    runner.beginRequest(head, new HeadEditor().begin(head));
    runner.frontendRequest();
    assert.equal(runner.softRewrites, true);
    runner.beginRequest(head, new HeadEditor().begin(head));
    assert.equal(runner.softRewrites, false);
  });
});

describe('replace-path, replace-pathq, replace-uri', () => {
  it('the whole part becomes the format, with the match’s groups', () => {
    const o = run(GET('/req1?p=v'), replace('replace-path', '(.*)', '/foo\\1'), replace('replace-path', '(.*)', '\\1/bar'));
    assert.equal(line(o), 'GET /foo/req1/bar?p=v HTTP/1.1');
    // The reg-test path_and_pathq.vtc pipeline.
    const p = run(
      GET('/req1?param1=val1&param2=val2'),
      set('set-path', '/fe%[path]'),
      replace('replace-path', '(.*)', '/foo\\1'),
      replace('replace-path', '(.*)', '\\1/bar'),
      set('set-pathq', '%[path]?app=regtest&%[query]'),
      replace('replace-pathq', '/([^?]*)\\?app=([^&]*)&?(.*)', '/\\2/\\1?\\3'),
    );
    assert.equal(line(p), 'GET /regtest/foo/fe/req1/bar?param1=val1&param2=val2 HTTP/1.1');
    const abs = run(
      GET('http://127.0.0.1/req2?param1=val1&param2=val2', '127.0.0.1'),
      set('set-path', '/fe%[path]'),
      replace('replace-path', '(.*)', '/foo\\1'),
      replace('replace-path', '(.*)', '\\1/bar'),
      set('set-pathq', '%[path]?app=regtest&%[query]'),
      replace('replace-pathq', '/([^?]*)\\?app=([^&]*)&?(.*)', '/\\2/\\1?\\3'),
    );
    assert.equal(line(abs), 'GET http://127.0.0.1/regtest/foo/fe/req2/bar?param1=val1&param2=val2 HTTP/1.1');
  });

  it('no match, no change; replace-path never sees the query', () => {
    assert.equal(line(run(GET('/a?x=zz'), replace('replace-path', 'zz', '/y'))), 'GET /a?x=zz HTTP/1.1');
    assert.equal(line(run(GET('/a?x=zz'), replace('replace-pathq', 'zz', '/y'))), 'GET /y HTTP/1.1');
  });

  it('replace-uri works on the whole target and updates Host for an absolute result', () => {
    const o = run(GET('/a/b', 'h'), replace('replace-uri', '^/a/(.*)', 'http://other:81/\\1'));
    assert.equal(line(o), 'GET http://other:81/b HTTP/1.1');
    assert.match(o.wire, /Host: other:81\r\n/);
  });

  it('HAProxy’s exp_replace: \\N, \\xHH, \\c; a trailing backslash fails', () => {
    const m = /(a)(b)?/.exec('a') as RegExpExecArray;
    assert.equal(expandReplacement('[\\1][\\2][\\x41][\\\\][\\n]', m), '[a][][A][\\][n]');
    assert.equal(expandReplacement('x\\', m), undefined);
  });
});

describe('normalize-uri', () => {
  const normalize = (normalizer: string, target: string) => {
    const o = run(`GET ${target} HTTP/1.1\r\nHost: h\r\n\r\n`, rule({ action: 'normalize-uri', normalizer }));
    return o.verdict === Verdict.reply ? 400 : line(o).slice(4, -9);
  };

  it('path-merge-slashes', () => {
    for (const [before, after] of [
      ['/foo//bar', '/foo/bar'],
      ['///foo///bar///', '/foo/bar/'],
      ['///', '/'],
      ['/foo?bar=///', '/foo?bar=///'],
      ['//foo?bar=///', '/foo?bar=///'],
    ]) {
      assert.equal(normalize('path-merge-slashes', before as string), after, before);
      assert.equal(mergeSlashes(before as string), (before as string).replace(/\/+/g, '/'));
    }
  });

  it('path-strip-dotdot [full]', () => {
    const cases: [string, string, string][] = [
      ['/foo/bar', '/foo/bar', '/foo/bar'],
      ['/foo/..', '/', '/'],
      ['/foo/../', '/', '/'],
      ['/foo/bar/../', '/foo/', '/foo/'],
      ['/foo/../bar', '/bar', '/bar'],
      ['/foo/../../bar/', '/../bar/', '/bar/'],
      ['/foo//../../bar/', '/bar/', '/bar/'],
      ['/foo/?bar=/foo/../', '/foo/?bar=/foo/../', '/foo/?bar=/foo/../'],
      ['/foo/../?bar=/foo/../', '/?bar=/foo/../', '/?bar=/foo/../'],
    ];
    for (const [before, after, full] of cases) {
      assert.equal(normalize('path-strip-dotdot', before), after, before);
      assert.equal(normalize('path-strip-dotdot-full', before), full, `${before} full`);
    }
    assert.equal(stripDotDot('/a/../../..', false), '/../../');
  });

  it('path-strip-dot', () => {
    for (const [before, after] of [
      ['/', '/'],
      ['/.', '/'],
      ['/./', '/'],
      ['/a/.', '/a/'],
      ['/a.', '/a.'],
      ['/.a', '/.a'],
      ['/a/./', '/a/'],
      ['/a/./a', '/a/a'],
      ['/a/../', '/a/../'],
      ['/?a=/./', '/?a=/./'],
    ]) {
      assert.equal(normalize('path-strip-dot', before as string), after, before);
    }
    assert.equal(stripDot('//'), '//');
  });

  it('query-sort-by-name: by name, stable for equal names', () => {
    for (const [before, after] of [
      ['/?z=z&a=a', '/?a=a&z=z'],
      ['/?a=z&z=a', '/?a=z&z=a'],
      ['/?c&b&a&z&x&y', '/?a&b&c&x&y&z'],
      ['/?aaaa=&a=&aa=&aaa=', '/?a=&aa=&aaa=&aaaa='],
      ['/?a=5&b=3&a=1&a=2&b=4', '/?a=5&a=1&a=2&b=3&b=4'],
      ['/', '/'],
      ['/?', '/?'],
    ]) {
      assert.equal(normalize('query-sort-by-name', before as string), after, before);
    }
    assert.equal(sortQuery('?b&a&'), '?a&b');
  });

  it('percent-to-uppercase and percent-decode-unreserved; strict ones answer 400 on a bad escape', () => {
    assert.equal(normalize('percent-to-uppercase', '/%aa?a=%aa'), '/%AA?a=%AA');
    assert.equal(normalize('percent-to-uppercase', '/%zz?a=%zz'), '/%zz?a=%zz');
    assert.equal(normalize('percent-to-uppercase-strict', '/%zz?a=%zz'), 400);
    assert.equal(normalize('percent-decode-unreserved', '/%61?%61=%61'), '/a?a=a');
    assert.equal(normalize('percent-decode-unreserved', '/%3F?foo=bar'), '/%3F?foo=bar');
    assert.equal(normalize('percent-decode-unreserved', '/%%36%36'), '/%66');
    assert.equal(normalize('percent-decode-unreserved-strict', '/%%36%36'), 400);
    assert.equal(percentToUppercase('%a', false), '%a');
    assert.equal(percentDecodeUnreserved('%7e%7E', true), '~~');
  });

  it('a strict failure is a bad request: 400 reply, flagged for the session to close', () => {
    const o = run(GET('/%zz'), rule({ action: 'normalize-uri', normalizer: 'percent-to-uppercase-strict' }));
    assert.equal(o.verdict, Verdict.reply);
    assert.equal(o.runner.reply?.status, 400);
    assert.equal(o.runner.invalidRequest, true);
  });

  it('"*" has no path: nothing to normalize', () => {
    for (const n of ['path-merge-slashes', 'path-strip-dotdot', 'query-sort-by-name', 'percent-to-uppercase']) {
      assert.equal(line(run('OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n', rule({ action: 'normalize-uri', normalizer: n }))), 'OPTIONS * HTTP/1.1', n);
    }
  });
});
