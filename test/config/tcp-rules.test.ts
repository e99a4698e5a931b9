/**
 * `tcp-request` / `tcp-response` lines (src/config/keywords/tcp-rules.ts): what the model
 * carries, and the errors at their line (actions not supported yet, such as `track-sc0`, are
 * named; wrong sections; bad arguments).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { ConfigModel } from '../../src/config/model.ts';

const cfg = (...lines: string[]): string => `${lines.join('\n')}\n`;

function parse(text: string): Promise<ConfigModel> {
  return parseConfigText(text, 't.cfg');
}

async function errors(text: string): Promise<[number, string][]> {
  try {
    await parse(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.diagnostics.map((d) => [d.line, d.message]);
  }
  assert.fail('expected the configuration to be refused');
}

const frontend = (...lines: string[]): string => cfg('frontend f', '  mode tcp', '  bind :80', ...lines, '  default_backend b', 'backend b', '  mode tcp', '  server s 127.0.0.1:81');

describe('tcp rules: configuration', () => {
  it('keeps every rule set in order, with its condition, and the inspect delays', async () => {
    const model = await parse(
      cfg(
        'listen l',
        '  bind :80',
        '  tcp-request inspect-delay 5s',
        '  tcp-request connection reject if { src 10.0.0.0/8 }',
        '  tcp-request connection expect-proxy layer4 if { src 127.0.0.1 }',
        '  tcp-request session set-var(sess.a) src',
        '  tcp-request content accept if { req_ssl_hello_type 1 }',
        '  tcp-request content set-dst-port int(8443)',
        '  tcp-response inspect-delay 2s',
        '  tcp-response content close if { res.len gt 0 }',
        '  server s 127.0.0.1:81',
      ),
    );
    const tcp = model.frontends[0]?.tcpRules;
    assert.ok(tcp);
    assert.deepEqual(tcp.connection.map((r) => r.action), ['reject', 'expect-proxy']);
    assert.deepEqual(tcp.session.map((r) => r.action), ['set-var']);
    assert.deepEqual(tcp.content.map((r) => r.action), ['accept', 'set-dst-port']);
    assert.deepEqual(tcp.response.map((r) => r.action), ['close']);
    assert.equal(tcp.inspectDelay, 5000);
    assert.equal(tcp.responseInspectDelay, 2000);
    assert.equal(tcp.content[0]?.source.line, 7);
    assert.ok(tcp.content[0]?.condition);
  });

  it('inherits tcp-request inspect-delay from a named defaults section (HAProxy refuses it in an anonymous one)', async () => {
    const model = await parse(cfg('defaults d', '  mode tcp', '  tcp-request inspect-delay 3s', 'listen l from d', '  bind :80', '  server s 127.0.0.1:81'));
    assert.equal(model.frontends[0]?.tcpRules?.inspectDelay, 3000);
  });

  it('refuses actions not supported yet at their line, by name', async () => {
    const [[line, message]] = (await errors(frontend('  tcp-request connection set-mark 0x1'))) as [[number, string]];
    assert.equal(line, 4);
    assert.match(message, /^'tcp-request connection set-mark' is not supported by Switchyard yet/);
    assert.match((await errors(frontend('  tcp-request content use-service prometheus-exporter')))[0]?.[1] ?? '', /'tcp-request content use-service' is not supported/);
  });

  it('stick counter actions: track-sc with HAProxy\u2019s checks, sc-inc-gpc0, sc-set-gpt0', async () => {
    const model = await parse(cfg('frontend f', '  mode http', '  bind :8080', '  stick-table type ip size 1k store conn_cur,gpc0,gpt0', '  tcp-request connection track-sc0 src', '  tcp-request session sc-inc-gpc0(0)', '  tcp-request content sc-set-gpt0(0) 3', '  default_backend b', 'backend b', '  mode http', '  server s 127.0.0.1:1'));
    assert.deepEqual(model.frontends[0]?.tcpRules?.connection.map((r) => r.action), ['track-sc']);
    assert.match((await errors(frontend('  tcp-request connection track-sc3 src')))[0]?.[1] ?? '', /track-sc number exceeding 2/);
    assert.match((await errors(frontend('  tcp-request connection track-sc0 src table nosuch')))[0]?.[1] ?? '', /unable to find table 'nosuch'/);
    // A listen is resolved as a frontend and as a backend: one error, not two.
    assert.deepEqual(await errors(cfg('listen l', '  mode http', '  bind :8080', '  tcp-request connection track-sc0 src table nosuch', '  server s 127.0.0.1:1')), [
      [4, "Proxy 'l': unable to find table 'nosuch' referenced by track-sc0."],
    ]);
  });

  it('refuses unknown actions and sets, bad arguments, and tcp-response in a frontend', async () => {
    assert.match((await errors(frontend('  tcp-request content acept')))[0]?.[1] ?? '', /expects 'accept', .* but got 'acept'; did you mean 'accept'\?/);
    assert.match((await errors(frontend('  tcp-request contnet accept')))[0]?.[1] ?? '', /'tcp-request' expects 'connection', 'session', 'content', 'inspect-delay', but got 'contnet'/);
    assert.match((await errors(frontend('  tcp-request connection expect-proxy')))[0]?.[1] ?? '', /only supports 'layer4'/);
    assert.match((await errors(frontend('  tcp-request content accept foo')))[0]?.[1] ?? '', /expects either 'if' or 'unless' .* but found 'foo'/);
    assert.match((await errors(frontend('  tcp-request content reject if { nosuchfetch }')))[0]?.[1] ?? '', /condition/);
    assert.deepEqual(await errors(frontend('  tcp-response content reject')), [[4, "tcp-response content is only allowed in 'backend' sections or 'defaults' section with a name"]]);
    assert.match((await errors(frontend('  tcp-request inspect-delay soon')))[0]?.[1] ?? '', /inspect-delay/);
    assert.deepEqual(await errors(cfg('backend b', '  mode http', '  tcp-response content close', '  server s 127.0.0.1:81')), [
      [
        3,
        "'tcp-response content close' in a mode http backend is refused: HAProxy 2.6 shuts the server connection before the response is parsed, which turns every response the rule matches into a 502 (logged SH); 'option http-server-close' closes the server connection after each response.",
      ],
    ]);
  });

  it("refuses switch-mode in a backend, with HAProxy's message", async () => {
    assert.deepEqual(await errors(cfg('backend b', '  tcp-request content switch-mode http', '  server s 127.0.0.1:81')), [
      [2, "'tcp-request switch-mode' not allowed because backend 'b' has no frontend capability"],
    ]);
    assert.deepEqual(await errors(cfg('defaults d', '  mode tcp', '  tcp-request content switch-mode http', 'backend b from d', '  server s 127.0.0.1:81')), [
      [3, "'tcp-request content switch-mode http' of defaults 'd' in backend 'b' is not supported by Switchyard yet."],
    ]);
  });

  it('a mode tcp backend keeps its tcp-request content rules and inspect delay (run once it is chosen)', async () => {
    const model = await parse(cfg('backend b', '  tcp-request inspect-delay 2s', '  tcp-request content reject if { req.len lt 4 }', '  tcp-request content track-sc0 src table t', '  server s 127.0.0.1:81', 'backend t', '  stick-table type ip size 1k'));
    const tcp = model.backends[0]?.tcpRules;
    assert.deepEqual([tcp?.content.map((r) => r.action), tcp?.inspectDelay], [['reject', 'track-sc'], 2000]);
  });

  it('a mode http backend keeps its tcp-request content and tcp-response content rules', async () => {
    const model = await parse(cfg('backend b', '  mode http', '  tcp-request content accept', '  tcp-response content reject', '  server s 127.0.0.1:81'));
    const tcp = model.backends[0]?.tcpRules;
    assert.deepEqual([tcp?.content.map((r) => r.action), tcp?.response.map((r) => r.action)], [['accept'], ['reject']]);
  });
});

describe('silent-drop', () => {
  it('is accepted in the four rule sets and in http-request/http-response rules', async () => {
    const model = await parse(
      cfg(
        'listen l',
        '  mode http',
        '  bind :80',
        '  tcp-request connection silent-drop if { src 10.0.0.1 }',
        '  tcp-request session silent-drop if { src 10.0.0.2 }',
        '  tcp-request content silent-drop if { src 10.0.0.3 }',
        '  tcp-response content silent-drop if { res.len gt 100000 }',
        '  http-request silent-drop if { path /drop }',
        '  http-response silent-drop if { status 500 }',
        '  server s 127.0.0.1:81',
      ),
    );
    const fe = model.frontends[0];
    const tcp = fe?.tcpRules;
    assert.deepEqual([tcp?.connection, tcp?.session, tcp?.content, tcp?.response].map((l) => l?.map((r) => r.action)), [['silent-drop'], ['silent-drop'], ['silent-drop'], ['silent-drop']]);
    assert.deepEqual([fe?.httpRequestRules?.[0]?.action, fe?.httpResponseRules?.[0]?.action], ['silent-drop', 'silent-drop']);
    assert.match((await errors(frontend('  tcp-request content silent-drop now')))[0]?.[1] ?? '', /expects either 'if' or 'unless'/);
  });
});

// HAProxy's reg-test startup/default_rules.vtc (h4..h14), with its messages.
describe('tcp rules in defaults sections', () => {
  it('refuses them in an anonymous defaults section', async () => {
    assert.deepEqual(await errors(cfg('defaults', '  tcp-request connection accept')), [[2, "tcp-request connection is not allowed in anonymous 'defaults' sections"]]);
    assert.deepEqual(await errors(cfg('defaults', '  tcp-request session accept')), [[2, "tcp-request session is not allowed in anonymous 'defaults' sections"]]);
    assert.deepEqual(await errors(cfg('defaults', '  tcp-request inspect-delay 5s', '  tcp-request content accept')), [
      [2, "tcp-request inspect-delay is not allowed in anonymous 'defaults' sections"],
      [3, "tcp-request content is not allowed in anonymous 'defaults' sections"],
    ]);
    assert.deepEqual(await errors(cfg('defaults', '  tcp-response inspect-delay 5s', '  tcp-response content accept')), [
      [2, "tcp-response inspect-delay is only allowed in 'backend' sections or 'defaults' section with a name"],
      [3, "tcp-response content is only allowed in 'backend' sections or 'defaults' section with a name"],
    ]);
  });

  it('refuses inheriting them by a defaults section, a listen, both frontends and backends, or the wrong side', async () => {
    assert.deepEqual(await errors(cfg('defaults invalid', '  tcp-response content accept', 'defaults from invalid', '  mode tcp')), [
      [3, 'a defaults section cannot inherit from a defaults section defining TCP/HTTP rules (defaults section at t.cfg:1).'],
    ]);
    assert.deepEqual(await errors(cfg('defaults invalid', '  tcp-request content accept', 'listen li from invalid', '  bind :80', '  server www 127.0.0.1:80')), [
      [3, 'a listen section cannot inherit from a defaults section defining TCP/HTTP rules.'],
    ]);
    assert.deepEqual(
      await errors(cfg('defaults invalid', '  mode http', '  tcp-request content accept', 'frontend fe from invalid', '  bind :80', '  default_backend be', 'backend be from invalid', '  server www 127.0.0.1:80')),
      [[7, 'frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules (defaults section at t.cfg:1).']],
    );
    for (const set of ['connection', 'session']) {
      assert.deepEqual(await errors(cfg('defaults invalid', `  tcp-request ${set} accept`, 'backend be from invalid', '  server www 127.0.0.1:80')), [
        [3, "a backend section cannot inherit from a defaults section defining 'tcp-request connection' or 'tcp-request session' rules (defaults section at t.cfg:1)."],
      ]);
    }
    assert.deepEqual(await errors(cfg('defaults invalid', '  tcp-response content accept', 'frontend fe from invalid', '  bind :80')), [
      [3, "a frontend section cannot inherit from a defaults section defining 'tcp-response content' rules (defaults section at t.cfg:1)."],
    ]);
  });

  it('a track-sc without table in a defaults section names the defaults, which has no table (startup/default_rules h16)', async () => {
    for (const rule of ['  http-request track-sc0 src', '  tcp-request content track-sc0 src']) {
      assert.deepEqual(await errors(cfg('defaults invalid', '  mode http', rule, 'backend be', '  stick-table type ip size 100k', '  server www 127.0.0.1:80')), [
        [3, "Proxy 'invalid': unable to find table 'invalid' referenced by track-sc0."],
      ]);
    }
  });

  it('gives the inheritors the defaults\u2019 rules and ACLs, their inspect delays as their own', async () => {
    const model = await parse(
      cfg(
        'defaults tcp',
        '  acl local src 127.0.0.1',
        '  tcp-response inspect-delay 5s',
        '  tcp-response content accept if local',
        'backend be from tcp',
        '  mode tcp',
        '  server www 127.0.0.1:80',
      ),
    );
    const be = model.backends[0];
    assert.equal(be?.tcpRules?.responseInspectDelay, 5000);
    assert.deepEqual(be?.tcpRules?.response, []);
    assert.equal(be?.defaultRules?.name, 'tcp');
    assert.deepEqual(be?.defaultRules?.tcpRules?.response.map((r) => r.action), ['accept']);
    assert.deepEqual(be?.defaultRules?.acls.map((a) => a.name), ['local']);
  });
});

describe('tcp rules: switch-mode http and bind proto none', () => {
  it('takes an optional frontend mux, as stream_parse_switch_mode; keeps the http rules of an upgrading tcp frontend', async () => {
    const model = await parse(frontend('  tcp-request content switch-mode http proto h2 if HTTP', '  tcp-request content switch-mode http', '  http-request set-header x 1'));
    const content = model.frontends[0]?.tcpRules?.content ?? [];
    assert.deepEqual(content.map((r) => [r.action, 'proto' in r ? r.proto : undefined]), [['switch-mode-http', 'h2'], ['switch-mode-http', undefined]]);
    assert.equal(model.frontends[0]?.httpRequestRules?.length, 1);
    assert.deepEqual(model.warnings.filter((w) => w.message.includes('require HTTP mode')), []);
  });

  it("refuses what HAProxy refuses, with its texts", async () => {
    assert.deepEqual(await errors(frontend('  tcp-request content switch-mode http proto h3')), [
      [4, "'tcp-request content switch-mode': 'proto' expects a valid MUX protocol, if specified (got 'h3')"],
    ]);
    assert.deepEqual(await errors(frontend('  tcp-request content switch-mode http proto none')), [[4, "MUX protocol 'none' is not compatible with the selected mode."]]);
    assert.deepEqual(await errors(cfg('listen l', '  mode http', '  bind :80 proto none', '  server s 127.0.0.1:81')), [
      [3, "proxy 'l' : MUX protocol 'none' is not usable for 'bind :80'."],
    ]);
    const passThrough = await parse(frontend().replace('  bind :80', '  bind :80 proto none'));
    assert.equal(passThrough.frontends[0]?.binds[0]?.proto, 'none');
  });
});
