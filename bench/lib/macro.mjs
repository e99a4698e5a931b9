// The shared body of a macro scenario (l4 now, http later): one fast backend, then each target
// in front of it in turn (fresh process, poll until it accepts, sanity request, warm-up, measured
// wrk run, memory/CPU/fd samples, stop), repeated for --runs rounds, then one table + JSON.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startNginxBackend, BACKEND_BODY } from './nginx.mjs';
import { freePort, httpGet, StartError, waitForPort } from './net.mjs';
import { ROOT } from './paths.mjs';
import { cleanupAll, cpuTimeMs, isInterrupted, systemBusyMs, fdCount, makeTempDir, memoryOf, runCommand, sleep, tailFile } from './procs.mjs';
import { fmtInt, fmtK, fmtKiB, fmtMs, markdownTable, writeResultsJson } from './report.mjs';
import { TARGETS, TARGET_ORDER } from './targets.mjs';
import { checkTools, formatFacts, hardFdLimit, machineFacts } from './tools.mjs';
import { runWrk } from './wrk.mjs';

/** Other processes' CPU (% of a core) above which a measured run counts as disturbed. */
const BUSY_PERCENT = 15;

const log = (msg) => process.stderr.write(`${msg}\n`);

/** Builds dist/ when the compiled Node entry is missing (tsc emits even with type errors). */
export async function ensureBuilt() {
  const entry = join(ROOT, 'dist/adapters/node/main.js');
  if (existsSync(entry)) return { built: false };
  log('bench: dist/ is missing; building with tsc -p tsconfig.json ...');
  const tsc = join(ROOT, 'node_modules/.bin/tsc');
  const res = await runCommand(tsc, ['-p', 'tsconfig.json'], { cwd: ROOT, timeoutMs: 300_000 });
  if (!existsSync(entry)) {
    log(`bench: build did not produce ${entry}:\n${res.stdout}${res.stderr}`.slice(0, 4000));
    return { built: false, error: 'build failed' };
  }
  if (res.code !== 0) log('bench: tsc reported type errors but emitted dist/ (continuing)');
  return { built: true };
}

/**
 * scenario: { name, mode, tools, targets (ids), goal(id) -> { text, min } | undefined }.
 * opts: { duration, warmup, connections, threads, runs, targets? } from the command line.
 */
export async function runMacroScenario(scenario, opts) {
  const tools = checkTools(scenario.tools);
  if (!tools.ok) {
    log(tools.message);
    return 1;
  }
  const started = new Date();
  const ids = (opts.targets ?? scenario.targets).filter((id) => {
    if (TARGETS[id]) return true;
    log(`bench: unknown target '${id}' (known: ${Object.keys(TARGETS).join(', ')})`);
    return false;
  });
  // Always measure HAProxy when a ratio is asked for: every ratio is to HAProxy in the same run.
  if (!ids.includes('haproxy') && ids.some((id) => scenario.goal(id)?.min !== undefined)) ids.push('haproxy');

  const perTargetS = opts.warmup + opts.duration + 45; // start + sanity + stop, generously
  const budgetS = 120 + opts.runs * ids.length * perTargetS;
  const watchdog = setTimeout(() => {
    log(`bench: exceeded the time budget of ${budgetS} s; stopping everything it started`);
    cleanupAll().finally(() => process.exit(2));
  }, budgetS * 1000);
  watchdog.unref();

  const facts = await machineFacts();
  log(formatFacts(facts));
  if (ids.some((id) => TARGETS[id].runtime)) await ensureBuilt();

  // maxconn 20000 as in DESIGN's example, unless the fd limit cannot hold it (HAProxy refuses
  // to start when it cannot raise RLIMIT_NOFILE to about 2 x maxconn); the same for every proxy.
  const fdLimit = await hardFdLimit();
  const maxconn = Math.min(20000, Math.floor((fdLimit - 100) / 2));
  if (maxconn < 20000) log(`bench: hard fd limit ${fdLimit}: using maxconn ${maxconn} for every proxy`);
  if (maxconn < opts.connections) throw new Error(`fd limit ${fdLimit} too low for ${opts.connections} connections`);

  const tmp = makeTempDir(`switchyard-bench-${scenario.name}-`);
  const backendPort = await freePort();
  log(`bench: backend nginx on 127.0.0.1:${backendPort} (temp dir ${tmp})`);
  const backend = await startNginxBackend({ dir: join(tmp, 'nginx'), port: backendPort });

  const results = Object.fromEntries(
    ids.map((id) => {
      const t = TARGETS[id];
      const a = t.available();
      return [id, { id, label: t.label, available: a.ok, reason: a.reason, runs: [] }];
    }),
  );
  // HAProxy first in every round so each round's ratios share the nearest conditions.
  const order = [...ids].sort((a, b) => (a === 'haproxy' ? -1 : b === 'haproxy' ? 1 : TARGET_ORDER.indexOf(a) - TARGET_ORDER.indexOf(b)));
  try {
    for (let round = 1; round <= opts.runs; round++) {
      for (const id of order) {
        const r = results[id];
        if (!r.available) continue;
        if (isInterrupted()) return 130;
        if (backend.exitInfo) throw new Error(`the nginx backend died: ${backend.logTail(10)}`);
        log(`bench: [round ${round}/${opts.runs}] ${r.label} ...`);
        const run = await measureTarget(TARGETS[id], { scenario, opts, tmp, backendPort, round, maxconn, backend });
        if (isInterrupted()) return 130;
        r.runs.push(run);
        if (run.error) log(`bench:   FAILED: ${run.error}${run.log ? `\n${indent(run.log)}` : ''}`);
        else
          log(
            `bench:   ${fmtInt(run.requestsPerSec)} req/s, p50 ${fmtMs(run.p50Ms)}, p99 ${fmtMs(run.p99Ms)}, ` +
              `peak RSS ${fmtKiB(run.memory?.hwmKiB)}${run.machineBusy ? `, other CPU ${run.otherCpuPercent}% (machine busy)` : ''}${run.notes.length ? `; notes: ${run.notes.join('; ')}` : ''}`,
          );
      }
    }
  } finally {
    await backend.stop();
  }

  const summary = summarize(results, scenario);
  const table = renderTable(summary, scenario, opts);
  const finished = new Date();
  const json = {
    scenario: scenario.name,
    mode: scenario.mode,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    options: opts,
    facts: { ...facts, fdLimit },
    maxconn,
    backend: { server: 'nginx', body: BACKEND_BODY, port: backendPort },
    targets: summary,
    table,
  };
  const file = writeResultsJson(scenario.name, json, started);
  console.log(`\n## ${scenario.title}\n`);
  console.log(formatFacts(facts).replace(/^/gm, '- '));
  console.log(
    `- load: wrk -t${opts.threads} -c${opts.connections} -d${opts.duration}s --latency, warm-up ${opts.warmup} s, ` +
      `${opts.runs} round(s)${opts.runs > 1 ? ' (median req/s shown, min–max beside it)' : ''}; backend: nginx returning 200 "hello\\n"\n`,
  );
  console.log(table);
  const notes = summary.flatMap((t) => t.problems.map((p) => `- ${t.label}: ${p}`));
  if (notes.length > 0) console.log(`\nProblems seen:\n${notes.join('\n')}`);
  const allRuns = summary.flatMap((t) => t.runs);
  const busy = allRuns.filter((r) => r.machineBusy);
  if (busy.length > 0) {
    console.log(
      `\nWarning: other processes used >= ${BUSY_PERCENT}% of a core during ${busy.length} of ${allRuns.length} measured runs ` +
        `(up to ${Math.max(...busy.map((r) => r.otherCpuPercent))}%): the machine was not idle; repeat on a quiet machine.`,
    );
  }
  console.log(`\nresults: ${file}`);
  const failed = summary.some((t) => t.available && t.runs.every((r) => r.error));
  return failed ? 1 : 0;
}

function indent(text) {
  return text.replace(/^/gm, '    ');
}

async function measureTarget(target, { scenario, opts, tmp, backendPort, round, maxconn, backend }) {
  const notes = [];
  const run = { round, notes };
  let port = backendPort;
  let proc;
  const dir = join(tmp, `${target.id}-${round}`);
  mkdirSync(dir, { recursive: true });
  try {
    if (target.kind === 'proxy') {
      port = await freePort();
      const cfg = target.writeConfig(dir, { mode: scenario.mode, port, backendPort, maxconn });
      proc = target.start({ dir, cfg });
      run.pid = proc.pid;
      run.command = proc.cmd;
      try {
        run.readyMs = await waitForPort(port, { proc, timeoutMs: target.startTimeoutMs });
      } catch (err) {
        if (!(err instanceof StartError)) throw err;
        run.error = err.message;
        run.log = err.log;
        return run;
      }
    }
    run.port = port;
    const sanity = await httpGet(port);
    if (sanity.error || sanity.status !== 200 || sanity.body !== BACKEND_BODY) {
      run.error = `sanity GET through ${target.label} got ${JSON.stringify(sanity)}`;
      run.log = proc?.logTail(15);
      return run;
    }
    const pid = proc?.pid;
    await sleep(200); // let the sanity connection close before the fd baseline
    const before = pid ? { memory: memoryOf(pid), fds: fdCount(pid) } : {};
    const url = `http://127.0.0.1:${port}/`;
    if (opts.warmup > 0) {
      const warm = await runWrk({ url, duration: opts.warmup, connections: opts.connections, threads: opts.threads, latency: false });
      if (warm.errorCount > 0) notes.push(`warm-up errors ${JSON.stringify(warm.errors)}`);
    }
    const afterWarmup = pid ? memoryOf(pid) : undefined;
    // CPU bookkeeping: the proxy, the backend, and this process plus its reaped children (wrk),
    // against the whole machine's busy time: what is left is other people's work on the box.
    const ours = () => [pid && cpuTimeMs(pid), cpuTimeMs(backend.pid), cpuTimeMs('self', { children: true })];
    const cpu0 = pid ? cpuTimeMs(pid) : undefined;
    const ours0 = ours();
    const sys0 = systemBusyMs();
    const t0 = performance.now();
    const res = await runWrk({ url, duration: opts.duration, connections: opts.connections, threads: opts.threads });
    const wallMs = performance.now() - t0;
    const cpu1 = pid ? cpuTimeMs(pid) : undefined;
    const ours1 = ours();
    const sys1 = systemBusyMs();
    if (sys0 !== undefined && sys1 !== undefined && ours1.every((v, i) => v === 0 || v === undefined || ours0[i] !== undefined)) {
      const oursMs = ours1.reduce((a, v, i) => a + ((v || 0) - (ours0[i] || 0)), 0);
      run.otherCpuPercent = Math.max(0, Math.round(((sys1 - sys0 - oursMs) / wallMs) * 100));
      run.machineBusy = run.otherCpuPercent >= BUSY_PERCENT;
    }
    Object.assign(run, {
      requestsPerSec: res.requestsPerSec,
      requests: res.requests,
      p50Ms: res.p50Ms,
      p75Ms: res.p75Ms,
      p90Ms: res.p90Ms,
      p99Ms: res.p99Ms,
      latencyAvgMs: res.latencyAvgMs,
      errors: res.errors,
      errorCount: res.errorCount,
      wrk: res.raw,
    });
    if (res.errorCount > 0) notes.push(`wrk errors ${JSON.stringify(res.errors)}`);
    if (pid) {
      run.memory = memoryOf(pid);
      run.rssBeforeKiB = before.memory?.rssKiB;
      run.rssAfterWarmupKiB = afterWarmup?.rssKiB;
      if (cpu0 !== undefined && cpu1 !== undefined) {
        run.cpuPercent = Math.round(((cpu1 - cpu0) / wallMs) * 100);
        // Proxy CPU per request: the efficiency figure that matters when wrk, nginx and the
        // proxy compete for the same 2 cores.
        if (res.requests) run.cpuUsPerRequest = Math.round(((cpu1 - cpu0) * 1000 * 100) / res.requests) / 100;
      }
      if (proc.exitInfo) {
        run.error = `${target.label} exited during the run (${JSON.stringify(proc.exitInfo)})`;
        run.log = proc.logTail(20);
        return run;
      }
      // Let the proxy see wrk's connections close, then count what is still open.
      await sleep(1000);
      run.fdsBefore = before.fds;
      run.fdsAfter = fdCount(pid);
      run.rssAfterKiB = memoryOf(pid)?.rssKiB;
      if (run.fdsBefore !== undefined && run.fdsAfter !== undefined && run.fdsAfter > run.fdsBefore + 2) {
        notes.push(`${run.fdsAfter - run.fdsBefore} more fds open 1 s after the load ended (${run.fdsBefore} -> ${run.fdsAfter}): possible socket leak`);
      }
      const again = await httpGet(port);
      if (again.error || again.status !== 200 || again.body !== BACKEND_BODY) notes.push(`GET after the load got ${JSON.stringify(again)}`);
    }
    return run;
  } catch (err) {
    run.error = err.message;
    run.log = proc?.logTail(15);
    return run;
  } finally {
    if (proc) {
      const stop = await proc.stop();
      run.stopMs = stop.stopMs;
      run.exit = stop.exitInfo;
      if (stop.forced) notes.push('did not exit within 3 s of SIGTERM (SIGKILLed)');
      else if (!stop.alreadyExited && stop.exitInfo && stop.exitInfo.code !== 0 && stop.exitInfo.signal !== 'SIGTERM') {
        notes.push(`exit status after SIGTERM: ${JSON.stringify(stop.exitInfo)}`);
      }
      const output = tailFile(proc.logFile, 10);
      if (output) run.output = output;
    }
  }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

function summarize(results, scenario) {
  const haproxy = results.haproxy;
  const hRuns = haproxy?.runs.filter((r) => !r.error) ?? [];
  const hRps = hRuns.length ? median(hRuns.map((r) => r.requestsPerSec)) : undefined;
  return TARGET_ORDER.filter((id) => results[id])
    .map((id) => results[id])
    .map((t) => {
      const ok = t.runs.filter((r) => !r.error);
      const problems = [];
      for (const r of t.runs) {
        if (r.error) problems.push(`round ${r.round}: ${r.error}${r.log ? ` — log: ${r.log.split('\n').slice(-5).join(' / ')}` : ''}`);
        for (const n of r.notes) problems.push(`round ${r.round}: ${n}`);
        if (r.output && TARGETS[t.id].runtime) problems.push(`round ${r.round}: printed with -q: ${r.output.split('\n').slice(-5).join(' / ')}`);
      }
      const goal = scenario.goal(t.id);
      const out = { ...t, goal: goal?.text, problems };
      if (ok.length === 0) return out;
      const rps = ok.map((r) => r.requestsPerSec);
      const mid = median(rps);
      const rep = ok.find((r) => r.requestsPerSec === mid);
      out.requestsPerSec = mid;
      out.requestsPerSecMin = Math.min(...rps);
      out.requestsPerSecMax = Math.max(...rps);
      out.p50Ms = rep.p50Ms;
      out.p99Ms = rep.p99Ms;
      out.peakRssKiB = ok.some((r) => r.memory?.hwmKiB !== undefined) ? Math.max(...ok.map((r) => r.memory?.hwmKiB ?? 0)) : undefined;
      out.cpuPercent = rep.cpuPercent;
      out.cpuUsPerRequest = rep.cpuUsPerRequest;
      out.otherCpuPercent = rep.otherCpuPercent;
      out.errorCount = ok.reduce((a, r) => a + r.errorCount, 0);
      if (hRps) out.ratioToHaproxy = Math.round((mid / hRps) * 1000) / 1000;
      if (goal?.min !== undefined && out.ratioToHaproxy !== undefined) out.meetsGoal = out.ratioToHaproxy >= goal.min;
      return out;
    });
}

function blankRow(width, label, text, goal) {
  return [label, text, ...Array(width - 3).fill('—'), goal ?? '—'];
}

function renderTable(summary, scenario, opts) {
  const rows = [['target', opts.runs > 1 ? 'req/s (median)' : 'req/s', 'p50', 'p99', 'peak RSS', 'proxy CPU', 'CPU/req', 'other CPU', 'errors', 'x HAProxy', 'DESIGN §4 target']];
  for (const t of summary) {
    if (!t.available) {
      rows.push(blankRow(rows[0].length, t.label, `not available: ${t.reason}`, t.goal));
      continue;
    }
    if (t.requestsPerSec === undefined) {
      rows.push(blankRow(rows[0].length, t.label, 'failed (see below)', t.goal));
      continue;
    }
    const range = opts.runs > 1 ? ` (${fmtK(t.requestsPerSecMin)}–${fmtK(t.requestsPerSecMax)})` : '';
    const ratio = t.ratioToHaproxy === undefined ? '—' : `${t.ratioToHaproxy.toFixed(2)}x`;
    const goal = t.goal === undefined ? '—' : t.meetsGoal === undefined ? t.goal : `${t.goal} ${t.meetsGoal ? 'met' : 'MISSED'}`;
    rows.push([
      t.label,
      `${fmtInt(t.requestsPerSec)}${range}`,
      fmtMs(t.p50Ms),
      fmtMs(t.p99Ms),
      fmtKiB(t.peakRssKiB),
      t.cpuPercent === undefined ? '—' : `${t.cpuPercent}%`,
      t.cpuUsPerRequest === undefined ? '—' : `${t.cpuUsPerRequest.toFixed(1)} µs`,
      t.otherCpuPercent === undefined ? '—' : `${t.otherCpuPercent}%`,
      fmtInt(t.errorCount),
      ratio,
      goal,
    ]);
  }
  return markdownTable(rows);
}
