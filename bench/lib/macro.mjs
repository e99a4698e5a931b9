// The shared body of a macro scenario (l4, http): one fast backend, then for each workload each
// target in front of it in turn (fresh process, poll until it accepts, sanity requests, warm-up,
// measured wrk run, memory/CPU/fd samples, stop), repeated for --runs rounds, then one table per
// workload + JSON.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startNginxBackend, BACKEND_BODY } from './nginx.mjs';
import { freePort, httpCheck, StartError, waitForPort } from './net.mjs';
import { ROOT } from './paths.mjs';
import { cleanupAll, countSockets, cpuTimeMs, isInterrupted, tcpSocketsOf, systemBusyMs, fdCount, makeTempDir, memoryOf, runCommand, sleep, tailFile } from './procs.mjs';
import { fmtInt, fmtK, fmtKiB, fmtMs, markdownTable, writeResultsJson } from './report.mjs';
import { TARGETS, TARGET_ORDER } from './targets.mjs';
import { checkTools, formatFacts, hardFdLimit, machineFacts } from './tools.mjs';
import { runH2load } from './h2load.mjs';
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
 * The workloads of a scenario for these options: scenario.workloads(opts) when it has several
 * (http), else one wrk run of GET / with the small body (l4).
 * A workload: { id, title?, path, body, connections, sanityRequests, describe, optIn?, targets?,
 * proxyConfig?, setup? }: `optIn` workloads run only when --workloads names them; `targets` limits the
 * targets that run it; `proxyConfig` is merged into the proxies' config parameters (see
 * proxyConfig() in targets.mjs: `servers`, `backendLines`); `setup(dir)` runs once before the
 * first target with a directory of its own and returns fields merged into the workload (a
 * `proxyConfig` naming files it wrote there, `wrkScript`: a Lua script wrk runs with `-s`).
 */
function workloadsOf(scenario, opts) {
  if (typeof scenario.workloads !== 'function') {
    return [
      {
        id: 'default',
        path: '/',
        body: BACKEND_BODY,
        connections: opts.connections,
        sanityRequests: 1,
        describe: 'backend: nginx returning 200 "hello\\n"',
      },
    ];
  }
  const all = scenario.workloads(opts);
  if (!opts.workloads) return all.filter((w) => !w.optIn);
  const known = new Set(all.map((w) => w.id));
  for (const id of opts.workloads) if (!known.has(id)) throw new Error(`unknown workload '${id}' (known: ${[...known].join(', ')})`);
  return all.filter((w) => opts.workloads.includes(w.id));
}

/**
 * scenario: { name, mode, tools, targets (ids), goal(targetId, workloadId) ->
 *   { text, min?, peers?: { peerId: minRatio }, p99AddedMax? } | undefined,
 *   ratioPeers?: [{ id, header }], workloads?(opts), backendFiles? }.
 * opts: { duration, warmup, connections, threads, runs, targets?, workloads? } from the command line.
 */
export async function runMacroScenario(scenario, opts) {
  const tools = checkTools(scenario.tools);
  if (!tools.ok) {
    log(tools.message);
    return 1;
  }
  const started = new Date();
  let workloads;
  try {
    workloads = workloadsOf(scenario, opts);
  } catch (err) {
    log(`bench: ${err.message}`);
    return 2;
  }
  // The `-t2` targets (nbthread 2) and the bare runtime pass-throughs run only when named.
  const known = [...scenario.targets, ...(scenario.threadedTargets ?? []), ...(scenario.bareTargets ?? [])];
  const ids = (opts.targets ?? scenario.targets).filter((id) => {
    if (TARGETS[id] && known.includes(id)) return true;
    log(`bench: unknown target '${id}' for ${scenario.name} (known: ${known.join(', ')})`);
    return false;
  });
  // Every ratio a goal asks for is measured in the same run: HAProxy always, the peers a goal
  // names (http: http-proxy and @fastify/http-proxy) and the direct row (p99 added) when such a
  // target is measured.
  const goals = ids.flatMap((id) => workloads.map((w) => scenario.goal(id, w.id)).filter(Boolean));
  if (!ids.includes('haproxy') && goals.some((g) => g.min !== undefined)) ids.push('haproxy');
  for (const peer of new Set(goals.flatMap((g) => Object.keys(g.peers ?? {})))) if (!ids.includes(peer)) ids.push(peer);
  // "p99 latency added" is measured against the backend's own p99: the direct row.
  if (!ids.includes('direct') && scenario.targets.includes('direct') && goals.some((g) => g.p99AddedMax !== undefined)) ids.push('direct');

  const perTargetS = opts.warmup + opts.duration + 45; // start + sanity + stop, generously
  const budgetS = 120 + workloads.length * opts.runs * ids.length * perTargetS;
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
  const maxConnections = Math.max(...workloads.map((w) => w.connections));
  if (maxconn < maxConnections) throw new Error(`fd limit ${fdLimit} too low for ${maxConnections} connections`);

  const tmp = makeTempDir(`switchyard-bench-${scenario.name}-`);
  const backendPort = await freePort();
  log(`bench: backend nginx on 127.0.0.1:${backendPort} (temp dir ${tmp})`);
  // An HTTP/2 (h2c) listener beside the HTTP/1 one, for the workloads whose servers speak h2.
  const backendH2Port = workloads.some((w) => w.backendH2) ? await freePort() : undefined;
  const backend = await startNginxBackend({ dir: join(tmp, 'nginx'), port: backendPort, h2Port: backendH2Port, files: scenario.backendFiles ?? {} });
  for (const w of workloads) {
    if (typeof w.setup !== 'function') continue;
    const dir = join(tmp, `setup-${w.id}`);
    mkdirSync(dir, { recursive: true });
    Object.assign(w, w.setup(dir));
  }

  const byWorkload = workloads.map((w) => ({
    workload: w,
    results: Object.fromEntries(
      ids.filter((id) => !w.targets || w.targets.includes(id)).map((id) => {
        const t = TARGETS[id];
        const a = t.available();
        return [id, { id, label: t.label, available: a.ok, reason: a.reason, runs: [] }];
      }),
    ),
  }));
  // HAProxy first in every round so each round's ratios share the nearest conditions.
  const order = [...ids].sort((a, b) => (a === 'haproxy' ? -1 : b === 'haproxy' ? 1 : TARGET_ORDER.indexOf(a) - TARGET_ORDER.indexOf(b)));
  try {
    for (const { workload, results } of byWorkload) {
      for (let round = 1; round <= opts.runs; round++) {
        for (const id of order) {
          const r = results[id];
          if (!r?.available) continue; // not available, or not a target of this workload
          if (isInterrupted()) return 130;
          if (backend.exitInfo) throw new Error(`the nginx backend died: ${backend.logTail(10)}`);
          const wl = workload.title ? ` ${workload.id}:` : '';
          log(`bench: [round ${round}/${opts.runs}]${wl} ${r.label} ...`);
          const serverPort = workload.backendH2 ? backendH2Port : backendPort;
          const run = await measureTarget(TARGETS[id], { scenario, workload, opts, tmp, backendPort: serverPort, round, maxconn, backend });
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
    }
  } finally {
    await backend.stop();
  }

  const sections = byWorkload.map(({ workload, results }) => {
    const summary = summarize(results, scenario, workload);
    return { workload, summary, table: renderTable(summary, scenario, opts) };
  });
  const finished = new Date();
  const json = {
    scenario: scenario.name,
    mode: scenario.mode,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    options: opts,
    facts: { ...facts, fdLimit },
    maxconn,
    backend: { server: 'nginx', body: BACKEND_BODY, files: Object.fromEntries(Object.entries(scenario.backendFiles ?? {}).map(([k, v]) => [k, v.length])), port: backendPort },
    ...(sections.length === 1 && !sections[0].workload.title
      ? { targets: sections[0].summary, table: sections[0].table }
      : {
          workloads: sections.map(({ workload, summary, table }) => ({
            id: workload.id,
            title: workload.title,
            path: workload.path,
            connections: workload.connections,
            bodyBytes: workload.body.length,
            targets: summary,
            table,
          })),
        }),
  };
  const file = writeResultsJson(scenario.name, json, started);
  console.log(`\n## ${scenario.title}\n`);
  console.log(formatFacts(facts).replace(/^/gm, '- '));
  const rounds = `${opts.runs} round(s)${opts.runs > 1 ? ' (median req/s shown, min–max beside it)' : ''}`;
  for (const { workload, summary, table } of sections) {
    if (workload.title) console.log(`\n### ${workload.title}\n`);
    const url = workload.title ? ` http://127.0.0.1:PORT${workload.path}` : '';
    const tool =
      workload.loadTool === 'h2load'
        ? `h2load -c${workload.connections} -m${workload.streams} -t${opts.threads} -D${opts.duration}${url} (no percentiles: p50/p99 empty)`
        : `wrk -t${opts.threads} -c${workload.connections} -d${opts.duration}s --latency${url}`;
    console.log(`${workload.title ? '' : '- '}load: ${tool}, warm-up ${opts.warmup} s, ${rounds}; ${workload.describe}\n`);
    console.log(table);
    const missed = summary.filter((t) => t.goalMisses?.length).map((t) => `- ${t.label}: ${t.goalMisses.join('; ')}`);
    if (missed.length > 0) console.log(`\nTargets missed:\n${missed.join('\n')}`);
    const unmeasured = summary.filter((t) => t.goalUnmeasured?.length).map((t) => `- ${t.label}: ${t.goalUnmeasured.join('; ')}`);
    if (unmeasured.length > 0) console.log(`\nTarget parts not measured:\n${unmeasured.join('\n')}`);
    const notes = summary.flatMap((t) => t.problems.map((p) => `- ${t.label}: ${p}`));
    if (notes.length > 0) console.log(`\nProblems seen:\n${notes.join('\n')}`);
  }
  const allRuns = sections.flatMap((s) => s.summary.flatMap((t) => t.runs));
  const busy = allRuns.filter((r) => r.machineBusy);
  if (busy.length > 0) {
    console.log(
      `\nWarning: other processes used >= ${BUSY_PERCENT}% of a core during ${busy.length} of ${allRuns.length} measured runs ` +
        `(up to ${Math.max(...busy.map((r) => r.otherCpuPercent))}%): the machine was not idle; repeat on a quiet machine.`,
    );
  }
  console.log(`\nresults: ${file}`);
  const failed = sections.some((s) => s.summary.some((t) => t.available && t.runs.every((r) => r.error)));
  return failed ? 1 : 0;
}

function indent(text) {
  return text.replace(/^/gm, '    ');
}

function describeCheck(res) {
  const { ok, ...rest } = res;
  void ok;
  return JSON.stringify(rest);
}

async function measureTarget(target, { scenario, workload, opts, tmp, backendPort, round, maxconn, backend }) {
  const notes = [];
  const run = { round, notes };
  let port = backendPort;
  let proc;
  const dir = join(tmp, `${workload.id}-${target.id}-${round}`);
  mkdirSync(dir, { recursive: true });
  try {
    if (target.kind === 'proxy') {
      port = await freePort();
      const cfg = await target.writeConfig(dir, { mode: scenario.mode, port, backendPort, maxconn, ...(workload.proxyConfig ?? {}) });
      proc = target.start({ dir, cfg, port, backendPort });
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
    // Answers correctly before any load: 200 and exactly the backend's body, `sanityRequests`
    // times on one keep-alive connection.
    const sanity = await httpCheck(port, { path: workload.path, body: workload.body, count: workload.sanityRequests });
    if (!sanity.ok) {
      run.error = `sanity GET ${workload.path} through ${target.label} got ${describeCheck(sanity)}`;
      run.log = proc?.logTail(15);
      return run;
    }
    run.sanity = sanity;
    if (workload.sanityRequests > 1 && sanity.reused < workload.sanityRequests - 1) {
      notes.push(`client connection not kept alive (${sanity.reused} of ${workload.sanityRequests - 1} later requests reused it)`);
    }
    const pid = proc?.pid;
    await sleep(200); // let the sanity connection close before the fd baseline
    const before = pid ? { memory: memoryOf(pid), fds: fdCount(pid), sockets: tcpSocketsOf(pid) } : {};
    const url = `http://127.0.0.1:${port}${workload.path}`;
    const connections = workload.connections;
    if (opts.warmup > 0) {
      const warm =
        workload.loadTool === 'h2load'
          ? await runH2load({ url, duration: opts.warmup, connections, streams: workload.streams, threads: opts.threads })
          : await runWrk({ url, duration: opts.warmup, connections, threads: opts.threads, latency: false, script: workload.wrkScript });
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
    const res =
      workload.loadTool === 'h2load'
        ? await runH2load({ url, duration: opts.duration, connections, streams: workload.streams, threads: opts.threads })
        : await runWrk({ url, duration: opts.duration, connections, threads: opts.threads, script: workload.wrkScript });
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
      transferPerSec: res.transferPerSec,
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
      // Let the proxy see wrk's connections close, then count what is still open: client
      // connections (local port = the proxy's) must all be gone; in mode tcp so must server
      // connections, while in mode http a proxy keeps idle server connections on purpose (up to
      // one per client connection of the warm-up and of the measured run until its purge delay,
      // 5 s in HAProxy and Switchyard); other fds must not grow.
      await sleep(1000);
      run.fdsBefore = before.fds;
      run.fdsAfter = fdCount(pid);
      run.rssAfterKiB = memoryOf(pid)?.rssKiB;
      const sockets = tcpSocketsOf(pid);
      if (sockets !== undefined && before.sockets !== undefined) {
        const client = countSockets(sockets, (s) => s.localPort === port && s.state !== 'LISTEN');
        const server = countSockets(sockets, (s) => s.remotePort === backendPort);
        run.socketsAfter = { client, server, total: sockets.length };
        if (client.count > 0) {
          notes.push(`${client.count} client connection(s) still open 1 s after wrk exited ${JSON.stringify(client.states)}: leak`);
        }
        // Idle connections are pooled per server: a workload with several servers keeps a few more.
        const servers = workload.proxyConfig?.servers ?? 1;
        // HTTP/2 clients have `streams` requests in flight per connection, each on its own HTTP/1 server connection.
        const inFlight = connections * (workload.backendH2 ? 1 : (workload.streams ?? 1));
        const serverAllowance = scenario.mode === 'http' ? 2 * inFlight + 2 + 4 * (servers - 1) : 0;
        if (server.count > serverAllowance) {
          notes.push(`${server.count} server connection(s) still open 1 s after the load ${JSON.stringify(server.states)}: possible leak`);
        }
        const otherBefore = before.fds - before.sockets.length;
        const otherAfter = run.fdsAfter - sockets.length;
        if (otherAfter > otherBefore + 2) notes.push(`${otherAfter - otherBefore} more non-socket fds after the load (${otherBefore} -> ${otherAfter})`);
      } else if (run.fdsBefore !== undefined && run.fdsAfter !== undefined) {
        const allowance = scenario.mode === 'http' ? 2 * connections + 2 : 2;
        if (run.fdsAfter > run.fdsBefore + allowance) {
          notes.push(`${run.fdsAfter - run.fdsBefore} more fds open 1 s after the load ended (${run.fdsBefore} -> ${run.fdsAfter}): possible socket leak`);
        }
      }
      const again = await httpCheck(port, { path: workload.path, body: workload.body, count: 1 });
      if (!again.ok) notes.push(`GET after the load got ${describeCheck(again)}`);
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

const round3 = (x) => Math.round(x * 1000) / 1000;

function summarize(results, scenario, workload) {
  // Medians of the reference rows every ratio is taken to.
  const medianOf = (id) => {
    const ok = results[id]?.runs.filter((r) => !r.error) ?? [];
    if (ok.length === 0) return undefined;
    const mid = median(ok.map((r) => r.requestsPerSec));
    return ok.find((r) => r.requestsPerSec === mid);
  };
  const haproxy = medianOf('haproxy');
  const hRps = haproxy?.requestsPerSec;
  // Latency added by a proxy: its p99 minus the backend's own p99, taken as the best of the
  // direct rounds (the least disturbed; wrk's p99 moves a lot on a busy machine).
  const directOk = results.direct?.runs.filter((r) => !r.error && r.p99Ms !== undefined) ?? [];
  const directP99 = directOk.length ? Math.min(...directOk.map((r) => r.p99Ms)) : undefined;
  const haproxyAddedP99 = haproxy && directP99 !== undefined ? haproxy.p99Ms - directP99 : undefined;
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
      const goal = scenario.goal(t.id, workload.id);
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
      out.transferPerSec = rep.transferPerSec;
      out.peakRssKiB = ok.some((r) => r.memory?.hwmKiB !== undefined) ? Math.max(...ok.map((r) => r.memory?.hwmKiB ?? 0)) : undefined;
      out.cpuPercent = rep.cpuPercent;
      out.cpuUsPerRequest = rep.cpuUsPerRequest;
      out.otherCpuPercent = rep.otherCpuPercent;
      out.errorCount = ok.reduce((a, r) => a + r.errorCount, 0);
      out.errors = ok.map((r) => r.errors);
      // A target with N threads is compared with HAProxy `nbthread N` when that ran too.
      const threads = /-t(\d+)$/.exec(t.id)?.[1];
      const sameThreads = threads === undefined || t.id.startsWith('haproxy') ? undefined : medianOf(`haproxy-t${threads}`)?.requestsPerSec;
      if (sameThreads) out.ratioToHaproxy = round3(mid / sameThreads);
      else if (hRps) out.ratioToHaproxy = round3(mid / hRps);
      out.ratioTo = {};
      for (const peer of scenario.ratioPeers ?? []) {
        const p = medianOf(peer.id);
        if (p) out.ratioTo[peer.id] = round3(mid / p.requestsPerSec);
      }
      if (directP99 !== undefined && t.id !== 'direct') out.p99AddedMs = round3(rep.p99Ms - directP99);
      // The goal holds when every part of it that could be measured holds; a part whose
      // reference is missing is reported as not measured.
      if (goal && (goal.min !== undefined || goal.peers || goal.p99AddedMax !== undefined)) {
        const misses = [];
        const unmeasured = [];
        if (goal.min !== undefined) {
          if (out.ratioToHaproxy === undefined) unmeasured.push('HAProxy ratio');
          else if (out.ratioToHaproxy < goal.min) misses.push(`${out.ratioToHaproxy.toFixed(2)}x HAProxy < ${goal.min}x`);
        }
        for (const [peer, min] of Object.entries(goal.peers ?? {})) {
          const label = (scenario.ratioPeers ?? []).find((p) => p.id === peer)?.header ?? peer;
          const ratio = out.ratioTo[peer];
          if (ratio === undefined) unmeasured.push(`${label} ratio`);
          else if (ratio < min) misses.push(`${ratio.toFixed(2)}x ${label} < ${min}x`);
        }
        if (goal.p99AddedMax !== undefined) {
          if (out.p99AddedMs === undefined || haproxyAddedP99 === undefined) unmeasured.push('p99 added (needs the direct row)');
          else if (haproxyAddedP99 <= 0 || out.p99AddedMs < 0) unmeasured.push('p99 added (direct p99 above a proxy p99: too noisy)');
          else if (out.p99AddedMs > goal.p99AddedMax * Math.max(haproxyAddedP99, 0.001)) {
            misses.push(`p99 added ${fmtMs(out.p99AddedMs)} > ${goal.p99AddedMax}x HAProxy's ${fmtMs(haproxyAddedP99)}`);
          }
        }
        out.goalMisses = misses;
        out.goalUnmeasured = unmeasured;
        out.meetsGoal = misses.length === 0;
      }
      return out;
    });
}

function blankRow(width, label, text, goal) {
  return [label, text, ...Array(width - 3).fill('—'), goal ?? '—'];
}

function renderTable(summary, scenario, opts) {
  const peers = scenario.ratioPeers ?? [];
  const showAdded = scenario.showP99Added === true;
  const rows = [
    [
      'target',
      opts.runs > 1 ? 'req/s (median)' : 'req/s',
      'p50',
      'p99',
      ...(showAdded ? ['p99 added'] : []),
      'peak RSS',
      'proxy CPU',
      'CPU/req',
      'other CPU',
      'errors',
      'x HAProxy',
      ...peers.map((p) => `x ${p.header}`),
      'DESIGN §4 target',
    ],
  ];
  const ratio = (r) => (r === undefined ? '—' : `${r.toFixed(2)}x`);
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
    let goal = t.goal ?? '—';
    if (t.meetsGoal !== undefined) goal = `${t.goal} ${t.meetsGoal ? (t.goalUnmeasured?.length ? 'met (partly measured)' : 'met') : 'MISSED'}`;
    rows.push([
      t.label,
      `${fmtInt(t.requestsPerSec)}${range}`,
      fmtMs(t.p50Ms),
      fmtMs(t.p99Ms),
      ...(showAdded ? [t.p99AddedMs === undefined ? '—' : fmtMs(t.p99AddedMs)] : []),
      fmtKiB(t.peakRssKiB),
      t.cpuPercent === undefined ? '—' : `${t.cpuPercent}%`,
      t.cpuUsPerRequest === undefined ? '—' : `${t.cpuUsPerRequest.toFixed(1)} µs`,
      t.otherCpuPercent === undefined ? '—' : `${t.otherCpuPercent}%`,
      fmtInt(t.errorCount),
      ratio(t.ratioToHaproxy),
      ...peers.map((p) => (t.id === p.id ? '1.00x' : ratio(t.ratioTo?.[p.id]))),
      goal,
    ]);
  }
  return markdownTable(rows);
}
