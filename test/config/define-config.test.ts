import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKEND_DEFAULTS, SERVER_DEFAULTS } from './model-defaults.ts';
import { defineConfig, type SwitchyardConfig } from '../../src/config/define-config.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { ConfigModel } from '../../src/config/model.ts';
import { FakeFiles, fixture } from '../support/fake-files.ts';

function refused(input: SwitchyardConfig): string[] {
  try {
    defineConfig(input, 'switchyard.config.ts');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    for (const d of err.diagnostics) {
      assert.equal(d.file, 'switchyard.config.ts');
      assert.equal(d.line, 0);
    }
    return err.diagnostics.map((d) => d.message);
  }
  assert.fail('expected defineConfig to throw');
}

/** Source locations differ by design (.ts file, line 0); everything else must match. */
function withoutSources(model: ConfigModel): unknown {
  return JSON.parse(JSON.stringify(model, (key, value: unknown) => (key === 'source' ? undefined : value)));
}

describe('defineConfig', () => {
  it('produces the same model as the equivalent haproxy.cfg', async () => {
    const fromTs = defineConfig(
      {
        global: { maxconn: 500, log: ['stdout'], hardStopAfter: '10s' },
        defaults: {
          mode: 'http',
          timeouts: { connect: '5s', client: 30_000, server: '30s', httpRequest: '10s' },
          log: ['global'],
          options: { dontlognull: true, redispatch: true },
          retries: 2,
        },
        frontends: {
          web: { bind: ['127.0.0.1:8080', { address: '[::1]:8081', name: 'v6', v6only: true, backlog: 100 }], defaultBackend: 'app', maxconn: 50 },
        },
        backends: {
          app: {
            balance: 'static-rr',
            servers: { s1: '127.0.0.1:3000', s2: { address: '127.0.0.1:3001', weight: 2, backup: true } },
            description: 'the app',
          },
        },
        listen: { admin: { bind: ':9000', servers: [{ name: 'a', address: '127.0.0.1:9001', maxconn: 5 }] } },
      },
      'switchyard.config.ts',
    );
    const fromCfg = await parseConfigText(
      [
        'global',
        '  maxconn 500',
        '  log stdout format raw local0',
        '  hard-stop-after 10s',
        'defaults',
        '  mode http',
        '  timeout connect 5s',
        '  timeout client 30s',
        '  timeout server 30s',
        '  timeout http-request 10s',
        '  log global',
        '  option dontlognull',
        '  option redispatch',
        '  retries 2',
        'frontend web',
        '  bind 127.0.0.1:8080',
        '  bind [::1]:8081 name v6 v6only backlog 100',
        '  default_backend app',
        '  maxconn 50',
        'backend app',
        '  balance static-rr',
        '  server s1 127.0.0.1:3000',
        '  server s2 127.0.0.1:3001 weight 2 backup',
        '  description the app',
        'listen admin',
        '  bind :9000',
        '  server a 127.0.0.1:9001 maxconn 5',
        '',
      ].join('\n'),
    );
    assert.deepEqual(withoutSources(fromTs), withoutSources(fromCfg));
    assert.deepEqual(fromTs.frontends[0]?.source, { file: 'switchyard.config.ts', line: 0 });
  });

  it('applies HAProxy defaults to optional fields', () => {
    const model = defineConfig({ frontends: { f: { bind: ':80', defaultBackend: 'b' } }, backends: { b: { servers: { s: '10.0.0.1:80' } } } });
    assert.equal(model.frontends[0]?.mode, 'tcp');
    assert.equal(model.backends[0]?.retries, 3);
    assert.deepEqual(model.backends[0]?.balance, { algorithm: 'roundrobin' });
    assert.deepEqual(model.backends[0]?.servers[0], {
      name: 's',
      host: '10.0.0.1',
      port: 80,
      weight: 1,
      maxconn: 0,
      disabled: false,
      backup: false,
      ssl: undefined,
      ...SERVER_DEFAULTS,
      source: { file: 'defineConfig()', line: 0 },
    });
    assert.deepEqual(model.backends[0]?.hashType, BACKEND_DEFAULTS.hashType);
    assert.deepEqual(model.frontends[0]?.options, { tcplog: false, httplog: false, dontlognull: false });
    assert.deepEqual(model.frontends[0]?.http, { connectionMode: 'keep-alive', forwardFor: undefined });
    assert.deepEqual(model.backends[0]?.http, {
      connectionMode: 'keep-alive',
      forwardFor: undefined,
      reuse: 'safe',
      retryOn: ['conn-failure'],
    });
    // Same checks as haproxy.cfg: missing timeouts are warned about.
    assert.deepEqual(
      model.warnings.map((w) => w.message.split('.')[0]),
      ["missing timeouts for frontend 'f'", "missing timeouts for backend 'b'"],
    );
  });

  it('takes certificates as PEM text', () => {
    const pem = fixture('tls/a.example.pem');
    const keyStart = pem.indexOf('-----BEGIN PRIVATE KEY-----');
    const model = defineConfig({
      frontends: {
        tls: {
          bind: { address: ':8443', ssl: { certificates: [{ certPem: pem.slice(0, keyStart), keyPem: pem.slice(keyStart), path: 'a.example.pem' }] }, alpn: ['h2', 'http/1.1'] },
        },
      },
    });
    const bind = model.frontends[0]?.binds[0];
    assert.equal(bind?.ssl?.certificates[0]?.path, 'a.example.pem');
    assert.match(bind?.ssl?.certificates[0]?.certPem ?? '', /^-----BEGIN CERTIFICATE-----/);
    assert.deepEqual(bind?.alpn, ['h2', 'http/1.1']);
  });

  it('reports schema errors with their path', () => {
    assert.deepEqual(
      refused({
        frontends: { f: { bind: ':80', mode: 'udp' as 'tcp' } },
        backends: { b: { servers: { s: { address: '10.0.0.1:80', weight: 300 } }, retries: -1 } },
      }),
      [
        'frontends.f.mode: Invalid type: Expected ("tcp" | "http") but received "udp"',
        'backends.b.servers.s.weight: Invalid value: Expected <=256 but received 300',
        'backends.b.retries: Invalid value: Expected >=0 but received -1',
      ],
    );
  });

  it("refuses observe 'layer7' outside http mode and bad error-limit / on-error values", () => {
    assert.deepEqual(refused({ backends: { h: { mode: 'http', servers: { s: { address: '10.0.0.1:80', errorLimit: 0 } } } } }), [
      'backends.h.servers.s.errorLimit: Invalid value: Expected >=1 but received 0',
    ]);
    assert.deepEqual(refused({ backends: { h: { defaultServer: { onError: 'kill' as 'mark-down' } } } }), [
      'backends.h.defaultServer.onError: Invalid type: Expected ("fastinter" | "fail-check" | "sudden-death" | "mark-down") but received "kill"',
    ]);
    assert.deepEqual(refused({ backends: { t: { servers: { s: { address: '10.0.0.1:80', check: true, observe: 'layer7' } } } } }), [
      "backends.t.servers.s.observe: 'layer7' can only be used in http proxies.",
    ]);
  });

  it("refuses bad init-addr methods with haproxy.cfg's messages", () => {
    assert.deepEqual(refused({ backends: { b: { servers: { s: { address: 'app:80', initAddr: 'libc,bogus' } } } } }), [
      "backends.b.servers.s.initAddr: unknown init-addr method 'bogus', supported methods are 'libc', 'last', 'none'.",
    ]);
    assert.deepEqual(refused({ backends: { b: { defaultServer: { initAddr: ['10.0.0.1', '10.0.0.2'] } } } }), [
      "backends.b.defaultServer.initAddr: initial address already specified, cannot add '10.0.0.2'.",
    ]);
    assert.deepEqual(refused({ backends: { b: { defaultServer: { initAddr: [] } } } }), [
      'backends.b.defaultServer.initAddr: Invalid length: Expected >=1 but received 0',
    ]);
  });

  it('names unknown keys and suggests the intended one', () => {
    assert.deepEqual(refused({ backends: { b: { balnce: 'roundrobin' } } } as unknown as SwitchyardConfig), [
      "backends.b.balnce: unknown key 'balnce'; did you mean 'balance'?",
    ]);
  });

  it('refuses invalid durations and names', () => {
    const messages = refused({ defaults: { timeouts: { client: '5x' } }, backends: { 'a b': {} } });
    assert.equal(messages.length, 2);
    assert.match(messages[0] ?? '', /^defaults\.timeouts\.client: /);
    assert.match(messages[1] ?? '', /^backends\.a b: .*names may only contain letters/);
  });

  it('reports invalid addresses with their path', () => {
    assert.deepEqual(refused({ frontends: { f: { bind: [':80', ':8000-8010'] } } }), [
      "frontends.f.bind.1: port ranges are not supported (':8000-8010').",
    ]);
    assert.deepEqual(refused({ backends: { b: { servers: { s: 'nohost' } } } }), ["backends.b.servers.s: missing port in address 'nohost'."]);
  });

  it('runs the cross-checks of haproxy.cfg', () => {
    assert.deepEqual(refused({ frontends: { f: { bind: ':80', defaultBackend: 'missing' } } }), [
      "Proxy 'f': unable to find required default_backend: 'missing'.",
    ]);
    assert.deepEqual(refused({ frontends: { a: { bind: ':80' }, b: { bind: '*:80' } } }), [
      "'bind *:80' : address 0.0.0.0:80 is already bound by 'bind :80' in frontend 'a' at switchyard.config.ts:0.",
    ]);
    assert.deepEqual(refused({ backends: { x: {} }, listen: { x: { bind: ':1' } } }), [
      "listen.x: listen 'x' has the same name as a frontend or backend.",
    ]);
  });

  it('takes log sampling as in haproxy.cfg, with its errors', () => {
    const model = defineConfig({ global: { log: [{ target: '127.0.0.1:514', sample: '1,3:5' }] } });
    assert.deepEqual(model.global.logs[0]?.sample, { ranges: [{ low: 1, high: 1 }, { low: 3, high: 3 }], size: 5 });
    assert.throws(() => defineConfig({ global: { log: [{ target: '127.0.0.1:514', sample: '1-3,2:5' }] } }), /global\.log\.0\.sample: log : ranges are overlapping/);
  });

  it('serves UDP and UNIX syslog targets and refuses the others', () => {
    const model = defineConfig({ global: { log: [{ target: '127.0.0.1:514', facility: 'local2' }, { target: '/dev/log', format: 'timed' }] } });
    assert.deepEqual(model.global.logs.map((l) => l.format), ['unspec', 'timed']);
    assert.equal(model.warnings.length, 0);
    // A ring must be declared (in `sections`), as in haproxy.cfg.
    assert.throws(() => defineConfig({ global: { log: [{ target: 'ring@r' }] } }), /uses unknown ring named 'r'/);
    assert.throws(() => defineConfig({ global: { log: [{ target: 'uxdg@/dev/log' }] } }), /global\.log\.0: 'log' : target 'uxdg@\/dev\/log' is not supported/);
  });
});

describe('defineConfig: HTTP settings', () => {
  const CA_PEM = fixture('tls/ca.pem');

  it('produces the same model as the equivalent haproxy.cfg', async () => {
    const fromTs = defineConfig(
      {
        defaults: {
          mode: 'http',
          timeouts: { connect: '5s', client: '30s', server: '30s', httpRequest: '10s', httpKeepAlive: '2s' },
          options: { httplog: true, httpServerClose: true, forwardfor: { except: '127.0.0.0/8', header: 'X-Client-IP' } },
          httpReuse: 'aggressive',
          retryOn: ['all-retryable-errors', '404'],
          defaultServer: { ssl: true, verify: 'none', alpn: ['h2', 'http/1.1'] },
        },
        frontends: { web: { bind: ':8080', defaultBackend: 'app', options: { httpclose: true } } },
        backends: {
          app: {
            options: { forwardfor: true, httpServerClose: false },
            retryOn: ['none'],
            servers: {
              s1: { address: '10.0.0.1:443', sni: 'str(app.example)' },
              s2: { address: '10.0.0.2:443', verify: 'required', caPem: CA_PEM.trim() },
              s3: { address: '10.0.0.3:80', ssl: false },
            },
          },
        },
      },
      'switchyard.config.ts',
    );
    const fromCfg = await parseConfigText(
      [
        'global',
        '  ca-base /ca',
        'defaults',
        '  mode http',
        '  timeout connect 5s',
        '  timeout client 30s',
        '  timeout server 30s',
        '  timeout http-request 10s',
        '  timeout http-keep-alive 2s',
        '  option httplog',
        '  option http-server-close',
        '  option forwardfor except 127.0.0.0/8 header X-Client-IP',
        '  http-reuse aggressive',
        '  retry-on all-retryable-errors 404',
        '  default-server ssl verify none alpn h2,http/1.1',
        'frontend web',
        '  bind :8080',
        '  default_backend app',
        '  option httpclose',
        'backend app',
        '  option forwardfor',
        '  no option http-server-close',
        '  retry-on none',
        '  server s1 10.0.0.1:443 sni str(app.example)',
        '  server s2 10.0.0.2:443 verify required ca-file ca.pem',
        '  server s3 10.0.0.3:80 no-ssl',
        '',
      ].join('\n'),
      'h.cfg',
      { files: new FakeFiles({ '/ca/ca.pem': CA_PEM }) },
    );
    // haproxy.cfg's ca-file names a file the runtime API may replace (`set ssl ca-file`);
    // defineConfig takes the PEM text itself: the one difference.
    assert.equal(fromCfg.backends[0]?.servers[1]?.ssl?.caFile, '/ca/ca.pem');
    const cfgServers = fromCfg.backends[0]?.servers.map((s) => (s.ssl === undefined ? s : { ...s, ssl: { ...s.ssl, caFile: undefined } }));
    // Its `ca-base` is kept for the lines `add server` parses at run time; defineConfig writes whole paths.
    const { serverTlsDefaults: _bases, ...cfgGlobal } = fromCfg.global;
    assert.deepEqual(_bases, { caBase: '/ca', crtBase: undefined, verify: undefined });
    const comparable = { ...fromCfg, global: cfgGlobal, backends: fromCfg.backends.map((b, i) => (i === 0 ? { ...b, servers: cfgServers ?? [] } : b)) };
    assert.deepEqual(withoutSources(fromTs), JSON.parse(JSON.stringify(withoutSources(comparable))));
    const app = fromTs.backends[0];
    assert.deepEqual(app?.http, {
      connectionMode: 'keep-alive',
      forwardFor: { header: 'x-forwarded-for', except: undefined, ifNone: false },
      reuse: 'aggressive',
      retryOn: [],
    });
    assert.deepEqual(fromTs.frontends[0]?.http, {
      connectionMode: 'close',
      forwardFor: { header: 'x-client-ip', except: '127.0.0.0/8', ifNone: false },
    });
    assert.deepEqual(fromTs.frontends[0]?.options, { tcplog: false, httplog: true, dontlognull: false });
    assert.deepEqual(app?.servers[1]?.ssl, { verify: 'required', caPem: CA_PEM.trim(), sni: undefined, alpn: ['h2', 'http/1.1'] });
    assert.equal(app?.servers[2]?.ssl, undefined);
  });

  it('lets a proxy switch the inherited log format and drop an inherited forwardfor', () => {
    const model = defineConfig({
      defaults: { mode: 'http', options: { tcplog: true, forwardfor: { ifNone: true } } },
      frontends: { f: { bind: ':80', options: { httplog: true, forwardfor: false } } },
    });
    assert.deepEqual(model.frontends[0]?.options, { tcplog: false, httplog: true, dontlognull: false });
    assert.equal(model.frontends[0]?.http?.forwardFor, undefined);
  });

  it('accepts @system-ca and rewrites dotted masks', () => {
    const model = defineConfig({
      backends: {
        b: {
          mode: 'http',
          options: { forwardfor: { except: '10.0.0.0/255.255.0.0' } },
          servers: { s: { address: '10.0.0.1:443', ssl: true, caPem: '@system-ca' } },
        },
      },
    });
    assert.deepEqual(model.backends[0]?.servers[0]?.ssl, { verify: 'required', caPem: undefined, sni: undefined, alpn: undefined });
    assert.equal(model.backends[0]?.http?.forwardFor?.except, '10.0.0.0/16');
  });

  it('refuses contradictions and invalid values with their path', () => {
    assert.deepEqual(
      refused({
        defaults: { options: { tcplog: true, httplog: true, httpclose: true, httpServerClose: true } },
      }),
      [
        "defaults.options: 'tcplog' and 'httplog' cannot both be true (in haproxy.cfg the last one written wins).",
        "defaults.options: only one of 'httpServerClose', 'httpclose' may be true (they replace each other).",
      ],
    );
    const messages = refused({
      backends: {
        b: {
          options: { forwardfor: { except: 'localhost', header: 'X Y' } },
          retryOn: ['none', '503'],
          httpReuse: 'sometimes' as 'safe',
          defaultServer: { verify: 'maybe' as 'none', caPem: 'not pem', alpn: [] },
        },
      },
    });
    assert.deepEqual(
      messages.map((m) => m.split(':')[0]).sort(),
      [
        'backends.b.defaultServer.alpn',
        'backends.b.defaultServer.caPem',
        'backends.b.defaultServer.verify',
        'backends.b.httpReuse',
        'backends.b.options.forwardfor.except',
        'backends.b.options.forwardfor.header',
        'backends.b.retryOn',
      ],
    );
    assert.ok(messages.includes("backends.b.retryOn: 'none' is only usable alone"), messages.join('\n'));
    assert.ok(messages.includes('backends.b.defaultServer.caPem: caPem must be PEM certificates or "@system-ca"'), messages.join('\n'));
    assert.deepEqual(refused({ frontends: { f: { bind: ':80', retryOn: ['503'] } } } as unknown as SwitchyardConfig), [
      "frontends.f.retryOn: unknown key 'retryOn'",
    ]);
  });

  it("refuses ssl with the default 'verify required' and no CA, like haproxy.cfg", () => {
    assert.deepEqual(
      refused({ backends: { b: { servers: { s: { address: '10.0.0.1:443', ssl: true } } } } }).map((m) => m.split(' : ')[0]),
      ["Proxy 'b', server 's'"],
    );
  });

  it('takes sni sample expressions; refuses one that cannot be evaluated at connect time', () => {
    const model = defineConfig({ backends: { b: { servers: { s: { address: '10.0.0.1:443', ssl: true, verify: 'none', sni: 'ssl_fc_sni' } } } } });
    assert.equal(model.backends[0]?.servers[0]?.ssl?.sni, 'ssl_fc_sni');
    assert.throws(() => defineConfig({ backends: { b: { servers: { s: { address: '10.0.0.1:443', ssl: true, verify: 'none', sni: 'nosuch' } } } } }), /error detected while parsing sni expression/);
  });
});
