#!/usr/bin/env node
// Micro-benchmark of configuration parsing on the compiled core (dist/), with tinybench:
// a 1,000-server haproxy.cfg (10 backends x 100 servers), the size DESIGN §4 sets the reload
// target for (< 50 ms applied). Parsing is part of that budget.
//   node bench/micro/config-parse.mjs [--json] [--time MS]
// or `npm run bench -- micro config-parse`. Needs `npm run build` first (dist/src/...).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { ROOT } from '../lib/paths.mjs';
import { fmtInt, markdownTable, writeResultsJson } from '../lib/report.mjs';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, time: { type: 'string' } } });
const timeMs = Number(values.time ?? 2000);

const loadUrl = new URL('dist/src/config/load.js', `file://${ROOT}`);
if (!existsSync(loadUrl)) {
  console.error(`bench/micro/config-parse.mjs: ${loadUrl.pathname} is missing: run \`npm run build\` first`);
  process.exit(1);
}
const { parseConfigText } = await import(loadUrl.href);

const lines = ['global', '  maxconn 50000', 'defaults', '  mode http', '  timeout connect 5s', '  timeout client 30s', '  timeout server 30s', 'frontend f', '  bind :80', '  default_backend b'];
for (let b = 0; b < 10; b++) {
  lines.push(`backend b${b === 0 ? '' : b}`, '  balance roundrobin');
  for (let s = 0; s < 100; s++) lines.push(`  server s${s} 10.0.${b}.${s}:8080 weight ${1 + (s % 5)} maxconn 100`);
}
const text = `${lines.join('\n')}\n`;

// Refuse to time a parser that does not produce the model.
const model = await parseConfigText(text);
const servers = model.backends.reduce((n, b) => n + b.servers.length, 0);
if (servers !== 1000) throw new Error(`config-parse: expected 1,000 servers, parsed ${servers}`);

const bench = new Bench({ time: timeMs, warmupTime: 200 });
bench.add('parse 1,000-server haproxy.cfg', async () => {
  await parseConfigText(text);
});
await bench.run();

const runtime = `node ${process.versions.node}`;
const results = bench.tasks.map((task) => {
  const r = task.result;
  if (!r || (r.state !== undefined && r.state !== 'completed')) return { name: task.name, state: r?.state ?? 'missing' };
  return { name: task.name, msPerOpMean: r.latency.mean, msPerOpP50: r.latency.p50, msPerOpP99: r.latency.p99, rmePercent: r.latency.rme, samples: r.latency.samplesCount };
});
console.log(`\n## Micro: configuration parsing (tinybench ${timeMs} ms, ${runtime})\n`);
console.log(
  markdownTable([
    ['task', 'ms/op (mean ± rme)', 'p50', 'p99', 'samples'],
    ...results.map((r) =>
      r.msPerOpMean === undefined
        ? [r.name, r.state, '—', '—', '—']
        : [r.name, `${r.msPerOpMean.toFixed(2)} ± ${r.rmePercent.toFixed(1)}%`, r.msPerOpP50.toFixed(2), r.msPerOpP99.toFixed(2), fmtInt(r.samples)],
    ),
  ]),
);
const file = writeResultsJson('micro-config-parse', { benchmark: 'config parse', runtime, timeMs, results });
console.log(`\nresults: ${file}`);
if (values.json) console.log(JSON.stringify(results, null, 2));
if (results.some((r) => r.msPerOpMean === undefined)) process.exit(1);
