#!/usr/bin/env node
// Micro-benchmark of log lines on the compiled core (dist/), with tinybench.
//   node bench/micro/log-format.mjs [--json] [--time MS] [--only SUBSTRING]
// or `npm run bench -- micro log-format`. Needs `npm run build` first (dist/src/...).
//
// Each case evaluates one compiled log-format string against one stream record (what a session
// builds per request), in batches of 1,000 so the per-line cost is well above the timer's
// resolution: `option httplog`, `option tcplog`, `option httplog clf`, a custom format with
// sample expressions and flags, and a header value (`set-header X %[src]:%[src_port]`). The
// table reports ns per line and the median bytes allocated per line (the line itself is most of
// it: V8 builds it from the pieces).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { bytesPerCall, dist } from '../lib/micro.mjs';
import { fmtInt, markdownTable, writeResultsJson } from '../lib/report.mjs';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, time: { type: 'string' }, only: { type: 'string' } } });
const timeMs = Number(values.time ?? 500);


for (const p of ['log/log-format.js', 'log/default-formats.js', 'http/codec/index.js']) {
  if (!existsSync(dist(p))) {
    console.error(`bench/micro/log-format.mjs: ${dist(p).pathname} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}
const { compileFormat } = await import(dist('log/log-format.js').href);
const { HTTP_LOG_FORMAT, TCP_LOG_FORMAT, CLF_HTTP_LOG_FORMAT } = await import(dist('log/default-formats.js').href);
const { RequestHeadParser } = await import(dist('http/codec/index.js').href);

const parser = new RequestHeadParser();
parser.feed(new TextEncoder().encode('GET /api/items?id=42&sort=asc HTTP/1.1\r\nHost: shop.example\r\n\r\n'));
const head = parser.head;

/** A served request: the fields a session fills per line. */
const record = {
  mode: 'http',
  clientAddress: '192.0.2.17',
  clientPort: 51234,
  localAddress: '10.0.0.1',
  localPort: 8080,
  clientTls: undefined,
  hostname: 'edge-1',
  frontendName: 'www',
  pid: 4242,
  lbHead: head,
  acceptWall: Date.now(),
  streamId: 1234,
  uniqueId: undefined,
  uniqueIdIfGenerated: undefined,
  backendName: 'app',
  serverName: 'app-3',
  serverAddress: '10.0.1.3',
  serverPort: 9000,
  sourceAddress: '10.0.0.1',
  sourcePort: 40123,
  tHandshake: 0,
  tIdle: 1,
  tRequest: 2,
  tQueue: 2,
  tConnect: 3,
  tData: 9,
  tClose: 11,
  status: 200,
  bytesIn: 87,
  bytesOut: 1532,
  termination: '--',
  cookieFlags: '--',
  actconn: 12,
  feconn: 10,
  beconn: 4,
  srvconn: 1,
  retries: 0,
  redispatched: false,
  serverQueuePos: 0,
  backendQueuePos: 0,
  logCount: 99,
};
const tcpRecord = { ...record, mode: 'tcp', lbHead: undefined, tIdle: -1, tRequest: -1, tQueue: 0, tConnect: 1, tData: -1, status: 0 };

const LINE = (mode) => ({ kind: 'log-line', mode });
const cases = [
  { name: 'option httplog', format: HTTP_LOG_FORMAT, usage: LINE('http'), ctx: record },
  { name: 'option tcplog', format: TCP_LOG_FORMAT, usage: LINE('tcp'), ctx: tcpRecord },
  { name: 'option httplog clf', format: CLF_HTTP_LOG_FORMAT, usage: LINE('http'), ctx: record },
  {
    name: 'custom: JSON-like with flags and samples',
    format: '{"ip":"%ci","port":%cp,"fe":"%f","be":"%b","srv":"%s","st":%ST,"bytes":%B,"ta":%Ta,"req":%{+Q,+E}r,"m":"%[method]","id":"%{+X}rt"}',
    usage: LINE('http'),
    ctx: record,
  },
  { name: 'header value: %[src]:%[src_port]', format: '%[src]:%[src_port]', usage: { kind: 'rule', direction: 'request' }, ctx: record },
].filter((c) => values.only === undefined || c.name.includes(values.only));

const BATCH = 1000;
for (const c of cases) {
  const compiled = compileFormat(c.format, c.usage);
  if (!compiled.ok) throw new Error(`${c.name}: ${compiled.message}`);
  c.evaluate = compiled.format;
  c.sample = compiled.format.evaluate(c.ctx);
  c.run = (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) total += c.evaluate.evaluate(c.ctx).length;
    return total;
  };
}


const bench = new Bench({ name: 'log lines', time: timeMs, warmupTime: Math.min(200, timeMs) });
for (const c of cases) bench.add(c.name, () => c.run(BATCH));
await bench.run();

const results = cases.map((c) => {
  const task = bench.tasks.find((t) => t.name === c.name);
  const meanMs = task?.result?.latency?.mean ?? task?.result?.mean;
  return { name: c.name, nsPerLine: meanMs === undefined ? undefined : (meanMs * 1e6) / BATCH, bytesPerLine: bytesPerCall(c.run), line: c.sample };
});

if (values.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  console.log(
    markdownTable([
      ['log-format', 'ns / line', 'bytes / line', 'line length'],
      ...results.map((r) => [r.name, fmtInt(r.nsPerLine), fmtInt(r.bytesPerLine), String(r.line.length)]),
    ]),
  );
  for (const r of results) console.log(`  ${r.name}: ${r.line}`);
}
const file = writeResultsJson('micro-log-format', { benchmark: 'log lines', node: process.version, timeMs, results });
console.error(`results: ${file}`);
