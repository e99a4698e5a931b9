/**
 * `set-var`, `set-var-fmt`, `unset-var`, the request-line actions and `normalize-uri` in
 * haproxy.cfg (keywords/http-actions/vars.ts, request-line.ts), and the global `set-var` /
 * `set-var-fmt` (keywords/global-vars.ts): the models they produce and HAProxy 2.6's messages,
 * at their line (compared with /usr/sbin/haproxy -c).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, parse } from './support.ts';

/** A mode http frontend `f` (line 6) with `lines` from line 7; `global` lines first when given. */
const frontend = (lines: string[], global: string[] = []): string =>
  cfg(
    ...(global.length > 0 ? ['global', ...global] : []),
    'defaults',
    '  mode http',
    ...TIMEOUTS,
    'frontend f',
    ...lines,
    '  bind :8080',
    '  default_backend b',
    'backend b',
    '  server s 127.0.0.1:1',
  );

const at = (line: number) => ({ file: 't.cfg', line });
const messages = async (lines: string[], global: string[] = []) => (await errors(frontend(lines, global))).map(([, , , m]) => m);
const rule = (word: string, message: string) => `error detected in frontend 'f' while parsing 'http-request ${word}' rule : ${message}.`;

describe('variable actions: models', () => {
  it('set-var, set-var-fmt, unset-var with conditions, on both sides', async () => {
    const model = await parse(
      frontend([
        '  http-request set-var(txn.host) req.hdr(host),lower',
        '  http-request set-var(sess.n,ifnotexists,ifgt) int(1) if { path /x }',
        '  http-request set-var-fmt(req.x) "%[src]:%[src_port]"',
        '  http-request set-var-fmt(txn.empty)',
        '  http-request unset-var(txn.host)',
        '  http-response set-var(res.s) status',
      ]),
    );
    const f = model.frontends[0];
    assert.ok(f);
    assert.deepEqual(f.httpRequestRules?.slice(0, 2), [
      { action: 'set-var', variable: 'txn.host', conditions: [], expression: 'req.hdr(host),lower', condition: undefined, source: at(7) },
      {
        action: 'set-var',
        variable: 'sess.n',
        conditions: ['ifnotexists', 'ifgt'],
        expression: 'int(1)',
        condition: { kind: 'if', anyOf: [[{ negate: false, acl: { name: '', criterion: 'path', method: undefined, ignoreCase: false, patterns: ['/x'], source: at(8) } }]] },
        source: at(8),
      },
    ]);
    assert.deepEqual(f.httpRequestRules?.slice(2), [
      { action: 'set-var-fmt', variable: 'req.x', conditions: [], format: '%[src]:%[src_port]', condition: undefined, source: at(9) },
      { action: 'set-var-fmt', variable: 'txn.empty', conditions: [], format: '', condition: undefined, source: at(10) },
      { action: 'unset-var', variable: 'txn.host', condition: undefined, source: at(11) },
    ]);
    assert.deepEqual(f.httpResponseRules, [{ action: 'set-var', variable: 'res.s', conditions: [], expression: 'status', condition: undefined, source: at(12) }]);
  });

  it('HAProxy stops at an empty condition: set-var(txn.x,ifset,,ifgt) keeps ifset only', async () => {
    const model = await parse(frontend(['  http-request set-var(txn.x,ifset,,ifgt) str(a)']));
    assert.deepEqual((model.frontends[0]?.httpRequestRules?.[0] as unknown as { conditions: string[] }).conditions, ['ifset']);
  });
});

describe('variable actions: HAProxy’s errors', () => {
  it('names, conditions and the action word', async () => {
    assert.deepEqual(await messages(['  http-request set-var(txn.a-b) str(x)']), [rule('set-var(txn.a-b)', "invalid syntax at char '-b)'")]);
    assert.deepEqual(await messages(['  http-request set-var(foo) str(x)']), [
      rule('set-var(foo)', "invalid variable name 'foo'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'"),
    ]);
    assert.deepEqual(await messages(['  http-request set-var() str(x)']), [rule('set-var()', 'Empty variable name cannot be accepted')]);
    assert.deepEqual(await messages(['  http-request set-var(txn.x,ifbad) str(x)']), [rule('set-var(txn.x,ifbad)', 'unknown condition "ifbad"')]);
    assert.deepEqual(await messages(['  http-request unset-var(txn.x,ifset)']), [
      rule('unset-var(txn.x,ifset)', 'unset-var does not expect parameters after the variable name. Only "set-var" and "set-var-fmt" manage conditions'),
    ]);
    assert.deepEqual(await messages(['  http-request set-var(txn.x']), [
      rule('set-var(txn.x', "incomplete argument after action 'set-var(txn.x'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'"),
    ]);
    assert.deepEqual(await messages(['  http-request set-var str(x)']), [
      rule('set-var', "invalid or incomplete action 'set-var'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'"),
    ]);
  });

  it('the expression: missing, extra words, fetches not available where the rule runs', async () => {
    assert.deepEqual(await messages(['  http-request set-var(txn.x)']), [rule('set-var(txn.x)', 'missing fetch method')]);
    assert.deepEqual(await messages(['  http-request set-var(txn.x) str(x) str(y)']), [
      "'http-request set-var(txn.x)' expects either 'if' or 'unless' followed by a condition but found 'str(y)'.",
    ]);
    assert.deepEqual(await messages(['  http-request set-var(txn.x) res.hdr(foo)']), [
      rule('set-var(txn.x)', "fetch method 'set-var(txn.x)' extracts information from 'HTTP response headers', none of which is available here"),
    ]);
    const [response] = await messages(['  http-response set-var(txn.x) path']);
    assert.equal(
      response,
      "error detected in frontend 'f' while parsing 'http-response set-var(txn.x)' rule : fetch method 'set-var(txn.x)' extracts information from 'HTTP request headers', none of which is available here.",
    );
    const [unknown] = await messages(['  http-request set-var(txn.x) nosuch']);
    assert.match(unknown ?? '', /^error detected in frontend 'f' while parsing 'http-request set-var\(txn\.x\)' rule : unknown fetch method 'nosuch'/);
  });

  it('an ACL on var() needs a match method', async () => {
    const [message] = await messages(['  acl a var(txn.x) foo']);
    assert.equal(message, "error detected while parsing ACL 'a' : matching method must be specified first (using '-m') when using a sample fetch of this type ('var').");
  });
});

describe('request-line actions', () => {
  it('models of set-*, replace-* and normalize-uri', async () => {
    const model = await parse(
      frontend(
        [
          '  http-request set-method POST',
          '  http-request set-path /v2%[path]',
          '  http-request set-pathq /x?y',
          '  http-request set-query %[query]&z=1',
          '  http-request set-uri http://h%[path]',
          '  http-request replace-path ^/old/(.*) /new/\\1',
          '  http-request replace-pathq (.*) \\1',
          '  http-request replace-uri ^http://[^/]*(.*) \\1',
          '  http-request normalize-uri path-strip-dotdot full',
          '  http-request normalize-uri percent-to-uppercase',
        ],
        ['  expose-experimental-directives'],
      ),
    );
    const rules = model.frontends[0]?.httpRequestRules ?? [];
    assert.deepEqual(
      rules.map((r) => ({ ...r, condition: undefined, source: undefined })),
      [
        { action: 'set-method', format: 'POST' },
        { action: 'set-path', format: '/v2%[path]' },
        { action: 'set-pathq', format: '/x?y' },
        { action: 'set-query', format: '%[query]&z=1' },
        { action: 'set-uri', format: 'http://h%[path]' },
        { action: 'replace-path', regex: '^/old/(.*)', format: '/new/\\1' },
        { action: 'replace-pathq', regex: '(.*)', format: '\\1' },
        { action: 'replace-uri', regex: '^http://[^/]*(.*)', format: '\\1' },
        { action: 'normalize-uri', normalizer: 'path-strip-dotdot-full' },
        { action: 'normalize-uri', normalizer: 'percent-to-uppercase' },
      ].map((r) => ({ ...r, condition: undefined, source: undefined })),
    );
  });

  it('HAProxy’s errors', async () => {
    assert.deepEqual(await messages(['  http-request set-path']), [rule('set-path', 'expects exactly 1 argument <format>')]);
    assert.deepEqual(await messages(['  http-request set-method a b']), [rule('set-method', 'expects exactly 1 argument <format>')]);
    assert.deepEqual(await messages(['  http-request replace-path x']), [rule('replace-path', 'expects exactly 2 arguments <match-regex> and <replace-format>')]);
    assert.deepEqual(await messages(['  http-request replace-uri a b c']), [rule('replace-uri', 'expects exactly 2 arguments <match-regex> and <replace-format>')]);
    const [regex] = await messages(['  http-request replace-path ( x']);
    assert.match(regex ?? '', /^error detected in frontend 'f' while parsing 'http-request replace-path' rule : failed to parse the regex : regex '\(' is invalid/);
    const [scope] = await messages(['  http-request set-path %[res.hdr(x)]']);
    assert.match(scope ?? '', /may not be reliably used here because it needs 'HTTP response headers'/);
    const [response] = await messages(['  http-response set-path /x']);
    assert.match(response ?? '', /^'http-response' expects .* but got 'set-path'/);
  });

  it('normalize-uri is experimental in HAProxy 2.6; its normalizers and arguments are checked', async () => {
    assert.deepEqual(await messages(['  http-request normalize-uri path-merge-slashes']), [
      "'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'",
    ]);
    const exp = ['  expose-experimental-directives'];
    assert.deepEqual(await messages(['  http-request normalize-uri'], exp), [rule('normalize-uri', 'missing argument <normalizer>')]);
    assert.deepEqual(await messages(['  http-request normalize-uri foo'], exp), [rule('normalize-uri', "unknown normalizer 'foo'")]);
    assert.deepEqual(await messages(['  http-request normalize-uri path-strip-dotdot fully'], exp), [
      rule('normalize-uri', "unknown argument 'fully' for 'path-strip-dotdot' normalizer"),
    ]);
    assert.deepEqual(await messages(['  http-request normalize-uri path-strip-dotdot full x'], exp), [
      "'http-request normalize-uri' expects either 'if' or 'unless' followed by a condition but found 'x'.",
    ]);
  });
});

describe('global set-var and set-var-fmt', () => {
  it('models, in order', async () => {
    const model = await parse(frontend([], ['  set-var proc.a int(12)', '  set-var-fmt proc.b "%[var(proc.a)] x"', '  set-var proc.c,ifnotset hostname extra']));
    assert.deepEqual(model.global.setVars, [
      { variable: 'proc.a', conditions: [], kind: 'expr', value: 'int(12)', source: at(2) },
      { variable: 'proc.b', conditions: [], kind: 'fmt', value: '%[var(proc.a)] x', source: at(3) },
      { variable: 'proc.c', conditions: ['ifnotset'], kind: 'expr', value: 'hostname', source: at(4) },
    ]);
  });

  it('HAProxy’s errors', async () => {
    assert.deepEqual(await messages([], ['  set-var proc.x']), ["'set-var' requires a process-wide variable name ('proc.<name>') and a sample expression."]);
    assert.deepEqual(await messages([], ['  set-var-fmt proc.x']), ["'set-var-fmt' requires a process-wide variable name ('proc.<name>') and a format string."]);
    assert.deepEqual(await messages([], ['  set-var txn.c int(1)']), ["'set-var': cannot set variable 'txn.c', only scope 'proc' is permitted in the global section."]);
    assert.deepEqual(await messages([], ['  set-var proc.a-b int(1)']), ["invalid syntax at char '-b)'"]);
    assert.deepEqual(await messages([], ['  set-var proc.b src']), ["fetch method 'set-var(proc.b)' extracts information from 'client address', none of which is available here"]);
    assert.deepEqual(await messages([], ['  set-var proc.b path']), [
      "fetch method 'set-var(proc.b)' extracts information from 'HTTP request headers', none of which is available here",
    ]);
    const [fmt] = await messages([], ['  set-var-fmt proc.x "%[src]"']);
    assert.match(fmt ?? '', /src.*'client address'/);
    assert.deepEqual(await messages([], ['  set-var-fmt proc.x "%HM"']), ["format variable 'HM' is reserved for HTTP mode"]);
  });

  it('constant and internal fetches with converters are allowed; proxy fetches are not (HAProxy 2.6 -c)', async () => {
    const model = await parse(frontend([], ['  set-var proc.a int(3),add(2)', '  set-var proc.b env(HOME),lower', '  set-var proc.c date(),mul(2)']));
    assert.deepEqual(model.global.setVars?.map((v) => v.value), ['int(3),add(2)', 'env(HOME),lower', 'date(),mul(2)']);
    assert.deepEqual(await messages([], ['  set-var proc.a be_name', '  set-var proc.b fe_name', '  set-var proc.c nbsrv(b)']), [
      "fetch method 'set-var(proc.a)' extracts information from 'backend', none of which is available here",
      "fetch method 'set-var(proc.b)' extracts information from 'frontend', none of which is available here",
      "fetch method 'set-var(proc.c)' extracts information from 'internal state', none of which is available here",
    ]);
  });
});
