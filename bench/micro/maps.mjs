#!/usr/bin/env node
// Micro-benchmark of map lookups (map_str, map_beg, map_dir, map_dom, map_end, map_ip) on the
// compiled core (dist/), with tinybench.
//   node bench/micro/maps.mjs [--json] [--time MS] [--only SUBSTRING] [--entries N]
// or `npm run bench -- micro maps`. Needs `npm run build` first (dist/src/...).
//
// Each case builds the index of one match kind over a generated N-entry map (default 10,000)
// with src/rules/pattern-index.ts, then looks up 1,024 pre-built samples (three in four match
// an entry, one in four matches none), in batches of 1,024 lookups. The table reports ns per
// lookup and the median bytes allocated per lookup. The keys are made to stress what the index
// depends on: prefixes of many lengths for `beg`, networks of every mask length for `ip`,
// inputs of several words for `dir`/`dom`.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { bytesPerCall, dist } from '../lib/micro.mjs';
import { fmtInt, markdownTable, writeResultsJson } from '../lib/report.mjs';

const { values } = parseArgs({
  options: { json: { type: 'boolean' }, time: { type: 'string' }, only: { type: 'string' }, entries: { type: 'string' } },
});
const timeMs = Number(values.time ?? 500);
const N = Number(values.entries ?? 10_000);


for (const p of ['rules/pattern-index.js', 'rules/sample.js']) {
  if (!existsSync(dist(p))) {
    console.error(`bench/micro/maps.mjs: ${dist(p).pathname} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}
const { buildMapIndex } = await import(dist('rules/pattern-index.js').href);
const { Sample } = await import(dist('rules/sample.js').href);

/** A deterministic pseudo-random generator (xorshift32), so every run looks up the same keys. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}
const rand = rng(12345);
const word = (min, max) => {
  const len = min + rand(max - min + 1);
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(0x61 + rand(26));
  return s;
};
const ip4 = (n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const hex16 = () => rand(0x10000).toString(16);

const LOOKUPS = 1024;
/** 3/4 of the inputs derive from an entry, 1/4 from nothing. */
function inputs(keys, hit, miss) {
  const out = [];
  for (let i = 0; i < LOOKUPS; i++) out.push(i % 4 === 3 ? miss(i) : hit(keys[rand(keys.length)], i));
  return out;
}

function makeCase(name, match, keys, texts, type = 'str') {
  return { name, match, keys, texts, type };
}

const cases = [];
{
  const keys = Array.from({ length: N }, (_, i) => `${word(3, 10)}-${i}.example.com`);
  cases.push(makeCase('map_str (host names)', 'str', keys, inputs(keys, (k) => k, () => `${word(3, 10)}.nowhere.example`)));
}
{
  // URL prefixes of 1 to 6 segments of 2 to 12 letters: dozens of distinct lengths.
  const keys = Array.from({ length: N }, (_, i) => {
    let p = '';
    const segments = 1 + rand(6);
    for (let s = 0; s < segments; s++) p += `/${word(2, 12)}`;
    return `${p}${i % 7 === 0 ? '/' : ''}`;
  });
  cases.push(makeCase('map_beg (URL prefixes)', 'beg', keys, inputs(keys, (k) => `${k}/more/path?q=1`, () => `/zz${word(5, 20)}/x`)));
}
{
  const keys = Array.from({ length: N }, (_, i) => (i % 3 === 0 ? `${word(3, 8)}${i}/${word(3, 8)}` : `${word(3, 10)}${i}`));
  cases.push(makeCase('map_dir (path segments)', 'dir', keys, inputs(keys, (k) => `/static/${k}/file.css`, () => `/static/${word(3, 8)}/x/y/file.css`)));
}
{
  const keys = Array.from({ length: N }, (_, i) => `${word(3, 10)}${i}.example.com`);
  cases.push(makeCase('map_dom (domains)', 'dom', keys, inputs(keys, (k) => `www.${k}`, () => `www.${word(3, 10)}.example.org`)));
}
{
  const keys = Array.from({ length: N }, (_, i) => `.${word(2, 6)}${i}`);
  cases.push(makeCase('map_end (suffixes)', 'end', keys, inputs(keys, (k) => `/files/report${k}`, () => `/files/${word(3, 10)}.zzz`)));
}
{
  // IPv4 networks of every mask length from /8 to /32.
  const keys = Array.from({ length: N }, () => {
    const bits = 8 + rand(25);
    const addr = (rand(0x10000) * 0x10000 + rand(0x10000)) >>> 0;
    const net = bits === 32 ? addr : (addr & (0xffffffff << (32 - bits))) >>> 0;
    return `${ip4(net)}/${bits}`;
  });
  const hit = (k) => {
    const [a, bits] = k.split('/');
    const n = a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    const host = Number(bits) === 32 ? 0 : rand(2 ** (32 - Number(bits)));
    return ip4((n + host) >>> 0);
  };
  cases.push(makeCase('map_ip (IPv4 networks /8-/32)', 'ip', keys, inputs(keys, hit, () => `0.${rand(256)}.${rand(256)}.${rand(256)}`), 'ip'));
}
{
  // IPv6 networks, /16 to /128 in steps of 16 bits (hits: the network address itself).
  const keys = Array.from({ length: N }, () => {
    const groups = Array.from({ length: 8 }, hex16);
    const bits = 16 * (1 + rand(8));
    for (let g = bits / 16; g < 8; g++) groups[g] = '0';
    return `${groups.join(':')}/${bits}`;
  });
  const hit = (k) => k.split('/')[0].replace(/:0(?=:|$)/g, `:${hex16()}`);
  cases.push(makeCase('map_ip (IPv6 networks /16-/128)', 'ip', keys, inputs(keys, hit, () => `ffff:${hex16()}::${hex16()}`), 'ip'));
}

const selected = cases.filter((c) => values.only === undefined || c.name.includes(values.only));
for (const c of selected) {
  const built = buildMapIndex(c.match, c.keys);
  if (!built.ok) throw new Error(`${c.name}: ${built.message} (entry ${built.entry}: ${c.keys[built.entry]})`);
  c.index = built.index;
  c.samples = c.texts.map((t) => {
    const s = new Sample();
    if (c.type === 'ip') s.setIp(t);
    else s.setStr(t);
    return s;
  });
  let hits = 0;
  for (const s of c.samples) if (c.index.lookup(s) >= 0) hits++;
  c.hits = hits;
  c.run = (n) => {
    let found = 0;
    const samples = c.samples;
    for (let i = 0; i < n; i++) if (c.index.lookup(samples[i & (LOOKUPS - 1)]) >= 0) found++;
    return found;
  };
}


const bench = new Bench({ name: 'map lookups', time: timeMs, iterations: 3, warmupTime: Math.min(200, timeMs), warmupIterations: 1 });
for (const c of selected) bench.add(c.name, () => c.run(LOOKUPS));
await bench.run();

const results = selected.map((c) => {
  const task = bench.tasks.find((t) => t.name === c.name);
  const meanMs = task?.result?.latency?.mean ?? task?.result?.mean;
  return {
    name: c.name,
    entries: c.keys.length,
    nsPerLookup: meanMs === undefined ? undefined : (meanMs * 1e6) / LOOKUPS,
    bytesPerLookup: bytesPerCall(c.run, { batch: LOOKUPS, batches: 20, warmup: 2 * LOOKUPS }),
    hitRate: c.hits / LOOKUPS,
  };
});

if (values.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  console.log(
    markdownTable([
      ['map lookup', 'entries', 'ns / lookup', 'bytes / lookup', 'inputs matched'],
      ...results.map((r) => [r.name, fmtInt(r.entries), fmtInt(r.nsPerLookup), fmtInt(r.bytesPerLookup), `${Math.round(r.hitRate * 100)}%`]),
    ]),
  );
}
const file = writeResultsJson('micro-maps', { benchmark: 'map lookups', node: process.version, timeMs, entries: N, results });
console.error(`results: ${file}`);
