// Runs h2load (nghttp2) against a loopback URL with a time limit and parses its report into the
// shape runWrk returns (bench/lib/wrk.mjs). HTTP/2 with prior knowledge (h2c): `-c` connections,
// `-m` concurrent streams on each.
import { runCommand } from './procs.mjs';

/** h2load -cC -mM -tT -Ds URL (after an h2load warm-up of its own, none: the scenario warms up). */
export async function runH2load({ url, duration, connections, streams = 100, threads = 1 }) {
  if (!/^http:\/\/127\.0\.0\.1[:/]/.test(url)) throw new Error(`refusing non-loopback URL ${url}`);
  const args = [`-c${connections}`, `-m${streams}`, `-t${threads}`, `-D${duration}`, url];
  const res = await runCommand('h2load', args, { timeoutMs: (duration + 30) * 1000 });
  const command = ['h2load', ...args].join(' ');
  if (res.error) throw new Error(`${command}: ${res.error.message}`);
  if (res.timedOut) throw new Error(`${command}: did not finish within ${duration + 30} s`);
  const parsed = parseH2load(res.stdout);
  if (parsed.requestsPerSec === undefined) throw new Error(`${command}: unexpected output (exit ${res.code})\n${res.stdout}${res.stderr}`);
  return { command, ...parsed, raw: res.stdout };
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000 };

export function parseH2load(out) {
  const finished = /finished in [\d.]+\w+, ([\d.]+) req\/s, ([\d.]+)(B|KB|MB|GB)\/s/.exec(out);
  const counts = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(out);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out);
  // "time for request:  min  max  mean  sd  +/- sd"
  const timing = /time for request:\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)/.exec(out);
  const errors = {};
  if (counts) {
    if (Number(counts[5]) > 0) errors.failed = Number(counts[5]);
    if (Number(counts[6]) > 0) errors.errored = Number(counts[6]);
    if (Number(counts[7]) > 0) errors.timeout = Number(counts[7]);
  }
  if (codes && Number(codes[3]) + Number(codes[4]) > 0) errors.non2xx3xx = Number(codes[3]) + Number(codes[4]);
  return {
    requestsPerSec: finished ? Number(finished[1]) : undefined,
    requests: counts ? Number(counts[4]) : undefined,
    transferPerSec: finished ? Number(finished[2]) * 1024 ** ['B', 'KB', 'MB', 'GB'].indexOf(finished[3]) : undefined,
    // h2load reports no percentiles: the mean stands in the latency columns.
    latencyAvgMs: timing ? Number(timing[5]) * UNIT_MS[timing[6]] : undefined,
    errors,
    errorCount: Object.values(errors).reduce((a, b) => a + b, 0),
  };
}
