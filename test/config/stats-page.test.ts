import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cfg, errors, parse, TIMEOUTS, warnings } from './support.ts';

const head = ['defaults', '  mode http', ...TIMEOUTS];

describe('stats page keywords (listen, frontend, backend)', () => {
  it("the seed's minimal config: `stats enable` + `stats uri`, HAProxy's defaults otherwise", async () => {
    const model = await parse(cfg(...head, 'listen stats', '  bind 127.0.0.1:8404', '  stats enable', '  stats uri /stats'));
    const fe = model.frontends.find((f) => f.name === 'stats');
    const be = model.backends.find((b) => b.name === 'stats');
    assert.ok(fe?.stats && be?.stats);
    assert.equal(fe.stats.uri, '/stats');
    assert.equal(fe.stats.refresh, 0);
    assert.equal(fe.stats.realm, undefined);
    assert.deepEqual([fe.stats.users, fe.stats.scopes, fe.stats.admin, fe.stats.accessRules], [[], [], [], []]);
    const bare = await parse(cfg(...head, 'listen stats', '  bind 127.0.0.1:8404', '  stats enable'));
    assert.equal(bare.frontends[0]?.stats?.uri, '/haproxy?stats');
    const none = await parse(cfg(...head, 'listen l', '  bind 127.0.0.1:8404', '  server s 127.0.0.1:80'));
    assert.equal(none.frontends[0]?.stats, undefined);
  });

  it('reads every option', async () => {
    const model = await parse(
      cfg(
        ...head,
        'frontend f',
        '  bind 127.0.0.1:8404',
        '  acl lan src 127.0.0.0/8',
        '  stats uri /admin?stats',
        '  stats refresh 1m',
        '  stats auth admin:secret',
        '  stats auth ops:a:b',
        '  stats realm Ops\\ area',
        '  stats hide-version',
        '  stats show-legends',
        '  stats show-node edge-1',
        '  stats show-desc Primary load balancer',
        '  stats scope .',
        '  stats scope app',
        '  stats admin if lan',
        '  stats admin unless TRUE',
      ),
    );
    const stats = model.frontends[0]?.stats;
    assert.ok(stats);
    assert.equal(stats.uri, '/admin?stats');
    assert.equal(stats.refresh, 60);
    assert.deepEqual(stats.users, [
      { user: 'admin', password: 'secret' },
      { user: 'ops', password: 'a:b' },
    ]);
    assert.equal(stats.realm, 'Ops area');
    assert.equal(stats.hideVersion, true);
    assert.equal(stats.showLegends, true);
    assert.equal(stats.showNode, 'edge-1');
    assert.equal(stats.showDesc, 'Primary load balancer');
    assert.deepEqual(stats.scopes, ['.', 'app']);
    assert.deepEqual(
      stats.admin.map((c) => c.kind),
      ['if', 'unless'],
    );
  });

  it('stats http-request allow|deny|auth, with the stats realm by default', async () => {
    const model = await parse(
      cfg(
        ...head,
        'backend b',
        '  stats enable',
        '  stats http-request allow if { src 127.0.0.1 }',
        '  stats http-request auth if { path_end x }',
        '  stats http-request auth realm R',
      ),
    );
    const rules = model.backends[0]?.stats?.accessRules ?? [];
    assert.deepEqual(
      rules.map((r) => [r.action, r.action === 'auth' ? r.realm : '', r.condition?.kind]),
      [
        ['allow', '', 'if'],
        ['auth', 'HAProxy Statistics', 'if'],
        ['auth', 'R', undefined],
      ],
    );
  });

  it('a proxy inherits its defaults\' page until a stats line of its own starts a fresh one', async () => {
    const model = await parse(
      cfg('defaults', '  mode http', ...TIMEOUTS, '  stats uri /s', '  stats refresh 5s', 'listen a', '  bind 127.0.0.1:1', 'listen b', '  bind 127.0.0.1:2', '  stats hide-version'),
    );
    const a = model.frontends.find((f) => f.name === 'a')?.stats;
    const b = model.frontends.find((f) => f.name === 'b')?.stats;
    assert.equal(a?.uri, '/s');
    assert.equal(a?.refresh, 5);
    assert.equal(b?.uri, '/haproxy?stats');
    assert.equal(b?.refresh, 0);
    assert.equal(b?.hideVersion, true);
  });

  it("refuses what it cannot honour, at its line, with HAProxy's messages", async () => {
    const l = [...head, 'listen l', '  bind 127.0.0.1:1'];
    const line = l.length + 1;
    const first = async (text: string) => (await errors(cfg(...l, text)))[0]?.slice(3)[0];
    assert.equal(await first('  stats uri'), "'uri' needs an URI prefix.");
    assert.equal(await first('  stats realm'), "'realm' needs an realm name.");
    assert.equal(await first('  stats auth'), "'auth' needs a user:password account.");
    assert.equal(await first('  stats scope'), "'scope' needs a proxy name.");
    assert.equal(await first('  stats admin'), "'stats admin' requires either 'if' or 'unless' followed by a condition.");
    assert.equal(await first('  stats refresh 10x'), "unexpected character 'x' in argument to stats refresh interval.");
    assert.equal(await first('  stats refresh 10ms'), 'timer underflow in argument <10ms> to stats refresh interval, minimum non-null value is 1 s.');
    assert.equal(
      await first('  stats frobnicate'),
      "unknown stats parameter 'frobnicate', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.",
    );
    assert.equal(await first('  stats http-request redirect location /'), "'stats http-request redirect' is not supported by Switchyard (HAProxy's stats page implements 'allow', 'deny' and 'auth' only).");
    assert.equal(await first('  stats show-modules'), "'stats show-modules' is not supported by Switchyard (its stats modules are not shown on the page).");
    const both = await errors(cfg(...l, '  stats auth a:b', '  stats http-request deny'));
    assert.match(both[0]?.[3] ?? '', /stats 'auth'\/'realm' and 'http-request' can't be used at the same time/);
    const inDefaults = await errors(cfg('defaults', '  stats admin if TRUE', ...TIMEOUTS, 'listen l', '  bind 127.0.0.1:1'));
    assert.equal(inDefaults[0]?.[3], "'stats admin' not allowed in 'defaults' section.");
    assert.deepEqual((await errors(cfg(...l, '  stats uri')))[0]?.slice(0, 3), [line, 9, 'stats']);
  });

  it("warns as HAProxy on show-desc without text and on rules after an unconditional one", async () => {
    const model = await parse(cfg(...head, 'listen l', '  bind 127.0.0.1:1', '  stats show-desc', '  stats http-request allow', '  stats http-request deny'));
    assert.deepEqual(
      warnings(model).map((w) => w[2]),
      ["'show-desc' requires a parameter or 'desc' to be set in the global section.", "previous 'stats' action has no condition attached, further entries are NOOP."],
    );
  });
});
