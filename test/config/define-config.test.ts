import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineConfig, type SwitchyardConfig } from '../../src/config/define-config.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { ConfigModel } from '../../src/config/model.ts';
import { fixture } from '../support/fake-files.ts';

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
      source: { file: 'defineConfig()', line: 0 },
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

  it('warns about log targets that are not served', () => {
    const model = defineConfig({ global: { log: [{ target: '127.0.0.1:514', facility: 'local2' }] } });
    assert.deepEqual(model.global.logs[0]?.format, 'rfc3164');
    assert.match(model.warnings[0]?.message ?? '', /^global\.log\.0: log target '127\.0\.0\.1:514' is accepted, but only 'stdout' and 'stderr' are served/);
  });
});
