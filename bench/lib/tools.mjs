// External tools the macro benchmarks need, how to install them, and the machine facts printed
// beside every result (a ratio only means something next to the versions and core count).
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { delimiter, join } from 'node:path';
import { runCommand } from './procs.mjs';
import { ROOT } from './paths.mjs';

/** tool -> Debian package and what it is for. */
export const TOOLS = {
  haproxy: { pkg: 'haproxy', why: 'the reference proxy (HAProxy 2.6 on Debian 12)' },
  wrk: { pkg: 'wrk', why: 'the HTTP/1.1 load generator' },
  nginx: { pkg: 'nginx-light', why: 'the fast backend' },
  h2load: { pkg: 'nghttp2-client', why: 'the HTTP/2 load generator' },
};

export const INSTALL_ALL = 'apt-get update && apt-get install -y haproxy nginx-light wrk nghttp2-client';

/** Absolute path of `name` on PATH (plus the sbin dirs, where haproxy and nginx live), or undefined. */
export function which(name) {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/local/sbin', '/usr/sbin', '/sbin']);
  for (const dir of dirs) {
    const file = join(dir, name);
    if (dir && existsSync(file)) return file;
  }
  return undefined;
}

/**
 * Returns { ok, paths, missing, message }; message says exactly what to install when some are
 * missing.
 */
export function checkTools(names) {
  const paths = {};
  const missing = [];
  for (const name of names) {
    const path = which(name);
    if (path) paths[name] = path;
    else missing.push(name);
  }
  let message = '';
  if (missing.length > 0) {
    const pkgs = missing.map((n) => TOOLS[n]?.pkg ?? n);
    message =
      `Missing tool(s): ${missing.map((n) => `${n} (${TOOLS[n]?.why ?? 'needed'})`).join(', ')}.\n` +
      `Install on Debian/Ubuntu (as root):\n` +
      `  apt-get update && apt-get install -y ${pkgs.join(' ')}\n` +
      `or everything the benches use:\n  ${INSTALL_ALL}\n`;
  }
  return { ok: missing.length === 0, paths, missing, message };
}

export const BUN = join(ROOT, 'node_modules/.bin/bun');
export const DENO = join(ROOT, 'node_modules/.bin/deno');

async function firstLine(cmd, args, { stream = 'any', pattern } = {}) {
  if (!cmd.includes('/') && !which(cmd)) return 'not installed';
  if (cmd.includes('/') && !existsSync(cmd)) return 'not installed';
  const res = await runCommand(cmd, args, { timeoutMs: 10_000 });
  if (res.error) return 'not installed';
  const text = stream === 'stderr' ? res.stderr : stream === 'stdout' ? res.stdout : `${res.stdout}\n${res.stderr}`;
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = pattern ? lines.find((l) => pattern.test(l)) : lines[0];
  return line ?? 'unknown';
}

function cpuModel() {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? m[1].trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** nproc, CPU, kernel, memory and the versions of every runtime and tool in play. */
export async function machineFacts() {
  const [bun, deno, haproxy, nginx, wrk] = await Promise.all([
    firstLine(BUN, ['--version']),
    firstLine(DENO, ['--version']),
    firstLine('haproxy', ['-v'], { pattern: /HAProxy version/ }),
    firstLine('nginx', ['-v'], { pattern: /nginx version/ }),
    firstLine('wrk', ['-v'], { pattern: /^wrk / }),
  ]);
  return {
    nproc: availableParallelism(),
    cpu: cpuModel(),
    kernel: release(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    bun,
    deno,
    haproxy: haproxy.replace(/ - https?:\/\/\S+/, ''),
    nginx: nginx.replace(/^nginx version:\s*/, ''),
    wrk: wrk.replace(/ Copyright.*$/, ''),
  };
}

export function formatFacts(f) {
  return [
    `machine: nproc=${f.nproc}, ${f.cpu}, ${f.memoryGiB} GiB, Linux ${f.kernel}`,
    `versions: node ${f.node}, bun ${f.bun}, ${f.deno}, ${f.haproxy}, ${f.nginx}, ${f.wrk}`,
  ].join('\n');
}

/** The hard RLIMIT_NOFILE children inherit (HAProxy needs about 2 x maxconn + headroom). */
export async function hardFdLimit() {
  const res = await runCommand('sh', ['-c', 'ulimit -Hn'], { timeoutMs: 5000 });
  const text = res.stdout.trim();
  return text === 'unlimited' ? Infinity : Number(text) || 1024;
}
