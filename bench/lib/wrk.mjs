// Runs wrk against a loopback URL with a time limit and parses its report.
import { runCommand } from './procs.mjs';

/**
 * wrk -tT -cC -dDs [--latency] [-s SCRIPT] URL. Resolves to the parsed result plus `raw` output;
 * throws if wrk cannot run or its output has no Requests/sec line. `script`: a Lua file shaping
 * the requests (e.g. varying a header).
 */
export async function runWrk({ url, duration, connections, threads = 1, latency = true, script }) {
  if (!/^http:\/\/127\.0\.0\.1[:/]/.test(url)) throw new Error(`refusing non-loopback URL ${url}`);
  const args = [`-t${threads}`, `-c${connections}`, `-d${duration}s`];
  if (latency) args.push('--latency');
  if (script) args.push('-s', script);
  args.push(url);
  const res = await runCommand('wrk', args, { timeoutMs: (duration + 20) * 1000 });
  const command = ['wrk', ...args].join(' ');
  if (res.error) throw new Error(`${command}: ${res.error.message}`);
  if (res.timedOut) throw new Error(`${command}: did not finish within ${duration + 20} s`);
  const parsed = parseWrk(res.stdout);
  if (parsed.requestsPerSec === undefined) {
    throw new Error(`${command}: unexpected output (exit ${res.code})\n${res.stdout}${res.stderr}`);
  }
  return { command, ...parsed, raw: res.stdout };
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "472.00us" | "1.23ms" | "2.00s" -> milliseconds. */
export function durationToMs(text) {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]] : undefined;
}

export function parseWrk(out) {
  const num = (re) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : undefined;
  };
  const percentiles = {};
  for (const m of out.matchAll(/^\s+(50|75|90|99(?:\.\d+)?)%\s+(\S+)\s*$/gm)) {
    percentiles[`p${m[1]}`] = durationToMs(m[2]);
  }
  const latAvg = /^\s+Latency\s+(\S+)/m.exec(out);
  const errors = {};
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (sock) {
    errors.connect = Number(sock[1]);
    errors.read = Number(sock[2]);
    errors.write = Number(sock[3]);
    errors.timeout = Number(sock[4]);
  }
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
  if (non2xx !== undefined) errors.non2xx3xx = non2xx;
  const transfer = /^Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB|TB)\s*$/m.exec(out);
  const totals = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(out);
  return {
    requestsPerSec: num(/^Requests\/sec:\s+([\d.]+)/m),
    requests: totals ? Number(totals[1]) : undefined,
    /** Bytes per second (wrk's Transfer/sec, which counts in powers of 1024). */
    transferPerSec: transfer ? Number(transfer[1]) * 1024 ** ['B', 'KB', 'MB', 'GB', 'TB'].indexOf(transfer[2]) : undefined,
    elapsedSec: totals ? durationToMs(`${totals[2]}${totals[3]}`) / 1000 : undefined,
    latencyAvgMs: latAvg ? durationToMs(latAvg[1]) : undefined,
    p50Ms: percentiles.p50,
    p75Ms: percentiles.p75,
    p90Ms: percentiles.p90,
    p99Ms: percentiles.p99,
    errors,
    errorCount: Object.values(errors).reduce((a, b) => a + b, 0),
  };
}
