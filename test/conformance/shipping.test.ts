/**
 * What ships: the npm tarball (`npm pack`), unpacked in a clean directory with only its runtime
 * dependencies beside it, runs `bin/switchyard.js`; the Bun single-file executable that
 * `npm run package` builds runs without any file of the repository. Each proxies one request
 * and stops on SIGTERM with exit 0.
 *
 * The tarball's dependencies are linked from this checkout's node_modules rather than installed:
 * `npm install` would ask the registry, and the suite talks to loopback only.
 * `deno compile` is not built here: it downloads Deno's runtime (denort) from dl.deno.land.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection } from '../support/http-client.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess, writeTempConfig } from '../support/proxy-process.ts';
import { repoRoot } from '../support/runtimes.ts';

/** The runtime dependencies of package.json, which the tarball does not carry. */
const RUNTIME_DEPENDENCIES = ['hono', 'valibot', '@hono/node-server'];

function config(front: number, back: number): string {
  return `
defaults
    mode http
    timeout connect 5s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:${front}
    default_backend be
backend be
    server app 127.0.0.1:${back}
`;
}

describe('shipping', () => {
  let dir = '';
  let backend: HttpTestBackend;
  let front = 0;
  let cfg: ReturnType<typeof writeTempConfig>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-ship-'));
    const [f, b] = (await freePorts(2)) as [number, number];
    front = f;
    backend = await appBackend(b, 'app');
    cfg = writeTempConfig(config(f, b));
  });

  after(async () => {
    await backend.close();
    cfg.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function proxiesOneRequest(proxy: ProxyProcess): Promise<void> {
    try {
      const conn = await HttpConnection.open(front);
      const res = await conn.request('GET', '/shipped');
      conn.destroy();
      assert.equal(res.status, 200, proxy.stderr);
      assert.equal(res.header('x-backend'), 'app');
    } finally {
      assert.equal(await proxy.stop(), 0, proxy.stderr);
    }
  }

  it('npm pack: the tarball runs bin/switchyard.js from a clean directory', async () => {
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr);
    const [{ filename, files }] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
    // The single-file Node entry that bin/switchyard.js prefers ships where the build wrote it.
    if (existsSync(join(repoRoot, 'dist', 'adapters', 'node', 'main.bundle.js'))) {
      assert.ok(files.some((f) => f.path === 'dist/adapters/node/main.bundle.js'), 'the tarball holds the bundle');
    }
    const app = join(dir, 'app');
    mkdirSync(join(app, 'node_modules', '@hono'), { recursive: true });
    const untar = spawnSync('tar', ['xzf', join(dir, filename), '-C', app], { encoding: 'utf8' });
    assert.equal(untar.status, 0, untar.stderr);
    for (const name of RUNTIME_DEPENDENCIES) symlinkSync(join(repoRoot, 'node_modules', name), join(app, 'node_modules', name));
    const proxy = await ProxyProcess.startExecutable('node', process.execPath, [join(app, 'package', 'bin', 'switchyard.js'), '-f', cfg.path]);
    await proxiesOneRequest(proxy);
  });

  it('npm run package: the Bun single-file executable runs with no repository file', async () => {
    const out = join(dir, 'bin');
    const build = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--targets', 'bun', '--out', out, '--no-smoke'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stdout + build.stderr);
    const proxy = await ProxyProcess.startExecutable('bun', join(out, 'switchyard-bun'), ['-f', cfg.path], 60_000);
    await proxiesOneRequest(proxy);
    const version = spawnSync(join(out, 'switchyard-bun'), ['-v'], { encoding: 'utf8' });
    assert.match(version.stdout, /^Switchyard version \S+ on bun /);
  });
});
