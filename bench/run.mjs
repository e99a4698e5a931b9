#!/usr/bin/env node
// Switchyard benchmarks: `npm run bench -- <scenario> [options]` (see bench/README.md).
// Scenarios live in bench/scenarios/<name>.mjs and share the helpers in bench/lib/.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseOptions, usage } from './lib/args.mjs';
import { BENCH_DIR } from './lib/paths.mjs';
import { cleanupAll, installCleanupHandlers } from './lib/procs.mjs';

async function loadScenarios() {
  const dir = join(BENCH_DIR, 'scenarios');
  const scenarios = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort()) {
    const mod = await import(pathToFileURL(join(dir, file)).href);
    scenarios.set(mod.default.name, mod.default);
  }
  return scenarios;
}

function list(scenarios) {
  const width = Math.max(...[...scenarios.keys()].map((n) => n.length));
  return [...scenarios.values()].map((s) => `  ${s.name.padEnd(width)}  ${s.description}`).join('\n');
}

async function main(argv) {
  installCleanupHandlers();
  const scenarios = await loadScenarios();
  let opts;
  try {
    opts = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`bench: ${err.message}\n\n${usage(list(scenarios))}`);
    return 2;
  }
  const [name, ...rest] = opts.positional;
  if (opts.help || name === undefined) {
    process.stdout.write(usage(list(scenarios)));
    return 0;
  }
  const scenario = scenarios.get(name);
  if (!scenario) {
    process.stderr.write(`bench: unknown scenario '${name}'\n\n${usage(list(scenarios))}`);
    return 2;
  }
  return scenario.run({ ...opts, positional: rest });
}

let status = 1;
try {
  status = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`bench: ${err?.stack ?? err}\n`);
  if (err?.log) process.stderr.write(`${err.log}\n`);
  status = 1;
} finally {
  await cleanupAll();
}
process.exit(status);
