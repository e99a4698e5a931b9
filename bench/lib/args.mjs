// Command-line options shared by every scenario; each also reads a BENCH_* environment variable.
import { parseArgs } from 'node:util';

const NUMERIC = {
  duration: { env: 'BENCH_DURATION', def: 10, min: 1, max: 600, help: 'seconds of measured load per target' },
  warmup: { env: 'BENCH_WARMUP', def: 2, min: 0, max: 120, help: 'seconds of warm-up load before measuring (0 = none)' },
  connections: { env: 'BENCH_CONNECTIONS', def: 64, min: 1, max: 10_000, help: 'concurrent keep-alive connections (wrk -c)' },
  largeConnections: {
    flag: 'large-connections',
    env: 'BENCH_LARGE_CONNECTIONS',
    def: 16,
    min: 1,
    max: 10_000,
    help: '(http) connections of the 1 MiB-response workload',
  },
  threads: { env: 'BENCH_THREADS', def: 1, min: 1, max: 64, help: 'load generator threads (wrk -t)' },
  idleConnections: {
    flag: 'idle-connections',
    env: 'BENCH_IDLE_CONNECTIONS',
    def: 10_000,
    min: 1,
    max: 100_000,
    help: '(memory) idle keep-alive client connections per target',
  },
  cycles: { env: 'BENCH_CYCLES', def: 3, min: 1, max: 20, help: '(memory) open/close cycles of the idle connections' },
  reloads: { env: 'BENCH_RELOADS', def: 10, min: 1, max: 1000, help: '(reload) reloads under load, and timed reloads of the 1,000-server config' },
  runs: { env: 'BENCH_RUNS', def: 1, min: 1, max: 20, help: 'rounds over all targets; the table shows the median' },
};

export function usage(scenarioList) {
  const opt = Object.entries(NUMERIC)
    .map(([k, v]) => `  --${(v.flag ?? k).padEnd(18)} ${v.help} (default ${v.def}; env ${v.env})`)
    .join('\n');
  return `Usage: npm run bench -- <scenario> [options]
       node bench/run.mjs <scenario> [options]

Scenarios:
${scenarioList}

Options:
${opt}
  --targets LIST       comma-separated subset of the scenario's targets (env BENCH_TARGETS):
                       l4: node,node-system,bun,deno,haproxy,direct
                       http: node,node-system,bun,deno,haproxy,nginx,http-proxy,fastify,direct
                       memory: node,node-system,bun,deno,haproxy
                       reload: node,bun,deno,haproxy
                       (node: the Node running the bench, under npm the current LTS from
                       node_modules; node-system: the machine's own Node, if another version)
                       (HAProxy, and in http the JS peers, are added when a ratio to them is asked for)
  --workloads LIST     (http) small,large: keep-alive small responses, 1 MiB responses
                       (default both; env BENCH_WORKLOADS); leastconn,uri: balancing over
                       16 servers vs HAProxy (only when named); memory: idle,timeout;
                       reload: load,signal
  --json               (micro) print raw JSON results as well
  --help               this text

Examples:
  npm run bench -- l4
  npm run bench -- l4 --duration 5 --connections 32 --runs 3
  npm run bench -- l4 --targets haproxy,direct
  npm run bench -- http
  npm run bench -- http --targets node,bun --workloads small --runs 3
  npm run bench -- micro
  npm run bench -- memory --targets deno --idle-connections 5000 --cycles 2
`;
}

export function parseOptions(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...Object.fromEntries(Object.entries(NUMERIC).map(([k, v]) => [v.flag ?? k, { type: 'string' }])),
      targets: { type: 'string' },
      workloads: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const opts = { positional: positionals, help: values.help ?? false, json: values.json ?? false };
  for (const [key, spec] of Object.entries(NUMERIC)) {
    const raw = values[spec.flag ?? key] ?? process.env[spec.env];
    if (raw === undefined || raw === '') {
      opts[key] = spec.def;
      continue;
    }
    const n = Number(String(raw).replace(/s$/, ''));
    if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
      throw new Error(`--${spec.flag ?? key} must be an integer in ${spec.min}..${spec.max} (got '${raw}')`);
    }
    opts[key] = n;
  }
  const targets = values.targets ?? process.env.BENCH_TARGETS;
  if (targets) opts.targets = targets.split(',').map((t) => t.trim()).filter(Boolean);
  const workloads = values.workloads ?? process.env.BENCH_WORKLOADS;
  if (workloads) opts.workloads = workloads.split(',').map((t) => t.trim()).filter(Boolean);
  return opts;
}
