#!/usr/bin/env node
// Micro-benchmark of per-request rate limiting on the compiled core (dist/), with tinybench.
//   node bench/micro/stick-table.mjs [--json] [--time MS] [--only SUBSTRING] [--threads]
// or `npm run bench -- micro stick-table`. Needs `npm run build` first (dist/src/...).
//
// The recipe of docs/rate-limiting.md, as a session runs it per request:
//   stick-table type ip size 100k expire 30s store http_req_rate(10s)
//   http-request track-sc0 src
//   http-request deny deny_status 429 if { sc_http_req_rate(0) gt 5 }
// i.e. the session trackers counting the request, the track-sc0 action (key cast, lookup or
// creation, counting), the condition (fetch + rate read + integer match), then the end of the
// stream releasing the tracker. Cases: one client (its entry stays hot), and 100,000 distinct
// clients in turn in a 100k table (every lookup misses the caches; entries are created, then
// found again on the next round). Reports ns per request and the median bytes allocated per
// request (batches of 1,000 requests). `--threads`: the table is one thread's copy under
// `nbthread` (src/threads/stick-table-sync.ts): each batch of 1,000 requests is one event-loop
// turn, whose changes are then encoded as the message to the main thread (dropped here).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { bytesPerCall, dist } from '../lib/micro.mjs';
import { fmtInt, markdownTable, writeResultsJson } from '../lib/report.mjs';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, time: { type: 'string' }, only: { type: 'string' }, threads: { type: 'boolean' } } });
const timeMs = Number(values.time ?? 500);


for (const p of ['config/load.js', 'rules/http-rules.js', 'stick/tracking.js', 'stick/persistence.js']) {
  if (!existsSync(dist(p))) {
    console.error(`bench/micro/stick-table.mjs: ${dist(p).pathname} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}
const { parseConfigText } = await import(dist('config/load.js').href);
const { httpRulesOf } = await import(dist('rules/http-rules.js').href);
const { StickTracking } = await import(dist('stick/tracking.js').href);
const { createStickTables } = await import(dist('stick/persistence.js').href);
const { StickTableSync } = await import(dist('threads/stick-table-sync.js').href);

/** The timers of the thread syncs: fired at the end of each batch (one event-loop turn). */
const turnEnd = [];
const syncRuntime = { setTimer: (callback) => turnEnd.push(callback), clearTimer() {}, now: () => clock.t };
let messages = 0;

const config = await parseConfigText(
  `
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind 127.0.0.1:8080
    stick-table type ip size 100k expire 30s store http_req_rate(10s)
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 5 }
    default_backend be
backend be
    server s1 127.0.0.1:8081
`,
  'bench.cfg',
);
const frontend = config.frontends[0];
const rules = httpRulesOf(frontend, 'frontend').request;

/** A monotonic clock advancing 1 µs per request: rates rotate as in a steady flow. */
const clock = { t: 1_000_000, now() { return this.t; } };

/** What a session is to the rules: its address, its tracking, the reply slots. */
function session(tables) {
  return { clientAddress: '192.0.2.1', stick: new StickTracking(tables, clock), reply: undefined, denied: false, tarpit: false };
}

/** One request through the recipe; returns 1 when it was denied. */
function request(ctx) {
  clock.t += 0.001;
  ctx.stick.countHttpRequest(clock.t);
  let denied = 0;
  for (const rule of rules) {
    if (rule.condition !== undefined && !rule.condition.evaluate(ctx)) continue;
    // track-sc0 continues; deny answers (its reply is built once per rule, not per request).
    if (rule.action.run(ctx, undefined, undefined) !== 0) {
      denied = 1;
      break;
    }
  }
  ctx.stick.endStream(0, 0, clock.t);
  return denied;
}

function makeCase(name, keys) {
  const tables = createStickTables([], [frontend]);
  if (values.threads) for (const table of tables.values()) new StickTableSync(table, syncRuntime, () => messages++);
  const ctx = session(tables);
  let next = 0;
  return {
    name,
    tables,
    run(n) {
      let denied = 0;
      for (let i = 0; i < n; i++) {
        ctx.clientAddress = keys[next];
        next = next + 1 === keys.length ? 0 : next + 1;
        denied += request(ctx);
      }
      for (let t = turnEnd.pop(); t !== undefined; t = turnEnd.pop()) t();
      return denied;
    },
  };
}

const distinct = [];
for (let i = 0; i < 100_000; i++) distinct.push(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
const cases = [makeCase('one client (hot entry)', ['192.0.2.1']), makeCase('100,000 clients in turn (100k table)', distinct)].filter(
  (c) => values.only === undefined || c.name.includes(values.only),
);

// Sanity: the limit works (a single client is denied from its 6th request on).
{
  const check = makeCase('check', ['192.0.2.9']);
  const denied = check.run(10);
  if (denied !== 5) throw new Error(`expected 5 of 10 requests denied, got ${denied}`);
}

const BATCH = 1000;


// Fill the 100k table once so the timed rounds find entries (steady state).
for (const c of cases) c.run(100_000);

const bench = new Bench({ name: 'rate limiting', time: timeMs, warmupTime: Math.min(200, timeMs) });
for (const c of cases) bench.add(c.name, () => c.run(BATCH));
await bench.run();

const results = cases.map((c) => {
  const task = bench.tasks.find((t) => t.name === c.name);
  const meanMs = task?.result?.latency?.mean ?? task?.result?.mean;
  return {
    name: c.name,
    nsPerRequest: meanMs === undefined ? undefined : (meanMs * 1e6) / BATCH,
    bytesPerRequest: bytesPerCall((n) => c.run(n)),
    entries: c.tables.get('fe').entries,
  };
});

if (values.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  console.log(
    markdownTable([
      [`track-sc0 src + sc_http_req_rate(0) gt 5${values.threads ? ' (a thread of nbthread)' : ''}`, 'ns / request', 'bytes / request', 'table entries'],
      ...results.map((r) => [r.name, fmtInt(r.nsPerRequest), fmtInt(r.bytesPerRequest), fmtInt(r.entries)]),
    ]),
  );
}
const file = writeResultsJson('micro-stick-table', { benchmark: 'rate limiting', node: process.version, timeMs, results });
console.error(`results: ${file}`);
