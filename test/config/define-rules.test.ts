import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineConfig, type SwitchyardConfig } from '../../src/config/define-config.ts';
import { httpRuleWords, type HttpRequestRule, type TypedHttpRule } from '../../src/config/define-rules-input.ts';
import { ConfigError } from '../../src/config/errors.ts';

const TIMEOUTS = { connect: '5s', client: '30s', server: '30s' } as const;

/** A frontend `web` in http mode with `rules` merged in, and a backend `app`. */
function web(rules: Record<string, unknown>, extra: Partial<SwitchyardConfig> = {}): SwitchyardConfig {
  return {
    defaults: { mode: 'http', timeouts: TIMEOUTS },
    frontends: { web: { bind: ':8080', defaultBackend: 'app', ...rules } },
    backends: { app: { servers: { a: '127.0.0.1:3000' } } },
    ...extra,
  } as SwitchyardConfig;
}

function refused(input: SwitchyardConfig): string[] {
  try {
    defineConfig(input);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.diagnostics.map((d) => d.message);
  }
  assert.fail('expected a ConfigError');
}

describe('defineConfig() rules: typed rules become haproxy.cfg words', () => {
  const cases: [TypedHttpRule, string[]][] = [
    [{ action: 'allow' }, ['allow']],
    [{ action: 'deny', status: 429 }, ['deny', 'deny_status', '429']],
    [{ action: 'tarpit' }, ['tarpit']],
    [
      { action: 'return', status: 200, contentType: 'text/plain', string: 'a b', headers: { 'X-A': '1', 'X-B': '%[src]' } },
      ['return', 'status', '200', 'content-type', 'text/plain', 'string', 'a b', 'hdr', 'X-A', '1', 'hdr', 'X-B', '%[src]'],
    ],
    [{ action: 'return', status: 503, defaultErrorfiles: true }, ['return', 'status', '503', 'default-errorfiles']],
    [
      { action: 'redirect', prefix: '/p', code: 307, dropQuery: true, appendSlash: true, ignoreEmpty: true, clearCookie: 'C' },
      ['redirect', 'prefix', '/p', 'code', '307', 'drop-query', 'append-slash', 'ignore-empty', 'clear-cookie', 'C'],
    ],
    [{ action: 'set-header', name: 'X', value: 'a b #c "d"' }, ['set-header', 'X', 'a b #c "d"']],
    [{ action: 'del-header', name: 'X' }, ['del-header', 'X']],
    [{ action: 'del-header', name: 'X-', match: 'beg' }, ['del-header', 'X-', '-m', 'beg']],
    [{ action: 'replace-value', name: 'X', regex: 'a', replacement: 'b' }, ['replace-value', 'X', 'a', 'b']],
    [{ action: 'set-var', name: 'txn.a', conditions: ['ifnotset', 'ifgt'], expression: 'int(1)' }, ['set-var(txn.a,ifnotset,ifgt)', 'int(1)']],
    [{ action: 'unset-var', name: 'txn.a' }, ['unset-var(txn.a)']],
    [{ action: 'auth' }, ['auth']],
    [{ action: 'auth', realm: 'My realm' }, ['auth', 'realm', 'My realm']],
    [{ action: 'set-status', status: 503, reason: 'Slow down' }, ['set-status', '503', 'reason', 'Slow down']],
    [{ action: 'set-timeout', timeout: 'tunnel', value: 3000 }, ['set-timeout', 'tunnel', '3000']],
    [{ action: 'set-log-level', level: 'silent' }, ['set-log-level', 'silent']],
    [{ action: 'wait-for-body', time: '1s', atLeast: '16k' }, ['wait-for-body', 'time', '1s', 'at-least', '16k']],
    [{ action: 'wait-for-body', time: 500 }, ['wait-for-body', 'time', '500']],
  ];
  for (const [rule, words] of cases) {
    it(`${JSON.stringify(rule)}`, () => assert.deepEqual(httpRuleWords(rule), words));
  }

  it('keeps typed values as they are, where text is read as a haproxy.cfg line', () => {
    const model = defineConfig(
      web({
        httpRequest: [
          { action: 'set-header', name: 'X-Typed', value: 'a b #c "d"' },
          'set-header X-Text "a b" # a comment',
          "set-header X-Quoted 'x\\y'",
        ],
      }),
    );
    const rules = model.frontends[0]?.httpRequestRules ?? [];
    const formats = rules.map((r) => (r.action === 'set-header' ? [r.header, r.format] : []));
    assert.deepEqual(formats, [
      ['X-Typed', 'a b #c "d"'],
      ['X-Text', 'a b'],
      ['X-Quoted', 'x\\y'],
    ]);
  });

  it('merges repeated ACL definitions as haproxy.cfg does, in order', () => {
    const model = defineConfig(web({ acls: { api: ['path_beg /api', 'path_beg /v2'], local: 'src 127.0.0.1' } }));
    const acls = model.frontends[0]?.acls ?? [];
    assert.deepEqual(
      acls.map((a) => [a.name, a.patterns]),
      [
        ['api', ['/api']],
        ['api', ['/v2']],
        ['local', ['127.0.0.1']],
      ],
    );
  });
});

describe('defineConfig() rules: errors name the input path', () => {
  it('an unknown typed action, with a suggestion', () => {
    assert.deepEqual(
      refused(web({ httpRequest: ['allow', 'allow', { action: 'denny' } as unknown as HttpRequestRule] })).map((m) => m.replace(/ \(typed ones.*$/, '')),
      ["frontends.web.httpRequest.2: unknown action 'denny'; did you mean 'deny'?"],
    );
  });

  it('an action of another rule set', () => {
    const [message] = refused(web({ httpRequest: [{ action: 'set-status', status: 200 }] }));
    assert.match(message ?? '', /^frontends\.web\.httpRequest\.0: 'set-status' is not an http-request action/);
  });

  it("a text rule gets haproxy.cfg's own message", () => {
    const [message] = refused(web({ httpRequest: ['denny if { path / }'] }));
    assert.match(message ?? '', /^frontends\.web\.httpRequest\.0: 'http-request' expects .* but got 'denny'; did you mean 'deny'\?/);
  });

  it('a condition naming an ACL not declared, a missing field, an unknown key', () => {
    assert.deepEqual(refused(web({ httpResponse: [{ action: 'deny', if: 'nope' }] })), [
      "frontends.web.httpResponse.0: error detected while parsing an 'http-response deny' condition : no such ACL : 'nope'.",
    ]);
    assert.deepEqual(refused(web({ httpRequest: [{ action: 'set-header', name: 'X' }] })), [
      'frontends.web.httpRequest.0.value: Invalid key: Expected "value" but received undefined',
    ]);
    assert.deepEqual(refused(web({ useBackend: [{ backend: 'app', iff: 'x' }] })), ["frontends.web.useBackend.0.iff: unknown key 'iff'; did you mean 'if'?"]);
  });

  it('both if and unless, several redirect types, an unterminated quote', () => {
    assert.deepEqual(refused(web({ httpRequest: [{ action: 'deny', if: 'a', unless: 'b' }] })), [
      "frontends.web.httpRequest.0: give either 'if' or 'unless', not both",
    ]);
    assert.deepEqual(refused(web({ redirect: [{ location: '/a', scheme: 'https' }] })), [
      "frontends.web.redirect.0: give exactly one of 'location', 'prefix' and 'scheme'",
    ]);
    assert.deepEqual(refused(web({ httpRequest: ['set-header X "abc'] })), ['frontends.web.httpRequest.0: unmatched quote at position 14.']);
  });

  it('an ACL haproxy.cfg refuses, a reply file (defineConfig reads none)', () => {
    const [acl] = refused(web({ acls: { x: 'nosuchfetch foo' } }));
    assert.match(acl ?? '', /^frontends\.web\.acls\.x: error detected while parsing ACL 'x' : unknown fetch method 'nosuchfetch'/);
    assert.deepEqual(refused(web({ httpRequest: ['return status 200 content-type text/plain file /etc/motd'] })), [
      "frontends.web.httpRequest.0: file '/etc/motd' is not among defineConfig()'s 'files' (defineConfig() reads no file: give its content as files: { '/etc/motd': readFileSync(...) }).",
    ]);
    const [pattern] = refused(web({ acls: { bad: 'src -f /etc/bad.lst' } }));
    assert.match(pattern ?? '', /^frontends\.web\.acls\.bad: .*'\/etc\/bad\.lst' is not among defineConfig\(\)'s 'files'/);
  });

  it('cross-checks of haproxy.cfg: unknown backend, server, userlist, http-errors section', () => {
    assert.deepEqual(refused(web({ useBackend: ['api if { path_beg /api }'] })), ["Proxy 'web': unable to find required use_backend: 'api'."]);
    assert.deepEqual(
      refused({ defaults: { mode: 'http', timeouts: TIMEOUTS }, backends: { b: { useServer: [{ server: 'zz', if: '{ path / }' }], servers: { a: '127.0.0.1:1' } } } }),
      ["backend 'b' : unable to find server 'zz' referenced in a 'use-server' rule."],
    );
    const [userlist] = refused(web({ acls: { ok: 'http_auth(staff)' } }));
    assert.match(userlist ?? '', /unable to find userlist 'staff' referenced in arg 1 of ACL keyword 'http_auth' in proxy 'web'/);
    const [section] = refused(web({ errorfilesFrom: ['nosuch'] }));
    assert.match(section ?? '', /unknown http-errors section 'nosuch'/);
  });

  it('warnings carry the path too', () => {
    const model = defineConfig(web({ httpRequest: [{ action: 'deny', contentType: 'text/plain' }] }));
    assert.deepEqual(
      model.warnings.map((w) => w.message),
      ["frontends.web.httpRequest.0: content-type 'text/plain' ignored by the http reply when used with an erorrfile."],
    );
  });

  it('http-errors sections: name checks of haproxy.cfg, errorfile contents checked', () => {
    assert.deepEqual(refused({ httpErrors: { 'a b': { 503: { content: 'HTTP/1.1 503 X\r\n\r\n' } } } }), [
      "httpErrors.a b: character ' ' is not permitted in 'http-errors' name 'a b'.",
    ]);
    assert.deepEqual(refused({ httpErrors: { site: { 302: { content: '' } } } }), ["httpErrors.site.302: status code '302' not handled."]);
  });

  it('free lines: unknown keyword (with a suggestion), wrong section, a prefix the keyword does not take', () => {
    assert.deepEqual(refused(web({ lines: ['balnce roundrobin'] })), ["frontends.web.lines.0: unknown keyword 'balnce' in 'frontend' section; did you mean 'balance'?"]);
    assert.deepEqual(refused(web({ lines: ['user bob insecure-password x'] })), [
      "frontends.web.lines.0: 'user' not allowed in 'frontend' section (only in 'userlist', 'global', 'program').",
    ]);
    assert.deepEqual(refused(web({ lines: ['no maxconn 10'] })), [
      "frontends.web.lines.0: negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.",
    ]);
  });

  it('types: an action of another rule set, a missing field, an unknown action do not compile', () => {
    // Never called: what matters is that tsc refuses each marked line (else @ts-expect-error fails the build).
    const configs = (): SwitchyardConfig[] => [
      // @ts-expect-error set-status is not an http-request action
      { frontends: { web: { bind: ':1', httpRequest: [{ action: 'set-status', status: 200 }] } } },
      // @ts-expect-error set-header needs a value
      { frontends: { web: { bind: ':1', httpResponse: [{ action: 'set-header', name: 'X' }] } } },
      // @ts-expect-error no such action
      { frontends: { web: { bind: ':1', httpAfterResponse: [{ action: 'denny' }] } } },
      // @ts-expect-error use-server belongs to backends
      { frontends: { web: { bind: ':1', useServer: ['s if x'] } } },
      { frontends: { web: { bind: ':1', httpRequest: ['anything as text', { action: 'auth', realm: 'r', unless: 'ok' }] } } },
    ];
    assert.equal(typeof configs, 'function');
  });
});
