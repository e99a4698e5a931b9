import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendErrors, cfg, errors, httpBackend, parse, TIMEOUTS, warnings } from './support.ts';

describe('cookie', () => {
  it('parses every option, with their defaults', async () => {
    const backend = await httpBackend('  cookie SRV insert', '  server s 10.0.0.1:80 cookie s1');
    assert.deepEqual(backend.cookie, {
      name: 'SRV',
      mode: 'insert',
      indirect: false,
      nocache: false,
      httponly: false,
      secure: false,
      postonly: false,
      preserve: false,
      domains: [],
      maxidle: undefined,
      maxlife: undefined,
      source: { file: 't.cfg', line: 7 },
    });
    const full = await httpBackend(
      '  cookie JSESSION insert indirect nocache postonly preserve httponly secure domain .a.example domain b.example maxidle 30m maxlife 8h',
    );
    assert.deepEqual({ ...full.cookie, source: undefined }, {
      name: 'JSESSION',
      mode: 'insert',
      indirect: true,
      nocache: true,
      httponly: true,
      secure: true,
      postonly: true,
      preserve: true,
      domains: ['.a.example', 'b.example'],
      maxidle: 1_800_000,
      maxlife: 28_800_000,
      source: undefined,
    });
  });

  it('reads maxidle/maxlife in seconds without a unit, as HAProxy', async () => {
    const backend = await httpBackend('  cookie C insert maxidle 90 maxlife 0');
    assert.deepEqual([backend.cookie?.maxidle, backend.cookie?.maxlife], [90_000, undefined]);
  });

  it('accepts rewrite and prefix modes', async () => {
    assert.equal((await httpBackend('  cookie C rewrite')).cookie?.mode, 'rewrite');
    assert.equal((await httpBackend('  cookie C prefix indirect')).cookie?.mode, 'prefix');
  });

  it('is inherited from defaults and replaced by a later line', async () => {
    const model = await parse(cfg('defaults', '  mode http', '  cookie D insert', ...TIMEOUTS, 'backend a', 'backend b', '  cookie B prefix'));
    assert.deepEqual(model.backends.map((b) => [b.cookie?.name, b.cookie?.mode]), [['D', 'insert'], ['B', 'prefix']]);
  });

  it("refuses HAProxy's incompatible combinations", async () => {
    assert.deepEqual(await backendErrors('  cookie C insert prefix'), [[2, 19, 'cookie', "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible."]]);
    assert.deepEqual(await backendErrors('  cookie C rewrite indirect'), [[2, 3, 'cookie', "cookie 'rewrite' and 'indirect' modes are incompatible."]]);
    assert.deepEqual(await backendErrors('  cookie C prefix preserve'), [[2, 3, 'cookie', "cookie 'preserve' requires at least 'insert' or 'indirect'."]]);
    assert.deepEqual(await backendErrors('  cookie'), [[2, 3, 'cookie', "'cookie' expects <cookie_name> as argument."]]);
    assert.deepEqual(await backendErrors('  cookie C insert domain'), [[2, 19, 'cookie', "'domain' expects <domain> as argument."]]);
    assert.deepEqual(await backendErrors('  cookie C insert domain a/b.c'), [[2, 26, 'cookie', "character '/' is not permitted in domain name 'a/b.c'."]]);
    const [unknown] = await backendErrors('  cookie C insert nocach');
    assert.match(unknown?.[3] ?? '', /^'cookie' supports 'rewrite', .* \(got 'nocach'\); did you mean 'nocache'\?\.$/);
  });

  it('a cookie without a mode is passive (the servers set it); indirect and preserve combine with it', async () => {
    assert.equal((await httpBackend('  cookie C')).cookie?.mode, 'passive');
    const indirect = await httpBackend('  cookie C indirect preserve nocache');
    assert.deepEqual([indirect.cookie?.mode, indirect.cookie?.indirect, indirect.cookie?.preserve], ['passive', true, true]);
    assert.deepEqual(await backendErrors('  cookie C preserve'), [[2, 3, 'cookie', "cookie 'preserve' requires at least 'insert' or 'indirect'."]]);
  });

  it('reads attr (repeatable) and dynamic, and dynamic-cookie-key inherited from defaults', async () => {
    const model = await parse(
      cfg('defaults', '  mode http', '  dynamic-cookie-key s3cret', ...TIMEOUTS, 'backend b', '  cookie C insert dynamic attr SameSite=None attr "Max-Age=60"'),
    );
    const b = model.backends[0];
    assert.deepEqual([b?.cookie?.attrs, b?.cookie?.dynamic, b?.dynamicCookieKey], ['SameSite=None; Max-Age=60', true, 's3cret']);
  });

  it("keeps earlier cookie lines' attributes, as HAProxy 2.6", async () => {
    const model = await parse(cfg('defaults', '  mode http', '  cookie D insert attr A=1', ...TIMEOUTS, 'backend a', '  cookie B insert attr B=2', 'backend b', '  cookie B insert'));
    assert.deepEqual(model.backends.map((b) => b.cookie?.attrs), ['A=1; B=2', 'A=1']);
  });

  it("refuses HAProxy's bad attr values", async () => {
    assert.deepEqual(await backendErrors('  cookie C insert attr'), [[2, 19, 'cookie', "'attr' expects <value> as argument."]]);
    assert.deepEqual(await backendErrors('  cookie C insert attr ""'), [[2, 19, 'cookie', "'attr' expects <value> as argument."]]);
    assert.deepEqual(await backendErrors('  cookie C insert attr "a;b"'), [[2, 24, 'cookie', "character '%x3B' is not permitted in attribute value."]]);
    assert.deepEqual(await backendErrors('  cookie C insert attr "a\tb"'), [[2, 24, 'cookie', "character '%x09' is not permitted in attribute value."]]);
    assert.deepEqual(await backendErrors('  dynamic-cookie-key'), [[2, 3, 'dynamic-cookie-key', "'dynamic-cookie-key' expects <secret_key> as argument."]]);
  });

  it("warns as HAProxy in a frontend and about equal dynamic cookies", async () => {
    const model = await parse(
      cfg(
        'defaults', '  mode http', ...TIMEOUTS,
        'frontend f', '  bind :8080', '  dynamic-cookie-key k', '  cookie C insert dynamic', '  default_backend b',
        'backend b', '  dynamic-cookie-key k', '  cookie C insert dynamic', '  server s1 10.0.0.1:80', '  server s2 10.0.0.1:80', '  server s3 10.0.0.1:80 disabled',
      ),
    );
    assert.deepEqual(warnings(model), [
      [8, 'dynamic-cookie-key', "'dynamic-cookie-key' ignored because frontend 'f' has no backend capability."],
      [9, 'cookie', "'cookie' ignored because frontend 'f' has no backend capability."],
      [9, 'dynamic', "'dynamic' ignored because frontend 'f' has no backend capability."],
      [15, 'server', "We generated two equal cookies for two different servers.\nPlease change the secret key for 'b'."],
    ]);
  });

  it('warns about a domain without a dot and maxidle outside insert mode', async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'backend b', '  cookie C insert domain local', 'backend c', '  cookie C prefix maxidle 1m'));
    assert.deepEqual(warnings(model), [
      [7, 'cookie', "domain 'local' contains no embedded dot, this configuration may not work properly (see RFC6265#5.2.3)."],
      [9, 'cookie', "cookie 'maxidle' and 'maxlife' only apply to 'insert' mode; ignored."],
    ]);
    assert.equal(model.backends[1]?.cookie?.maxidle, undefined);
  });

  it("is dropped in a tcp backend with HAProxy's warning", async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, 'backend b', '  cookie C insert', '  server s 10.0.0.1:80 cookie s'));
    assert.equal(model.backends[0]?.cookie, undefined);
    assert.deepEqual(warnings(model), [[6, 'cookie', "cookie will be ignored for backend 'b' (needs 'mode http')."]]);
  });
});

describe('stick-table', () => {
  it('parses every type with its key length', async () => {
    const cases: [string, string, number][] = [
      ['ip', 'ip', 4],
      ['ipv6', 'ipv6', 16],
      ['integer', 'integer', 4],
      ['string', 'string', 32],
      ['string len 64', 'string', 64],
      ['binary len 8', 'binary', 8],
    ];
    for (const [type, expected, keyLength] of cases) {
      const table = (await httpBackend(`  stick-table type ${type} size 1k`)).stickTable;
      assert.deepEqual([table?.type, table?.keyLength, table?.size], [expected, keyLength, 1024], type);
    }
  });

  it('parses size suffixes, expire and nopurge', async () => {
    assert.deepEqual(await httpBackend('  stick-table type ip size 2m expire 30m nopurge').then((b) => b.stickTable), {
      type: 'ip',
      keyLength: 4,
      size: 2 * 1024 * 1024,
      expire: 1_800_000,
      nopurge: true,
      source: { file: 't.cfg', line: 7 },
    });
    assert.equal((await httpBackend('  stick-table size 100 type ip')).stickTable?.expire, undefined);
  });

  it("refuses bad arguments with HAProxy's messages", async () => {
    assert.deepEqual(await backendErrors('  stick-table type ip'), [[2, 3, 'stick-table', 'stick-table: missing size.']]);
    assert.deepEqual(await backendErrors('  stick-table size 10'), [[2, 3, 'stick-table', 'stick-table: missing type.']]);
    assert.deepEqual(await backendErrors('  stick-table type mac size 10'), [[2, 20, 'stick-table', 'stick-table: unknown type \'mac\'.']]);
    assert.deepEqual(await backendErrors('  stick-table type ip size'), [[2, 23, 'stick-table', "stick-table: missing argument after 'size'."]]);
    assert.deepEqual(await backendErrors('  stick-table type ip size 10x'), [
      [2, 28, 'stick-table', "stick-table: invalid size '10x' in argument of 'size' (expected a number with an optional k, m or g suffix)."],
    ]);
    assert.deepEqual(await backendErrors('  stick-table type ip size 1 expir 1m'), [[2, 30, 'stick-table', "stick-table: unknown argument 'expir'; did you mean 'expire'?."]]);
    assert.deepEqual(await backendErrors('  stick-table type ip size 1 peers p'), [[2, 1, 'stick-table', "Proxy 'b': unable to find sync peers 'p'."]]);
    assert.deepEqual(await backendErrors('  stick-table type ip size 1 srvkey ip'), [
      [2, 37, 'stick-table', "stick-table: unexpected value 'ip' for 'srvkey' argument (expects 'name' or 'addr')."],
    ]);
    for (const option of ['write-to t', 'recv-only']) {
      assert.deepEqual(await backendErrors(`  stick-table type ip size 1 ${option}`), [
        [2, 30, 'stick-table', `stick-table: '${option.split(' ')[0]}' is not supported by Switchyard yet.`],
      ]);
    }
  });

  it('is refused in defaults, accepted in frontends, and declared once per proxy', async () => {
    assert.deepEqual(await errors(cfg('defaults', '  stick-table type ip size 1')), [
      [2, 3, 'stick-table', "'stick-table' is not supported in 'defaults' section."],
    ]);
    const frontendTable = (await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend f', '  bind :80', '  stick-table type ip size 1'))).frontends[0]?.stickTable;
    assert.deepEqual([frontendTable?.type, frontendTable?.size], ['ip', 1]);
    assert.deepEqual(await backendErrors('  stick-table type ip size 1', '  stick-table type ip size 2'), [
      [3, 3, 'stick-table', "stick-table: backend 'b' already has a stick-table, declared at t.cfg:2."],
    ]);
  });
});

describe('stick rules', () => {
  it('parses on, match, store-request (and its alias store) with their table', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        'backend b',
        '  stick-table type string len 40 size 1m',
        '  stick on src',
        '  stick match req.cookie(SID) table t',
        '  stick store-request req.hdr(x-user)',
        '  stick store url_param(id)',
        'backend t',
        '  stick-table type string size 10',
      ),
    );
    assert.deepEqual(model.backends[0]?.stickRules, [
      { kind: 'on', expression: 'src', table: undefined, source: { file: 't.cfg', line: 8 } },
      { kind: 'match', expression: 'req.cookie(SID)', table: 't', source: { file: 't.cfg', line: 9 } },
      { kind: 'store-request', expression: 'req.hdr(x-user)', table: undefined, source: { file: 't.cfg', line: 10 } },
      { kind: 'store-request', expression: 'url_param(id)', table: undefined, source: { file: 't.cfg', line: 11 } },
    ]);
    assert.deepEqual(model.backends[1]?.stickRules, []);
  });

  it("needs its table, with HAProxy's message", async () => {
    assert.deepEqual(await errors(cfg('backend b', '  stick on src')), [[2, 3, 'stick', "Proxy 'b': unable to find stick-table 'b'."]]);
    assert.deepEqual(await errors(cfg('backend b', '  stick on src table nowhere', 'backend c')), [
      [2, 22, 'stick', "Proxy 'b': unable to find stick-table 'nowhere'."],
    ]);
    // A proxy without a stick-table is no table.
    assert.deepEqual(await errors(cfg('backend b', '  stick on src table c', 'backend c')), [[2, 22, 'stick', "Proxy 'b': unable to find stick-table 'c'."]]);
  });

  it('validates the expression and refuses what is not supported yet', async () => {
    const [bad] = await backendErrors('  stick on req.nope(x)');
    assert.deepEqual(bad?.slice(0, 3), [2, 12, 'stick']);
    assert.match(bad?.[3] ?? '', /^'stick': unknown fetch method 'req\.nope'/);
    assert.deepEqual(await backendErrors('  stick'), [[2, 3, 'stick', "'stick' expects 'on', 'match', or 'store'."]]);
    assert.deepEqual(await backendErrors('  stick on'), [[2, 9, 'stick', "'stick' expects a fetch method."]]);
    assert.deepEqual(await backendErrors('  stick on src if NOPE'), [
      [2, 19, 'stick', "'stick': error detected while parsing sticking condition : no such ACL : 'NOPE'."],
    ]);
    assert.deepEqual(await backendErrors('  stick on src tabel t'), [[2, 16, 'stick', "'stick': unknown keyword 'tabel'."]]);
    assert.deepEqual(await errors(cfg('defaults', '  stick on src')), [[2, 3, 'stick', "'stick' not allowed in 'defaults' section."]]);
  });

  it('store-response: response fetches and conditions, with HAProxy\'s checks and messages', async () => {
    const model = await parse(
      cfg(
        'defaults', '  mode http', ...TIMEOUTS,
        'backend b',
        '  stick-table type string len 40 size 1m',
        '  acl ok status 200',
        '  stick store-response res.cook(SID) if ok',
        '  stick store-response res.hdr(x-sid) unless { res.hdr(x-skip) -m found }',
        '  stick match req.cook(SID) if { req.hdr(host) -m found }',
      ),
    );
    const rules = model.backends[0]?.stickRules ?? [];
    assert.deepEqual(rules.map((r) => [r.kind, r.expression, r.condition?.kind]), [
      ['store-response', 'res.cook(SID)', 'if'],
      ['store-response', 'res.hdr(x-sid)', 'unless'],
      ['match', 'req.cook(SID)', 'if'],
    ]);
    assert.deepEqual(await backendErrors('  stick-table type string size 1', '  stick store-response req.hdr(x)'), [
      [3, 24, 'stick', "'stick': fetch method 'req.hdr' extracts information from 'HTTP request headers', none of which is available for 'store-response'."],
    ]);
    assert.deepEqual(await backendErrors('  stick-table type string size 1', '  stick on res.hdr(x)'), [
      [3, 12, 'stick', "'stick': fetch method 'res.hdr' extracts information from 'HTTP response headers', none of which is available during request."],
    ]);
    assert.deepEqual(await backendErrors('  stick store-response res.cook(x) table nope'), [[2, 42, 'stick', "Proxy 'b': unable to find store table 'nope'."]]);
    const warned = await parse(
      cfg('defaults', '  mode http', ...TIMEOUTS, 'backend b', '  stick-table type string size 1', '  stick store-response res.cook(x) if { req.hdr(y) -m found }'),
    );
    // HAProxy words it "... because it uses keyword 'req.hdr' which is incompatible with ..." (the shared condition checker's wording differs).
    assert.deepEqual(warnings(warned).map(([line, keyword]) => [line, keyword]), [[8, 'stick']]);
    assert.match(warnings(warned)[0]?.[2] ?? '', /^anonymous acl will never match because .* incompatible with 'backend stick-store rule'\.$/);
  });

  it('is ignored in a frontend with a warning', async () => {
    const model = await parse(cfg('frontend f', '  bind :80', '  timeout client 1s', '  stick on src'));
    assert.deepEqual(warnings(model), [[4, 'stick', "'stick' ignored because frontend 'f' has no backend capability."]]);
  });
});

describe('option persist', () => {
  it('is off by default and set by the option', async () => {
    assert.equal((await httpBackend()).options.persist, false);
    assert.equal((await httpBackend('  option persist')).options.persist, true);
    assert.equal((await httpBackend('  option persist', '  no option persist')).options.persist, false);
  });
});

describe('backend logs', () => {
  it('resolve like a frontend: `log global`, own targets, `no log`', async () => {
    const model = await parse(
      cfg('global', '  log stderr local1', 'defaults', '  log global', ...TIMEOUTS, 'backend a', 'backend b', '  log stdout local2', 'backend c', '  no log'),
    );
    assert.deepEqual(model.backends.map((b) => b.logs?.map((l) => [l.target, l.facility])), [
      [['stderr', 'local1']],
      [
        ['stderr', 'local1'],
        ['stdout', 'local2'],
      ],
      [],
    ]);
  });
});

describe('stick-table store and stick counter actions', () => {
  it('parses store lists with rate periods, repeated store words, and warns on a duplicate', async () => {
    const table = (await httpBackend('  stick-table type ip size 10 store http_req_rate(10s),gpc0 store conn_cur,gpc0_rate(1m)')).stickTable;
    assert.deepEqual(table?.store, [
      { type: 'http_req_rate', period: 10_000 },
      { type: 'gpc0' },
      { type: 'conn_cur' },
      { type: 'gpc0_rate', period: 60_000 },
    ]);
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, 'backend b', '  stick-table type ip size 10 store gpc0,gpc0'));
    assert.deepEqual(warnings(model), [[7, 'stick-table', "stick-table: store option 'gpc0' already enabled, ignored."]]);
  });

  it("refuses bad store items with HAProxy's messages", async () => {
    assert.deepEqual(await backendErrors('  stick-table type ip size 1 store http_req_rate'), [
      [2, 36, 'stick-table', "stick-table: missing argument to store option 'http_req_rate'."],
    ]);
    assert.deepEqual(await backendErrors('  stick-table type ip size 1 store foo'), [[2, 36, 'stick-table', "stick-table: unknown store option 'foo'."]]);
    assert.deepEqual(await backendErrors('  stick-table type ip size 1 store gpc0(1s)'), [
      [2, 36, 'stick-table', "stick-table: unexpected argument to store option 'gpc0'."],
    ]);
    assert.deepEqual(await backendErrors('  stick-table type ip size 1 store conn_rate(10s'), [
      [2, 36, 'stick-table', "stick-table: missing closing parenthesis after store option 'conn_rate'."],
    ]);
  });

  it('track-sc needs a table: its own proxy\'s or the one it names', async () => {
    const base = ['defaults', '  mode http', ...TIMEOUTS, 'frontend f', '  bind :80', '  stick-table type ip size 10 store http_req_rate(10s)'];
    const ok = await parse(cfg(...base, '  http-request track-sc0 src', '  http-request track-sc1 src table f', '  default_backend b', 'backend b'));
    assert.deepEqual(
      ok.frontends[0]?.httpRequestRules?.map((r) => (r.action === 'track-sc' ? [r.slot, r.key, r.table] : [])),
      [[0, 'src', undefined], [1, 'src', 'f']],
    );
    const [missing] = await errors(cfg(...base, '  http-request track-sc2 src table nope', 'backend b'));
    assert.equal(missing?.[3], "Proxy 'f': unable to find table 'nope' referenced by track-sc2.");
    const [range] = await errors(cfg(...base, '  http-request track-sc3 src', 'backend b'));
    assert.match(range?.[3] ?? '', /3 track-sc number exceeding 2 \(MAX_SESS_STKCTR-1\) value/);
    const [noTable] = await errors(cfg('defaults', '  mode http', ...TIMEOUTS, 'frontend g', '  bind :80', '  http-request sc-inc-gpc0(1)', '  http-request track-sc0 src'));
    assert.equal(noTable?.[3], "Proxy 'g': unable to find table 'g' referenced by track-sc0.");
  });
});

describe('persist rdp-cookie', () => {
  it("reads the cookie name (default msts), inherited from defaults, with HAProxy's messages", async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, '  persist rdp-cookie', 'backend a', 'backend b', '  persist rdp-cookie(lb)'));
    assert.deepEqual(model.backends.map((b) => b.rdpCookiePersist), ['msts', 'lb']);
    assert.deepEqual(await backendErrors('  persist'), [[2, 3, 'persist', 'missing persist method.']]);
    assert.deepEqual(await backendErrors('  persist cookie'), [[2, 11, 'persist', 'unknown persist method.']]);
    assert.deepEqual(await backendErrors('  persist rdp-cookie()'), [[2, 11, 'persist', "persist rdp-cookie(name)' requires an rdp cookie name."]]);
    assert.deepEqual(await backendErrors('  persist rdp-cookie(a) b'), [[2, 25, 'persist', "'persist' cannot handle unexpected argument 'b'."]]);
  });
});
