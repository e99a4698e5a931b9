#!/usr/bin/env node
// Profiles Switchyard on Node under the http scenario's keep-alive small-response load:
// nginx backend, Switchyard in mode http (the bench config), wrk warm-up then a measured run,
// SIGTERM, then a summary. One mode per run:
//
//   node bench/profile/profile-http.mjs cpu      # --cpu-prof; summary by area and function
//   node bench/profile/profile-http.mjs alloc    # sampled allocations (incl. collected) by function
//   node bench/profile/profile-http.mjs gc       # --trace-gc; GC events per 10k requests
//   node bench/profile/profile-http.mjs perf     # perf record -g (kernel + native + JIT, --perf-basic-prof)
//   node bench/profile/profile-http.mjs pstat    # perf stat: page faults, context switches per request
//   node bench/profile/profile-http.mjs strace   # strace -c -f: syscalls per request
//   node bench/profile/profile-http.mjs rusage   # no tool: user/sys CPU µs per request only
//
// Options: --duration S (10), --warmup S (2), --connections N (64), --out DIR (/tmp/prof),
// --entry FILE (default bin/switchyard.js; e.g. a patched copy of dist/ for an A/B test),
// --node-flags='FLAGS' (more options for node; with '=', as they start with a dash),
// --haproxy (pstat/strace/rusage only: measure HAProxy nbthread 1 instead, for comparison),
// --target ID (pstat/strace/rusage only: any target of `npm run bench`, e.g. bun, deno,
// bun-bare, deno-bare: the same load on another runtime, or on its bare pass-through).
// See bench/PROFILE.md for what the results mean.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyze } from './analyze-cpuprofile.mjs';
import { startNginxBackend, BACKEND_BODY } from '../lib/nginx.mjs';
import { freePort, httpCheck, waitForPort } from '../lib/net.mjs';
import { ROOT } from '../lib/paths.mjs';
import { cleanupAll, installCleanupHandlers, makeTempDir, runCommand, sleep, startProcess } from '../lib/procs.mjs';
import { proxyConfig, TARGETS } from '../lib/targets.mjs';
import { hardFdLimit, which } from '../lib/tools.mjs';
import { runWrk } from '../lib/wrk.mjs';

const MODES = ['cpu', 'alloc', 'gc', 'perf', 'pstat', 'strace', 'rusage'];
// Kernel-side costs that do not show as system calls: page faults (fresh heap pages), context
// switches (wakeups) and migrations between the cores, for the proxy process only.
const PSTAT_EVENTS = ['page-faults', 'context-switches', 'cpu-migrations', 'task-clock'];
const log = (msg) => process.stderr.write(`${msg}\n`);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    out: { type: 'string' },
    entry: { type: 'string' },
    haproxy: { type: 'boolean' },
    target: { type: 'string' },
    top: { type: 'string' },
    'node-flags': { type: 'string' },
  },
});
const mode = positionals[0] ?? 'cpu';
if (!MODES.includes(mode)) {
  log(`usage: node bench/profile/profile-http.mjs [${MODES.join('|')}] [--duration S] [--warmup S] [--connections N] [--out DIR] [--entry FILE] [--haproxy]`);
  process.exit(2);
}
const duration = Number(values.duration ?? 10);
const warmup = Number(values.warmup ?? 2);
const connections = Number(values.connections ?? 64);
const outDir = resolve(values.out ?? '/tmp/prof');
const entry = resolve(ROOT, values.entry ?? 'bin/switchyard.js');
const top = Number(values.top ?? 25);
// e.g. --node-flags=--single-threaded-gc to see what a V8 or Node option changes.
const extraNodeFlags = (values['node-flags'] ?? '').split(' ').filter(Boolean);
const useHaproxy = values.haproxy === true;
const targetId = values.target ?? (useHaproxy ? 'haproxy' : undefined);
const target = targetId === undefined ? undefined : TARGETS[targetId];
if (targetId !== undefined && !['pstat', 'strace', 'rusage'].includes(mode)) {
  log('--haproxy and --target work with the pstat, strace and rusage modes only');
  process.exit(2);
}
if (targetId !== undefined && (target === undefined || target.kind !== 'proxy')) {
  log(`--target: no proxy target ${targetId} (bench/lib/targets.mjs)`);
  process.exit(2);
}

/** user and system CPU ms of a pid (from /proc/PID/stat). */
function rusage(pid) {
  try {
    const rest = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = rest.slice(rest.lastIndexOf(')') + 2).split(' ');
    return { user: (Number(f[11]) * 1000) / 100, sys: (Number(f[12]) * 1000) / 100 };
  } catch {
    return undefined;
  }
}

/** Context switches of each thread of a pid, summed by thread name. */
function contextSwitches(pid) {
  const byName = new Map();
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of tids) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const name = /^Name:\s*(.*)$/m.exec(status)?.[1] ?? tid;
      const entry = byName.get(name) ?? { voluntary: 0, involuntary: 0 };
      entry.voluntary += Number(/^voluntary_ctxt_switches:\s*(\d+)/m.exec(status)?.[1] ?? 0);
      entry.involuntary += Number(/^nonvoluntary_ctxt_switches:\s*(\d+)/m.exec(status)?.[1] ?? 0);
      byName.set(name, entry);
    } catch {
      // the thread ended
    }
  }
  return byName;
}

async function main() {
  installCleanupHandlers();
  for (const tool of ['wrk', 'nginx', ...(mode === 'perf' || mode === 'pstat' ? ['perf'] : []), ...(mode === 'strace' ? ['strace'] : []), ...(useHaproxy ? ['haproxy'] : [])]) {
    if (!which(tool)) throw new Error(`${tool} is not installed`);
  }
  if (target === undefined && !existsSync(entry)) throw new Error(`${entry} does not exist (npm run build?)`);
  if (target !== undefined) {
    const available = target.available();
    if (!available.ok) throw new Error(`${targetId}: ${available.reason}`);
  }
  mkdirSync(outDir, { recursive: true });
  const tmp = makeTempDir('switchyard-profile-');
  const backendPort = await freePort();
  const backend = await startNginxBackend({ dir: join(tmp, 'nginx'), port: backendPort });
  const port = await freePort();
  const maxconn = Math.min(20000, Math.floor(((await hardFdLimit()) - 100) / 2));
  const params = { mode: 'http', port, backendPort, maxconn };
  let cfg = join(tmp, 'switchyard.cfg');
  if (target === undefined) writeFileSync(cfg, proxyConfig(params));
  else cfg = target.writeConfig(tmp, params);

  const before = new Set(existsSync(outDir) ? readdirSync(outDir) : []);
  const nodeFlags = {
    cpu: ['--cpu-prof', `--cpu-prof-dir=${outDir}`],
    alloc: ['--import', join(ROOT, 'bench/profile/alloc-sampler.mjs')],
    gc: ['--trace-gc'],
    perf: ['--perf-basic-prof'],
    pstat: [],
    strace: [],
    rusage: [],
  }[mode];
  const logFile = join(outDir, `switchyard-${mode}.log`);
  const proc = target !== undefined
    ? target.start({ dir: tmp, cfg, port, backendPort })
    : startProcess('switchyard', process.execPath, [...nodeFlags, ...extraNodeFlags, entry, '-q', '-f', cfg], {
        cwd: ROOT,
        logFile,
        env: { ...process.env, ALLOC_PROFILE_OUT: join(outDir, `alloc-${Date.now()}.heapprofile`) },
      });
  const command = proc.cmd;
  log(`profile: ${command}`);
  await waitForPort(port, { proc, timeoutMs: target?.startTimeoutMs ?? 30_000 });
  const check = await httpCheck(port, { body: BACKEND_BODY, count: 3 });
  if (!check.ok) throw new Error(`sanity check failed: ${JSON.stringify(check)}`);

  const url = `http://127.0.0.1:${port}/`;
  const warm = warmup > 0 ? await runWrk({ url, duration: warmup, connections, latency: false }) : { requests: 0 };

  let tracer;
  const tracerOut = join(outDir, `${mode}.${targetId ?? 'switchyard'}.txt`);
  if (mode === 'perf') {
    tracer = startProcess('perf', 'perf', ['record', '-F', '999', '-g', '-p', String(proc.pid), '-o', join(outDir, 'perf.data')], { cwd: outDir, logFile: join(outDir, 'perf-record.log') });
  } else if (mode === 'pstat') {
    tracer = startProcess('perf', 'perf', ['stat', '-x', ',', '-e', PSTAT_EVENTS.join(','), '-p', String(proc.pid), '-o', tracerOut], { cwd: outDir, logFile: join(outDir, 'perf-stat.log') });
  } else if (mode === 'strace') {
    tracer = startProcess('strace', 'strace', ['-c', '-f', '-p', String(proc.pid), '-o', tracerOut], { cwd: outDir, logFile: join(outDir, 'strace.log') });
  }
  if (tracer) await sleep(500);
  const gcLogStart = mode === 'gc' ? readFileSync(logFile, 'utf8').length : 0;
  const c0 = mode === 'pstat' ? contextSwitches(proc.pid) : undefined;
  const r0 = rusage(proc.pid);
  const res = await runWrk({ url, duration, connections });
  const r1 = rusage(proc.pid);
  const c1 = mode === 'pstat' ? contextSwitches(proc.pid) : undefined;
  const gcLog = mode === 'gc' ? readFileSync(logFile, 'utf8').slice(gcLogStart) : '';
  if (tracer) {
    // perf and strace write their report on SIGINT.
    process.kill(tracer.pid, 'SIGINT');
    await Promise.race([tracer.exited, sleep(15_000)]);
  }
  const stop = await proc.stop({ graceMs: 10_000 });
  await backend.stop();

  const lines = [];
  const perReq = (ms) => ((ms * 1000) / res.requests).toFixed(2);
  lines.push(`command: ${command}`);
  lines.push(`load: wrk -t1 -c${connections} -d${duration}s --latency (after ${warmup} s warm-up): ${Math.round(res.requestsPerSec)} req/s, ${res.requests} requests, p50 ${res.p50Ms} ms, p99 ${res.p99Ms} ms, errors ${JSON.stringify(res.errors)}`);
  if (r0 && r1) lines.push(`proxy CPU per request: user ${perReq(r1.user - r0.user)} µs, sys ${perReq(r1.sys - r0.sys)} µs`);
  lines.push(`exit after SIGTERM: ${JSON.stringify(stop.exitInfo)}${stop.forced ? ' (SIGKILLed after 10 s!)' : ''} in ${stop.stopMs} ms`);

  const created = readdirSync(outDir).filter((f) => !before.has(f));
  if (mode === 'cpu' || mode === 'alloc') {
    const ext = mode === 'cpu' ? '.cpuprofile' : '.heapprofile';
    const files = created.filter((f) => f.endsWith(ext));
    if (files.length === 0) lines.push(`NO ${ext} written on the SIGTERM exit`);
    for (const f of files) {
      const path = join(outDir, f);
      lines.push(`profile written: ${path} (${statSync(path).size} bytes)`);
      const profile = JSON.parse(readFileSync(path, 'utf8'));
      lines.push('');
      lines.push(mode === 'cpu' ? cpuReport(profile) : allocReport(profile, res.requests + warm.requests + 3));
    }
  } else if (mode === 'gc') {
    lines.push('', gcReport(gcLog, res.requests));
  } else if (mode === 'perf') {
    const report = await runCommand('perf', ['report', '-i', join(outDir, 'perf.data'), '--no-children', '--sort', 'dso', '--stdio', '-g', 'none'], { timeoutMs: 120_000 });
    const syms = await runCommand('perf', ['report', '-i', join(outDir, 'perf.data'), '--no-children', '--sort', 'dso,sym', '--stdio', '-g', 'none', '--percent-limit', '0'], { timeoutMs: 120_000 });
    const children = await runCommand('perf', ['report', '-i', join(outDir, 'perf.data'), '--children', '--sort', 'sym', '--stdio', '-g', 'none'], { timeoutMs: 120_000 });
    const body = (t) => t.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    lines.push('', 'perf: on-CPU samples by binary', ...body(report.stdout).slice(0, 8));
    lines.push('', `perf: top ${top} symbols (self)`, ...body(syms.stdout).slice(0, top));
    // Group the JIT'd JavaScript and V8 builtins by area.
    const groups = new Map();
    for (const l of body(syms.stdout)) {
      const m = /^\s*([\d.]+)%\s+(\S+(?: tid \d+)?|\[JIT\] tid \d+)\s+\[(.)\]\s+(.*)$/.exec(l);
      if (!m) continue;
      const [, p, dso, , sym] = m;
      let g;
      if (sym.startsWith('JS:')) {
        // dist/ or a patched copy of it (dist-*/), e.g. with --entry
        if (/\/dist[^/ ]*\/src\/http\/codec\//.test(sym)) g = 'JS: src/http/codec';
        else if (/\/dist[^/ ]*\/src\/http\//.test(sym)) g = 'JS: src/http (session, pool)';
        else if (/\/dist[^/ ]*\/src\//.test(sym)) g = 'JS: other src/';
        else if (/\/dist[^/ ]*\/adapters\//.test(sym)) g = 'JS: adapters';
        else g = 'JS: Node internals (streams, net, events...)';
      } else if (/^Builtins_|^v8::/.test(sym)) g = 'V8 builtins / runtime (ICs, typed arrays, GC...)';
      else if (dso === 'node') g = 'Node C++ / libuv';
      else if (dso.startsWith('libc')) g = 'libc (malloc/free, syscall stubs)';
      else if (dso === '[kernel.kallsyms]') g = 'kernel';
      else if (dso === '[vdso]') g = 'vdso (clock_gettime)';
      else g = `other: ${dso}`;
      groups.set(g, (groups.get(g) ?? 0) + Number(p));
    }
    lines.push('', 'perf: self time grouped (% of the proxy\'s on-CPU samples)');
    for (const [g, p] of [...groups.entries()].sort((a, b) => b[1] - a[1])) lines.push(`  ${p.toFixed(1).padStart(5)}%  ${g}`);
    const wanted = /ksys_write|ksys_read|do_epoll_wait|JS:\*onStreamRead|JS:\*onData |StreamBase::WriteBuffer$|uv__read$|Heap::CollectGarbage|FastPerformanceNow|JS:\*#/;
    lines.push('', 'perf: inclusive time of selected frames', ...body(children.stdout).filter((l) => wanted.test(l)).slice(0, 30));
  } else if (mode === 'pstat') {
    lines.push('', 'perf stat (software events of the proxy process, per request):');
    for (const l of (existsSync(tracerOut) ? readFileSync(tracerOut, 'utf8') : '').split('\n')) {
      const f = l.split(',');
      if (f.length < 3 || !PSTAT_EVENTS.includes(f[2])) continue;
      lines.push(`  ${f[2].padEnd(18)} ${f[0].padStart(12)}  ${(Number(f[0]) / res.requests).toFixed(4)} per request`);
    }
    if (c0 && c1) {
      lines.push('context switches per request, by thread (/proc/PID/task/*/status: voluntary = it waited, involuntary = preempted):');
      for (const [name, v] of c1) {
        const b = c0.get(name) ?? { voluntary: 0, involuntary: 0 };
        const dv = v.voluntary - b.voluntary;
        const di = v.involuntary - b.involuntary;
        if (dv + di > 0) lines.push(`  ${name.padEnd(24)} voluntary ${(dv / res.requests).toFixed(4)}  involuntary ${(di / res.requests).toFixed(4)}`);
      }
    }
  } else if (mode === 'strace') {
    lines.push('', `strace -c (${res.requests} requests; strace slows the proxy a lot, the counts per request are what matter):`);
    const text = existsSync(tracerOut) ? readFileSync(tracerOut, 'utf8') : '';
    for (const l of text.split('\n')) {
      const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(l);
      if (m && Number(m[1]) >= res.requests / 100) lines.push(`  ${m[2].padEnd(14)} ${m[1].padStart(9)} calls  ${(Number(m[1]) / res.requests).toFixed(3)} per request`);
    }
  }
  const text = `${lines.join('\n')}\n`;
  writeFileSync(join(outDir, `summary-${mode}${targetId === undefined ? '' : `-${targetId}`}.txt`), text);
  process.stdout.write(text);
  return 0;
}

function cpuReport(profile) {
  const r = analyze(profile);
  const out = [];
  out.push(`${r.durationMs.toFixed(0)} ms profiled, ${r.samples} samples; non-idle ${r.busyMs.toFixed(0)} ms, idle ${r.idleMs.toFixed(0)} ms`);
  out.push('', 'self time by area (% of non-idle):');
  for (const a of r.areas.filter((a) => a.area !== 'idle' && a.pctBusy >= 0.1)) out.push(`  ${a.pctBusy.toFixed(1).padStart(5)}%  ${a.area}`);
  const sum = (re) => r.areas.filter((a) => re.test(a.area)).reduce((s, a) => s + a.pctBusy, 0);
  out.push('', 'groups (% of non-idle):');
  out.push(`  ${sum(/^src\/http\//).toFixed(1).padStart(5)}%  src/http (codec + session + pool)`);
  out.push(`  ${sum(/^src\/http\/codec/).toFixed(1).padStart(5)}%    of which src/http/codec`);
  out.push(`  ${sum(/^src\/(?!http)/).toFixed(1).padStart(5)}%  other src/`);
  out.push(`  ${sum(/^adapters\//).toFixed(1).padStart(5)}%  adapters/node`);
  out.push(`  ${sum(/^native: writeBuffer/).toFixed(1).padStart(5)}%  native writeBuffer (write syscall incl. kernel TCP + waking the peer, and preemption)`);
  out.push(`  ${sum(/^node: |^native: (?!writeBuffer)/).toFixed(1).padStart(5)}%  other Node internals (streams, net, ticks, timers, buffer...)`);
  out.push(`  ${sum(/^GC$/).toFixed(1).padStart(5)}%  GC`);
  out.push(`  ${sum(/^program/).toFixed(1).padStart(5)}%  (program): native code V8 cannot attribute (libuv, reads, C++ callbacks)`);
  out.push('', `top ${top} functions by self time (% of non-idle):`);
  for (const f of r.functions.filter((f) => f.area !== 'idle').slice(0, top)) out.push(`  ${f.selfPctBusy.toFixed(1).padStart(5)}%  ${f.name}`);
  out.push('', 'inclusive time of the session entry points (% of non-idle):');
  for (const f of r.inclusive.filter((f) => /h1-client|http-stream|h1-server|server-pool|adapters\/node/.test(f.name)).slice(0, 15)) out.push(`  ${f.pctBusy.toFixed(1).padStart(5)}%  ${f.name}`);
  return out.join('\n');
}

/**
 * Sampled allocations over the proxy's whole life (start-up, 3 sanity requests, warm-up and the
 * measured run), by allocating function, per request. Start-up is a few MB at most: noise
 * against hundreds of thousands of requests.
 */
function allocReport(profile, requests) {
  const bySelf = new Map();
  const name = (f) => `${f.functionName || '(anonymous)'} ${f.url.replace(`file://${ROOT}`, '')}${f.url ? `:${f.lineNumber + 1}` : ''}`.trim();
  const walk = (node, caller) => {
    const f = node.callFrame;
    // Builtins (Map, subarray, slice...) have no URL: name them by their JavaScript caller.
    const key = f.url === '' && caller ? `${f.functionName || '(native)'} <- ${caller}` : name(f);
    if (node.selfSize > 0) bySelf.set(key, (bySelf.get(key) ?? 0) + node.selfSize);
    for (const c of node.children ?? []) walk(c, f.url === '' ? caller : name(f));
  };
  walk(profile.head, undefined);
  const total = [...bySelf.values()].reduce((a, b) => a + b, 0);
  const out = [
    `sampled JS-heap allocations: ${(total / 2 ** 20).toFixed(0)} MiB over ${requests} requests = ~${Math.round(total / requests)} bytes per request`,
    '(V8 sampling heap profiler incl. collected objects; off-heap ArrayBuffer backing stores, e.g. the',
    ' 64 KiB Node allocates for every socket read, are not in the JS heap and not counted here)',
    '',
    `top ${top} allocating functions (bytes per request):`,
  ];
  for (const [k, v] of [...bySelf.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${(v / requests).toFixed(1).padStart(8)} B  ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  return out.join('\n');
}

/** --trace-gc lines during the measured run: counts and pause time per kind, per 10k requests. */
function gcReport(text, requests) {
  const kinds = new Map();
  for (const line of text.split('\n')) {
    const m = /ms: (Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact|Minor Mark-Sweep|Mark-Compact \(reduce\))\s+([\d.]+)\s+\(([\d.]+)\)\s+->\s+([\d.]+)\s+\(([\d.]+)\)\s+MB,\s+(?:pooled:[^,]*,\s+)?([\d.]+)\s*\/\s*([\d.]+)\s+ms/.exec(line);
    if (!m) continue;
    const k = kinds.get(m[1]) ?? { count: 0, pauseMs: 0, freedMB: 0 };
    k.count++;
    k.pauseMs += Number(m[6]);
    k.freedMB += Math.max(0, Number(m[2]) - Number(m[4]));
    kinds.set(m[1], k);
  }
  const out = [`GC during the measured run (${requests} requests):`];
  if (kinds.size === 0) out.push('  no GC lines parsed (check the log)');
  for (const [kind, k] of kinds) {
    out.push(
      `  ${kind.padEnd(14)} ${String(k.count).padStart(6)} events (${((k.count * 10000) / requests).toFixed(2)} per 10k requests), ` +
        `pause ${k.pauseMs.toFixed(0)} ms total (${((k.pauseMs * 1000) / requests).toFixed(2)} µs per request), ` +
        `~${k.freedMB.toFixed(0)} MB freed (~${((k.freedMB * 1024 * 1024) / requests).toFixed(0)} bytes per request)`,
    );
  }
  return out.join('\n');
}

let status = 1;
try {
  status = await main();
} catch (err) {
  log(`profile: ${err?.stack ?? err}`);
  if (err?.log) log(err.log);
} finally {
  await cleanupAll();
}
process.exit(status);
