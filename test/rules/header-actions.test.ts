/**
 * Header actions and the rule runner (src/rules/header-actions.ts, http-rules.ts) on real parsed
 * heads, rewritten through the codec's HeadEditor and re-parsed to check the bytes that leave.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendModel, FrontendModel, HttpHeaderRuleModel } from '../../src/config/model.ts';
import { HeadEditor, type HttpHead, type RequestHead } from '../../src/http/codec/index.ts';
import { compileHeaderAction } from '../../src/rules/header-actions.ts';
import { backendRulesFor, compileProxyRules, HttpRuleError, HttpRuleRunner, httpRulesOf, type ProxyHttpRules } from '../../src/rules/http-rules.ts';
import type { Runtime, Socket } from '../../src/runtime.ts';
import { context, get, requestHead, responseHead } from './support.ts';

const SOURCE = { file: 't.cfg', line: 3 };

function rule(fields: Record<string, string>): HttpHeaderRuleModel {
  return { condition: undefined, source: SOURCE, ...fields } as unknown as HttpHeaderRuleModel;
}

/** Applies `rules` in order to `head` and returns the rewritten head's header lines. */
function apply(head: HttpHead, rules: readonly HttpHeaderRuleModel[], direction: 'request' | 'response' = 'request'): string[] {
  const editor = new HeadEditor().begin(head);
  const ctx = direction === 'request' ? context(head as never, { requestEdits: editor }) : context(undefined, { response: head as never, responseEdits: editor });
  for (const r of rules) {
    const compiled = compileHeaderAction(r, direction);
    if (!compiled.ok) throw new Error(compiled.message);
    compiled.action.apply(ctx, head, editor);
  }
  const out = new TextDecoder('latin1').decode(editor.build());
  return out.split('\r\n').slice(1).filter((l) => l !== '');
}

const refused = (r: HttpHeaderRuleModel): string => {
  const compiled = compileHeaderAction(r, 'request');
  assert.equal(compiled.ok, false);
  return compiled.ok ? '' : compiled.message;
};

describe('header actions', () => {
  it('set-header replaces every occurrence by one header at the end; add-header appends', () => {
    const head = get('/', 'Host: h', 'X-A: 1', 'X-B: keep', 'x-a: 2');
    assert.deepEqual(apply(head, [rule({ action: 'set-header', header: 'X-A', format: 'new' }), rule({ action: 'add-header', header: 'Via', format: '1.1 edge' })]), [
      'Host: h',
      'X-B: keep',
      // Names a rule adds go out in lower case, as HAProxy's HTX holds them.
      'x-a: new',
      'via: 1.1 edge',
    ]);
  });

  it('set-header computes the value before removing, so it can extend the header', () => {
    const head = get('/', 'Host: h', 'X-A: one');
    assert.deepEqual(apply(head, [rule({ action: 'set-header', header: 'X-A', format: '%[req.hdr(x-a)],two' })]), ['Host: h', 'x-a: one,two']);
  });

  it('a value a rule wrote reads back without its surrounding spaces (HAProxy 2.6.12: `sl1: status=...`)', () => {
    const head = get('/', 'Host: h');
    assert.deepEqual(
      apply(head, [rule({ action: 'set-header', header: 'X-S', format: 'sl1: ' }), rule({ action: 'set-header', header: 'X-S', format: '%[req.fhdr(x-s)] status' })]),
      ['Host: h', 'x-s: sl1: status'],
    );
  });

  it('later rules read earlier rules\u2019 headers', () => {
    const head = get('/', 'Host: h');
    assert.deepEqual(
      apply(head, [rule({ action: 'add-header', header: 'X-D', format: 'foo' }), rule({ action: 'set-header', header: 'X-E', format: '%[req.hdr(x-d)]-%[req.hdr_cnt(x-d)]' })]),
      ['Host: h', 'x-d: foo', 'x-e: foo-1'],
    );
  });

  it('del-header removes received and added headers; -m beg/sub/reg match names, never framing headers', () => {
    const head = get('/', 'Host: h', 'X-Secret: 1', 'Content-Length: 0', 'X-Trace-Id: 2', 'x-secret: 3');
    assert.deepEqual(apply(head, [rule({ action: 'add-header', header: 'X-Secret', format: 'new' }), rule({ action: 'del-header', header: 'X-Secret', match: 'str' })]), [
      'Host: h',
      'Content-Length: 0',
      'X-Trace-Id: 2',
    ]);
    assert.deepEqual(apply(head, [rule({ action: 'del-header', header: 'x-', match: 'beg' })]), ['Host: h', 'Content-Length: 0']);
    assert.deepEqual(apply(head, [rule({ action: 'del-header', header: '^(content|x-trace)', match: 'reg' })]), [
      'Host: h',
      'X-Secret: 1',
      'Content-Length: 0',
      'x-secret: 3',
    ]);
    assert.deepEqual(apply(head, [rule({ action: 'del-header', header: 'length', match: 'end' })]), [
      'Host: h',
      'X-Secret: 1',
      'Content-Length: 0',
      'X-Trace-Id: 2',
      'x-secret: 3',
    ]);
  });

  it('replace-header replaces whole values with back-references; replace-value each list element', () => {
    const head = get('/', 'Host: h', 'User-Agent: curl/7.47.0', 'X-Forwarded-For: 192.168.10.1, 192.168.13.24, 10.0.0.37');
    assert.deepEqual(
      apply(head, [
        rule({ action: 'replace-header', header: 'User-Agent', regex: 'curl/(.*)', format: 'c=\\1' }),
        rule({ action: 'replace-value', header: 'X-Forwarded-For', regex: '^192\\.168\\.(.*)$', format: '172.16.\\1' }),
      ]),
      ['Host: h', 'User-Agent: c=7.47.0', 'X-Forwarded-For: 172.16.10.1, 172.16.13.24, 10.0.0.37'],
    );
    assert.deepEqual(apply(head, [rule({ action: 'replace-header', header: 'User-Agent', regex: '^wget', format: 'x' })])[1], 'User-Agent: curl/7.47.0');
  });

  it('response heads: set-header with %[status], del-header', () => {
    const head = responseHead('HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 2\r\n\r\n');
    assert.deepEqual(apply(head, [rule({ action: 'del-header', header: 'Server', match: 'str' }), rule({ action: 'set-header', header: 'X-S', format: '%[status]' })], 'response'), [
      'Content-Length: 2',
      'x-s: 200',
    ]);
  });

  it('refuses framing headers, invalid names and regexes, and bad formats', () => {
    assert.match(refused(rule({ action: 'set-header', header: 'Content-Length', format: '5' })), /framing header/);
    assert.match(refused(rule({ action: 'del-header', header: 'transfer-encoding', match: 'str' })), /framing header/);
    assert.match(refused(rule({ action: 'set-header', header: 'Bad Name', format: 'x' })), /not a valid header name/);
    assert.match(refused(rule({ action: 'replace-header', header: 'X', regex: '(', format: 'x' })), /regex '\(' is invalid/);
    assert.match(refused(rule({ action: 'set-header', header: 'X', format: '%[status]' })), /may not be reliably used here/);
  });
});

describe('rule runner', () => {
  const socket = { remoteAddress: '192.0.2.1', remotePort: 5000, localAddress: '127.0.0.1', localPort: 8443, tls: undefined } as unknown as Socket;
  const runtime = { hostname: 'edge-1', pid: 9 } as unknown as Runtime;
  const frontend = (fields: Partial<FrontendModel>): FrontendModel => ({ name: 'fe', source: { file: 't.cfg', line: 1 }, ...fields }) as FrontendModel;
  const backend = (fields: Partial<BackendModel>): BackendModel => ({ name: 'be', source: { file: 't.cfg', line: 10 }, ...fields }) as BackendModel;
  const add = (header: string, format: string): HttpHeaderRuleModel => rule({ action: 'add-header', header, format });

  /** Runs the request rules as the session does: frontend, then the backend's own. */
  const runRequest = (runner: HttpRuleRunner, be: ProxyHttpRules | undefined, req: RequestHead, editor: HeadEditor) => {
    runner.beginRequest(req, editor);
    runner.frontendRequest();
    runner.requestRules(be);
    runner.endRequest();
  };
  const runnerFor = (fe: FrontendModel) => new HttpRuleRunner(httpRulesOf(fe, 'frontend'), socket, runtime, fe.name);

  it('compiles to nothing when neither side has rules (no cost per session)', () => {
    assert.equal(httpRulesOf(frontend({}), 'frontend'), undefined);
    assert.equal(backendRulesFor(frontend({}), backend({})), undefined);
  });

  it('request rules: frontend then backend; response rules: backend then frontend', () => {
    const fe = frontend({ httpRequestRules: [add('X-Order', 'fe'), add('X-Port', '%[dst_port]')], httpResponseRules: [add('X-Order', 'fe')] });
    const be = backendRulesFor(fe, backend({ httpRequestRules: [add('X-Order', 'be')], httpResponseRules: [add('X-Order', 'be')] }));
    const runner = runnerFor(fe);
    const req = get('/', 'Host: h');
    const editor = new HeadEditor().begin(req);
    runRequest(runner, be, req, editor);
    assert.match(new TextDecoder().decode(editor.build()), /x-order: fe\r\nx-port: 8443\r\nx-order: be\r\n/);
    const res = responseHead('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    editor.begin(res);
    runner.applyResponse(req, res, editor, be);
    assert.match(new TextDecoder().decode(editor.build()), /x-order: be\r\nx-order: fe\r\n/);
  });

  it('the two halves of a listen section run their rules once', () => {
    const rules = { httpRequestRules: [add('X-Once', '1')] };
    const fe = frontend({ name: 'ls', ...rules });
    const be = backendRulesFor(fe, backend({ name: 'ls', source: { file: 't.cfg', line: 1 }, ...rules }));
    assert.equal(be, undefined);
    const req = requestHead('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    const editor = new HeadEditor().begin(req);
    runRequest(runnerFor(fe), be, req, editor);
    assert.equal(new TextDecoder().decode(editor.build()).match(/x-once/g)?.length, 1);
  });

  it('conditions pick the rules that run', () => {
    const condition = { kind: 'if' as const, anyOf: [[{ negate: false, acl: 'api' }]] };
    const runner = runnerFor(
      frontend({
        acls: [{ name: 'api', criterion: 'path_beg', method: undefined, ignoreCase: false, patterns: ['/api'], source: SOURCE }],
        httpRequestRules: [{ ...add('X-Api', 'yes'), condition } as HttpHeaderRuleModel],
      }),
    );
    for (const [target, expected] of [['/api/x', true], ['/web', false]] as const) {
      const req = get(target, 'Host: h');
      const editor = new HeadEditor().begin(req);
      runRequest(runner, undefined, req, editor);
      assert.equal(/x-api: yes/.test(new TextDecoder().decode(editor.build())), expected, target);
    }
  });

  it('compileProxyRules names the rule and its line when a model is invalid', () => {
    assert.throws(
      () => compileProxyRules({ name: 'fe', httpRequestRules: [rule({ action: 'set-header', header: 'X', format: '%zz' })] }, 'frontend'),
      (err: unknown) => err instanceof HttpRuleError && /\[t\.cfg:3\] proxy 'fe': 'http-request set-header': no such format variable 'zz'/.test(err.message),
    );
    assert.throws(
      () =>
        compileProxyRules(
          { name: 'fe', httpRequestRules: [{ ...add('X', 'y'), condition: { kind: 'if', anyOf: [[{ negate: false, acl: 'nope' }]] } } as HttpHeaderRuleModel] },
          'frontend',
        ),
      /no such ACL : 'nope'/,
    );
  });
});
