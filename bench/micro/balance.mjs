#!/usr/bin/env node
// Micro-benchmark of every balancer's pick() on the compiled core (dist/), with tinybench.
//   node bench/micro/balance.mjs [--json] [--time MS] [--only SUBSTRING]
// or `npm run bench -- micro`. Needs `npm run build` first (dist/src/...).
//
// For each algorithm, at 10 and 1,000 servers:
//   - `pick()`: the balancer's pick alone (hash algorithms cycle through 1,024 pre-parsed
//     requests with distinct keys, so the key extraction and hashing are measured, not cached);
//   - `session`: pick + taken + released with 64 sessions in flight (what a backend does per
//     connection), for the algorithms whose order depends on the load (leastconn, first, random)
//     and roundrobin (parks full servers) — the cost a proxy really pays per session.
// Each task call makes a batch of picks so the per-pick cost (a few ns) is well above the
// timer's resolution; the table reports ns per pick. Allocation: after tinybench, each case runs
// 100 batches of 10,000 picks and reports the median heap growth per pick (batches a garbage
// collection interrupted are discarded by the median), with --expose-gc switched on at runtime.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { bytesPerCall, dist } from '../lib/micro.mjs';
import { fmtInt, markdownTable, writeResultsJson } from '../lib/report.mjs';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, time: { type: 'string' }, only: { type: 'string' } } });
const timeMs = Number(values.time ?? 500);


for (const p of ['balance/create-balancer.js', 'proxy/server.js', 'http/codec/index.js']) {
  if (!existsSync(dist(p))) {
    console.error(`bench/micro/balance.mjs: ${dist(p).pathname} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}
const { createBalancer } = await import(dist('balance/create-balancer.js').href);
const { Server } = await import(dist('proxy/server.js').href);
const { RequestHeadParser } = await import(dist('http/codec/index.js').href);

/** n servers as Backend builds them (index i); `spec(i)` gives weight/maxconn. */
function makeServers(n, spec = () => ({})) {
  return Array.from({ length: n }, (_, i) => {
    const s = spec(i);
    return new Server(
      {
        name: `s${i + 1}`,
        host: '127.0.0.1',
        port: 10_000 + i,
        weight: s.weight ?? 1,
        maxconn: s.maxconn ?? 0,
        disabled: false,
        backup: false,
        source: { file: 'bench', line: i + 1 },
      },
      i,
    );
  });
}

const encoder = new TextEncoder();
function head(text) {
  const parser = new RequestHeadParser();
  parser.feed(encoder.encode(text));
  if (!parser.done) throw new Error(`bench: incomplete head ${JSON.stringify(text)}`);
  return parser.head;
}

/** 1,024 requests with distinct keys for every hash algorithm, built once. */
const POOL = 1024;
const requests = Array.from({ length: POOL }, (_, i) => ({
  clientAddress: `10.0.${i >> 8}.${i & 255}`,
  lbHead: head(
    `GET /static/img${i}.png?user=u${i}&v=1 HTTP/1.1\r\nHost: www.site${i}.com\r\nX-Tenant: tenant-${i}\r\nCookie: sid=${i * 7919}\r\n\r\n`,
  ),
}));

const mapBased = { method: 'map-based', function: 'sdbm', avalanche: false };
const consistent = { method: 'consistent', function: 'sdbm', avalanche: true };
const weights14 = (i) => ({ weight: 1 + (i % 4) });

const ALGORITHMS = [
  { name: 'roundrobin', balance: { algorithm: 'roundrobin' }, spec: weights14, session: true },
  { name: 'roundrobin pick(avoid)', balance: { algorithm: 'roundrobin' }, spec: weights14, avoid: true },
  { name: 'static-rr', balance: { algorithm: 'static-rr' }, spec: weights14 },
  { name: 'leastconn', balance: { algorithm: 'leastconn' }, spec: weights14, session: true },
  { name: 'first', balance: { algorithm: 'first' }, spec: () => ({ maxconn: 8 }), session: true },
  { name: 'first (all but the last full)', balance: { algorithm: 'first' }, spec: () => ({ maxconn: 1 }), fillAllButLast: true },
  { name: 'random(2)', balance: { algorithm: 'random', draws: 2 }, spec: weights14, session: true },
  { name: 'source map-based', balance: { algorithm: 'source' }, hashType: mapBased, spec: weights14 },
  { name: 'source consistent', balance: { algorithm: 'source' }, hashType: consistent, spec: weights14 },
  { name: 'uri map-based', balance: { algorithm: 'uri', len: 0, depth: 0, whole: false, pathOnly: false }, hashType: mapBased, spec: weights14 },
  { name: 'uri consistent', balance: { algorithm: 'uri', len: 0, depth: 0, whole: false, pathOnly: false }, hashType: consistent, spec: weights14 },
  { name: 'url_param map-based', balance: { algorithm: 'url_param', param: 'user' }, hashType: mapBased, spec: weights14 },
  { name: 'hdr(x-tenant) map-based', balance: { algorithm: 'hdr', header: 'x-tenant', useDomainOnly: false }, hashType: mapBased, spec: weights14 },
  { name: 'hdr(host) use_domain_only', balance: { algorithm: 'hdr', header: 'host', useDomainOnly: true }, hashType: mapBased, spec: weights14 },
  { name: 'hash req.cookie(sid)', balance: { algorithm: 'hash', expression: 'req.cookie(sid)' }, hashType: mapBased, spec: weights14 },
];

/** Deterministic PRNG so runs are comparable (mulberry32). */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function build(alg, n) {
  const servers = makeServers(n, alg.spec);
  const lb = createBalancer(alg.balance, alg.hashType ?? mapBased, servers, { allBackups: false, random: seeded(1) });
  if (alg.fillAllButLast) {
    servers[n - 1].maxconn = 0;
    lb.serverChanged(servers[n - 1]);
    for (let i = 0; i < n - 1; i++) {
      const s = lb.pick(requests[0], undefined);
      s.active++;
      lb.taken(s);
    }
  }
  return { servers, lb };
}

/** Refuses to benchmark a broken balancer: every server must get picks (first: the expected one). */
function sanityCheck(alg, n) {
  const { servers, lb } = build(alg, n);
  const seen = new Set();
  for (let i = 0; i < n * 40; i++) {
    const s = lb.pick(requests[i % POOL], undefined);
    if (!s) throw new Error(`${alg.name}: pick() returned undefined with ${n} UP servers`);
    seen.add(s);
    // leastconn only moves on when sessions stay.
    if (alg.balance.algorithm === 'leastconn') {
      s.active++;
      lb.taken(s);
    }
  }
  if (alg.balance.algorithm === 'first') {
    const expected = alg.fillAllButLast ? servers[n - 1] : servers[0];
    if (seen.size !== 1 || !seen.has(expected)) throw new Error(`${alg.name}: did not pick ${expected.name}`);
  } else if (seen.size < Math.min(n, 10)) {
    throw new Error(`${alg.name}: only ${seen.size} of ${n} servers picked`);
  }
}

/** A function making `batch` picks (or sessions) and returning the last server. */
function makeRunner(alg, n, mode) {
  const { servers, lb } = build(alg, n);
  const avoid = alg.avoid ? servers[0] : undefined;
  let k = 0;
  if (mode === 'pick') {
    return (batch) => {
      let last;
      for (let i = 0; i < batch; i++) {
        last = lb.pick(requests[k], avoid);
        k = (k + 1) & (POOL - 1);
      }
      return last;
    };
  }
  // session: 64 in flight, oldest released first.
  const inFlight = new Array(64);
  let head = 0;
  return (batch) => {
    let last;
    for (let i = 0; i < batch; i++) {
      const old = inFlight[head];
      if (old !== undefined) {
        old.active--;
        lb.released(old);
      }
      const s = lb.pick(requests[k], undefined);
      k = (k + 1) & (POOL - 1);
      s.active++;
      lb.taken(s);
      inFlight[head] = s;
      head = (head + 1) & 63;
      last = s;
    }
    return last;
  };
}


const cases = [];
for (const alg of ALGORITHMS) {
  if (values.only && !alg.name.includes(values.only)) continue;
  for (const n of [10, 1000]) {
    cases.push({ alg, n, mode: 'pick', name: `${alg.name} pick(), ${fmtInt(n)} servers` });
    if (alg.session) cases.push({ alg, n, mode: 'session', name: `${alg.name} pick+taken+released, ${fmtInt(n)} servers` });
  }
}

const bench = new Bench({ name: 'balance pick()', time: timeMs, warmupTime: Math.min(200, timeMs) });
let sink; // keeps the picks observable so the JIT cannot drop them
const BATCH = 1000;
for (const c of cases) {
  sanityCheck(c.alg, c.n);
  const run = makeRunner(c.alg, c.n, c.mode);
  bench.add(c.name, () => {
    sink = run(BATCH);
  });
}
await bench.run();
if (sink === undefined) throw new Error('no pick was made');

const results = bench.tasks.map((task, i) => {
  const c = cases[i];
  const r = task.result;
  const bytes = bytesPerCall(makeRunner(c.alg, c.n, c.mode));
  if (r.state !== 'completed') return { name: task.name, servers: c.n, state: r.state, error: r.error?.message };
  const perPick = (ms) => (ms * 1e6) / BATCH; // ms per batch -> ns per pick
  return {
    name: task.name,
    algorithm: c.alg.name,
    mode: c.mode,
    servers: c.n,
    batch: BATCH,
    nsPerPickMean: perPick(r.latency.mean),
    nsPerPickP50: perPick(r.latency.p50),
    nsPerPickP99: perPick(r.latency.p99),
    rmePercent: r.latency.rme,
    picksPerSec: (r.throughput.mean ?? 0) * BATCH,
    bytesPerPick: bytes,
    samples: r.latency.samplesCount,
  };
});

const ns = (v) => (v === undefined ? '—' : v < 100 ? v.toFixed(1) : fmtInt(v));
const bytes = (v) => (v === undefined ? '—' : v < 0.05 ? '0' : v.toFixed(1));
console.log(`\n## Micro: balancer pick() (tinybench ${timeMs} ms per task, node ${process.version})\n`);
console.log(
  markdownTable([
    ['task', 'ns/pick (mean ± rme)', 'p50', 'p99', 'picks/s', 'bytes/pick'],
    ...results.map((r) =>
      r.state
        ? [r.name, `${r.state}${r.error ? `: ${r.error}` : ''}`, '—', '—', '—', '—']
        : [r.name, `${ns(r.nsPerPickMean)} ± ${r.rmePercent.toFixed(1)}%`, ns(r.nsPerPickP50), ns(r.nsPerPickP99), fmtInt(r.picksPerSec), bytes(r.bytesPerPick)],
    ),
  ]),
);
const file = writeResultsJson('micro-balance', { benchmark: 'balance pick()', node: process.version, timeMs, results });
console.log(`\nresults: ${file}`);
if (values.json) console.log(JSON.stringify(results, null, 2));
if (results.some((r) => r.state)) process.exit(1);
