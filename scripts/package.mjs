// `npm run package`: single-file executables of the proxy, built from the TypeScript sources by
// each runtime's own compiler, then smoke-tested on the bundled demo (started without -f, one
// request through 127.0.0.1:8080, SIGTERM, exit 0).
//
//   npm run package                          both, into dist-bin/
//   npm run package -- --targets bun         one of them
//   npm run package -- --out DIR --no-smoke  build only (the test suite smoke-tests on its own)
//
// `deno compile` embeds Deno's runtime, denort, which it downloads from dl.deno.land once per
// version, or takes from the file DENORT_BIN names: without either, that build fails and says so.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);

const BUILDS = {
  bun: (out) => [bin('bun'), ['build', '--compile', 'adapters/bun/main.ts', '--outfile', join(out, 'switchyard-bun')], join(out, 'switchyard-bun')],
  // --no-check: as `deno run` (deno task proxy), which does not type-check either.
  deno: (out) => [
    bin('deno'),
    ['compile', '-A', '--no-check', '--config=deno.json', '--include', 'examples/demo.cfg', '--output', join(out, 'switchyard-deno'), 'adapters/deno/main.ts'],
    join(out, 'switchyard-deno'),
  ],
};

function parseArgs(argv) {
  const options = { targets: Object.keys(BUILDS), out: join(root, 'dist-bin'), smoke: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--targets') options.targets = (argv[++i] ?? '').split(',').filter((t) => t !== '');
    else if (arg === '--out') options.out = argv[++i];
    else if (arg === '--no-smoke') options.smoke = false;
    else throw new Error(`unknown argument ${arg} (expected --targets bun,deno, --out DIR, --no-smoke)`);
  }
  for (const t of options.targets) if (!(t in BUILDS)) throw new Error(`unknown target ${t} (expected ${Object.keys(BUILDS).join(', ')})`);
  return options;
}

function get(port, path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

/** Starts the executable on the demo, sends one request, stops it; resolves to an error text or undefined. */
function smoke(executable) {
  return new Promise((resolve) => {
    const child = spawn(executable, [], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let verdict;
    const timer = setTimeout(() => {
      verdict ??= 'did not start within 30 s';
      child.kill('SIGKILL');
    }, 30_000);
    const onData = (d) => {
      output += d.toString();
      if (verdict !== undefined || !/started \(pid/.test(output)) return;
      verdict = 'pending';
      get(8080, '/')
        .then((res) => (res.status === 200 && /demo backend s\d/.test(res.body) ? undefined : `GET / answered ${res.status} ${res.body.slice(0, 80)}`))
        .catch((error) => `GET /: ${error.message}`)
        .then((failure) => {
          verdict = failure ?? 'ok';
          child.kill('SIGTERM');
        });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (verdict === 'ok' && code === 0) resolve(undefined);
      else resolve(`${verdict === 'ok' ? `exit ${code ?? signal} after SIGTERM` : verdict ?? `exited ${code ?? signal} before starting`}\n${output}`);
    });
  });
}

const options = parseArgs(process.argv.slice(2));
mkdirSync(options.out, { recursive: true });
let failed = false;
for (const target of options.targets) {
  const [command, args, executable] = BUILDS[target](options.out);
  console.log(`# ${target}: ${[command, ...args].join(' ')}`);
  const build = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } });
  if (build.status !== 0) {
    console.error(`${target}: build failed (exit ${build.status ?? build.signal})`);
    failed = true;
    continue;
  }
  if (!options.smoke) continue;
  const failure = await smoke(executable);
  if (failure === undefined) console.log(`${target}: ${executable} serves the demo and stops on SIGTERM`);
  else {
    console.error(`${target}: smoke test failed: ${failure}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
