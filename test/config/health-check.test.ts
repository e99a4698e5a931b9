import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpCheckModel } from '../../src/config/model.ts';
import { backendErrors, cfg, errors, httpBackend, parse, TIMEOUTS, warnings } from './support.ts';

const DEFAULT_REQUEST: HttpCheckModel = { method: 'OPTIONS', uri: '/', version: 'HTTP/1.0', headers: [], body: undefined, expect: [] };

async function httpCheck(...lines: string[]): Promise<HttpCheckModel | undefined> {
  const backend = await httpBackend(...lines);
  assert.equal(backend.healthCheck?.kind, 'http');
  return backend.healthCheck?.http;
}

describe('option httpchk', () => {
  it('defaults to a tcp connect check', async () => {
    assert.deepEqual((await httpBackend()).healthCheck, { kind: 'tcp', http: undefined });
  });

  it("accepts HAProxy 2.6's forms, OPTIONS / HTTP/1.0 by default", async () => {
    assert.deepEqual(await httpCheck('  option httpchk'), DEFAULT_REQUEST);
    assert.deepEqual(await httpCheck('  option httpchk /health'), { ...DEFAULT_REQUEST, uri: '/health' });
    assert.deepEqual(await httpCheck('  option httpchk GET /health'), { ...DEFAULT_REQUEST, method: 'GET', uri: '/health' });
    assert.deepEqual(await httpCheck('  option httpchk HEAD /ping HTTP/1.1'), { ...DEFAULT_REQUEST, method: 'HEAD', uri: '/ping', version: 'HTTP/1.1' });
  });

  it('turns the legacy headers after the version into headers', async () => {
    assert.deepEqual(await httpCheck('  option httpchk GET / "HTTP/1.1\\r\\nHost: www.example\\r\\nX-A:b"'), {
      ...DEFAULT_REQUEST,
      method: 'GET',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'www.example'],
        ['X-A', 'b'],
      ],
    });
  });

  it('works in tcp mode too, and `option tcp-check` returns to a connect check', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, '  option httpchk', 'backend a', 'backend b', '  option tcp-check'));
    assert.deepEqual(model.backends.map((b) => b.healthCheck?.kind), ['http', 'tcp']);
  });

  it('refuses bad arguments and prefixes', async () => {
    assert.deepEqual(await backendErrors('  option httpchk GET / HTTP/1.1 x'), [
      [2, 33, 'option', "'option httpchk' cannot handle unexpected argument 'x'."],
    ]);
    assert.deepEqual(await backendErrors('  option httpchk "G T" /'), [[2, 18, 'option httpchk', "'option httpchk' : invalid HTTP method 'G T'."]]);
    assert.deepEqual(await backendErrors('  no option httpchk'), [[2, 13, 'option httpchk', "negation/default is not supported for option 'httpchk'."]]);
    assert.deepEqual(await backendErrors('  option tcp-check now'), [[2, 20, 'option', "'option tcp-check' cannot handle unexpected argument 'now'."]]);
  });
});

describe('http-check send', () => {
  it('overrides the option request and adds headers and a body', async () => {
    assert.deepEqual(
      await httpCheck('  option httpchk GET /a', '  http-check send meth POST uri /b ver HTTP/1.1 hdr Host h.example hdr Content-Type text/plain body "hi"'),
      {
        method: 'POST',
        uri: '/b',
        version: 'HTTP/1.1',
        headers: [
          ['Host', 'h.example'],
          ['Content-Type', 'text/plain'],
        ],
        body: 'hi',
        expect: [],
      },
    );
    assert.deepEqual(await httpCheck('  http-check send hdr Host x', '  option httpchk GET /a'), {
      ...DEFAULT_REQUEST,
      method: 'GET',
      uri: '/a',
      headers: [['Host', 'x']],
    });
  });

  it('refuses bad arguments and what is not supported yet', async () => {
    const [unknown] = await backendErrors('  http-check send methd GET');
    assert.match(
      unknown?.[3] ?? '',
      /^'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got 'methd' as argument; did you mean 'meth'\?\.$/,
    );
    // HAProxy 2.6's texts (haproxy -c), its doubled periods included.
    assert.deepEqual(await backendErrors('  http-check send hdr Host'), [[2, 19, 'http-check', "'http-check send' : 'hdr' expects <name> and <value> as arguments"]]);
    assert.deepEqual(await backendErrors('  http-check send uri'), [[2, 19, 'http-check', "'http-check send' : 'uri' expects a string as argument.."]]);
    assert.deepEqual(await backendErrors('  http-check send uri-lf'), [[2, 19, 'http-check', "'http-check send' : 'uri-lf' expects a string as argument.."]]);
    const [format] = await backendErrors('  http-check send uri-lf "%[nosuchfetch]"');
    assert.match(format?.[3] ?? '', /^'http-check send' : '%\[nosuchfetch\]' invalid log-format string \(.*nosuchfetch.*\)\.$/);
    const [header] = await backendErrors('  http-check send hdr x "%[nosuchfetch]"');
    assert.match(header?.[3] ?? '', /^'http-check send' : .*nosuchfetch/);
    assert.deepEqual(await backendErrors('  option httpchk', '  http-check connect', '  http-check send', '  http-check send'), [
      [5, 14, 'http-check', "'http-check send' : unable to add http-check send rule at step 2 (missing connect rule).."],
    ]);
  });
});

describe('http-check expect', () => {
  it('keeps every rule in order', async () => {
    const check = await httpCheck(
      '  option httpchk',
      '  http-check expect status 200-399',
      '  http-check expect ! string maintenance',
      '  http-check expect rstatus ^2',
      '  http-check expect rstring "ok|up"',
    );
    assert.deepEqual(check?.expect, [
      { negate: false, kind: 'status', pattern: '200-399' },
      { negate: true, kind: 'string', pattern: 'maintenance' },
      { negate: false, kind: 'rstatus', pattern: '^2' },
      { negate: false, kind: 'rstring', pattern: 'ok|up' },
    ]);
  });

  it('hdr / fhdr: name and optional value, each with -m str|beg|end|sub|reg', async () => {
    assert.deepEqual((await httpCheck('  option httpchk', '  http-check expect hdr name x-test'))?.expect, [
      { negate: false, kind: 'hdr', pattern: 'x-test', header: { nameMatch: 'str', valueMatch: 'str', value: undefined } },
    ]);
    assert.deepEqual((await httpCheck('  option httpchk', "  http-check expect ! fhdr name -m beg x- value -m reg '^v[0-9]$'"))?.expect, [
      { negate: true, kind: 'fhdr', pattern: 'x-', header: { nameMatch: 'beg', valueMatch: 'reg', value: '^v[0-9]$' } },
    ]);
  });

  it('refuses bad patterns and what is not supported yet', async () => {
    assert.deepEqual(await backendErrors('  http-check expect status 2xx'), [
      [2, 28, 'http-check', "'http-check expect status' expects a status code, a list or a range such as '200', '200,302' or '200-399' (got '2xx')."],
    ]);
    const [regex] = await backendErrors('  http-check expect rstring (');
    assert.match(regex?.[3] ?? '', /^'http-check expect rstring' : invalid regex '\('/);
    assert.deepEqual(await backendErrors('  http-check expect status'), [[2, 21, 'http-check', "'http-check expect status' expects <pattern> as argument."]]);
    const [format] = await backendErrors('  http-check expect hdr name-lf %[nosuchfetch]');
    assert.match(format?.[3] ?? '', /^'http-check expect hdr' : .*nosuchfetch/);
    assert.deepEqual(await backendErrors('  http-check expect hdr name -m xx x'), [[2, 33, 'http-check', "'http-check expect hdr' : '-m' only supports 'str', 'beg', 'end', 'sub' or 'reg' (got 'xx')."]]);
    assert.deepEqual(await backendErrors('  http-check expect fhdr x'), [[2, 26, 'http-check', "'http-check expect fhdr' expects at the name keyword as first argument followed by a pattern."]]);
    // HAProxy 2.6's texts, their odd quotes and doubled periods included.
    assert.deepEqual(await backendErrors('  http-check expect status 200 x'), [
      [2, 32, 'http-check', "'http-check expect' : 'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got 'x' as argument.."],
    ]);
    assert.deepEqual(await backendErrors('  http-check expect ok-status FOO status 200'), [
      [2, 31, 'http-check', "'http-check expect' : 'ok-status' only supports 'L4OK', 'L6OK', 'L7OK' or 'L7OKC' status (got 'FOO').."],
    ]);
    assert.deepEqual(await backendErrors('  http-check expect error-status L7OK status 200'), [
      [2, 34, 'http-check', "'http-check expect' : 'error-status' only supports 'L4CON', 'L6RSP', 'L7RSP' or 'L7STS' status (got 'L7OK').."],
    ]);
    assert.deepEqual(await backendErrors('  http-check expect tout-status x status 200'), [
      [2, 33, 'http-check', "'http-check expect' : 'tout-status' only supports 'L4TOUT', 'L6TOUT' or 'L7TOUT' status (got 'x').."],
    ]);
    assert.deepEqual(await backendErrors('  http-check expect on-success'), [[2, 21, 'http-check', "'http-check expect' : 'on-success' expects a string as argument."]]);
    assert.deepEqual(await backendErrors('  http-check expect min-recv -5 status 200'), [[2, 30, 'http-check', "'http-check expect' : 'min-recv' expects -1 or an integer from 0 to INT_MAX."]]);
    assert.deepEqual(await backendErrors('  http-check expect ! ok-status L7OK status 200'), [[2, 23, 'http-check', "'http-check expect' : [!] not supported with 'ok-status'."]]);
    assert.deepEqual(await backendErrors('  http-check expect comment x'), [[2, 14, 'http-check', "'http-check expect' : pattern not found."]]);
    const [code] = await backendErrors('  http-check expect status-code nosuch status 200');
    assert.match(code?.[3] ?? '', /^'http-check expect' : error detected while parsing status-code expression : .*nosuch/);
    const [onError] = await backendErrors("  http-check expect on-error '%[nosuch]' status 200");
    assert.match(onError?.[3] ?? '', /^'http-check expect' : '%\[nosuch\]' invalid log-format string \(.*nosuch/);
    const [custom] = await backendErrors('  http-check expect custom');
    assert.match(custom?.[3] ?? '', /^'http-check expect custom' is internal to HAProxy's protocol checks/);
  });

  it('takes the options before or after the pattern, and string-lf', async () => {
    const hc = await httpCheck(
      '  option httpchk',
      "  http-check expect min-recv abc comment c1 ok-status l7okc error-status L6RSP tout-status L4TOUT status 200 on-success 'ok %[srv_name]' on-error 'ko %[status]' status-code res.hdr(x-code)",
      "  http-check expect ! string-lf '%[srv_name]' comment c2",
      '  http-check expect hdr name x-a comment c3',
    );
    assert.deepEqual(hc?.expect, [
      {
        negate: false, kind: 'status', pattern: '200', minRecv: 0, comment: 'c1', okStatus: 'L7OKC', errorStatus: 'L6RSP', toutStatus: 'L4TOUT',
        onSuccess: 'ok %[srv_name]', onError: 'ko %[status]', statusCode: 'res.hdr(x-code)',
      },
      { negate: true, kind: 'string-lf', pattern: '%[srv_name]', comment: 'c2' },
      { negate: false, kind: 'hdr', pattern: 'x-a', header: { nameMatch: 'str', valueMatch: 'str', value: undefined }, comment: 'c3' },
    ]);
  });
});

describe('http-check set-var / unset-var and -lf patterns', () => {
  it('keeps set-var(check.*) and unset-var(check.*) in place among the expects; name-lf/value-lf as formats', async () => {
    const hc = await httpCheck(
      '  option httpchk',
      '  http-check set-var(check.h) res.fhdr(x-name)',
      "  http-check expect hdr name-lf -m str '%[var(check.h)]' value-lf -m beg '%[str(v)]'",
      '  http-check unset-var(check.h)',
    );
    assert.deepEqual(hc?.expect, [
      { negate: false, kind: 'set-var', pattern: 'check.h', expression: 'res.fhdr(x-name)' },
      { negate: false, kind: 'hdr', pattern: '%[var(check.h)]', header: { nameMatch: 'str', valueMatch: 'beg', value: '%[str(v)]', nameFormat: true, valueFormat: true } },
      { negate: false, kind: 'unset-var', pattern: 'check.h' },
    ]);
  });

  it('accepts every scope, as HAProxy 2.6 (proc and sess reach stores, txn/req/res store nothing)', async () => {
    const hc = await httpCheck('  option httpchk', '  http-check set-var(proc.p) int(1)', '  http-check set-var(sess.s) int(2)', '  http-check set-var(txn.t) int(3)', '  http-check unset-var(req.r)');
    assert.deepEqual(
      hc?.expect?.map((e) => e.pattern),
      ['proc.p', 'sess.s', 'txn.t', 'req.r'],
    );
  });

  it('refuses bad names and bad expressions', async () => {
    const [name] = await backendErrors('  http-check unset-var(x)');
    assert.match(name?.[3] ?? '', /^'http-check unset-var' : invalid variable name 'x'/);
    const [expression] = await backendErrors('  http-check set-var(check.x) nosuchfetch');
    assert.match(expression?.[3] ?? '', /^'http-check set-var' : .*nosuchfetch/);
  });
});

describe('http-check rules', () => {
  it('set-var-fmt(check.*) takes a log-format string; a typo gets HAProxy\'s list', async () => {
    const hc = await httpCheck('  option httpchk', "  http-check set-var-fmt(check.x) 'v=%[srv_name]'", '  http-check expect status 200');
    assert.deepEqual(hc?.expect[0], { negate: false, kind: 'set-var-fmt', pattern: 'check.x', expression: 'v=%[srv_name]' });
    const [format] = await backendErrors("  http-check set-var-fmt(check.x) '%[nosuch]'");
    assert.match(format?.[3] ?? '', /^'http-check set-var-fmt' : '%\[nosuch\]' invalid log-format string/);
    const [typo] = await backendErrors('  http-check expct status 200');
    assert.match(
      typo?.[3] ?? '',
      /^'http-check' only supports 'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt\(\*\)', 'set-var\(\*\)', 'unset-var\(\*\)'\. but got 'expct'; did you mean 'expect'\?$/,
    );
  });

  it('http-check connect opens a further request; set-var before a send runs before it; -lf values are kept as formats', async () => {
    const hc = await httpCheck(
      '  option httpchk',
      '  http-check comment first',
      '  http-check connect addr 127.0.0.1:81 proto h2',
      '  http-check set-var(check.p) str(/a)',
      '  http-check send meth GET uri-lf "%[var(check.p)]" hdr x-t "s=%[srv_name]"',
      '  http-check expect status 200',
      '  http-check connect port 82 ssl sni s.example alpn h2 send-proxy linger comment c default',
      '  http-check unset-var(check.p)',
      '  http-check send body-lf "b %[be_name]"',
    );
    assert.equal(hc?.uri, '%[var(check.p)]');
    assert.equal(hc?.uriFormat, true);
    assert.deepEqual(hc?.headers, [['x-t', 's=%[srv_name]']]);
    assert.deepEqual(hc?.connect, {
      action: 'connect', isDefault: false, port: 81, addr: '127.0.0.1', sendProxy: false, ssl: false, sni: undefined, alpn: undefined, linger: false, comment: undefined, proto: 'h2',
    });
    assert.deepEqual(hc?.before, [{ negate: false, kind: 'set-var', pattern: 'check.p', expression: 'str(/a)' }]);
    assert.deepEqual(hc?.expect, [{ negate: false, kind: 'status', pattern: '200' }]);
    assert.deepEqual(hc?.next, [
      {
        connect: { action: 'connect', isDefault: true, port: 82, addr: undefined, sendProxy: true, ssl: true, sni: 's.example', alpn: 'h2', linger: true, comment: 'c' },
        before: [{ negate: false, kind: 'unset-var', pattern: 'check.p' }],
        method: 'OPTIONS',
        uri: '/',
        uriFormat: false,
        version: 'HTTP/1.0',
        headers: [],
        body: 'b %[be_name]',
        bodyFormat: true,
        expect: [],
      },
    ]);
  });

  it("refuses http-check rules out of HAProxy's order and bad connect arguments, with HAProxy's texts", async () => {
    const errors = async (...lines: string[]): Promise<string | undefined> => (await backendErrors('  option httpchk', ...lines))[0]?.[3];
    assert.equal(
      await errors('  http-check send meth GET', '  http-check connect'),
      "'http-check connect' : first step MUST also be a 'connect', optionally preceded by a 'set-var', an 'unset-var' or a 'comment', when there is a 'connect' step in the tcp-check ruleset.",
    );
    assert.equal(await errors('  http-check connect', '  http-check expect status 200'), "'http-check expect' : unable to add http-check expect rule at step 2 (missing send rule)..");
    assert.equal(await errors('  http-check connect', '  http-check send', '  http-check connect'), "'http-check connect' : unable to add http-check connect rule at step 2 (missing expect rule)..");
    assert.equal(
      await errors('  http-check connect foo'),
      "'http-check connect' : expects 'comment', 'port', 'addr', 'send-proxy', 'ssl', 'sni', 'alpn' or 'via-socks4', 'linger', 'default' but got 'foo' as argument..",
    );
    assert.equal(await errors('  http-check connect port'), "'http-check connect' : 'port' expects a port number or a sample expression as argument..");
    assert.equal(await errors('  http-check connect port 70000'), "'http-check connect' : expects a valid TCP port (from range 1 to 65535) or a sample expression, got 70000..");
    assert.equal(await errors('  http-check connect sni'), "'http-check connect' : 'sni' expects a string as argument..");
    assert.equal(await errors('  http-check connect proto'), "'http-check connect' : 'proto' expects a MUX protocol as argument..");
    assert.equal(await errors('  http-check connect proto foo'), "'http-check connect' : 'proto' : unknown MUX protocol 'foo'..");
    assert.equal(await errors('  http-check connect proto none'), "'http-check connect' : 'proto' : invalid MUX protocol 'none' for http-check.");
    assert.equal(await errors('  http-check comment'), "'http-check comment' : expects a string as argument.");
  });

  it('check-proto h1|h2 on servers, with HAProxy\'s texts for a bad one', async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'backend b', '  option httpchk', '  server s 127.0.0.1:80 check check-proto h2'));
    assert.equal(model.backends[0]?.servers[0]?.check?.proto, 'h2');
    const [unknown] = await backendErrors('  option httpchk', '  server s 127.0.0.1:80 check check-proto foo');
    assert.match(unknown?.[3] ?? '', /'check-proto' :  unknown MUX protocol 'foo'/);
    const [tcp] = await backendErrors('  server s 127.0.0.1:80 check check-proto h2');
    assert.match(tcp?.[3] ?? '', /server 's' uses an incompatible MUX protocol for the selected check type/);
  });

  it("inherits the defaults' rules only when the proxy writes none", async () => {
    const model = await parse(
      cfg(
        'defaults',
        ...TIMEOUTS,
        '  option httpchk GET /',
        '  http-check send hdr Host d',
        '  http-check expect status 200',
        'backend a',
        'backend b',
        '  http-check expect status 204',
      ),
    );
    assert.deepEqual(model.backends[0]?.healthCheck?.http?.expect, [{ negate: false, kind: 'status', pattern: '200' }]);
    assert.deepEqual(model.backends[0]?.healthCheck?.http?.headers, [['Host', 'd']]);
    assert.deepEqual(model.backends[1]?.healthCheck?.http?.expect, [{ negate: false, kind: 'status', pattern: '204' }]);
    assert.deepEqual(model.backends[1]?.healthCheck?.http?.headers, []);
  });

  it('disable-on-404 is a proxy option: inherited from defaults, kept by own rules, ignored with a warning under option tcp-check', async () => {
    const model = await parse(
      cfg(
        'defaults', ...TIMEOUTS, '  option httpchk', '  http-check disable-on-404',
        'backend a', '  http-check send uri /x', '  server s 10.0.0.1:80 check',
        'backend b', '  option tcp-check', '  server s 10.0.0.1:80 check',
      ),
    );
    assert.equal(model.backends[0]?.healthCheck?.disableOn404, true);
    assert.equal(model.backends[1]?.healthCheck?.disableOn404, undefined);
    assert.deepEqual(warnings(model), [[10, 'http-check', "'disable-on-404' will be ignored for backend 'b' (requires 'option httpchk')."]]);
    assert.deepEqual(await backendErrors('  http-check disable-on-404 now'), [[2, 29, 'http-check', "'http-check' cannot handle unexpected argument 'now'."]]);
  });

  it("warns when rules are written without option httpchk, as HAProxy", async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'backend b', '  http-check expect status 200', '  server s 10.0.0.1:80 check'));
    assert.deepEqual(model.backends[0]?.healthCheck, { kind: 'tcp', http: undefined });
    assert.deepEqual(warnings(model), [[6, 'http-check', "backend 'b' uses http-check rules without 'option httpchk', so the rules are ignored."]]);
  });
});

describe('spread-checks / max-spread-checks (global)', () => {
  it('are kept in the global model; 0 means none', async () => {
    const model = await parse(cfg('global', '  spread-checks 5', '  max-spread-checks 1500ms', 'defaults', ...TIMEOUTS));
    assert.equal(model.global.spreadChecks, 5);
    assert.equal(model.global.maxSpreadChecks, 1500);
    const none = await parse(cfg('global', '  spread-checks 0', 'defaults', ...TIMEOUTS));
    assert.equal(none.global.spreadChecks, undefined);
  });

  it('refuses a percentage outside 0..50 and a bad time, at their line', async () => {
    const [[line, , keyword, message]] = (await errors(cfg('global', '  spread-checks 60'))) as [[number, number, string, string]];
    assert.deepEqual([line, keyword], [2, 'spread-checks']);
    assert.match(message, /between 0 and 50/);
    const [[line2, , keyword2]] = (await errors(cfg('global', '  max-spread-checks 3x'))) as [[number, number, string, string]];
    assert.deepEqual([line2, keyword2], [2, 'max-spread-checks']);
  });

  it('a second non-zero spread-checks is warned about and ignored, as HAProxy', async () => {
    const model = await parse(cfg('global', '  spread-checks 5', '  spread-checks 9', 'defaults', ...TIMEOUTS));
    assert.equal(model.global.spreadChecks, 5);
    assert.deepEqual(warnings(model).map(([l, k]) => [l, k]), [[3, 'spread-checks']]);
  });
});
