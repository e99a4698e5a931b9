// Child processes the bench starts: spawn with output to a log file, stop by PID, run a command
// with a time limit, and clean up everything (processes and temp dirs) on exit, Ctrl-C or error.
// Only processes started here are ever signalled, each by its own PID.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** pid -> handle of every live child started by the bench. */
const live = new Map();
const tempDirs = new Set();
let handlersInstalled = false;
let cleaningUp = false;

/** True once Ctrl-C (or SIGTERM/SIGHUP) arrived: scenarios stop starting new work. */
export const isInterrupted = () => cleaningUp;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh temp dir under /tmp, removed at exit. */
export function makeTempDir(prefix = 'switchyard-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/**
 * Starts a long-running process with stdout+stderr appended to `logFile`.
 * Returns a handle: { name, pid, child, exited (promise of {code, signal}), exitInfo, logFile, stop() }.
 */
export function startProcess(name, cmd, args, { cwd, env, logFile }) {
  installCleanupHandlers();
  const fd = openSync(logFile, 'a');
  let child;
  try {
    child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const handle = {
    name,
    cmd: [cmd, ...args].join(' '),
    pid: child.pid,
    child,
    logFile,
    exitInfo: undefined,
    spawnError: undefined,
    exited: undefined,
    stop: (opts) => stopProcess(handle, opts),
    logTail: (lines = 20) => tailFile(logFile, lines),
  };
  handle.exited = new Promise((resolve) => {
    child.once('error', (err) => {
      handle.spawnError = err;
      handle.exitInfo ??= { code: null, signal: null, error: err.message };
      live.delete(handle.pid);
      resolve(handle.exitInfo);
    });
    child.once('exit', (code, signal) => {
      handle.exitInfo ??= { code, signal };
      live.delete(handle.pid);
      resolve(handle.exitInfo);
    });
  });
  if (child.pid !== undefined) live.set(child.pid, handle);
  return handle;
}

/**
 * SIGTERM, then SIGKILL after `graceMs`. Resolves to { exitInfo, stopMs, forced } where forced
 * tells whether SIGKILL was needed (a proxy that ignores SIGTERM is worth reporting).
 */
export async function stopProcess(handle, { graceMs = 3000 } = {}) {
  const t0 = performance.now();
  if (handle.exitInfo) return { exitInfo: handle.exitInfo, stopMs: 0, forced: false, alreadyExited: true };
  signal(handle, 'SIGTERM');
  let done = await Promise.race([handle.exited, sleep(graceMs).then(() => undefined)]);
  let forced = false;
  if (!done) {
    forced = true;
    signal(handle, 'SIGKILL');
    done = await Promise.race([handle.exited, sleep(2000).then(() => undefined)]);
  }
  return { exitInfo: handle.exitInfo, stopMs: Math.round(performance.now() - t0), forced, alreadyExited: false };
}

function signal(handle, sig) {
  if (handle.pid === undefined || handle.exitInfo) return;
  try {
    process.kill(handle.pid, sig);
  } catch {
    /* already gone */
  }
}

/**
 * Runs a command to completion with a time limit, collecting stdout and stderr.
 * Resolves to { code, signal, stdout, stderr, timedOut, error }; never rejects.
 */
export function runCommand(cmd, args, { cwd, env, timeoutMs = 30_000, input } = {}) {
  installCleanupHandlers();
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ code: null, signal: null, stdout: '', stderr: '', timedOut: false, error: err });
      return;
    }
    const handle = { name: cmd, pid: child.pid, child, exitInfo: undefined };
    if (child.pid !== undefined) live.set(child.pid, handle);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => {
      timedOut = true;
      signal(handle, 'SIGTERM');
      setTimeout(() => signal(handle, 'SIGKILL'), 2000).unref();
    }, timeoutMs);
    const finish = (code, sig, error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      handle.exitInfo = { code, signal: sig };
      live.delete(handle.pid);
      resolve({ code, signal: sig, stdout, stderr, timedOut, error });
    };
    child.once('error', (err) => finish(null, null, err));
    child.once('close', (code, sig) => finish(code, sig, undefined));
  });
}

/** Stops every live child (SIGTERM then SIGKILL) and removes the temp dirs. */
export async function cleanupAll() {
  const handles = [...live.values()];
  await Promise.all(
    handles.map(async (h) => {
      if (h.exited) await stopProcess(h, { graceMs: 2000 });
      else {
        signal(h, 'SIGTERM');
        await sleep(200);
        signal(h, 'SIGKILL');
      }
    }),
  );
  for (const dir of [...tempDirs]) removeTempDir(dir);
}

/** Synchronous last resort at process exit: SIGKILL what is left, remove temp dirs. */
function cleanupSync() {
  for (const h of live.values()) signal(h, 'SIGKILL');
  live.clear();
  for (const dir of [...tempDirs]) {
    try {
      removeTempDir(dir);
    } catch {
      /* best effort */
    }
  }
}

export function installCleanupHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupSync);
  const onSignal = (sig) => {
    if (cleaningUp) {
      cleanupSync();
      process.exit(130);
    }
    cleaningUp = true;
    process.stderr.write(`\nbench: ${sig} received, stopping everything it started...\n`);
    cleanupAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
}

export function tailFile(file, lines = 20) {
  if (!file || !existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  return text.split('\n').filter((l) => l.length > 0).slice(-lines).join('\n');
}

/** /proc/PID/status fields in KiB (VmHWM = peak RSS, VmRSS = current RSS), or undefined. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) : undefined;
    };
    return { hwmKiB: field('VmHWM'), rssKiB: field('VmRSS'), threads: field('Threads') };
  } catch {
    return undefined;
  }
}

/** Number of open file descriptors of PID, or undefined. */
export function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

const TCP_STATES = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/**
 * The TCP sockets PID holds open, from /proc/PID/fd and /proc/net/tcp{,6}: an array of
 * { localPort, remotePort, state }, or undefined when /proc cannot tell. Used to tell leaked
 * client connections from idle server connections a proxy keeps on purpose.
 */
export function tcpSocketsOf(pid) {
  try {
    const inodes = new Set();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        /* closed meanwhile */
      }
    }
    const sockets = [];
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text;
      try {
        text = readFileSync(table, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length < 10 || !inodes.has(f[9])) continue;
        const port = (addr) => parseInt(addr.slice(addr.lastIndexOf(':') + 1), 16);
        sockets.push({ localPort: port(f[1]), remotePort: port(f[2]), state: TCP_STATES[f[3]] ?? f[3] });
      }
    }
    return sockets;
  } catch {
    return undefined;
  }
}

/** { count, states: { STATE: n } } of the sockets that match `pred`. */
export function countSockets(sockets, pred) {
  const states = {};
  let count = 0;
  for (const s of sockets) {
    if (!pred(s)) continue;
    count++;
    states[s.state] = (states[s.state] ?? 0) + 1;
  }
  return { count, states };
}

/**
 * CPU time (user+system) of PID ('self' for this process) in milliseconds, from /proc/PID/stat,
 * or undefined. With `children`, adds the CPU of its reaped children (cutime+cstime): for
 * 'self' that counts wrk once it has exited.
 */
export function cpuTimeMs(pid, { children = false } = {}) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes comm start at field 3 (state); utime is field 14, stime
    // 15, cutime 16, cstime 17 (1-based).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let t = Number(rest[11]) + Number(rest[12]);
    if (children) t += Number(rest[13]) + Number(rest[14]);
    return (t * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

/**
 * CPU time all processes of the machine spent in user and system mode (all cores), in
 * milliseconds. irq/softirq time is left out: loopback traffic's softirq work is charged there
 * and to no process, so it would look like someone else's load.
 */
export function systemBusyMs() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [, user, nice, system] = line.trim().split(/\s+/).map(Number);
    return ((user + nice + system) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

let ticks;
function clockTicks() {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100; // USER_HZ on every common Linux build
    }
  }
  return ticks;
}
