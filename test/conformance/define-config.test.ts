/**
 * The proxy started from a configuration module (`switchyard -f switchyard.config.ts`) whose
 * defineConfig() has ACLs, http-request rules (typed and as text) and content switching: a deny
 * answers without reaching a server, a path picks its backend, a header set by a rule reaches the
 * backend, a redirect answers with its Location.
 *
 * Bun and Deno load the module as TypeScript (importing src/); Node 20 cannot import a .ts file,
 * so there the same text is a .mjs module importing the compiled dist/. The `haproxy` target
 * runs the equivalent haproxy.cfg, which keeps the expectations HAProxy's:
 * A defineConfig() error is reported as HAProxy reports the same error in haproxy.cfg (on Node,
 * bin/switchyard.js runs the compiled modules for a configuration module, not its bundle, so that
 * the module's ConfigError is the CLI's).
 *   CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/define-config.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProxyProcess, runCli, writeTempConfig } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { onNode, repoRoot } from '../support/runtimes.ts';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { TARGETS, stopProxy, type Target } from '../support/http-suite.ts';

interface Ports {
  readonly web: number;
  readonly api: number;
  readonly app: number;
}

/** The defineConfig() input, as module source (no type annotations: valid TypeScript and JavaScript). */
function moduleInput(p: Ports): string {
  const input = {
    defaults: { mode: 'http', timeouts: { connect: '500ms', client: '5s', server: '5s', httpRequest: '5s' } },
    frontends: {
      web: {
        bind: `127.0.0.1:${p.web}`,
        acls: { is_api: 'path_beg /api', is_admin: ['path_beg /admin', 'path_beg /private'] },
        httpRequest: [
          { action: 'deny', if: 'is_admin' },
          'deny deny_status 429 if { path /busy }',
          { action: 'redirect', location: '/new', code: 301, if: '{ path /old }' },
          { action: 'set-header', name: 'X-Edge', value: 'switchyard %[path]' },
        ],
        useBackend: [{ backend: 'api', if: 'is_api' }],
        defaultBackend: 'app',
      },
    },
    backends: {
      api: { servers: { a1: `127.0.0.1:${p.api}` } },
      app: { servers: { s1: `127.0.0.1:${p.app}` } },
    },
  };
  return JSON.stringify(input, null, 2);
}

/** The same configuration as haproxy.cfg (for the reference run). */
function haproxyCfg(p: Ports): string {
  return `
defaults
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
    timeout http-request 5s
frontend web
    bind 127.0.0.1:${p.web}
    acl is_api path_beg /api
    acl is_admin path_beg /admin
    acl is_admin path_beg /private
    http-request deny if is_admin
    http-request deny deny_status 429 if { path /busy }
    http-request redirect location /new code 301 if { path /old }
    http-request set-header X-Edge "switchyard %[path]"
    use_backend api if is_api
    default_backend app
backend api
    server a1 127.0.0.1:${p.api}
backend app
    server s1 127.0.0.1:${p.app}
`;
}

/** Writes the configuration module for a runtime; returns the -f path and its cleanup. */
function writeModule(target: Exclude<Target, 'haproxy'>, p: Ports): { path: string; cleanup: () => void } {
  return writeModuleText(target, `export default defineConfig(${moduleInput(p)}, 'switchyard.config');\n`);
}

/** Writes `body` as a configuration module importing defineConfig (.ts on Bun and Deno, .mjs on Node). */
function writeModuleText(target: Exclude<Target, 'haproxy'>, body: string): { path: string; cleanup: () => void } {
  const typescript = !onNode(target);
  const from = typescript ? `${repoRoot}src/config/define-config.ts` : `${repoRoot}dist/src/config/define-config.js`;
  const source = `import { defineConfig } from ${JSON.stringify(from)};\n\n${body}`;
  return writeTempConfig(source, typescript ? 'switchyard.config.ts' : 'switchyard.config.mjs');
}

async function get(port: number, path: string) {
  const connection = await HttpConnection.open(port);
  try {
    await connection.write(`GET ${path} HTTP/1.1\r\nhost: example.test\r\n\r\n`);
    return await connection.read('GET', 5000);
  } finally {
    connection.destroy();
  }
}

for (const target of TARGETS) {
  describe(`defineConfig() module with rules [${target}]`, () => {
    let proxy: ProxyProcess | undefined;
    let ports: Ports;
    let cleanup = (): void => {};
    const backends: HttpTestBackend[] = [];

    before(async () => {
      const [web, api, app] = (await freePorts(3)) as [number, number, number];
      ports = { web, api, app };
      backends.push(await appBackend(api, 'api'), await appBackend(app, 'app'));
      if (target === 'haproxy') {
        proxy = await ProxyProcess.start(target, haproxyCfg(ports));
        return;
      }
      const module = writeModule(target, ports);
      cleanup = module.cleanup;
      proxy = await ProxyProcess.start(target, undefined, ['-f', module.path]);
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      cleanup();
      await Promise.all(backends.map((b) => b.close()));
    });

    it('denies by a named ACL (two definitions) without reaching a server', async () => {
      const before = backends.reduce((n, b) => n + b.requests, 0);
      for (const path of ['/admin/users', '/private']) {
        const res = await get(ports.web, path);
        assert.equal(res.status, 403, `${path}\n${res.head.raw}`);
        assert.match(res.text, /403 Forbidden/);
      }
      const res = await get(ports.web, '/busy');
      assert.equal(res.status, 429, res.head.raw);
      assert.equal(backends.reduce((n, b) => n + b.requests, 0), before, 'no request reached a backend');
    });

    it('switches on the path: /api to backend api, the rest to the default backend', async () => {
      const api = await get(ports.web, '/api/items');
      assert.equal(api.status, 200);
      assert.equal(api.header('x-backend'), 'api');
      const app = await get(ports.web, '/index.html');
      assert.equal(app.status, 200);
      assert.equal(app.header('x-backend'), 'app');
    });

    it('a typed set-header reaches the backend, with its log-format evaluated', async () => {
      const res = await get(ports.web, '/api/x');
      assert.match(res.text, /\r\nx-edge: switchyard \/api\/x\r\n/i);
    });

    it('a typed redirect answers with its code and Location', async () => {
      const res = await get(ports.web, '/old');
      assert.equal(res.status, 301);
      assert.equal(res.header('location'), '/new');
    });
  });
}

for (const target of TARGETS) {
  describe(`defineConfig() module with an error [${target}]`, () => {
    it('-c reports it as haproxy.cfg errors are: its ALERT, then the fatal errors line, exit 1', async () => {
      const frontend = { bind: '127.0.0.1:62999', defaultBackend: 'nope' };
      const input = { defaults: { mode: 'http', timeouts: { connect: '5s', client: '5s', server: '5s' } }, frontends: { web: frontend } };
      const written =
        target === 'haproxy'
          ? writeTempConfig('defaults\n    mode http\n    timeout connect 5s\n    timeout client 5s\n    timeout server 5s\nfrontend web\n    bind 127.0.0.1:62999\n    default_backend nope\n')
          : writeModuleText(target, `export default defineConfig(${JSON.stringify(input)});\n`);
      try {
        const result = await runCli(target, ['-c', '-f', written.path]);
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, /\[ALERT\] +\(\d+\) : config : .*Proxy 'web': unable to find required default_backend: 'nope'\.\n/);
        assert.match(result.stderr, /\[ALERT\] +\(\d+\) : config : Fatal errors found in configuration\.\n/);
      } finally {
        written.cleanup();
      }
    });
  });
}
