#!/usr/bin/env node
// Micro-benchmark of the balancers' pick() on the compiled core (dist/), with tinybench.
//   node bench/micro/balance.mjs [--json] [--time MS]
// or `npm run bench -- micro`. Needs `npm run build` first (dist/src/...).
// Each task call makes a batch of picks so the per-pick cost (a few ns for 10 servers) is well
// above the timer's resolution; the table reports ns per pick.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { ROOT } from '../lib/paths.mjs';
import { fmtInt, markdownTable, writeResultsJson } from '../lib/report.mjs';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, time: { type: 'string' } } });
const timeMs = Number(values.time ?? 1000);

const dist = (p) => new URL(`dist/src/${p}`, `file://${ROOT}`);
for (const p of ['balance/roundrobin.js', 'proxy/server.js']) {
  if (!existsSync(dist(p))) {
    console.error(`bench/micro/balance.mjs: ${dist(p).pathname} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}
const { RoundRobinBalancer } = await import(dist('balance/roundrobin.js').href);
const { Server } = await import(dist('proxy/server.js').href);
const staticRr = existsSync(dist('balance/static-rr.js')) ? await import(dist('balance/static-rr.js').href) : undefined;

/** n servers as the config loader would build them; weights cycle through `weights`. */
function makeServers(n, weights = [1]) {
  return Array.from(
    { length: n },
    (_, i) =>
      new Server({
        name: `s${i + 1}`,
        host: '127.0.0.1',
        port: 10_000 + i,
        weight: weights[i % weights.length],
        maxconn: 0,
        disabled: false,
        backup: false,
        source: { file: 'bench', line: i + 1 },
      }),
  );
}

/** Checks the balancer really rotates (so a broken build is not benchmarked as fast). */
function checkFairness(Balancer, servers) {
  const lb = new Balancer(servers);
  const totalWeight = servers.reduce((a, s) => a + s.weight, 0);
  const counts = new Map();
  for (let i = 0; i < totalWeight * 3; i++) {
    const s = lb.pick(undefined);
    if (!s) throw new Error(`${Balancer.name}: pick() returned undefined with ${servers.length} UP servers`);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  for (const s of servers) {
    if ((counts.get(s) ?? 0) !== s.weight * 3) {
      throw new Error(`${Balancer.name}: ${s.name} (weight ${s.weight}) got ${counts.get(s) ?? 0} of ${totalWeight * 3} picks, expected ${s.weight * 3}`);
    }
  }
}

const cases = [];
for (const n of [10, 1000]) {
  cases.push({ name: `roundrobin pick(), ${fmtInt(n)} servers, equal weights`, Balancer: RoundRobinBalancer, n, weights: [1] });
  cases.push({ name: `roundrobin pick(), ${fmtInt(n)} servers, weights 1..4`, Balancer: RoundRobinBalancer, n, weights: [1, 2, 3, 4] });
  cases.push({ name: `roundrobin pick(avoid), ${fmtInt(n)} servers`, Balancer: RoundRobinBalancer, n, weights: [1], avoid: true });
  if (staticRr) {
    cases.push({ name: `static-rr pick(), ${fmtInt(n)} servers, equal weights`, Balancer: staticRr.StaticRoundRobinBalancer, n, weights: [1] });
  }
}

const bench = new Bench({ name: 'balance pick()', time: timeMs, warmupTime: Math.min(200, timeMs) });
let sink; // keeps the picks observable so the JIT cannot drop them
for (const c of cases) {
  const servers = makeServers(c.n, c.weights);
  checkFairness(c.Balancer, makeServers(c.n, c.weights));
  const lb = new c.Balancer(servers);
  const avoid = c.avoid ? servers[0] : undefined;
  // ~10k server visits per call: 1,000 picks over 10 servers, 10 picks over 1,000.
  c.batch = Math.max(1, Math.floor(10_000 / c.n));
  const batch = c.batch;
  bench.add(c.name, () => {
    let last;
    for (let i = 0; i < batch; i++) last = lb.pick(avoid);
    sink = last;
  });
}
await bench.run();
if (sink === undefined) throw new Error('no pick was made');

const results = bench.tasks.map((task, i) => {
  const c = cases[i];
  const r = task.result;
  if (r.state !== 'completed') return { name: task.name, servers: c.n, state: r.state, error: r.error?.message };
  const perPick = (ms) => (ms * 1e6) / c.batch; // ms per batch -> ns per pick
  return {
    name: task.name,
    servers: c.n,
    batch: c.batch,
    nsPerPickMean: perPick(r.latency.mean),
    nsPerPickP50: perPick(r.latency.p50),
    nsPerPickP99: perPick(r.latency.p99),
    rmePercent: r.latency.rme,
    picksPerSec: (r.throughput.mean ?? 0) * c.batch,
    samples: r.latency.samplesCount,
  };
});

const ns = (v) => (v === undefined ? '—' : v < 100 ? v.toFixed(1) : fmtInt(v));
console.log(`\n## Micro: balancer pick() (tinybench ${timeMs} ms per task, node ${process.version})\n`);
console.log(
  markdownTable([
    ['task', 'ns/pick (mean ± rme)', 'p50', 'p99', 'picks/s', 'samples'],
    ...results.map((r) =>
      r.state
        ? [r.name, `${r.state}${r.error ? `: ${r.error}` : ''}`, '—', '—', '—', '—']
        : [r.name, `${ns(r.nsPerPickMean)} ± ${r.rmePercent.toFixed(1)}%`, ns(r.nsPerPickP50), ns(r.nsPerPickP99), fmtInt(r.picksPerSec), fmtInt(r.samples)],
    ),
  ]),
);
const file = writeResultsJson('micro-balance', { benchmark: 'balance pick()', node: process.version, timeMs, results });
console.log(`\nresults: ${file}`);
if (values.json) console.log(JSON.stringify(results, null, 2));
if (results.some((r) => r.state)) process.exit(1);
