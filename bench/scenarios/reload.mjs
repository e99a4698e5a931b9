// reload: zero-downtime reload in master-worker mode (`-W -S`), issue #11 item 6, for Switchyard
// on Node, Bun and Deno and HAProxy 2.6 (`haproxy -W -S`) with the same configs. Two workloads:
// (a) `load`: wrk at full load (keep-alive, mode http to the nginx backend) while the master is
//     reloaded --reloads times through its CLI's `reload`, evenly spread over the run: requests,
//     socket errors and non-2xx answers (target 0);
// (b) `signal`: signal-to-serving time for a 1,000-server config (100 backends x 10 servers,
//     no health checks): from SIGUSR2 to the master to the first answer of the new generation
//     (the frontend's `http-request return` carries the generation number), polled on new
//     connections every POLL_MS; the median of --reloads reloads (target < 50 ms).
// Only processes started here are signalled, each by its own PID.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ensureBuilt } from '../lib/macro.mjs';
import { HOST, freePort, waitForPort } from '../lib/net.mjs';
import { startNginxBackend } from '../lib/nginx.mjs';
import { ROOT } from '../lib/paths.mjs';
import { isInterrupted, makeTempDir, sleep, startProcess } from '../lib/procs.mjs';
import { fmtInt, fmtMs, markdownTable, writeResultsJson } from '../lib/report.mjs';
import { proxyConfig } from '../lib/targets.mjs';
import { PROXY_COMMANDS, unavailable } from '../lib/proxy-commands.mjs';
import { checkTools, formatFacts, machineFacts } from '../lib/tools.mjs';
import { runWrk } from '../lib/wrk.mjs';

const log = (msg) => process.stderr.write(`${msg}\n`);

/** Servers of the signal-to-serving config, spread over BACKENDS backends. */
const SERVERS = 1000;
const BACKENDS = 100;
/** How often the new generation is looked for after the signal. */
const POLL_MS = 1;
/** DESIGN target (issue #11): a reload applied within this. */
const TARGET_MS = 50;

const PROXIES = {
  ...PROXY_COMMANDS,
  node: { ...PROXY_COMMANDS.node, label: `Switchyard (Node ${process.version})` },
  haproxy: { ...PROXY_COMMANDS.haproxy, label: 'HAProxy 2.6 -W' },
};

/** One master CLI command on its UNIX socket: the answer, or '' when the master closed or refused (HAProxy's re-executing). */
function masterCli(path, command, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    const socket = connect({ path });
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.end(command));
    socket.on('data', (d) => (answer += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/** Old workers still listed by `show proc` (draining). */
async function oldWorkers(path) {
  const proc = await masterCli(path, 'show proc\n', 5000);
  if (proc === '') return undefined;
  const at = proc.indexOf('# old workers');
  if (at < 0) return 0;
  return proc.slice(at).split('\n').slice(1).filter((l) => /^\d/.test(l)).length;
}

/** The master's children (Linux /proc): its workers and, for Switchyard, the spare worker. */
function childCount(pid) {
  let n = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z' && Number(ppid) === pid) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

/**
 * Switchyard: waits (bounded) until the spare worker the master starts after each reload runs
 * beside the worker, then gives it time to load, so that a reload measures the spare's go, not
 * its start (README.md, "The spare worker"). HAProxy has none.
 */
async function waitSpare(id, pid) {
  if (PROXIES[id].haproxy) return;
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline && childCount(pid) < 2) await sleep(20);
  await sleep(1500);
}

/** Waits until the master lists no old worker (bounded). */
async function waitDrained(path, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await oldWorkers(path)) === 0) return true;
    await sleep(50);
  }
  return false;
}

function startMaster(id, { tmp, cfg, sock, name }) {
  const p = PROXIES[id];
  const [cmd, ...args] = p.command;
  return startProcess(p.label, cmd, [...args, '-W', '-S', sock, '-f', cfg], {
    cwd: p.haproxy ? tmp : ROOT,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' },
    logFile: join(tmp, `${id}-${name}.log`),
  });
}

/** (a) wrk at full load while the master reloads `reloads` times. */
async function underLoad(id, { tmp, backendPort, duration, connections, threads, reloads }) {
  const port = await freePort();
  const cfg = join(tmp, `${id}-load.cfg`);
  const sock = join(tmp, `${id}-load.sock`);
  writeFileSync(cfg, proxyConfig({ mode: 'http', port, backendPort, maxconn: 4000, extraGlobal: ['hard-stop-after 10s'] }));
  const proxy = startMaster(id, { tmp, cfg, sock, name: 'load' });
  try {
    await waitForPort(port, { proc: proxy, timeoutMs: 60_000 });
    const wrk = runWrk({ url: `http://${HOST}:${port}/`, duration, connections, threads, latency: false });
    // The reloads are spread over the middle of the run, the first after a tenth of it.
    const answers = [];
    const t0 = performance.now();
    for (let i = 0; i < reloads && !isInterrupted(); i++) {
      const at = t0 + ((i + 1) * duration * 1000 * 0.9) / (reloads + 1);
      const wait = at - performance.now();
      if (wait > 0) await sleep(wait);
      answers.push((await masterCli(sock, 'reload\n')).trim());
    }
    const result = await wrk;
    const stillUp = proxy.exitInfo === undefined;
    return {
      id,
      label: PROXIES[id].label,
      reloads: answers.length,
      reloadAnswers: [...new Set(answers)],
      requests: result.requests,
      requestsPerSec: result.requestsPerSec,
      errors: result.errors,
      errorCount: result.errorCount,
      stillUp,
    };
  } catch (err) {
    return { id, label: PROXIES[id].label, error: err.message, log: proxy.logTail(10) };
  } finally {
    await proxy.stop({ graceMs: 12_000 });
  }
}

/** The 1,000-server config; the frontend's answer is the generation number. */
function largeConfig(port, backendPort, generation) {
  const lines = [
    '# generated by bench/scenarios/reload.mjs: 1,000 servers in 100 backends, no health checks',
    'global',
    '    maxconn 4000',
    '    hard-stop-after 10s',
    'defaults',
    '    mode http',
    '    timeout connect 5s',
    '    timeout client 30s',
    '    timeout server 30s',
    'frontend fe',
    `    bind ${HOST}:${port}`,
    `    http-request return status 200 content-type text/plain string "generation ${generation}"`,
    '    default_backend be1',
  ];
  const perBackend = SERVERS / BACKENDS;
  for (let b = 1; b <= BACKENDS; b++) {
    lines.push(`backend be${b}`, '    balance roundrobin');
    for (let s = 1; s <= perBackend; s++) lines.push(`    server s${s} ${HOST}:${backendPort} weight ${1 + (s % 4)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The body of GET / on a new connection, or undefined (refused, reset, closed early). */
function probe(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'));
    socket.on('data', (d) => (text += d));
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => {
      const at = text.indexOf('\r\n\r\n');
      resolve(at < 0 ? undefined : text.slice(at + 4));
    });
  });
}

/** (b) SIGUSR2 to the master, then GETs until the new generation answers: ms per reload. */
async function signalToServing(id, { tmp, backendPort, reloads }) {
  const port = await freePort();
  const cfg = join(tmp, `${id}-large.cfg`);
  const sock = join(tmp, `${id}-large.sock`);
  writeFileSync(cfg, largeConfig(port, backendPort, 0));
  const proxy = startMaster(id, { tmp, cfg, sock, name: 'large' });
  try {
    await waitForPort(port, { proc: proxy, timeoutMs: 60_000 });
    const times = [];
    for (let g = 1; g <= reloads && !isInterrupted(); g++) {
      if (!(await waitDrained(sock, 30_000))) throw new Error('the old worker did not leave within 30 s');
      await waitSpare(id, proxy.pid);
      await sleep(200);
      writeFileSync(cfg, largeConfig(port, backendPort, g));
      const want = `generation ${g}`;
      const t0 = performance.now();
      process.kill(proxy.pid, 'SIGUSR2');
      let ms;
      while (ms === undefined) {
        if (proxy.exitInfo) throw new Error(`the master exited during reload ${g}`);
        if (performance.now() - t0 > 60_000) throw new Error(`generation ${g} did not answer within 60 s`);
        const body = await probe(port);
        if (body === want) ms = performance.now() - t0;
        else await sleep(POLL_MS);
      }
      times.push(ms);
    }
    const sorted = [...times].sort((a, b) => a - b);
    return { id, label: PROXIES[id].label, times, median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1) };
  } catch (err) {
    return { id, label: PROXIES[id].label, error: err.message, log: proxy.logTail(10) };
  } finally {
    await proxy.stop({ graceMs: 12_000 });
  }
}

const scenario = {
  name: 'reload',
  title: 'Zero-downtime reload (master-worker)',
  description: `wrk at full load while the master reloads N times (--reloads), and SIGUSR2-to-serving time for a ${SERVERS}-server config: Switchyard on Node/Bun/Deno vs HAProxy -W`,
  kind: 'macro',
  async run(opts) {
    const tools = checkTools(['haproxy', 'wrk', 'nginx']);
    if (!tools.ok) {
      log(tools.message);
      return 1;
    }
    const reloads = opts.reloads;
    const workloads = opts.workloads ?? ['load', 'signal'];
    const ids = (opts.targets ?? ['node', 'bun', 'deno', 'haproxy']).filter((id) => {
      if (PROXIES[id]) return true;
      log(`bench: unknown target '${id}' (known: ${Object.keys(PROXIES).join(', ')})`);
      return false;
    });
    const watchdog = setTimeout(() => {
      log('bench: reload exceeded its time budget; stopping');
      process.kill(process.pid, 'SIGTERM');
    }, (120 + ids.length * (opts.duration + 60 + reloads * 15)) * 1000);
    watchdog.unref();
    const facts = await machineFacts();
    log(formatFacts(facts));
    if (ids.some((id) => !PROXIES[id].haproxy)) await ensureBuilt();
    const tmp = makeTempDir('switchyard-bench-reload-');
    const backendPort = await freePort();
    const backend = await startNginxBackend({ dir: join(tmp, 'nginx'), port: backendPort });
    const load = [];
    const signal = [];
    try {
      for (const id of ids) {
        if (isInterrupted()) return 130;
        const why = unavailable(PROXIES, id);
        if (why) {
          load.push({ id, label: PROXIES[id].label, error: why });
          signal.push({ id, label: PROXIES[id].label, error: why });
          continue;
        }
        if (workloads.includes('load')) {
          log(`bench: ${PROXIES[id].label}: wrk ${opts.duration} s, ${reloads} reloads ...`);
          const r = await underLoad(id, { tmp, backendPort, duration: opts.duration, connections: opts.connections, threads: opts.threads, reloads });
          if (r.error) log(`bench:   FAILED: ${r.error}${r.log ? `\n${r.log}` : ''}`);
          load.push(r);
        }
        if (workloads.includes('signal')) {
          log(`bench: ${PROXIES[id].label}: ${reloads} reloads of a ${SERVERS}-server config ...`);
          const r = await signalToServing(id, { tmp, backendPort, reloads });
          if (r.error) log(`bench:   FAILED: ${r.error}${r.log ? `\n${r.log}` : ''}`);
          signal.push(r);
        }
      }
    } finally {
      await backend.stop();
    }

    console.log(`\n## ${scenario.title}\n`);
    console.log(formatFacts(facts).replace(/^/gm, '- '));
    let loadTable;
    let signalTable;
    if (load.length > 0) {
      const rows = [['target', 'reloads', 'requests', 'req/s', 'socket errors (c/r/w/t)', 'non-2xx', 'errors (target 0)', 'reload answer']];
      for (const r of load) {
        if (r.error) rows.push([r.label, `failed: ${r.error}`, '', '', '', '', '', '']);
        else {
          const e = r.errors;
          rows.push([r.label, String(r.reloads), fmtInt(r.requests), fmtInt(r.requestsPerSec), `${e.connect ?? 0}/${e.read ?? 0}/${e.write ?? 0}/${e.timeout ?? 0}`, String(e.non2xx3xx ?? 0), String(r.errorCount), r.reloadAnswers.map((a) => JSON.stringify(a)).join(' ')]);
        }
      }
      loadTable = markdownTable(rows);
      console.log(`\n### (a) wrk -t${opts.threads} -c${opts.connections} -d${opts.duration}s, keep-alive to nginx, while the master CLI's \`reload\` runs ${reloads} times\n`);
      console.log(loadTable);
    }
    if (signal.length > 0) {
      const rows = [['target', 'reloads', 'median', 'min', 'max', `target < ${TARGET_MS} ms`]];
      for (const r of signal) {
        if (r.error) rows.push([r.label, `failed: ${r.error}`, '', '', '', '']);
        else rows.push([r.label, String(r.times.length), fmtMs(r.median), fmtMs(r.min), fmtMs(r.max), r.median < TARGET_MS ? 'met' : 'MISSED']);
      }
      signalTable = markdownTable(rows);
      console.log(`\n### (b) SIGUSR2 to the master until the new generation answers, ${SERVERS} servers in ${BACKENDS} backends, no health checks\n`);
      console.log(signalTable);
    }
    const file = writeResultsJson(scenario.name, { scenario: scenario.name, reloads, duration: opts.duration, facts, load, signal, loadTable, signalTable });
    console.log(`\nJSON: ${file}`);
    return [...load, ...signal].some((r) => r.error || (r.errorCount ?? 0) > 0) ? 1 : 0;
  },
};

export default scenario;
