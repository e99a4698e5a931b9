/**
 * The `mode http` keywords: option httplog, the connection-mode options, option forwardfor,
 * http-reuse, retry-on, the server TLS options (ssl, verify, ca-file, sni, alpn, no-ssl), the
 * HTTP timeouts, and the HTTP keywords that stay refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigText, type ParseConfigOptions } from '../../src/config/load.ts';
import type { BackendModel, ConfigModel, FrontendModel } from '../../src/config/model.ts';
import { FakeFiles, fixture } from '../support/fake-files.ts';
import { h2OptionsOf } from '../../src/mux/h2-client.ts';
import { localSettings } from '../../src/mux/h2/local-settings.ts';

const cfg = (...lines: string[]): string => `${lines.join('\n')}\n`;
const TIMEOUTS = ['  timeout connect 5s', '  timeout client 30s', '  timeout server 30s'];
const CA_PEM = fixture('tls/ca.pem');

function parse(text: string, options: ParseConfigOptions = {}): Promise<ConfigModel> {
  return parseConfigText(text, 'h.cfg', options);
}

/** [line, column, keyword, message] of every error. */
async function errors(text: string, options: ParseConfigOptions = {}): Promise<[number, number, string, string][]> {
  try {
    await parse(text, options);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.diagnostics.map((d) => [d.line, d.column, d.keyword, d.message]);
  }
  assert.fail('expected the configuration to be refused');
}

async function onlyError(text: string, options: ParseConfigOptions = {}): Promise<[number, number, string, string]> {
  const list = await errors(text, options);
  assert.equal(list.length, 1, `expected exactly one error, got ${JSON.stringify(list, null, 1)}`);
  return list[0] as [number, number, string, string];
}

/** [line, column, keyword, message] of every warning. */
function warnings(model: ConfigModel): [number, number, string, string][] {
  return model.warnings.map((w) => [w.line, w.column, w.keyword, w.message]);
}

function frontend(model: ConfigModel, name: string): FrontendModel {
  const found = model.frontends.find((f) => f.name === name);
  assert.ok(found, `no frontend '${name}'`);
  return found;
}

function backend(model: ConfigModel, name: string): BackendModel {
  const found = model.backends.find((b) => b.name === name);
  assert.ok(found, `no backend '${name}'`);
  return found;
}

/** An http listen with timeouts; `lines` go at line 6 onwards. */
const httpListen = (...lines: string[]): string => cfg('listen l', '  mode http', ...TIMEOUTS, ...lines, '  bind :80');
/** A backend named b with timeouts; `lines` go at line 5 onwards. */
const httpBackend = (...lines: string[]): string => cfg('backend b', '  mode http', '  timeout connect 5s', '  timeout server 5s', ...lines);

describe('option httplog', () => {
  it('is off by default and set in frontends, listens and defaults', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        'frontend plain',
        '  bind :80',
        'frontend f',
        '  bind :81',
        '  option httplog',
        'listen l',
        '  bind :82',
        '  option httplog',
      ),
    );
    assert.deepEqual(frontend(model, 'plain').options, { tcplog: false, httplog: false, dontlognull: false });
    assert.deepEqual(frontend(model, 'f').options, { tcplog: false, httplog: true, dontlognull: false });
    assert.equal(frontend(model, 'l').options.httplog, true);
    const inherited = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, '  option httplog', 'frontend f', '  bind :80'));
    assert.equal(frontend(inherited, 'f').options.httplog, true);
    assert.deepEqual(warnings(inherited), []);
  });

  it('replaces option tcplog and is replaced by it: the last one wins', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  option tcplog',
        'frontend a',
        '  bind :80',
        '  option httplog',
        'frontend b',
        '  bind :81',
        '  option httplog',
        '  option tcplog',
      ),
    );
    assert.deepEqual(frontend(model, 'a').options, { tcplog: false, httplog: true, dontlognull: false });
    assert.deepEqual(frontend(model, 'b').options, { tcplog: true, httplog: false, dontlognull: false });
  });

  it("warns like HAProxy when one log format overrides another in a defaults section", async () => {
    const model = await parse(cfg('defaults', '  mode http', ...TIMEOUTS, '  option tcplog', '  option httplog', 'frontend f', '  bind :80'));
    assert.deepEqual(warnings(model), [[7, 10, 'option httplog', "'option httplog' overrides previous 'option tcplog' in 'defaults' section."]]);
    assert.deepEqual(frontend(model, 'f').options, { tcplog: false, httplog: true, dontlognull: false });
  });

  it('can be turned off with `no option httplog` and restored with `default option httplog`', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  option httplog',
        'frontend a',
        '  bind :80',
        '  no option httplog',
        'frontend b',
        '  bind :81',
        '  option tcplog',
        '  default option httplog',
      ),
    );
    assert.deepEqual(frontend(model, 'a').options, { tcplog: false, httplog: false, dontlognull: false });
    assert.deepEqual(frontend(model, 'b').options, { tcplog: false, httplog: true, dontlognull: false });
  });

  it('takes `option httplog clf` as the Common Log Format, and refuses other arguments', async () => {
    const model = await parse(httpListen('  option httplog clf'));
    assert.deepEqual(warnings(model), []);
    assert.equal(frontend(model, 'l').options.httplog, true);
    assert.match(frontend(model, 'l').logFormat ?? '', /^%\{\+Q\}o %\{-Q\}ci - - \[%trg\] %r %ST %B "" "" /);
    assert.deepEqual(await onlyError(httpListen('  option httplog json')), [
      6,
      18,
      'option httplog',
      "keyword 'httplog' only supports option 'clf'.",
    ]);
    assert.deepEqual(await onlyError(httpListen('  option httplog clf x')), [
      6,
      22,
      'option',
      "'option httplog' cannot handle unexpected argument 'x'.",
    ]);
  });

  it('is ignored with a warning in a backend', async () => {
    const model = await parse(httpBackend('  option httplog'));
    assert.deepEqual(warnings(model), [[5, 10, 'option httplog', "backend 'b' : 'option httplog' directive is ignored in backends."]]);
  });

  it("falls back to tcplog in a tcp frontend, with HAProxy's warning at the option's line", async () => {
    const model = await parse(cfg('defaults', ...TIMEOUTS, '  option httplog', 'frontend f', '  bind :80', 'listen l', '  bind :81'));
    assert.deepEqual(frontend(model, 'f').options, { tcplog: true, httplog: false, dontlognull: false });
    assert.deepEqual(warnings(model), [
      [5, 10, 'option httplog', "'option httplog' not usable with frontend 'f' (needs 'mode http'). Falling back to 'option tcplog'."],
      [5, 10, 'option httplog', "'option httplog' not usable with listener 'l' (needs 'mode http'). Falling back to 'option tcplog'."],
    ]);
  });
});

describe('option http-keep-alive / http-server-close / httpclose', () => {
  it('defaults to keep-alive on both sides', async () => {
    const model = await parse(httpListen());
    assert.equal(frontend(model, 'l').http?.connectionMode, 'keep-alive');
    assert.equal(backend(model, 'l').http?.connectionMode, 'keep-alive');
  });

  it('replace each other (last one wins), on frontends and backends', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        'frontend a',
        '  bind :80',
        '  option httpclose',
        '  default_backend b',
        'frontend c',
        '  bind :81',
        '  option httpclose',
        '  option http-server-close',
        'backend b',
        '  option http-server-close',
        '  option http-keep-alive',
        'backend d',
        '  option httpclose',
      ),
    );
    assert.equal(frontend(model, 'a').http?.connectionMode, 'close');
    assert.equal(frontend(model, 'c').http?.connectionMode, 'server-close');
    assert.equal(backend(model, 'b').http?.connectionMode, 'keep-alive');
    assert.equal(backend(model, 'd').http?.connectionMode, 'close');
  });

  it('are inherited, and `no option X` returns to keep-alive only when X is the current mode', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  option http-server-close',
        'listen inherits',
        '  bind :80',
        'listen cancels',
        '  bind :81',
        '  no option http-server-close',
        'listen other',
        '  bind :82',
        '  no option httpclose',
        'listen keep',
        '  bind :83',
        '  no option http-keep-alive',
      ),
    );
    assert.equal(frontend(model, 'inherits').http?.connectionMode, 'server-close');
    assert.equal(backend(model, 'inherits').http?.connectionMode, 'server-close');
    assert.equal(frontend(model, 'cancels').http?.connectionMode, 'keep-alive');
    assert.equal(frontend(model, 'other').http?.connectionMode, 'server-close');
    assert.equal(frontend(model, 'keep').http?.connectionMode, 'server-close');
  });

  it('refuses `default option X` (as HAProxy does) and arguments', async () => {
    assert.deepEqual(await onlyError(httpListen('  default option httpclose')), [
      6,
      18,
      'option httpclose',
      "negation/default is not supported for option 'httpclose'.",
    ]);
    assert.deepEqual(await onlyError(httpListen('  option http-server-close now')), [
      6,
      28,
      'option',
      "'option http-server-close' cannot handle unexpected argument 'now'.",
    ]);
  });
});

describe('option forwardfor', () => {
  it('adds X-Forwarded-For by default, on both sides, and is off when not set', async () => {
    const model = await parse(httpListen('  option forwardfor'));
    const expected = { header: 'x-forwarded-for', except: undefined, ifNone: false };
    assert.deepEqual(frontend(model, 'l').http?.forwardFor, expected);
    assert.deepEqual(backend(model, 'l').http?.forwardFor, expected);
    assert.equal(frontend(await parse(httpListen()), 'l').http?.forwardFor, undefined);
  });

  it('takes except, header and if-none in any order; the header is lower-cased', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        'frontend a',
        '  bind :80',
        '  option forwardfor except 127.0.0.0/8 header X-Client-IP if-none',
        'frontend b',
        '  bind :81',
        '  option forwardfor if-none except ::1',
        'frontend c',
        '  bind :82',
        '  option forwardfor except fe80::/10',
        'frontend d',
        '  bind :83',
        '  option forwardfor except 10.0.0.0/255.0.0.0',
        'frontend e',
        '  bind :84',
        '  option forwardfor except 192.168.1.7',
        'backend z',
        '  option forwardfor header X-Real-IP',
      ),
    );
    assert.deepEqual(frontend(model, 'a').http?.forwardFor, { header: 'x-client-ip', except: '127.0.0.0/8', ifNone: true });
    assert.deepEqual(frontend(model, 'b').http?.forwardFor, { header: 'x-forwarded-for', except: '::1', ifNone: true });
    assert.deepEqual(frontend(model, 'c').http?.forwardFor?.except, 'fe80::/10');
    assert.deepEqual(frontend(model, 'd').http?.forwardFor?.except, '10.0.0.0/8', 'a dotted mask becomes a prefix length');
    assert.deepEqual(frontend(model, 'e').http?.forwardFor?.except, '192.168.1.7');
    assert.deepEqual(backend(model, 'z').http?.forwardFor, { header: 'x-real-ip', except: undefined, ifNone: false });
  });

  it('is inherited, and a later line replaces an earlier one entirely', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  option forwardfor except 10.0.0.0/8 header X-A',
        'frontend a',
        '  bind :80',
        'frontend b',
        '  bind :81',
        '  option forwardfor if-none',
      ),
    );
    assert.deepEqual(frontend(model, 'a').http?.forwardFor, { header: 'x-a', except: '10.0.0.0/8', ifNone: false });
    assert.deepEqual(frontend(model, 'b').http?.forwardFor, { header: 'x-forwarded-for', except: undefined, ifNone: true });
  });

  it('checks its arguments', async () => {
    assert.deepEqual(await onlyError(httpListen('  option forwardfor except 10.0.0.0/33')), [
      6,
      28,
      'option forwardfor',
      "'option forwardfor except' expects <address>[/mask] as argument (an IPv4 or IPv6 address or network), got '10.0.0.0/33'.",
    ]);
    assert.deepEqual(await onlyError(httpListen('  option forwardfor except localhost')), [
      6,
      28,
      'option forwardfor',
      "'option forwardfor except' expects <address>[/mask] as argument (an IPv4 or IPv6 address or network), got 'localhost'.",
    ]);
    assert.deepEqual(await onlyError(httpListen('  option forwardfor except 10.0.0.0/255.0.255.0')), [
      6,
      28,
      'option forwardfor',
      "'option forwardfor except' expects <address>[/mask] as argument (an IPv4 or IPv6 address or network), got '10.0.0.0/255.0.255.0'.",
    ]);
    assert.deepEqual(await onlyError(httpListen('  option forwardfor except')), [
      6,
      21,
      'option forwardfor',
      "'option forwardfor except' expects <address>[/mask] as argument.",
    ]);
    assert.deepEqual(await onlyError(httpListen('  option forwardfor header')), [
      6,
      21,
      'option forwardfor',
      "'option forwardfor header' expects <header_name> as argument.",
    ]);
    assert.deepEqual(await onlyError(httpListen('  option forwardfor header X:Y')), [
      6,
      28,
      'option forwardfor',
      "'option forwardfor header' : 'X:Y' is not a valid header name.",
    ]);
    assert.deepEqual(await onlyError(httpListen('  option forwardfor if-nome')), [
      6,
      21,
      'option forwardfor',
      "'option forwardfor' only supports optional values: 'except', 'header' and 'if-none' (got 'if-nome'); did you mean 'if-none'?.",
    ]);
  });

  it('refuses `no` and `default` as HAProxy does', async () => {
    assert.deepEqual(await onlyError(httpListen('  no option forwardfor')), [
      6,
      13,
      'option forwardfor',
      "negation/default is not supported for option 'forwardfor'.",
    ]);
    assert.deepEqual(await onlyError(httpListen('  default option forwardfor')), [
      6,
      18,
      'option forwardfor',
      "negation/default is not supported for option 'forwardfor'.",
    ]);
  });

  it("is ignored with HAProxy's warning in tcp mode", async () => {
    const model = await parse(cfg('listen l', ...TIMEOUTS, '  bind :80', '  option forwardfor'));
    assert.equal(frontend(model, 'l').http?.forwardFor, undefined);
    assert.equal(backend(model, 'l').http?.forwardFor, undefined);
    assert.deepEqual(warnings(model), [[6, 3, 'option forwardfor', "'option forwardfor' ignored for listener 'l' as it requires HTTP mode."]]);
  });
});

describe('http-reuse', () => {
  it('defaults to safe and takes never, safe, aggressive, always', async () => {
    assert.equal(backend(await parse(httpBackend()), 'b').http?.reuse, 'safe');
    for (const mode of ['never', 'safe', 'aggressive', 'always'] as const) {
      assert.equal(backend(await parse(httpBackend(`  http-reuse ${mode}`)), 'b').http?.reuse, mode);
    }
  });

  it('is inherited from defaults and overridden', async () => {
    const model = await parse(cfg('defaults', '  mode http', '  http-reuse never', 'backend a', 'backend b', '  http-reuse always'));
    assert.equal(backend(model, 'a').http?.reuse, 'never');
    assert.equal(backend(model, 'b').http?.reuse, 'always');
  });

  it('checks its argument', async () => {
    assert.deepEqual(await onlyError(httpBackend('  http-reuse')), [5, 3, 'http-reuse', "'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'."]);
    assert.deepEqual(await onlyError(httpBackend('  http-reuse agressive')), [
      5,
      14,
      'http-reuse',
      "'http-reuse' only supports 'never', 'safe', 'aggressive', 'always' (got 'agressive'); did you mean 'aggressive'?.",
    ]);
    assert.deepEqual(await onlyError(httpBackend('  http-reuse safe now')), [5, 19, 'http-reuse', "'http-reuse' cannot handle unexpected argument 'now'."]);
  });

  it('is ignored with a warning in a frontend', async () => {
    const model = await parse(cfg('frontend f', '  mode http', '  timeout client 5s', '  bind :80', '  http-reuse always'));
    assert.deepEqual(warnings(model), [[5, 3, 'http-reuse', "'http-reuse' ignored because frontend 'f' has no backend capability."]]);
  });
});

describe('retry-on', () => {
  it('defaults to conn-failure and takes a list of events', async () => {
    assert.deepEqual(backend(await parse(httpBackend()), 'b').http?.retryOn, ['conn-failure']);
    const model = await parse(httpBackend('  retry-on empty-response 503 conn-failure response-timeout 404 408 425 500 501 502 504 junk-response 0rtt-rejected'));
    assert.deepEqual(backend(model, 'b').http?.retryOn, [
      'conn-failure',
      'empty-response',
      'junk-response',
      'response-timeout',
      '0rtt-rejected',
      '404',
      '408',
      '425',
      '500',
      '501',
      '502',
      '503',
      '504',
    ]);
  });

  it('expands all-retryable-errors as HAProxy documents it, without duplicates', async () => {
    const model = await parse(httpBackend('  retry-on 503 all-retryable-errors 404'));
    assert.deepEqual(backend(model, 'b').http?.retryOn, [
      'conn-failure',
      'empty-response',
      'junk-response',
      'response-timeout',
      '0rtt-rejected',
      '404',
      '500',
      '502',
      '503',
      '504',
    ]);
  });

  it('takes none alone, for no retry at all', async () => {
    assert.deepEqual(backend(await parse(httpBackend('  retry-on none')), 'b').http?.retryOn, []);
    assert.deepEqual(await onlyError(httpBackend('  retry-on none 503')), [5, 12, 'retry-on', "'retry-on' : 'none' is only usable alone."]);
    assert.deepEqual(await onlyError(httpBackend('  retry-on 503 none')), [5, 16, 'retry-on', "'retry-on' : 'none' is only usable alone."]);
  });

  it('is inherited from defaults, and a line replaces the earlier list', async () => {
    const model = await parse(cfg('defaults', '  mode http', '  retry-on 503', 'backend a', 'backend b', '  retry-on 502', '  retry-on 504'));
    assert.deepEqual(backend(model, 'a').http?.retryOn, ['503']);
    assert.deepEqual(backend(model, 'b').http?.retryOn, ['504']);
  });

  it('refuses unknown events, missing events, and frontends', async () => {
    assert.deepEqual(await errors(httpBackend('  retry-on 503 empty-respone 418')), [
      [5, 16, 'retry-on', "'retry-on' : unknown keyword 'empty-respone'; did you mean 'empty-response'?."],
      [5, 30, 'retry-on', "'retry-on' : unknown keyword '418'; did you mean '408'?."],
    ]);
    assert.deepEqual(await onlyError(httpBackend('  retry-on 401')), [5, 12, 'retry-on', "'retry-on' : '401' is not supported by Switchyard yet."]);
    assert.deepEqual(await onlyError(httpBackend('  retry-on')), [5, 3, 'retry-on', "'retry-on' needs at least one keyword to specify when to retry."]);
    assert.deepEqual(await onlyError(cfg('frontend f', '  bind :80', '  retry-on 503')), [
      3,
      3,
      'retry-on',
      "'retry-on' not allowed in 'frontend' section (only in 'defaults', 'backend', 'listen').",
    ]);
  });

  it('keeps only conn-failure in tcp mode, with a warning', async () => {
    const tcpTimeouts = ['  timeout connect 5s', '  timeout server 5s'];
    const model = await parse(cfg('backend b', ...tcpTimeouts, '  retry-on all-retryable-errors'));
    assert.deepEqual(backend(model, 'b').http?.retryOn, ['conn-failure']);
    assert.deepEqual(warnings(model), [
      [4, 3, 'retry-on', "'retry-on' : only 'conn-failure' applies to backend 'b' (tcp mode); the other events need 'mode http' and are ignored."],
    ]);
    assert.deepEqual(warnings(await parse(cfg('backend b', ...tcpTimeouts, '  retry-on conn-failure'))), []);
  });
});

describe('timeout http-request / http-keep-alive', () => {
  it('parse in every proxy, without fallbacks baked into the model', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  timeout http-request 10s',
        'frontend f',
        '  bind :80',
        'frontend g',
        '  bind :81',
        '  timeout http-keep-alive 2s',
        'backend b',
        '  timeout http-keep-alive 500ms',
      ),
    );
    assert.deepEqual(frontend(model, 'f').timeouts, { connect: 5000, client: 30000, server: 30000, httpRequest: 10000 });
    assert.equal(frontend(model, 'f').timeouts.httpKeepAlive, undefined, 'the fallback to http-request is the engine’s job');
    assert.deepEqual(frontend(model, 'g').timeouts, { connect: 5000, client: 30000, server: 30000, httpRequest: 10000, httpKeepAlive: 2000 });
    assert.equal(backend(model, 'b').timeouts.httpKeepAlive, 500);
    assert.equal(frontend(await parse(httpListen()), 'l').timeouts.httpRequest, undefined);
  });

  it('check their time values', async () => {
    assert.deepEqual(await onlyError(httpListen('  timeout http-request 10x')), [
      6,
      24,
      'timeout',
      "'timeout http-request' : unknown time unit 'x' in '10x' (expected us, ms, s, m, h or d).",
    ]);
  });
});

describe('HTTP keywords that stay refused', () => {
  it('names them as not supported yet, at their column', async () => {
    const keywords = [
      'external-check',
      'log-steps',
    ];
    for (const keyword of keywords) {
      assert.deepEqual(await onlyError(httpListen(`  ${keyword} x`)), [
        6,
        3,
        keyword,
        `'${keyword}' is a HAProxy keyword that Switchyard does not support yet.`,
      ]);
    }
    for (const option of ['forwarded', 'http-drop-request-trailers']) {
      assert.deepEqual(await onlyError(httpListen(`  option ${option}`)), [
        6,
        10,
        `option ${option}`,
        `'option ${option}' is not supported by Switchyard yet.`,
      ]);
    }
  });
});

describe('server TLS options', () => {
  const files = (extra: Record<string, string> = {}): FakeFiles => new FakeFiles({ '/etc/ssl/ca.pem': CA_PEM, ...extra });

  it('leave ssl undefined on plain servers', async () => {
    const model = await parse(httpBackend('  server s 10.0.0.1:80 verify none sni str(a.example)'));
    assert.equal(backend(model, 'b').servers[0]?.ssl, undefined);
  });

  it('read ssl, verify, ca-file, sni and alpn', async () => {
    const model = await parse(
      httpBackend(
        '  server a 10.0.0.1:443 ssl verify none',
        '  server b 10.0.0.2:443 ssl ca-file /etc/ssl/ca.pem sni str(api.example) alpn h2,http/1.1',
        '  server c 10.0.0.3:443 ssl verify required ca-file @system-ca sni req.hdr(host)',
      ),
      { files: files() },
    );
    const [a, b, c] = backend(model, 'b').servers;
    assert.deepEqual(a?.ssl, { verify: 'none', caPem: undefined, sni: undefined, alpn: undefined });
    assert.deepEqual(b?.ssl, { verify: 'required', caPem: CA_PEM.trim(), caFile: '/etc/ssl/ca.pem', sni: 'str(api.example)', alpn: ['h2', 'http/1.1'] });
    assert.deepEqual(c?.ssl, { verify: 'required', caPem: undefined, sni: 'req.hdr(host)', alpn: undefined });
    assert.deepEqual(warnings(model), []);
  });

  it('resolve ca-file against ca-base and read each file once', async () => {
    const fake = files();
    const model = await parse(
      cfg('global', '  ca-base /etc/ssl', ...httpBackend('  server a 10.0.0.1:443 ssl ca-file ca.pem', '  server b 10.0.0.2:443 ssl ca-file /etc/ssl/ca.pem').split('\n')),
      { files: fake },
    );
    assert.equal(backend(model, 'b').servers[0]?.ssl?.caPem, CA_PEM.trim());
    assert.equal(backend(model, 'b').servers[1]?.ssl?.caPem, CA_PEM.trim());
    assert.deepEqual(fake.reads, ['/etc/ssl/ca.pem']);
  });

  it('come from default-server (also in defaults), and no-ssl turns TLS off', async () => {
    const model = await parse(
      cfg(
        'defaults',
        '  mode http',
        ...TIMEOUTS,
        '  default-server ssl ca-file /etc/ssl/ca.pem alpn h2',
        'backend b',
        '  server a 10.0.0.1:443',
        '  server p 10.0.0.2:80 no-ssl',
        '  default-server verify none',
        '  server n 10.0.0.3:443 sni str(n.example)',
      ),
      { files: files() },
    );
    const [a, p, n] = backend(model, 'b').servers;
    assert.deepEqual(a?.ssl, { verify: 'required', caPem: CA_PEM.trim(), caFile: '/etc/ssl/ca.pem', sni: undefined, alpn: ['h2'] });
    assert.equal(p?.ssl, undefined);
    assert.deepEqual(n?.ssl, { verify: 'none', caPem: CA_PEM.trim(), caFile: '/etc/ssl/ca.pem', sni: 'str(n.example)', alpn: ['h2'] });
  });

  it("refuse ssl with the default 'verify required' and no CA, as HAProxy 2.6 does", async () => {
    const message =
      "Proxy 'b', server 's' : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or name the CA certificates with 'ca-file FILE' ('ca-file @system-ca' for the system's trust store).";
    assert.deepEqual(await onlyError(httpBackend('  server s 10.0.0.1:443 ssl')), [5, 25, 'server', message]);
    assert.deepEqual(await onlyError(httpBackend('  server s 10.0.0.1:443 weight 2 verify required ssl')), [5, 50, 'server', message]);
    // Inherited from default-server: reported at the server line.
    assert.deepEqual(await onlyError(httpBackend('  default-server ssl', '  server s 10.0.0.1:443')), [6, 3, 'server', message]);
  });

  it('report unreadable or empty CA files at the file name, used or not', async () => {
    assert.deepEqual(await onlyError(httpBackend('  server s 10.0.0.1:443 ssl ca-file /etc/ssl/missing.pem'), { files: files() }), [
      5,
      37,
      'ca-file',
      "'ca-file' : unable to load CA file '/etc/ssl/missing.pem': ENOENT: no such file or directory, open '/etc/ssl/missing.pem'.",
    ]);
    assert.deepEqual(
      await onlyError(httpBackend('  server s 10.0.0.1:443 ssl ca-file /etc/ssl/key.pem'), { files: files({ '/etc/ssl/key.pem': fixture('tls/ca.key') }) }),
      [5, 37, 'ca-file', "'ca-file' : no CA certificate found in '/etc/ssl/key.pem' (expected PEM 'BEGIN CERTIFICATE' blocks)."],
    );
    // HAProxy loads a ca-file while parsing, even on a default-server no server uses.
    assert.deepEqual(await onlyError(cfg('defaults', '  default-server ca-file nowhere.pem'), { files: files() }), [
      2,
      26,
      'ca-file',
      "'ca-file' : unable to load CA file 'nowhere.pem': ENOENT: no such file or directory, open 'nowhere.pem'.",
    ]);
  });

  it('need file access to read a ca-file', async () => {
    assert.deepEqual(await onlyError(httpBackend('  server s 10.0.0.1:443 ssl ca-file /etc/ssl/ca.pem')), [
      5,
      37,
      'ca-file',
      "'ca-file' : cannot read CA file '/etc/ssl/ca.pem': no file access was given to the parser.",
    ]);
  });

  it('check verify, alpn and missing arguments', async () => {
    assert.deepEqual(await onlyError(httpBackend('  server s 10.0.0.1:443 ssl verify optional')), [
      5,
      36,
      'server',
      "'verify' : unknown verify method 'optional', only 'none' and 'required' are supported.",
    ]);
    assert.deepEqual(await onlyError(httpBackend('  server s 10.0.0.1:443 ssl verify none alpn h2,,http/1.1')), [
      5,
      46,
      'server',
      "'alpn' expects a comma-separated list of protocol names, got 'h2,,http/1.1'.",
    ]);
    assert.deepEqual(await onlyError(httpBackend('  server s 10.0.0.1:443 ssl verify none sni')), [5, 41, 'server', "'server' : 'sni' expects an argument."]);
    assert.deepEqual(await onlyError(httpBackend('  default-server ca-file')), [5, 18, 'default-server', "'default-server' : 'ca-file' expects an argument."]);
  });

  it('takes any sni sample expression of the request or the connection; refuses others as HAProxy', async () => {
    const model = await parse(httpBackend('  server s 10.0.0.1:443 ssl verify none sni req.hdr(host),lower'));
    assert.equal(backend(model, 'b').servers[0]?.ssl?.sni, 'req.hdr(host),lower');
    assert.deepEqual(warnings(model), []);
    await assert.rejects(parse(httpBackend('  server s 10.0.0.1:443 ssl verify none sni res.hdr(x)')), (err: Error) =>
      err.message.includes("'sni' : error detected while parsing sni expression : sample fetch 'res.hdr' may not be reliably used here"),
    );
  });
});

describe('bind alpn in mode http', () => {
  const PEM = fixture('tls/a.example.pem');
  const files = (): FakeFiles => new FakeFiles({ '/etc/ssl/a.pem': PEM });
  const tlsFrontend = (mode: string, alpn: string): string =>
    cfg(`frontend f`, `  mode ${mode}`, '  timeout client 30s', `  bind :443 ssl crt /etc/ssl/a.pem alpn ${alpn}`);

  it('offers h2 as configured: the HTTP/2 mux serves the connections that negotiate it', async () => {
    for (const mode of ['http', 'tcp']) {
      const model = await parse(tlsFrontend(mode, 'h2,http/1.1'), { files: files() });
      assert.deepEqual(frontend(model, 'f').binds[0]?.alpn, ['h2', 'http/1.1']);
      assert.deepEqual(warnings(model), []);
    }
  });
});


describe('HTTP/2 keywords', () => {
  it('bind proto h2|h1 selects the client-side mux; other names are refused at their line', async () => {
    const model = await parse(cfg('frontend f', '  mode http', ...TIMEOUTS, '  bind :80 proto h2', '  bind :81 proto h1', '  bind :82'));
    assert.deepEqual(frontend(model, 'f').binds.map((b) => b.proto), ['h2', 'h1', undefined]);
    assert.deepEqual(await onlyError(cfg('frontend f', '  mode http', ...TIMEOUTS, '  bind :80 proto h3')), [
      6,
      18,
      'bind',
      "'bind' : 'proto' : unknown MUX protocol 'h3' (Switchyard serves 'h1', 'h2' and 'none').",
    ]);
  });
  it("proto h2 on a tcp-mode frontend is refused with HAProxy's words", async () => {
    const [, , keyword, message] = await onlyError(cfg('frontend f', '  mode tcp', ...TIMEOUTS, '  bind 127.0.0.1:80 proto h2'));
    assert.deepEqual([keyword, message], ['bind', "frontend 'f' : MUX protocol 'h2' is not usable for 'bind 127.0.0.1:80'."]);
  });

  it('tune.h2.* with HAProxy 2.6 ranges and words', async () => {
    const model = await parse(
      cfg(
        'global',
        '  tune.h2.max-concurrent-streams 10',
        '  tune.h2.header-table-size 8192',
        '  tune.h2.initial-window-size 1048576',
        '  tune.h2.max-frame-size 32768',
        'frontend f',
        '  mode http',
        ...TIMEOUTS,
        '  bind :80 proto h2',
      ),
    );
    const tune = model.global.tune;
    assert.deepEqual([tune?.h2MaxConcurrentStreams, tune?.h2HeaderTableSize, tune?.h2InitialWindowSize, tune?.h2MaxFrameSize], [10, 8192, 1048576, 32768]);
    assert.equal((await parse(cfg('global', '  tune.h2.max-concurrent-streams 0'))).global.tune?.h2MaxConcurrentStreams, 0);
    assert.deepEqual(await onlyError(cfg('global', '  tune.h2.header-table-size 100')), [2, 29, 'tune.h2.header-table-size', "'tune.h2.header-table-size' expects a numeric value between 4096 and 65536."]);
    assert.deepEqual((await onlyError(cfg('global', '  tune.h2.max-frame-size 1000')))[3], "'tune.h2.max-frame-size' expects a numeric value between 16384 and 16777215.");
    assert.deepEqual((await onlyError(cfg('global', '  tune.h2.initial-window-size -1')))[3], "'tune.h2.initial-window-size' expects a positive numeric value.");
  });

  it('h2-workaround-bogus-websocket-clients stops offering extended CONNECT in SETTINGS, on both sides', async () => {
    assert.equal((await parse(cfg('global', '  tune.h2.max-frame-size 16384'))).global.tune?.h2NoExtendedConnect, undefined);
    const tune = (await parse(cfg('global', '  h2-workaround-bogus-websocket-clients'))).global.tune;
    assert.equal(tune?.h2NoExtendedConnect, true);
    const offered = (backSide: boolean, t?: typeof tune) => localSettings(h2OptionsOf(t), backSide).pairs.some(([id]) => id === 0x8);
    assert.deepEqual([offered(false), offered(true)], [true, true]);
    assert.deepEqual([offered(false, tune), offered(true, tune)], [false, false]);
    assert.equal((await onlyError(cfg('global', '  h2-workaround-bogus-websocket-clients x')))[3], "'h2-workaround-bogus-websocket-clients' cannot handle unexpected argument 'x'.");
    // HAProxy 2.6's global section refuses the negation of this one too (its gate does not list it).
    assert.match((await onlyError(cfg('global', '  no h2-workaround-bogus-websocket-clients')))[3], /^negation\/default currently supported only for/);
  });
});
