/** `acl`, `http-request`, `http-response` in haproxy.cfg (src/config/keywords/http-rules.ts): models, errors at their place, warnings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIMEOUTS, cfg, errors, parse, warnings } from './support.ts';

/** A mode http frontend `f` (line 6) with `lines` from line 7, and backend `b`. */
const frontend = (...lines: string[]): string =>
  cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend f', ...lines, '  bind :8080', '  default_backend b', 'backend b', '  server s 127.0.0.1:1');

describe('acl and http rules: models', () => {
  it('ACL lines, rules and their conditions become the proxy model', async () => {
    const model = await parse(
      frontend(
        '  acl api path_beg /api',
        '  acl api hdr(host) -i -m dom api.example.com',
        '  http-request set-header X-Forwarded-Proto https if { ssl_fc }',
        '  http-request del-header X-Debug -m beg unless api || METH_GET',
        '  http-response replace-value Via ^1\\.0 1.1',
      ),
    );
    const f = model.frontends[0];
    assert.ok(f);
    assert.deepEqual(f.acls, [
      { name: 'api', criterion: 'path_beg', method: undefined, ignoreCase: false, patterns: ['/api'], source: { file: 't.cfg', line: 7 } },
      { name: 'api', criterion: 'hdr(host)', method: 'dom', ignoreCase: true, patterns: ['api.example.com'], source: { file: 't.cfg', line: 8 } },
    ]);
    assert.deepEqual(f.httpRequestRules, [
      {
        action: 'set-header',
        header: 'X-Forwarded-Proto',
        format: 'https',
        condition: {
          kind: 'if',
          anyOf: [[{ negate: false, acl: { name: '', criterion: 'ssl_fc', method: undefined, ignoreCase: false, patterns: [], source: { file: 't.cfg', line: 9 } } }]],
        },
        source: { file: 't.cfg', line: 9 },
      },
      {
        action: 'del-header',
        header: 'X-Debug',
        match: 'beg',
        condition: { kind: 'unless', anyOf: [[{ negate: false, acl: 'api' }], [{ negate: false, acl: 'METH_GET' }]] },
        source: { file: 't.cfg', line: 10 },
      },
    ]);
    assert.deepEqual(f.httpResponseRules, [
      { action: 'replace-value', header: 'Via', regex: '^1\\.0', format: '1.1', condition: undefined, source: { file: 't.cfg', line: 11 } },
    ]);
    assert.deepEqual(model.backends[0]?.httpRequestRules, []);
  });

  it('set-map, del-map, add-acl, del-acl: the file from the action word, log-format key and value', async () => {
    const model = await parse(
      frontend('  http-request set-map(/m.map) %[src] %[req.hdr(x)]', '  http-response del-map(/m.map) %[src]', '  http-request add-acl(/a.acl) k if { path /x }', '  http-response del-acl(/a.acl) k'),
    );
    const f = model.frontends[0];
    assert.deepEqual(
      [...(f?.httpRequestRules ?? []), ...(f?.httpResponseRules ?? [])].map((r) =>
        r.action === 'set-map' || r.action === 'del-map' || r.action === 'add-acl' || r.action === 'del-acl' ? [r.action, r.file, r.key, r.value] : [r.action],
      ),
      [
        ['set-map', '/m.map', '%[src]', '%[req.hdr(x)]'],
        ['add-acl', '/a.acl', 'k', undefined],
        ['del-map', '/m.map', '%[src]', undefined],
        ['del-acl', '/a.acl', 'k', undefined],
      ],
    );
    const found = await errors(
      frontend('  http-request set-map(/m.map) k', '  http-request del-acl(/a.acl)', '  http-after-response add-acl(/a.acl) k', '  http-after-response set-map(/m.map) k v', '  http-after-response del-map(/m.map) k', '  http-after-response del-acl(/a.acl) k'),
    );
    assert.deepEqual(
      found.map(([line, , , message]) => [line, message.replace(/ \(supported: .*|, but got.*|expects '.*/, '')]),
      [
        [7, "error detected in frontend 'f' while parsing 'http-request set-map(/m.map)' rule : expects exactly 2 arguments."],
        [8, "error detected in frontend 'f' while parsing 'http-request del-acl(/a.acl)' rule : expects exactly 1 arguments."],
        [9, "'http-after-response' "],
        [10, "'http-after-response' "],
        [11, "'http-after-response' "],
        [12, "'http-after-response' "],
      ],
    );
  });

  it('both halves of a listen section carry its ACLs and rules', async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'listen l', '  bind :8080', '  acl a path /x', '  http-request add-header X-A 1 if a', '  server s 127.0.0.1:1'));
    assert.equal(model.frontends[0]?.httpRequestRules?.length, 1);
    assert.equal(model.backends[0]?.httpRequestRules?.length, 1);
    assert.equal(model.backends[0]?.acls?.length, 1);
  });
});

describe('acl and http rules: errors at their line and column', () => {
  it('an action not supported yet is named, never ignored', async () => {
    const [mapped] = await errors(frontend('  http-request set-mark 10 if { path /x }'));
    assert.deepEqual(mapped?.slice(0, 3), [7, 16, 'http-request set-mark']);
    // The supported list grows with each action family: its sorted form is what is pinned.
    assert.match(mapped?.[3] ?? '', /^'http-request set-mark' is not supported by Switchyard yet \(supported: 'add-acl', 'add-header', 'allow', .*'set-header'.*\)\.$/);
    const [line, , keyword, message] = (await errors(frontend('  http-response set-mark 10')))[0] ?? [];
    assert.deepEqual([line, keyword], [7, 'http-response set-mark']);
    assert.match(message ?? '', /not supported by Switchyard yet/);
  });

  it('an unknown action is listed with a suggestion', async () => {
    const [[line, column, keyword, message]] = (await errors(frontend('  http-request set-heder X 1'))) as [[number, number, string, string]];
    assert.deepEqual([line, column, keyword], [7, 16, 'http-request']);
    assert.match(message, /'http-request' expects 'add-acl', 'add-header', .* but got 'set-heder'; did you mean 'set-header'\?/);
  });

  it('argument counts and stray words', async () => {
    assert.match((await errors(frontend('  http-request set-header X')))[0]?.[3] ?? '', /expects exactly 2 arguments/);
    assert.deepEqual((await errors(frontend('  http-request set-header X a b')))[0]?.slice(0, 3), [7, 31, 'http-request set-header']);
    assert.match((await errors(frontend('  http-request set-header X a b')))[0]?.[3] ?? '', /expects either 'if' or 'unless' followed by a condition but found 'b'/);
    assert.match((await errors(frontend('  http-request del-header X -m nope')))[0]?.[3] ?? '', /'-m' expects one of 'str', 'beg'/);
    assert.match((await errors(frontend('  http-request replace-header X a')))[0]?.[3] ?? '', /expects exactly 3 arguments/);
  });

  it('conditions: unknown or later-declared ACLs, unbalanced braces', async () => {
    assert.deepEqual(await errors(frontend('  http-request set-header X 1 if nosuch')), [
      [7, 34, 'http-request set-header', "error detected while parsing an 'http-request set-header' condition : no such ACL : 'nosuch'."],
    ]);
    const later = await errors(frontend('  http-request set-header X 1 if a', '  acl a path /x'));
    assert.match(later[0]?.[3] ?? '', /no such ACL : 'a'/, 'HAProxy needs the ACL declared before its use');
    assert.match((await errors(frontend('  http-request set-header X 1 if { ssl_fc')))[0]?.[3] ?? '', /missing closing '}' in condition/);
  });

  it('log-format and fetch errors name the rule', async () => {
    assert.match((await errors(frontend('  http-request set-header X %zz')))[0]?.[3] ?? '', /while parsing 'http-request set-header' rule : no such format variable 'zz'/);
    assert.match((await errors(frontend('  http-request set-header X 100%')))[0]?.[3] ?? '', /truncated line after '%'/);
    assert.match((await errors(frontend('  http-response set-header X %[path]')))[0]?.[3] ?? '', /'path' may not be reliably used here/);
    assert.match((await errors(frontend('  http-request set-header Content-Length 5')))[0]?.[3] ?? '', /framing header/);
  });

  it('acl errors point at the offending word', async () => {
    assert.deepEqual(await errors(frontend('  acl a path -m reg (')), [[7, 9, 'acl', "error detected while parsing ACL 'a' : regex '(' is invalid (Invalid regular expression: /(/: Unterminated group)."]]);
    assert.deepEqual((await errors(frontend('  acl a nosuch x')))[0]?.slice(0, 2), [7, 9]);
    assert.match((await errors(frontend('  acl a nosuch x')))[0]?.[3] ?? '', /unknown fetch method 'nosuch'/);
    assert.deepEqual((await errors(frontend('  acl a path -m nope x')))[0]?.slice(0, 2), [7, 17]);
    assert.match((await errors(frontend('  acl a$ path x')))[0]?.[3] ?? '', /character '\$' is not permitted in acl name/);
    assert.match((await errors(frontend('  acl a')))[0]?.[3] ?? '', /missing ACL criterion/);
  });

  it('refused in anonymous defaults sections, with HAProxy\u2019s message', async () => {
    for (const [line, keyword] of [['  acl a path /x', 'acl'], ['  http-request set-header X 1', 'http-request'], ['  http-response del-header Server', 'http-response'], ['  http-after-response set-status 200', 'http-after-response']]) {
      const [[l, , , message]] = (await errors(cfg('defaults', line as string, ...TIMEOUTS))) as [[number, number, string, string]];
      assert.equal(l, 2);
      assert.equal(message, `'${keyword}' not allowed in anonymous 'defaults' section.`);
    }
  });
});

describe('acl and http rules in a named defaults section (HAProxy 2.5+)', () => {
  const defaults = ['defaults common', '  mode http', ...TIMEOUTS, 'defaults rules from common', '  acl is_x path_beg /x', '  http-request set-header X-D 1 if is_x', '  http-after-response set-header X-A 1'];
  it('the inheriting proxy carries them as defaultRules, with the defaults\u2019 ACLs apart from its own', async () => {
    const model = await parse(cfg(...defaults, 'frontend f from rules', '  bind :8080', '  acl own path /o', '  http-request deny if own', '  default_backend b', 'backend b from common', '  server s 127.0.0.1:1'));
    const f = model.frontends[0];
    assert.ok(f);
    assert.equal(f.defaultRules?.name, 'rules');
    assert.deepEqual(f.defaultRules?.acls.map((a) => a.name), ['is_x']);
    assert.deepEqual(f.defaultRules?.httpRequestRules.map((r) => r.action), ['set-header']);
    assert.deepEqual(f.defaultRules?.httpAfterResponseRules.map((r) => r.action), ['set-header']);
    assert.deepEqual(f.acls?.map((a) => a.name), ['own']);
    assert.deepEqual(f.httpRequestRules?.map((r) => r.action), ['deny']);
    assert.equal(model.backends[0]?.defaultRules, undefined);
  });

  it('the capture slots its rules declare come first in the inheriting frontend', async () => {
    const model = await parse(
      cfg('defaults plain', '  mode http', ...TIMEOUTS, 'defaults base from plain', '  http-request capture hdr(host) len 64', 'frontend f from base', '  bind :8080', '  declare capture request len 32', '  http-request capture hdr(x-a) id 1', '  default_backend b', 'backend b from plain', '  server s 127.0.0.1:1'),
    );
    assert.deepEqual(model.frontends[0]?.captures?.request.map((slot) => slot.len), [64, 32]);
  });

  it('a rule of the proxy cannot use an ACL of the defaults section', async () => {
    const [first] = await errors(cfg(...defaults, 'frontend f from rules', '  bind :8080', '  http-request deny if is_x', '  default_backend b', 'backend b from common', '  server s 127.0.0.1:1'));
    assert.match(first?.[3] ?? '', /is_x/);
  });

  it('HAProxy\u2019s limits on inheriting them: not by a listen or a defaults section, not by frontends and backends both', async () => {
    const at = `defaults section at t.cfg:${3 + TIMEOUTS.length}`;
    const listen = await errors(cfg(...defaults, 'listen l from rules', '  bind :8080', '  server s 127.0.0.1:1'));
    assert.deepEqual(listen.map((e) => e[3]), ['a listen section cannot inherit from a defaults section defining TCP/HTTP rules.']);
    const def = await errors(cfg(...defaults, 'defaults other from rules', 'frontend f from common', '  bind :8080', '  default_backend b', 'backend b from common', '  server s 127.0.0.1:1'));
    assert.deepEqual(def.map((e) => e[3]), [`a defaults section cannot inherit from a defaults section defining TCP/HTTP rules (${at}).`]);
    const both = await errors(cfg(...defaults, 'frontend f from rules', '  bind :8080', '  default_backend b', 'backend b from rules', '  server s 127.0.0.1:1'));
    assert.deepEqual(both.map((e) => e[3]), [`frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules (${at}).`]);
  });

  it('a server argument must name its backend there (HAProxy\u2019s smp_resolve_args), in actions and ACLs, once per line', async () => {
    const base = ['defaults d', '  mode http', ...TIMEOUTS];
    const tail = ['backend b from d', '  server www 127.0.0.1:1'];
    const action = await errors(cfg(...base, '  http-request set-header x "%[srv_conn(www)]"', ...tail));
    assert.deepEqual(action.map((e) => e[3]), ["backend name must be set in arg 1 of sample fetch keyword 'srv_conn' in http-request expression in proxy 'd'."]);
    const response = await errors(cfg(...base, '  http-response set-header x %[srv_queue(www)]', ...tail));
    assert.deepEqual(response.map((e) => e[3]), ["backend name must be set in arg 1 of sample fetch keyword 'srv_queue' in http-response response in proxy 'd'."]);
    // The ACL line reports it; the rule naming the ACL does not again. Braces are ACLs too.
    const acl = await errors(cfg(...base, '  acl busy srv_conn(www) gt 0', '  http-request deny if busy', '  http-request deny if { srv_is_up(www) }', ...tail));
    assert.deepEqual(
      acl.map((e) => [e[0], e[3]]),
      [
        [3 + TIMEOUTS.length, "backend name must be set in arg 1 of ACL keyword 'srv_conn' in proxy 'd'."],
        [5 + TIMEOUTS.length, "backend name must be set in arg 1 of ACL keyword 'srv_is_up' in proxy 'd'."],
      ],
    );
    // With its backend, or outside a defaults section, the server is found.
    await parse(cfg(...base, '  http-request set-header x "%[srv_conn(b/www)]"', ...tail));
    await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'backend b', '  http-request set-header x "%[srv_conn(www)]"', '  server www 127.0.0.1:1'));
  });
});

describe('acl and http rules: warnings', () => {
  it('an ACL without patterns never matches', async () => {
    const model = await parse(frontend('  acl a path'));
    assert.deepEqual(warnings(model), [[7, 'acl', "acl 'a' : no pattern to match against were provided, so this ACL will never match."]]);
  });

  it('a request ACL in a response rule never matches (HAProxy\u2019s warning)', async () => {
    const model = await parse(frontend('  acl p path_beg /a', '  http-response set-header X x if p'));
    assert.deepEqual(warnings(model), [
      [8, 'http-response set-header', "acl 'p' will never match because it only involves keywords that are incompatible with 'frontend http-response header rule'."],
    ]);
  });

  it('HTTP rules in a tcp proxy are ignored with a warning', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'frontend f', '  bind :8080', '  http-request set-header X 1', '  default_backend b', 'backend b', '  server s 127.0.0.1:1'));
    assert.deepEqual(warnings(model), [[7, 'http-request', "'http-request' and 'http-response' rules ignored for frontend 'f' as they require HTTP mode."]]);
    assert.deepEqual(model.frontends[0]?.httpRequestRules, []);
  });
});

describe('strict-mode', () => {
  it('takes on or off (any case) in the three rule sets, with HAProxy\u2019s messages otherwise', async () => {
    const { parseConfigText } = await import('../../src/config/load.ts');
    const model = await parseConfigText(
      ['frontend f', '  mode http', '  bind :80', '  http-request strict-mode OFF', '  http-response strict-mode on', '  http-after-response strict-mode off if { status 200 }', ''].join('\n'),
      't.cfg',
    );
    const fe = model.frontends[0];
    assert.deepEqual(
      [fe?.httpRequestRules?.[0], fe?.httpResponseRules?.[0], fe?.httpAfterResponseRules?.[0]].map((r) => r !== undefined && r.action === 'strict-mode' && r.on),
      [false, true, false],
    );
    const { ConfigError } = await import('../../src/config/errors.ts');
    for (const [line, message] of [
      ['  http-request strict-mode', "'http-request strict-mode' : expects exactly 1 arguments."],
      ['  http-request strict-mode maybe', "'http-request strict-mode' : Unexpected value 'maybe'. Only 'on' and 'off' are supported."],
    ] as const) {
      await assert.rejects(parseConfigText(['frontend f', '  mode http', '  bind :80', line, ''].join('\n'), 't.cfg'), (err) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.diagnostics[0]?.message, message);
        return true;
      });
    }
  });
});
