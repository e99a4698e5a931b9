#!/usr/bin/env node
// Micro-benchmark of the core's whole L7 request path (compiled dist/), with no socket, no
// kernel and no adapter: one keep-alive client sends the `http` scenario's request through a
// Proxy built from the bench config, on the unit tests' fake runtime, to a fake server that
// answers nginx's response bytes at once; the client reads the response, and so on.
//   node bench/micro/l7-request.mjs [--json] [--time MS] [--batch N] [--cache]
//   bun bench/micro/l7-request.mjs        deno run -A bench/micro/l7-request.mjs
// or `npm run bench -- micro l7-request` (Node). Needs `npm run build` first.
//
// This is the share of the L7 cost that is Switchyard's own JavaScript (parsing, the stream,
// rules, balancing, the pool, logs off): the macro `http` scenario adds the runtime's sockets
// and the kernel. It runs unchanged on Node, Bun and Deno, so the same core's cost can be
// compared between the engines; on Node it also reports the bytes allocated per request.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { markdownTable } from '../lib/report.mjs';
import { proxyConfig } from '../lib/targets.mjs';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, time: { type: 'string' }, batch: { type: 'string' }, cache: { type: 'boolean' } } });
const timeMs = Number(values.time ?? 3000);
const batch = Number(values.batch ?? 2000);

// Not bench/lib/micro.mjs's dist(): that module switches V8's gc on at import, Node only.
const dist = (path) => new URL(`../../dist/src/${path}`, import.meta.url);
const fakeRuntimeUrl = new URL('../../dist/test/support/fake-runtime.js', import.meta.url);
for (const url of [dist('proxy/proxy.js'), dist('config/load.js'), fakeRuntimeUrl]) {
  if (!existsSync(url)) {
    console.error(`bench/micro/l7-request.mjs: ${url.pathname} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}
const { Proxy } = await import(dist('proxy/proxy.js').href);
const { parseConfigText } = await import(dist('config/load.js').href);
const { FakeRuntime } = await import(fakeRuntimeUrl.href);

/** The fake runtime with timers a long run can afford (the tests' clearTimer filters an array). */
class BenchRuntime extends FakeRuntime {
  #timers = new Map();
  #next = 1;
  setTimer(callback, delayMs) {
    const id = this.#next++;
    this.#timers.set(id, callback);
    return id;
  }
  clearTimer(handle) {
    this.#timers.delete(handle);
  }
  get pendingTimers() {
    return this.#timers.size;
  }
}

const PROXY_PORT = 8080;
const SERVER_PORT = 9001;
const enc = new TextEncoder();
// What wrk sends, and what nginx answers (bench/lib/nginx.mjs), byte for byte but the date.
const REQUEST = enc.encode(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${PROXY_PORT}\r\n\r\n`);
// --cache: the frontend uses a `cache` section and the response may be stored, so every request
// after the first is a hit (the cache applet's path: no server leg).
const RESPONSE = enc.encode(
  `HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 06 Dec 2026 20:00:00 GMT\r\nContent-Type: text/plain\r\n${values.cache ? 'Cache-Control: max-age=60\r\n' : ''}Content-Length: 6\r\nConnection: keep-alive\r\n\r\nhello\n`,
);

const rt = new BenchRuntime();
await rt.listen({ host: '127.0.0.1', port: SERVER_PORT }, (socket) => {
  // A request head ends every chunk the proxy writes here (no body): answer each at once.
  socket.setHandler({ onData: (s) => void s.write(RESPONSE), onEnd: (s) => s.end(), onDrain() {}, onClose() {} });
});
const plain = proxyConfig({ mode: 'http', port: PROXY_PORT, backendPort: SERVER_PORT });
const text = values.cache
  ? plain.replace('frontend fe', 'cache c\n    total-max-size 4\n    max-age 60\nfrontend fe\n    http-request cache-use c\n    http-response cache-store c')
  : plain;
const model = await parseConfigText(text, 'bench.cfg');
const proxy = new Proxy(rt, model, { quiet: true });
await proxy.start();

let responses = 0;
let responseBytes = 0;
const client = rt.dial('127.0.0.1', PROXY_PORT, {
  onData(_s, chunk) {
    responseBytes += chunk.byteLength;
    responses++;
  },
  onEnd() {},
  onDrain() {},
  onClose() {},
});

/** n requests, one after the other on the keep-alive connection. */
function run(n) {
  for (let i = 0; i < n; i++) {
    const before = responses;
    client.write(REQUEST);
    rt.flush();
    if (responses === before) throw new Error(`no response to request ${i}`);
    client.received.length = 0;
  }
}

run(1);
const responseLength = responseBytes;
if (rt.openSockets.size !== 4) throw new Error(`expected one client and one server connection, found ${rt.openSockets.size / 2}`);
run(50_000); // warm-up: the JIT settles on this path

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : typeof Bun !== 'undefined' ? () => Bun.gc(true) : undefined;
const heapUsed = typeof process !== 'undefined' && typeof process.memoryUsage === 'function' && typeof Bun === 'undefined' && typeof Deno === 'undefined' ? () => process.memoryUsage().heapUsed : undefined;

const perRequestNs = [];
const perRequestBytes = [];
const end = performance.now() + timeMs;
while (performance.now() < end) {
  const h0 = heapUsed?.() ?? 0;
  const t0 = performance.now();
  run(batch);
  const t1 = performance.now();
  const h1 = heapUsed?.() ?? 0;
  perRequestNs.push(((t1 - t0) * 1e6) / batch);
  if (heapUsed && h1 >= h0) perRequestBytes.push((h1 - h0) / batch);
}
gc?.();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s[s.length >> 1];
};
const engine = typeof Bun !== 'undefined' ? `Bun ${Bun.version}` : typeof Deno !== 'undefined' ? `Deno ${Deno.version.deno}` : `Node ${process.version}`;
const result = {
  engine,
  batches: perRequestNs.length,
  batch,
  nsPerRequestMedian: median(perRequestNs),
  nsPerRequestMin: Math.min(...perRequestNs),
  bytesPerRequestMedian: median(perRequestBytes),
  responseBytes: responseLength,
};
await proxy.kill();

if (values.json) {
  console.log(JSON.stringify(result));
} else {
  console.log(`\n## L7 request path of the core on ${engine} (fake runtime, keep-alive, ${responseLength}-byte responses${values.cache ? ', cache hits' : ''})\n`);
  console.log(
    markdownTable([
      ['batches of ' + batch, 'ns per request (median)', 'ns per request (best batch)', 'bytes allocated per request (median)'],
      [String(result.batches), result.nsPerRequestMedian.toFixed(0), result.nsPerRequestMin.toFixed(0), result.bytesPerRequestMedian === undefined ? '(Node only)' : result.bytesPerRequestMedian.toFixed(0)]],
    ),
  );
}
