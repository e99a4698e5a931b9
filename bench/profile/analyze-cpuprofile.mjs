#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function, per area of the code
// (src/http codec and session, the rest of src/, the Node adapter, Node internals by module,
// GC, idle), inclusive time per function, and who calls a given function. Usage:
//   node bench/profile/analyze-cpuprofile.mjs FILE.cpuprofile [--top N] [--json]
//   node bench/profile/analyze-cpuprofile.mjs FILE.cpuprofile --callers NAME [--depth N]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT_URL = new URL('../../', import.meta.url).href; // file:///.../main/

/** Where a frame belongs, from its URL and name. */
export function areaOf(frame) {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'program (native, unattributed)';
  if (functionName === '(root)') return 'root';
  if (url.startsWith(ROOT_URL)) {
    const rel = url.slice(ROOT_URL.length).replace(/^dist\//, '');
    if (rel.startsWith('src/http/codec/')) return `src/http/codec/${rel.slice('src/http/codec/'.length).replace(/\.js$/, '')}`;
    if (rel.startsWith('src/http/')) return `src/http/${rel.slice('src/http/'.length).replace(/\.js$/, '')}`;
    if (rel.startsWith('src/')) return `src/${rel.split('/')[1]} (other core)`;
    if (rel.startsWith('adapters/')) return `adapters/${rel.split('/')[1]}`;
    return `repo: ${rel}`;
  }
  if (url.startsWith('node:')) {
    const m = url.slice(5).replace(/^internal\//, 'internal/');
    if (/^(internal\/)?streams\//.test(m) || m === 'stream') return 'node: streams';
    if (m === 'net' || m.startsWith('internal/net') || m.startsWith('internal/stream_base_commons')) return 'node: net / stream_base (libuv writes)';
    if (m.startsWith('internal/timers') || m === 'timers') return 'node: timers';
    if (m.startsWith('internal/process/task_queues') || m.startsWith('internal/process')) return 'node: process / ticks';
    if (m === 'events' || m.startsWith('internal/events')) return 'node: events';
    if (m === 'buffer' || m.startsWith('internal/buffer')) return 'node: buffer';
    if (m.startsWith('internal/perf') || m === 'perf_hooks') return 'node: perf_hooks (performance.now)';
    return `node: ${m}`;
  }
  if (url === '') {
    // Native builtins and C++ callbacks (e.g. writev, onStreamRead's native part) have no URL.
    return `native: ${functionName || '(anonymous)'}`;
  }
  return `other: ${url}`;
}

function label(frame) {
  const url = frame.url.startsWith(ROOT_URL) ? frame.url.slice(ROOT_URL.length) : frame.url;
  return `${frame.functionName || '(anonymous)'} ${url ? `${url}:${frame.lineNumber + 1}` : ''}`.trim();
}

export function analyze(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map(); // node id -> µs
  const { samples, timeDeltas } = profile;
  // timeDeltas[i + 1] is the time until the next sample: the time sample i stood for.
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas[i + 1] ?? 0;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()].filter(([id]) => byId.get(id).callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
  const busy = total - idle;

  const fnSelf = new Map();
  const areaSelf = new Map();
  for (const [id, us] of self) {
    const f = byId.get(id).callFrame;
    const key = label(f);
    fnSelf.set(key, { us: (fnSelf.get(key)?.us ?? 0) + us, area: areaOf(f) });
    const a = areaOf(f);
    areaSelf.set(a, (areaSelf.get(a) ?? 0) + us);
  }
  // Inclusive time per function (each function counted once per sample stack).
  const fnTotal = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const key = label(byId.get(n).callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      fnTotal.set(key, (fnTotal.get(key) ?? 0) + us);
    }
  }
  /** Self time of functions whose label contains `needle`, by caller chain (depth frames up). */
  const callersOf = (needle, depth = 3) => {
    const out = new Map();
    for (const [id, us] of self) {
      if (!label(byId.get(id).callFrame).includes(needle)) continue;
      const chain = [];
      for (let n = parent.get(id); n !== undefined && chain.length < depth; n = parent.get(n)) chain.push(label(byId.get(n).callFrame));
      const key = chain.join(' <- ');
      out.set(key, (out.get(key) ?? 0) + us);
    }
    return [...out.entries()].map(([chain, us]) => ({ chain, selfMs: us / 1000 })).sort((a, b) => b.selfMs - a.selfMs);
  };
  return {
    callersOf,
    durationMs: (profile.endTime - profile.startTime) / 1000,
    samples: samples.length,
    totalMs: total / 1000,
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    functions: [...fnSelf.entries()].map(([name, v]) => ({ name, area: v.area, selfMs: v.us / 1000, selfPctBusy: (v.us / busy) * 100 })).sort((a, b) => b.selfMs - a.selfMs),
    areas: [...areaSelf.entries()].map(([area, us]) => ({ area, selfMs: us / 1000, pctBusy: area === 'idle' ? undefined : (us / busy) * 100 })).sort((a, b) => b.selfMs - a.selfMs),
    inclusive: [...fnTotal.entries()].map(([name, us]) => ({ name, totalMs: us / 1000, pctBusy: (us / busy) * 100 })).sort((a, b) => b.totalMs - a.totalMs),
  };
}

const pct = (x) => (x === undefined ? '—' : `${x.toFixed(1)}%`);

function report(r, top) {
  const lines = [];
  lines.push(`profile: ${r.durationMs.toFixed(0)} ms, ${r.samples} samples; busy ${r.busyMs.toFixed(0)} ms, idle ${r.idleMs.toFixed(0)} ms`);
  lines.push('', 'Self time by area (% of non-idle time):', '');
  lines.push('| area | self ms | % busy |', '|---|---:|---:|');
  for (const a of r.areas) lines.push(`| ${a.area} | ${a.selfMs.toFixed(0)} | ${pct(a.pctBusy)} |`);
  lines.push('', `Top ${top} functions by self time:`, '');
  lines.push('| function | area | self ms | % busy |', '|---|---|---:|---:|');
  for (const f of r.functions.filter((f) => f.area !== 'idle').slice(0, top)) lines.push(`| ${f.name} | ${f.area} | ${f.selfMs.toFixed(0)} | ${pct(f.selfPctBusy)} |`);
  lines.push('', `Top ${top} functions by inclusive time:`, '');
  lines.push('| function | total ms | % busy |', '|---|---:|---:|');
  for (const f of r.inclusive.filter((f) => !/^\((root|idle|program|garbage collector)\)/.test(f.name)).slice(0, top)) lines.push(`| ${f.name} | ${f.totalMs.toFixed(0)} | ${pct(f.pctBusy)} |`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' }, json: { type: 'boolean' }, callers: { type: 'string' }, depth: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    process.stderr.write('usage: node bench/profile/analyze-cpuprofile.mjs FILE.cpuprofile [--top N] [--json] [--callers NAME [--depth N]]\n');
    process.exit(2);
  }
  const r = analyze(JSON.parse(readFileSync(positionals[0], 'utf8')));
  const top = Number(values.top ?? 30);
  if (values.callers) {
    // Who calls NAME: its self time split by the chain of callers above it.
    for (const c of r.callersOf(values.callers, Number(values.depth ?? 3)).slice(0, top)) process.stdout.write(`${c.selfMs.toFixed(1).padStart(8)} ms  ${c.chain}\n`);
  } else {
    const { callersOf, ...data } = r;
    void callersOf;
    process.stdout.write(values.json ? `${JSON.stringify(data, null, 2)}\n` : `${report(r, top)}\n`);
  }
}
