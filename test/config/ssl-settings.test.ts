/**
 * HAProxy's TLS settings in the configuration: the global `ssl-default-*` defaults and their
 * inheritance, the version range computed as ssl_sock_prepare_ctx does (with its warnings and
 * errors), bind and server TLS options in the model, `crt-list` files, `ssl-server-verify`,
 * `tune.ssl.*`, and the per-runtime refusals (runtime-tls-check.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigText, type ParseConfigOptions } from '../../src/config/load.ts';
import type { BindModel, ConfigModel, ServerModel } from '../../src/config/model.ts';
import { applyTlsOption, newTlsOptionsDraft, resolveTlsOptions } from '../../src/config/tls-options.ts';
import { formatCrtListSslConf, parseCrtListLine } from '../../src/config/crt-list-line.ts';
import { FakeFiles, fixture, fixtureBytes } from '../support/fake-files.ts';

const A_PEM = fixture('tls/a.example.pem');
const B_PEM = fixture('tls/b.example.pem');
const CA_PEM = fixture('tls/ca.pem');
const CRL_PEM = fixture('tls/ca-crl.pem');
const CLIENT_PEM = fixture('tls/client.example.pem');

function files(extra: Record<string, string> = {}): FakeFiles {
  return new FakeFiles({
    '/certs/a.pem': A_PEM,
    '/certs/b.pem': B_PEM,
    '/certs/ca.pem': CA_PEM,
    '/certs/crl.pem': CRL_PEM,
    '/certs/client.pem': CLIENT_PEM,
    ...extra,
  });
}

const DEFAULTS = ['defaults', '  mode http', '  timeout connect 5s', '  timeout client 5s', '  timeout server 5s'];

function cfg(global: string[], ...proxy: string[]): string {
  return `${['global', ...global, ...DEFAULTS, ...proxy].join('\n')}\n`;
}

function parse(text: string, options: ParseConfigOptions = {}): Promise<ConfigModel> {
  return parseConfigText(text, 'h.cfg', { files: files(), ...options });
}

async function errors(text: string, options: ParseConfigOptions = {}): Promise<[number, string][]> {
  try {
    await parse(text, options);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.diagnostics.map((d) => [d.line, d.message]);
  }
  assert.fail('expected the configuration to be refused');
}

function bind(model: ConfigModel, index = 0): BindModel {
  return model.frontends[0]?.binds[index] as BindModel;
}

function server(model: ConfigModel, index = 0): ServerModel {
  return model.backends[0]?.servers[index] as ServerModel;
}

describe('TLS version ranges (ssl_sock_prepare_ctx)', () => {
  const range = (...words: string[]) => {
    const draft = newTlsOptionsDraft();
    for (let i = 0; i < words.length; i++) {
      const result = applyTlsOption(draft, words[i] as string, words[i + 1]);
      assert.ok(result.ok, words[i]);
      i += result.consumed;
    }
    return resolveTlsOptions(draft, "bind ':443' at [h.cfg:3]");
  };

  it('defaults to TLSv1.2..TLSv1.3', () => {
    const r = range();
    assert.ok(r.ok);
    assert.deepEqual([r.options.minVersion, r.options.maxVersion, r.warnings], ['TLSv1.2', 'TLSv1.3', []]);
  });

  it('ssl-min-ver / ssl-max-ver / force-* set the range', () => {
    const a = range('ssl-min-ver', 'TLSv1.3');
    assert.ok(a.ok && a.options.minVersion === 'TLSv1.3' && a.options.maxVersion === 'TLSv1.3');
    const b = range('force-tlsv12');
    assert.ok(b.ok && b.options.minVersion === 'TLSv1.2' && b.options.maxVersion === 'TLSv1.2');
    const c = range('ssl-min-ver', 'TLSv1.0', 'ssl-max-ver', 'TLSv1.1');
    assert.ok(c.ok && c.options.minVersion === 'TLSv1.0' && c.options.maxVersion === 'TLSv1.1');
  });

  it('no-tlsv13 lowers the max; no-* are ignored with a warning once a min or max is set', () => {
    const a = range('no-tlsv13');
    assert.ok(a.ok && a.options.maxVersion === 'TLSv1.2' && a.warnings.length === 0);
    const b = range('no-tlsv13', 'ssl-max-ver', 'TLSv1.3');
    assert.ok(b.ok);
    assert.equal(b.options.maxVersion, 'TLSv1.3');
    assert.deepEqual(b.warnings, ["no-sslv3/no-tlsv1x are ignored for bind ':443' at [h.cfg:3]. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix."]);
  });

  it('a max below the default min moves the min down, with HAProxy warning', () => {
    const r = range('ssl-max-ver', 'TLSv1.1');
    assert.ok(r.ok);
    assert.deepEqual([r.options.minVersion, r.options.maxVersion], ['TLSv1.1', 'TLSv1.1']);
    assert.match(r.warnings[0] as string, /^Ambiguous configuration for bind ':443' at \[h\.cfg:3\]: the ssl-min-ver value is not configured/);
  });

  it('no version left is an error', () => {
    const none = range('no-tlsv12', 'no-tlsv13');
    assert.deepEqual(none, { ok: false, message: "all SSL/TLS versions are disabled for bind ':443' at [h.cfg:3]." });
  });

  it('refuses unknown versions and methods', () => {
    const draft = newTlsOptionsDraft();
    assert.deepEqual(applyTlsOption(draft, 'ssl-min-ver', 'TLSv1.4'), {
      ok: false,
      message: "'ssl-min-ver' : expects one of SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3, got 'TLSv1.4'",
    });
    assert.deepEqual(applyTlsOption(draft, 'no-tlsv14', undefined), { ok: false, message: "'no-tlsv14' : option not implemented" });
  });
});

describe('global TLS defaults', () => {
  it('apply to binds and servers; a line overrides what it sets', async () => {
    const model = await parse(
      cfg(
        [
          '  ssl-default-bind-options ssl-min-ver TLSv1.3 no-tls-tickets prefer-client-ciphers',
          '  ssl-default-bind-ciphers ECDHE-RSA-AES128-GCM-SHA256',
          '  ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256',
          '  ssl-default-bind-curves X25519:P-256',
          '  ssl-default-server-options ssl-max-ver TLSv1.2',
          '  ssl-default-server-ciphers ECDHE-RSA-AES256-GCM-SHA384',
        ],
        'frontend f',
        '  bind :443 ssl crt /certs/a.pem',
        '  bind :444 ssl crt /certs/a.pem ssl-min-ver TLSv1.2 ciphers ECDHE-RSA-CHACHA20-POLY1305',
        'backend b',
        '  server s1 10.0.0.1:443 ssl verify none',
      ),
    );
    assert.deepEqual(bind(model, 0).ssl?.tls, {
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
      ciphersuites: 'TLS_AES_128_GCM_SHA256',
      curves: 'X25519:P-256',
      tickets: false,
      preferClientCiphers: true,
    });
    assert.equal(bind(model, 1).ssl?.tls?.minVersion, 'TLSv1.2');
    assert.equal(bind(model, 1).ssl?.tls?.ciphers, 'ECDHE-RSA-CHACHA20-POLY1305');
    assert.deepEqual(server(model).ssl?.tls, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384', tickets: true });
  });

  it('leave the model without tls when everything is the runtimes default; tune.ssl.default-dh-param reaches the bind', async () => {
    const model = await parse(cfg(['  tune.ssl.default-dh-param 2048'], 'frontend f', '  bind :443 ssl crt /certs/a.pem'));
    assert.deepEqual(Object.keys(bind(model).ssl ?? {}), ['certificates', 'dhParams']);
    assert.deepEqual(bind(model).ssl?.dhParams, { defaultBits: 2048 });
    assert.deepEqual(model.warnings, []);
  });

  it('refuse unknown options in ssl-default-bind-options, and prefer-client-ciphers for servers', async () => {
    assert.deepEqual(await errors(cfg(['  ssl-default-bind-options no-sslv3 bogus'], 'frontend f', '  bind :80')), [
      [2, "unknown option 'bogus' on global statement 'ssl-default-bind-options'."],
    ]);
    assert.deepEqual(await errors(cfg(['  ssl-default-server-options prefer-client-ciphers'], 'frontend f', '  bind :80')), [
      [2, "unknown option 'prefer-client-ciphers' on global statement 'ssl-default-server-options'."],
    ]);
    assert.deepEqual(await errors(cfg(['  tune.ssl.default-dh-param 512'], 'frontend f', '  bind :80')), [[2, "'tune.ssl.default-dh-param' expects a value >= 1024."]]);
  });

  it('report all versions disabled as HAProxy does', async () => {
    const text = cfg(['  ssl-default-bind-options ssl-min-ver TLSv1.3'], 'frontend f', '  bind :443 ssl crt /certs/a.pem ssl-max-ver TLSv1.2');
    assert.deepEqual(await errors(text), [[9, "Proxy 'f': all SSL/TLS versions are disabled for bind ':443' at [h.cfg:9]."]]);
  });

  it('tune.ssl buffers and caches are accepted with a warning; lifetime reaches the bind', async () => {
    const model = await parse(cfg(['  tune.ssl.cachesize 20000', '  tune.ssl.lifetime 600', '  tune.ssl.capture-buffer-size 1'], 'frontend f', '  bind :443 ssl crt /certs/a.pem'));
    assert.equal(bind(model).ssl?.sessionLifetime, 600);
    assert.deepEqual(
      model.warnings.map((w) => [w.line, w.keyword]),
      [
        [2, 'tune.ssl.cachesize'],
        [4, 'tune.ssl.capture-buffer-size'],
      ],
    );
  });

  it('ssl-server-verify none applies to servers that set no verify', async () => {
    const model = await parse(cfg(['  ssl-server-verify none'], 'backend b', '  server s1 10.0.0.1:443 ssl', '  server s2 10.0.0.2:443 ssl verify required ca-file /certs/ca.pem'));
    assert.equal(server(model, 0).ssl?.verify, 'none');
    assert.equal(server(model, 1).ssl?.verify, 'required');
  });
});

describe('bind TLS options', () => {
  it('client certificates: ca-file, verify, crl-file, *-ignore-err', async () => {
    const model = await parse(
      cfg([], 'frontend f', '  bind :443 ssl crt /certs/a.pem ca-file /certs/ca.pem verify optional crl-file /certs/crl.pem crt-ignore-err 10,X509_V_ERR_CERT_REVOKED ca-ignore-err all'),
    );
    assert.deepEqual(bind(model).ssl?.clientAuth, {
      verify: 'optional',
      caPem: CA_PEM.trim(),
      crlPem: CRL_PEM.trim(),
      caFile: { path: '/certs/ca.pem', pem: CA_PEM.trim() },
      crlFile: '/certs/crl.pem',
      crtIgnoreErr: [10, 23],
      caIgnoreErr: 'all',
    });
  });

  it('verify without ca-file is refused as HAProxy does; unknown verify methods too', async () => {
    assert.deepEqual(await errors(cfg([], 'frontend f', '  bind :443 ssl crt /certs/a.pem verify required')), [
      [8, "Proxy 'f': verify is enabled but no CA file specified for bind ':443' at [h.cfg:8]."],
    ]);
    const [first] = await errors(cfg([], 'frontend f', '  bind :443 ssl crt /certs/a.pem verify sometimes'));
    assert.deepEqual(first, [8, "'bind :443' : 'verify' : unknown verify method 'sometimes', only 'none', 'optional', and 'required' are supported."]);
  });

  it('crt-list: certificates with SNI filters, relative to crt-base, comments and blank lines skipped', async () => {
    const list = '# certificates\na.pem\n\n  b.pem *.b.test !no.b.test   # b\n';
    const model = await parse(cfg(['  crt-base /certs'], 'frontend f', '  bind :443 ssl strict-sni crt-list /certs/list.txt'), { files: files({ '/certs/list.txt': list }) });
    const ssl = bind(model).ssl;
    assert.deepEqual(
      ssl?.certificates.map((c) => [c.path, c.serverNames]),
      [
        ['/certs/a.pem', undefined],
        ['/certs/b.pem', ['*.b.test', '!no.b.test']],
      ],
    );
    assert.equal(ssl?.strictSni, true);
  });

  it('crt-list lines: options in brackets are kept with their CA files; bad options and missing certificates are refused at the bind', async () => {
    const bad = await errors(cfg([], 'frontend f', '  bind :443 ssl crt-list /certs/list.txt'), {
      files: files({ '/certs/list.txt': '/certs/a.pem [alpn h2 bogus] a.example\n/certs/none.pem\n/certs/a.pem [ca-file /certs/missing.crt]\n' }),
    });
    assert.equal(bad.length, 3);
    assert.match(bad[0]?.[1] as string, /crt-list '\/certs\/list\.txt' line 1 : parsing \[\/certs\/list\.txt:1\]: unknown ssl keyword bogus/);
    assert.match(bad[1]?.[1] as string, /crt-list '\/certs\/list\.txt' line 2 : unable to load SSL certificate file '\/certs\/none\.pem'/);
    assert.match(bad[2]?.[1] as string, /crt-list '\/certs\/list\.txt' line 3 : 'ca-file' : unable to load \/certs\/missing\.crt/);
  });

  it('parseCrtListLine', () => {
    const any = { usable: () => true };
    assert.deepEqual(parseCrtListLine('   # only a comment', 'f:1', any), { kind: 'empty' });
    assert.deepEqual(parseCrtListLine('a.pem x.example !y.example # c', 'f:1', any), { kind: 'line', path: 'a.pem', conf: undefined, filters: ['x.example', '!y.example'] });
    assert.deepEqual(parseCrtListLine('a.pem [verify none ssl-min-ver SSLv3 allow-0rtt ca-file c.crt]x.example', 'f:1', { caBase: '/ca', usable: () => true }), {
      kind: 'line',
      path: 'a.pem',
      conf: { verify: 'none', minVersion: 'SSLv3', allow0rtt: true, caFile: '/ca/c.crt' },
      filters: ['x.example'],
    });
    assert.deepEqual(parseCrtListLine('[verify none] a.pem', 'f:1', any), { kind: 'error', message: 'parsing [f:1]: file must start with a cert' });
    assert.deepEqual(parseCrtListLine('a.pem [verify] none', 'f:1', any), { kind: 'error', message: "parsing [f:1]: ssl args out of '[]' for verify" });
    assert.deepEqual(parseCrtListLine('a.pem [ca-file x.crt]', 'CLI:1', { usable: () => false }), { kind: 'error', message: "'ca-file' : unable to load x.crt" });
    assert.deepEqual(parseCrtListLine('a.pem [ssl-min-ver TLSv9]', 'f:1', any), { kind: 'error', message: "'TLSv9' : unknown ssl/tls version" });
  });

  it('formatCrtListSslConf prints the options in HAProxy\'s order', () => {
    assert.equal(formatCrtListSslConf({ minVersion: 'SSLv3', verify: 'none', allow0rtt: true, alpn: 'h2,http/1.1', crlFile: 'r.pem' }), ' [alpn h2,http/1.1 verify none allow-0rtt crl-file r.pem ssl-min-ver SSLv3]');
  });

  it('no-alpn drops alpn', async () => {
    const model = await parse(cfg([], 'frontend f', '  bind :443 ssl crt /certs/a.pem alpn http/1.1 no-alpn'));
    assert.equal(bind(model).alpn, undefined);
  });
});

describe('server TLS options', () => {
  it('crt, versions, ciphers, verifyhost; default-server copies are per line', async () => {
    const model = await parse(
      cfg(
        [],
        'backend b',
        '  default-server ssl verify required ca-file /certs/ca.pem force-tlsv12',
        '  server s1 10.0.0.1:443 crt /certs/client.pem verifyhost api.example ciphers ECDHE-RSA-AES128-GCM-SHA256',
        '  server s2 10.0.0.2:443',
      ),
    );
    const s1 = server(model, 0).ssl;
    assert.deepEqual(s1?.tls, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', tickets: true });
    assert.equal(s1?.verifyHost, 'api.example');
    assert.match(s1?.certificate?.certPem ?? '', /BEGIN CERTIFICATE/);
    const s2 = server(model, 1).ssl;
    assert.deepEqual(s2?.tls, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', tickets: true });
    assert.equal(s2?.certificate, undefined);
    assert.equal(s2?.verifyHost, undefined);
  });

  it('sessions to servers are reused unless no-ssl-reuse (ssl-reuse restores the default)', async () => {
    const model = await parse(
      cfg([], 'backend b', '  default-server no-ssl-reuse', '  server s1 10.0.0.1:443 ssl verify none ssl-reuse', '  server s2 10.0.0.1:443 ssl verify none', '  server s3 10.0.0.1:443 ssl verify none no-ssl-reuse'),
    );
    assert.deepEqual(model.warnings, []);
    const servers = model.backends.find((b) => b.name === 'b')?.servers ?? [];
    assert.deepEqual(servers.map((s) => s.ssl?.noSessionReuse ?? false), [false, true, true]);
  });
});

describe('options a runtime cannot honour', () => {
  const limits = { runtime: 'deno', unsupported: new Set(['ciphers', 'curves', 'client-certificates', 'server-ciphers'] as const) };

  it('are refused at their word, naming the runtime', async () => {
    const list = await errors(
      cfg(
        ['  ssl-default-bind-ciphers ECDHE-RSA-AES128-GCM-SHA256'],
        'frontend f',
        '  bind :443 ssl crt /certs/a.pem curves P-256 ca-file /certs/ca.pem verify optional',
        'backend b',
        '  server s1 10.0.0.1:443 ssl verify none ciphers ECDHE-RSA-AES128-GCM-SHA256',
      ),
      { tlsLimits: limits },
    );
    assert.deepEqual(list, [
      [2, "'ssl-default-bind-ciphers' is not supported on Deno (its TLS stack ignores cipher lists); see docs/runtimes.md."],
      [9, "'bind :443' : 'curves' is not supported on Deno (its TLS stack ignores curve lists); see docs/runtimes.md."],
      [9, "'bind :443' : 'verify' is not supported on Deno (its TLS listener cannot verify client certificates against a CA); see docs/runtimes.md."],
      [11, "'server s1' : 'ciphers' is not supported on Deno (its TLS stack ignores cipher lists); see docs/runtimes.md."],
    ]);
  });

  it('verify none and a lone ca-file are not refused', async () => {
    await parse(cfg([], 'frontend f', '  bind :443 ssl crt /certs/a.pem ca-file /certs/ca.pem verify none'), { tlsLimits: limits });
  });
});

describe('more bind and global TLS options', () => {
  const KEY = fixture('tls/a.example.key');
  const CRT = fixture('tls/a.example.crt');

  it('ssl-load-extra-del-ext: the key of foo.crt is foo.key', async () => {
    const fake = files({ '/k/site.crt': CRT, '/k/site.key': KEY });
    const model = await parse(cfg(['  ssl-load-extra-del-ext'], 'frontend f', '  bind :443 ssl crt /k/site.crt'), { files: fake });
    assert.match(bind(model).ssl?.certificates[0]?.keyPem ?? '', /PRIVATE KEY/);
    const [first] = await errors(cfg([], 'frontend f', '  bind :443 ssl crt /k/site.crt'), { files: fake });
    assert.match(first?.[1] ?? '', /no private key found in '\/k\/site\.crt' nor in '\/k\/site\.crt\.key'/);
  });

  it('a path that is not there is a multi-certificate bundle: its .dsa, .ecdsa and .rsa files, each under its own name', async () => {
    const ECDSA = fixture('tls/ecdsa.example.pem');
    const fake = files({ '/k/site.pem.rsa': A_PEM, '/k/site.pem.ecdsa': ECDSA });
    const model = await parse(cfg([], 'frontend f', '  bind :443 ssl crt /k/site.pem'), { files: fake });
    assert.deepEqual(bind(model).ssl?.certificates.map((c) => c.path), ['/k/site.pem.ecdsa', '/k/site.pem.rsa']);
    const [first] = await errors(cfg([], 'frontend f', '  bind :443 ssl crt /k/none.pem'), { files: fake });
    assert.match(first?.[1] ?? '', /unable to load SSL certificate file '\/k\/none\.pem'/);
    const [bad] = await errors(cfg([], 'frontend f', '  bind :443 ssl crt /k/bad.pem'), { files: files({ '/k/bad.pem.rsa': 'nothing' }) });
    assert.match(bad?.[1] ?? '', /no certificate found in '\/k\/bad\.pem\.rsa'/);
  });

  it('ca-verify-file adds CAs to verify against; ecdhe is the curve when curves is not set', async () => {
    const model = await parse(cfg([], 'frontend f', '  bind :443 ssl crt /certs/a.pem ca-verify-file /certs/ca.pem verify required ecdhe prime256v1'));
    assert.equal(bind(model).ssl?.clientAuth?.caPem, CA_PEM.trim());
    assert.equal(bind(model).ssl?.tls?.curves, 'prime256v1');
    const both = await parse(cfg([], 'frontend f', '  bind :443 ssl crt /certs/a.pem ecdhe prime256v1 curves X25519'));
    assert.equal(bind(both).ssl?.tls?.curves, 'X25519');
  });

  it('server crl-file', async () => {
    const model = await parse(cfg([], 'backend b', '  server s1 10.0.0.1:443 ssl ca-file /certs/ca.pem crl-file /certs/crl.pem'));
    assert.equal(server(model).ssl?.crlPem, CRL_PEM.trim());
  });
});

describe('option httpslog', () => {
  it('sets the https log format; falls back to tcplog in a tcp proxy with HAProxy warning', async () => {
    const http = await parse(cfg([], 'frontend f', '  bind :80', '  option httpslog'));
    assert.match(http.frontends[0]?.logFormat ?? '', / %\[fc_err\]\/%\[ssl_fc_err,hex\]\/%\[ssl_c_err\]\/%\[ssl_c_ca_err\]\/%\[ssl_fc_is_resumed\] %\[ssl_fc_sni\]\/%sslv\/%sslc$/);
    const tcp = await parse(cfg([], 'frontend f', '  mode tcp', '  bind :80', '  option httpslog'));
    assert.deepEqual(
      tcp.warnings.map((w) => [w.line, w.message]),
      [[10, "'option httpslog' not usable with frontend 'f' (needs 'mode http'). Falling back to 'option tcplog'."]],
    );
  });
});

describe('generate-certificates and .ocsp files', () => {
  it('generate-certificates takes ca-sign-file (against ca-base) and tune.ssl.ssl-ctx-cache-size', async () => {
    const fake = new FakeFiles({ '/certs/a.pem': A_PEM, '/cas/sign.pem': `${CA_PEM}\n${fixture('tls/ca.key')}` });
    const model = await parseConfigText(
      cfg(['  ca-base /cas', '  tune.ssl.ssl-ctx-cache-size 7'], 'frontend f', '  bind :443 ssl generate-certificates crt /certs/a.pem ca-sign-file sign.pem ca-sign-pass secret'),
      'h.cfg',
      { files: fake },
    );
    const generation = bind(model).ssl?.generateCertificates;
    assert.equal(generation?.caFile, '/cas/sign.pem');
    assert.equal(generation?.cacheSize, 7);
    assert.equal(generation?.caPass, 'secret');
    assert.ok(generation?.caKeyPem.includes('PRIVATE KEY'));
    // HAProxy's default cache.
    const plain = await parseConfigText(cfg([], 'frontend f', '  bind :443 ssl generate-certificates crt /certs/a.pem ca-sign-file /cas/sign.pem'), 'h.cfg', { files: fake });
    assert.equal(bind(plain).ssl?.generateCertificates?.cacheSize, 1000);
  });

  it('generate-certificates without ca-sign-file is an error (ssl_sock_load_ca)', async () => {
    assert.deepEqual(await errors(cfg([], 'frontend f', '  bind :443 ssl generate-certificates crt /certs/a.pem')), [
      [8, "Proxy 'f': cannot enable certificate generation, no CA certificate File configured at [h.cfg:8]."],
    ]);
  });

  it("a certificate's .ocsp file is its stapled response; none without one", async () => {
    const response = fixtureBytes('tls/a.example.ocsp.der');
    const fake = new FakeFiles({ '/certs/a.pem': `${A_PEM}\n${CA_PEM}`, '/certs/a.pem.ocsp': response, '/certs/b.pem': B_PEM });
    const model = await parseConfigText(cfg([], 'frontend f', '  bind :443 ssl crt /certs/a.pem crt /certs/b.pem'), 'h.cfg', { files: fake });
    const [a, b] = bind(model).ssl?.certificates ?? [];
    assert.deepEqual(a?.ocspResponse, response);
    assert.equal(b?.ocspResponse, undefined);
    assert.deepEqual(model.warnings, []);
  });

  it('a .ocsp needs the issuer, from the chain or FILE.issuer; a response not about the certificate is ignored with a warning', async () => {
    const response = fixtureBytes('tls/a.example.ocsp.der');
    const text = cfg([], 'frontend f', '  bind :443 ssl crt /certs/a.pem');
    const refused = parseConfigText(text, 'h.cfg', { files: new FakeFiles({ '/certs/a.pem': A_PEM, '/certs/a.pem.ocsp': response }) });
    await assert.rejects(refused, /'bind' : '\/certs\/a\.pem\.ocsp' is present and activates OCSP but it is impossible to compute the OCSP certificate ID \(maybe the issuer could not be found\)/);
    const notIssuer = parseConfigText(text, 'h.cfg', { files: new FakeFiles({ '/certs/a.pem': A_PEM, '/certs/a.pem.ocsp': response, '/certs/a.pem.issuer': B_PEM }) });
    await assert.rejects(notIssuer, /'\/certs\/a\.pem\.issuer' is not an issuer/);
    const withIssuer = await parseConfigText(text, 'h.cfg', { files: new FakeFiles({ '/certs/a.pem': A_PEM, '/certs/a.pem.ocsp': response, '/certs/a.pem.issuer': CA_PEM }) });
    assert.equal(bind(withIssuer).ssl?.certificates[0]?.ocspIssuerPem, CA_PEM);
    const other = await parseConfigText(text, 'h.cfg', { files: new FakeFiles({ '/certs/a.pem': A_PEM, '/certs/a.pem.ocsp': fixtureBytes('tls/b.example.ocsp.der'), '/certs/a.pem.issuer': CA_PEM }) });
    assert.deepEqual(
      other.warnings.map((w) => w.message),
      ['Loading: OCSP single response: Certificate ID does not match certificate and issuer. Content will be ignored.'],
    );
  });
});

describe('ssl-load-extra-files', () => {
  const KEY = fixture('tls/a.example.key');
  const CRT = fixture('tls/a.example.crt');
  const ECDSA = fixture('tls/ecdsa.example.pem');
  const OCSP = fixtureBytes('tls/a.example.ocsp.der');

  it("takes none, all, or a list of bundle, sctl, ocsp, issuer, key; HAProxy's errors otherwise", async () => {
    const usage = "'ssl-load-extra-files' expects one or multiple arguments (none, all, bundle, sctl, ocsp, issuer).";
    const alone = "'ssl-load-extra-files' 'none' and 'all' can be only used alone";
    assert.deepEqual(await errors(cfg(['  ssl-load-extra-files'])), [[2, usage]]);
    assert.deepEqual(await errors(cfg(['  ssl-load-extra-files foo'])), [[2, usage]]);
    assert.deepEqual(await errors(cfg(['  ssl-load-extra-files key none'])), [[2, alone]]);
    assert.deepEqual(await errors(cfg(['  ssl-load-extra-files all key'])), [[2, alone]]);
    await parse(cfg(['  ssl-load-extra-files bundle sctl ocsp issuer key']));
  });

  it('without key, no FILE.key is read: a certificate without its key is refused', async () => {
    const fake = files({ '/k/site.pem': CRT, '/k/site.pem.key': KEY });
    const [first] = await errors(cfg(['  ssl-load-extra-files none'], 'frontend f', '  bind :443 ssl crt /k/site.pem'), { files: fake });
    assert.match(first?.[1] ?? '', /no private key found in '\/k\/site\.pem'/);
    assert.ok(!fake.reads.includes('/k/site.pem.key'), fake.reads.join(' '));
    const model = await parse(cfg(['  ssl-load-extra-files key'], 'frontend f', '  bind :443 ssl crt /k/site.pem'), { files: fake });
    assert.match(bind(model).ssl?.certificates[0]?.keyPem ?? '', /PRIVATE KEY/);
  });

  it('without bundle, a path that is not there is not a bundle; a later line replaces an earlier one', async () => {
    const fake = files({ '/k/site.pem.ecdsa': ECDSA });
    const [first] = await errors(cfg(['  ssl-load-extra-files key ocsp'], 'frontend f', '  bind :443 ssl crt /k/site.pem'), { files: fake });
    assert.match(first?.[1] ?? '', /unable to load SSL certificate file '\/k\/site\.pem'/);
    const model = await parse(cfg(['  ssl-load-extra-files none', '  ssl-load-extra-files bundle'], 'frontend f', '  bind :443 ssl crt /k/site.pem'), { files: fake });
    assert.deepEqual(bind(model).ssl?.certificates.map((c) => c.path), ['/k/site.pem.ecdsa']);
  });

  it('without ocsp no FILE.ocsp is stapled; without issuer, FILE.issuer is not read', async () => {
    const text = (extra: string): string => cfg([`  ssl-load-extra-files ${extra}`], 'frontend f', '  bind :443 ssl crt /certs/a.pem');
    const fake = (): FakeFiles => new FakeFiles({ '/certs/a.pem': A_PEM, '/certs/a.pem.ocsp': OCSP, '/certs/a.pem.issuer': CA_PEM });
    const none = fake();
    assert.equal(bind(await parseConfigText(text('key issuer'), 'h.cfg', { files: none })).ssl?.certificates[0]?.ocspResponse, undefined);
    assert.ok(!none.reads.includes('/certs/a.pem.ocsp'));
    await assert.rejects(parseConfigText(text('ocsp'), 'h.cfg', { files: fake() }), /impossible to compute the OCSP certificate ID/);
    const both = await parseConfigText(text('ocsp issuer'), 'h.cfg', { files: fake() });
    assert.deepEqual(bind(both).ssl?.certificates[0]?.ocspResponse, OCSP);
  });

  it('with ssl-load-extra-del-ext only a .crt extension is replaced, for the key and the .ocsp alike', async () => {
    const fake = new FakeFiles({ '/k/x.pem': CRT, '/k/x.key': KEY, '/k/site.crt': `${A_PEM}\n${CA_PEM}`, '/k/site.ocsp': OCSP });
    const [first] = await errors(cfg(['  ssl-load-extra-del-ext'], 'frontend f', '  bind :443 ssl crt /k/x.pem'), { files: fake });
    assert.match(first?.[1] ?? '', /nor in '\/k\/x\.pem\.key'/);
    const model = await parse(cfg(['  ssl-load-extra-del-ext'], 'frontend f', '  bind :443 ssl crt /k/site.crt'), { files: fake });
    assert.deepEqual(bind(model).ssl?.certificates[0]?.ocspResponse, OCSP);
  });

  it("a server's crt is never a bundle", async () => {
    const fake = files({ '/k/client.pem.rsa': A_PEM });
    const [first] = await errors(cfg([], 'backend b', '  server s1 10.0.0.1:443 ssl verify none crt /k/client.pem'), { files: fake });
    assert.match(first?.[1] ?? '', /unable to load SSL certificate file '\/k\/client\.pem'/);
  });
});
