// idle-fds: file descriptors per idle keep-alive client. N clients (default 10,000; a positional
// argument changes it) each send one GET through the proxy, read the answer and stay connected,
// silent. The proxy's fds above its idle baseline, divided by N, are its fds per idle client:
// 1.0 means it keeps no server connection per idle client (HAProxy's bounded, purged idle
// pool), 2.0 that every client holds one. Sampled when the last client went idle and then every
// second for --duration seconds (the default pool-purge-delay is 5 s), with the server
// connections counted from the backend's own /proc. Targets: Switchyard on Node, Bun, Deno and
// HAProxy 2.6 nbthread 1, same config. Every child runs with its soft RLIMIT_NOFILE raised to
// the hard limit (prlimit); `global maxconn` is what HAProxy can hold within that limit (it
// refuses to start when 2 x maxconn fds do not fit), and the clients stay below it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt } from '../lib/macro.mjs';
import { freePort, waitForPort } from '../lib/net.mjs';
import { BENCH_DIR, ROOT } from '../lib/paths.mjs';
import { countSockets, fdCount, isInterrupted, makeTempDir, sleep, startProcess, tcpSocketsOf } from '../lib/procs.mjs';
import { markdownTable, writeResultsJson } from '../lib/report.mjs';
import { proxyConfig } from '../lib/targets.mjs';
import { PROXY_COMMANDS, unavailable } from '../lib/proxy-commands.mjs';
import { formatFacts, hardFdLimit, machineFacts, which } from '../lib/tools.mjs';

/** Clients connect this many at a time (what the backend sees as peak concurrency). */
const CONCURRENCY = 100;
/** As the macro scenarios: 20000 unless the hard fd limit cannot hold 2 x maxconn. */
const MAXCONN = 20000;

const log = (msg) => process.stderr.write(`${msg}\n`);

const PROXIES = { ...PROXY_COMMANDS, haproxy: { ...PROXY_COMMANDS.haproxy, label: 'HAProxy 2.6 nbthread 1' } };

/** Starts `command` with RLIMIT_NOFILE raised: prlimit execs it, so the PID is the command's. */
function startRaised(name, command, { cwd, logFile, nofile }) {
  return startProcess(name, 'prlimit', [`--nofile=${nofile}:${nofile}`, ...command], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' },
    logFile,
  });
}

/** The first JSON line of a child's log, once there (the clients' summary). */
async function waitForJsonLine(proc, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (existsSync(proc.logFile)) {
      const line = readFileSync(proc.logFile, 'utf8').split('\n').find((l) => l.startsWith('{'));
      if (line) return JSON.parse(line);
    }
    if (proc.exitInfo) throw new Error(`${proc.name} exited: ${proc.logTail(5)}`);
    await sleep(100);
  }
  throw new Error(`${proc.name}: no result within ${timeoutMs} ms`);
}

function sample(proxyPid, backendPid, proxyPort, backendPort) {
  const fds = fdCount(proxyPid);
  const own = tcpSocketsOf(proxyPid) ?? [];
  const clients = countSockets(own, (s) => s.localPort === proxyPort && s.state === 'ESTABLISHED').count;
  const atBackend = countSockets(tcpSocketsOf(backendPid) ?? [], (s) => s.localPort === backendPort && s.state === 'ESTABLISHED').count;
  return { fds, clients, serverConns: atBackend };
}

async function measure(id, { tmp, clients, duration, backendPort, backend, maxconn, nofile }) {
  const p = PROXIES[id];
  const port = await freePort();
  const cfg = join(tmp, `${id}.cfg`);
  const text = proxyConfig({
    mode: 'http',
    port,
    backendPort,
    maxconn,
    extraGlobal: p.haproxy ? ['nbthread 1'] : [],
    // Idle clients must outlive the observation: the keep-alive timeout is what applies to them.
    extraDefaults: ['timeout http-keep-alive 10m', 'timeout client 10m'],
  });
  writeFileSync(cfg, text);
  const proxy = startRaised(p.label, [...p.command, '-f', cfg], { cwd: p.haproxy ? tmp : ROOT, logFile: join(tmp, `${id}.log`), nofile });
  let clientsProc;
  try {
    await waitForPort(port, { proc: proxy, timeoutMs: 60_000 });
    await sleep(500);
    const baseline = fdCount(proxy.pid);
    clientsProc = startRaised('idle clients', [process.execPath, join(BENCH_DIR, 'lib/idle-clients.mjs'), String(port), String(clients), String(CONCURRENCY), String(duration + 300)], {
      cwd: ROOT,
      logFile: join(tmp, `${id}-clients.log`),
      nofile,
    });
    const opened = await waitForJsonLine(clientsProc, 300_000);
    log(`bench:   ${opened.idle} idle clients after ${opened.openMs} ms${opened.failed ? `, ${opened.failed} failed (${opened.firstError})` : ''}`);
    const samples = [];
    const t0 = performance.now();
    for (let s = 0; s <= duration; s++) {
      if (isInterrupted()) break;
      const wait = t0 + s * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      samples.push({ t: s, ...sample(proxy.pid, backend.pid, port, backendPort) });
    }
    const perClient = (x) => (opened.idle > 0 ? (x.fds - baseline) / opened.idle : NaN);
    return { id, label: p.label, baseline, opened, samples: samples.map((x) => ({ ...x, perClient: Number(perClient(x).toFixed(3)) })) };
  } catch (err) {
    return { id, label: p.label, error: err.message, log: proxy.logTail(10) };
  } finally {
    await clientsProc?.stop();
    await proxy.stop();
  }
}

const scenario = {
  name: 'idle-fds',
  title: 'File descriptors per idle keep-alive client',
  description: 'fds per idle keep-alive client (N clients, one request each, then silent; default 10,000): Switchyard on Node/Bun/Deno vs HAProxy',
  kind: 'macro',
  async run(opts) {
    const requested = opts.positional[0] === undefined ? 10_000 : Number(opts.positional[0]);
    if (!Number.isInteger(requested) || requested < 1 || requested > 25_000) {
      log('bench: idle-fds takes the number of clients (1..25000) as its argument');
      return 2;
    }
    const nofile = await hardFdLimit();
    const maxconn = Math.min(MAXCONN, Math.floor((nofile - 100) / 2));
    const clients = Math.min(requested, maxconn - 50);
    if (clients < requested) log(`bench: hard fd limit ${nofile}: maxconn ${maxconn} for every proxy, so ${clients} clients instead of ${requested}`);
    if (!which('prlimit')) {
      log('bench: idle-fds needs prlimit (util-linux) to raise the fd limit of its children');
      return 1;
    }
    const ids = (opts.targets ?? ['node', 'bun', 'deno', 'haproxy']).filter((id) => {
      if (PROXIES[id]) return true;
      log(`bench: unknown target '${id}' (known: ${Object.keys(PROXIES).join(', ')})`);
      return false;
    });
    const duration = opts.duration;
    const watchdog = setTimeout(() => {
      log('bench: idle-fds exceeded its time budget; stopping');
      process.kill(process.pid, 'SIGTERM');
    }, (120 + ids.length * (duration + 400)) * 1000);
    watchdog.unref();
    const facts = await machineFacts();
    log(formatFacts(facts));
    if (ids.some((id) => !PROXIES[id].haproxy)) await ensureBuilt();

    const tmp = makeTempDir('switchyard-bench-idle-fds-');
    const backendPort = await freePort();
    const backend = startRaised('idle backend', [process.execPath, join(BENCH_DIR, 'lib/idle-backend.mjs'), String(backendPort)], {
      cwd: ROOT,
      logFile: join(tmp, 'backend.log'),
      nofile,
    });
    const results = [];
    try {
      await waitForPort(backendPort, { proc: backend, timeoutMs: 10_000 });
      for (const id of ids) {
        if (isInterrupted()) return 130;
        const why = unavailable(PROXIES, id);
        if (why) {
          results.push({ id, label: PROXIES[id].label, error: why });
          continue;
        }
        log(`bench: ${PROXIES[id].label}: ${clients} clients ...`);
        const r = await measure(id, { tmp, clients, duration, backendPort, backend, maxconn, nofile });
        if (r.error) log(`bench:   FAILED: ${r.error}${r.log ? `\n${r.log}` : ''}`);
        results.push(r);
        await sleep(1000); // let the backend see the previous target's connections go
      }
    } finally {
      await backend.stop();
    }

    const at = (r, t) => r.samples?.find((s) => s.t === t) ?? r.samples?.at(-1);
    const mid = Math.min(duration, 6);
    const cell = (s) => (s === undefined ? '—' : `${s.perClient.toFixed(2)} (${s.serverConns})`);
    const rows = [['target', 'idle clients', 'baseline fds', `fds/client (server conns): at idle`, `+${mid} s`, `+${duration} s`]];
    for (const r of results) {
      if (r.error) rows.push([r.label, `failed: ${r.error}`, '', '', '', '']);
      else rows.push([r.label, String(r.opened.idle), String(r.baseline), cell(at(r, 0)), cell(at(r, mid)), cell(at(r, duration))]);
    }
    const table = markdownTable(rows);
    const file = writeResultsJson(scenario.name, { scenario: scenario.name, clients, concurrency: CONCURRENCY, duration, facts, results, table });
    console.log(`\n## ${scenario.title}\n`);
    console.log(formatFacts(facts).replace(/^/gm, '- '));
    console.log(
      `- ${clients} clients, ${CONCURRENCY} connecting at a time, one GET each, then idle; global maxconn ${maxconn} (fd limit ${nofile}), ` +
        `timeout http-keep-alive 10m, default http-reuse safe and pool settings; fds/client = (proxy fds - idle baseline) / idle clients; ` +
        `server conns = ESTABLISHED connections the backend holds\n`,
    );
    console.log(table);
    console.log(`\nJSON: ${file}`);
    return results.some((r) => r.error) ? 1 : 0;
  },
};

export default scenario;
