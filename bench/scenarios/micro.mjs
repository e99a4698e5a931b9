// micro: tinybench micro-benchmarks of hot core functions (compiled dist/), in a child Node
// process per file so each starts from a clean heap and JIT state.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt } from '../lib/macro.mjs';
import { BENCH_DIR, ROOT } from '../lib/paths.mjs';
import { runCommand } from '../lib/procs.mjs';

const scenario = {
  name: 'micro',
  title: 'Micro-benchmarks (tinybench)',
  description: 'tinybench micro-benchmarks of core functions (bench/micro/*.mjs), e.g. pick() of every balance algorithm for 10 and 1,000 servers, with bytes allocated per pick',
  kind: 'micro',
  async run(opts) {
    const built = await ensureBuilt();
    if (built.error) return 1;
    const dir = join(BENCH_DIR, 'micro');
    const files = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort();
    const only = opts.positional.length > 0 ? opts.positional : undefined;
    let status = 0;
    for (const file of files) {
      if (only && !only.some((name) => file.startsWith(name))) continue;
      process.stderr.write(`bench: micro/${file} ...\n`);
      const res = await runCommand(process.execPath, [join(dir, file), ...(opts.json ? ['--json'] : [])], {
        cwd: ROOT,
        timeoutMs: 300_000,
      });
      process.stdout.write(res.stdout);
      process.stderr.write(res.stderr);
      if (res.code !== 0) {
        process.stderr.write(`bench: micro/${file} failed (${res.timedOut ? 'timed out' : `exit ${res.code}`})\n`);
        status = 1;
      }
    }
    return status;
  },
};

export default scenario;
