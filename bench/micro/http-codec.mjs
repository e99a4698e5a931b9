#!/usr/bin/env node
// Micro-benchmark of the HTTP/1.1 codec hot path on the compiled core (dist/), with tinybench.
//   node bench/micro/http-codec.mjs [--json] [--time MS]     (also: bun / deno run -A)
// or `npm run bench -- micro http-codec`. Needs `npm run build` first (dist/src/...).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { ROOT } from '../lib/paths.mjs';
import { fmtInt, markdownTable, writeResultsJson } from '../lib/report.mjs';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, time: { type: 'string' } } });
const timeMs = Number(values.time ?? 1000);

const codecUrl = new URL('dist/src/http/codec/index.js', `file://${ROOT}`);
if (!existsSync(codecUrl)) {
  console.error(`bench/micro/http-codec.mjs: ${codecUrl.pathname} is missing: run \`npm run build\` first`);
  process.exit(1);
}
const { BodyFramer, HeadEditor, H_HOST, H_X_FORWARDED_FOR, RequestHeadParser, ResponseHeadParser, latin1Bytes } = await import(codecUrl.href);

const GET =
  'GET /products/shoes?color=red&size=42 HTTP/1.1\r\n' +
  'Host: www.example.com\r\n' +
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n' +
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n' +
  'Accept-Language: en-US,en;q=0.5\r\n' +
  'Accept-Encoding: gzip, deflate, br, zstd\r\n' +
  'Connection: keep-alive\r\n' +
  'Cookie: session=abc123; theme=dark\r\n' +
  'Upgrade-Insecure-Requests: 1\r\n' +
  'Sec-Fetch-Dest: document\r\n' +
  '\r\n';
const RESPONSE =
  'HTTP/1.1 200 OK\r\n' +
  'Content-Type: text/plain; charset=utf-8\r\n' +
  'Content-Length: 13\r\n' +
  'Date: Mon, 24 Nov 2025 08:00:00 GMT\r\n' +
  'Connection: keep-alive\r\n' +
  '\r\n' +
  'Hello, World!';

const get = latin1Bytes(GET);
const resp = latin1Bytes(RESPONSE);
const getA = get.subarray(0, get.length >> 1);
const getB = get.subarray(get.length >> 1);
const chunkedBody = latin1Bytes(`400\r\n${'x'.repeat(1024)}\r\n`.repeat(4) + '0\r\n\r\n');

const reqParser = new RequestHeadParser();
const reqParserView = new RequestHeadParser({ copyHead: false });
const resParser = new ResponseHeadParser();
const framer = new BodyFramer();
const editor = new HeadEditor();
reqParser.feed(get, 0);
const parsedGet = reqParser.head;
reqParser.reset();

let sink = 0;
const bench = new Bench({ time: timeMs, warmup: true });
bench
  .add(`parse browser GET head (${get.length} B)`, () => {
    reqParser.reset();
    sink += reqParser.feed(get, 0);
  })
  .add(`parse browser GET head, copyHead: false (${get.length} B)`, () => {
    reqParserView.reset();
    sink += reqParserView.feed(get, 0);
  })
  .add('parse browser GET head split in 2 chunks', () => {
    reqParser.reset();
    reqParser.feed(getA, 0);
    sink += reqParser.feed(getB, 0);
  })
  .add(`parse response head + frame 13 B body (${resp.length} B)`, () => {
    resParser.reset();
    const n = resParser.feed(resp, 0);
    framer.startResponse(resParser.head, 'GET');
    sink += framer.feed(resp, n);
  })
  .add('parse GET + look up Host and X-Forwarded-For', () => {
    reqParser.reset();
    reqParser.feed(get, 0);
    const h = reqParser.head;
    sink += h.indexOf(H_HOST) + h.indexOf(H_X_FORWARDED_FOR);
  })
  .add('rewrite GET head: hop-by-hop removal + set X-Forwarded-For', () => {
    sink += editor.begin(parsedGet).removeHopByHop().set(H_X_FORWARDED_FOR, '203.0.113.7').build().length;
  })
  .add(`frame a 4 KiB chunked body (${chunkedBody.length} B)`, () => {
    framer.setChunked();
    sink += framer.feed(chunkedBody, 0);
  });

await bench.run();

const runtime =
  typeof globalThis.Bun !== 'undefined' ? `bun ${globalThis.Bun.version}` : typeof globalThis.Deno !== 'undefined' ? `deno ${globalThis.Deno.version.deno}` : `node ${process.version}`;
const results = bench.tasks.map((task) => {
  const r = task.result;
  if (!r || r.state !== undefined && r.state !== 'completed') return { name: task.name, state: r?.state ?? 'missing', error: r?.error?.message };
  return {
    name: task.name,
    nsPerOpMean: r.latency.mean * 1e6,
    nsPerOpP50: r.latency.p50 * 1e6,
    nsPerOpP99: r.latency.p99 * 1e6,
    rmePercent: r.latency.rme,
    opsPerSec: r.throughput.mean,
    samples: r.latency.samplesCount,
  };
});

const ns = (v) => (v === undefined ? '—' : v < 100 ? v.toFixed(1) : fmtInt(v));
console.log(`\n## Micro: HTTP/1.1 codec (tinybench ${timeMs} ms per task, ${runtime})\n`);
console.log(
  markdownTable([
    ['task', 'ns/op (mean ± rme)', 'p50', 'p99', 'ops/s', 'samples'],
    ...results.map((r) =>
      r.nsPerOpMean === undefined
        ? [r.name, `${r.state}${r.error ? `: ${r.error}` : ''}`, '—', '—', '—', '—']
        : [r.name, `${ns(r.nsPerOpMean)} ± ${r.rmePercent.toFixed(1)}%`, ns(r.nsPerOpP50), ns(r.nsPerOpP99), fmtInt(r.opsPerSec), fmtInt(r.samples)],
    ),
  ]),
);
const file = writeResultsJson('micro-http-codec', { benchmark: 'http codec', runtime, timeMs, results });
console.log(`\nresults: ${file}`);
if (values.json) console.log(JSON.stringify(results, null, 2));
if (sink === 42) console.log('');
if (results.some((r) => r.nsPerOpMean === undefined)) process.exit(1);
