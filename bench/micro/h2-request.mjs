#!/usr/bin/env node
// Micro-benchmark of the core's whole HTTP/2 request path (compiled dist/), with no socket, no
// kernel and no adapter: one HTTP/2 client connection (prior knowledge: preface, SETTINGS and a
// connection WINDOW_UPDATE as h2load sends them) sends h2load's request as HEADERS frames,
// --streams at a time in one chunk, through a Proxy built from the `h2` scenario's config, on the
// unit tests' fake runtime; the client reads the responses (frames counted up to each stream's
// END_STREAM), and so on. Two cases:
//   h1-server: the server speaks HTTP/1.1 and answers nginx's response bytes at once;
//   h2-server: `server ... proto h2`, the server is a fake HTTP/2 peer answering each stream's
//              HEADERS with HEADERS (:status 200 and nginx's fields) and a 6-byte DATA.
//   node bench/micro/h2-request.mjs [--json] [--time MS] [--rounds N] [--streams N] [--only h1|h2]
//   bun bench/micro/h2-request.mjs        deno run -A bench/micro/h2-request.mjs
// or `npm run bench -- micro h2-request` (Node). Needs `npm run build` first.
//
// Like l7-request.mjs, this is the share of issue #12's h2load cost that is Switchyard's own
// JavaScript (frames, HPACK, the HTTP/2 <-> HTTP/1 translation, the stream, the pool); ns per
// request and, on Node, bytes allocated per request (median heap growth over small batches).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { markdownTable } from '../lib/report.mjs';
import { proxyConfig } from '../lib/targets.mjs';

const { values } = parseArgs({
  options: { json: { type: 'boolean' }, time: { type: 'string' }, rounds: { type: 'string' }, streams: { type: 'string' }, only: { type: 'string' } },
});
const timeMs = Number(values.time ?? 3000);
const streams = Number(values.streams ?? 10);
const rounds = Number(values.rounds ?? Math.max(1, Math.round(2000 / streams)));

const dist = (path) => new URL(`../../dist/src/${path}`, import.meta.url);
const fakeRuntimeUrl = new URL('../../dist/test/support/fake-runtime.js', import.meta.url);
for (const url of [dist('proxy/proxy.js'), dist('config/load.js'), dist('http/h2/index.js'), fakeRuntimeUrl]) {
  if (!existsSync(url)) {
    console.error(`bench/micro/h2-request.mjs: ${url.pathname} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}
const { Proxy } = await import(dist('proxy/proxy.js').href);
const { parseConfigText } = await import(dist('config/load.js').href);
const { HpackEncoder, PREFACE, settingsFrame, windowUpdateFrame, headersFrames, dataFrame, SETTINGS_ACK } = await import(dist('http/h2/index.js').href);
const { FakeRuntime } = await import(fakeRuntimeUrl.href);

/** The fake runtime with timers a long run can afford (the tests' clearTimer filters an array). */
class BenchRuntime extends FakeRuntime {
  #timers = new Map();
  #next = 1;
  setTimer(callback, _delayMs) {
    const id = this.#next++;
    this.#timers.set(id, callback);
    return id;
  }
  clearTimer(handle) {
    this.#timers.delete(handle);
  }
}

const PROXY_PORT = 8080;
const SERVER_PORT = 9001;
const enc = new TextEncoder();
const RESPONSE_H1 = enc.encode(
  'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 06 Dec 2026 20:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: keep-alive\r\n\r\nhello\n',
);
const BODY = enc.encode('hello\n');
const concat = (parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
};

/**
 * Reads frames from a byte stream (a frame may span chunks) and calls onFrame(type, flags,
 * streamId, buf, start, end). Bench-side, so the proxy's own reader is not what is measured.
 */
class WireFrames {
  #pending = undefined;
  constructor(onFrame) {
    this.onFrame = onFrame;
  }
  feed(chunk) {
    let data = chunk;
    if (this.#pending !== undefined) {
      data = concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let off = 0;
    while (data.byteLength - off >= 9) {
      const len = (data[off] << 16) | (data[off + 1] << 8) | data[off + 2];
      if (data.byteLength - off < 9 + len) break;
      const sid = ((data[off + 5] & 0x7f) << 24) | (data[off + 6] << 16) | (data[off + 7] << 8) | data[off + 8];
      this.onFrame(data[off + 3], data[off + 4], sid, data, off + 9, off + 9 + len);
      off += 9 + len;
    }
    if (off < data.byteLength) this.#pending = data.slice(off);
  }
}

const HEADERS = 0x1;
const DATA = 0x0;
const SETTINGS = 0x4;
const END_STREAM = 0x1;
const ACK = 0x1;

/** One case: a proxy, its fake server, and one HTTP/2 client connection. */
async function setUp(caseName) {
  const rt = new BenchRuntime();
  const h2Server = caseName === 'h2-server';
  await rt.listen({ host: '127.0.0.1', port: SERVER_PORT }, (socket) => {
    if (!h2Server) {
      // A request head ends every chunk the proxy writes here (no body): answer each at once.
      socket.setHandler({ onData: (s) => void s.write(RESPONSE_H1), onEnd: (s) => s.end(), onDrain() {}, onClose() {} });
      return;
    }
    // nginx's HTTP/2 answer: its SETTINGS, the ACK of the proxy's, then per stream HEADERS + DATA.
    // nginx indexes its fields: the first block differs, every later one is the same bytes.
    const encoder = new HpackEncoder({ indexing: true });
    const responseBlock = () => {
      encoder.begin();
      encoder.add(':status', '200');
      encoder.add('server', 'nginx/1.22.1');
      encoder.add('date', 'Sun, 06 Dec 2026 20:00:00 GMT');
      encoder.add('content-type', 'text/plain');
      encoder.add('content-length', '6');
      return encoder.bytes.slice();
    };
    let block = responseBlock();
    let prefaceLeft = PREFACE.byteLength;
    let answerQueued = false;
    const out = [];
    const reader = new WireFrames((type, flags, sid) => {
      if (type === SETTINGS && (flags & ACK) === 0) out.push(SETTINGS_ACK);
      else if (type === HEADERS && (flags & END_STREAM) !== 0) {
        const answer = concat([headersFrames(sid, block, false, 16384), dataFrame(sid, BODY, 0, BODY.byteLength, true)]);
        if (sid === 1) block = responseBlock();
        out.push(answer);
      }
    });
    socket.setHandler({
      onData(s, chunk) {
        if (prefaceLeft > 0) {
          const skip = Math.min(prefaceLeft, chunk.byteLength);
          prefaceLeft -= skip;
          chunk = chunk.subarray(skip);
          if (prefaceLeft === 0) out.push(settingsFrame([[0x3, 100], [0x4, 1073741823]]), windowUpdateFrame(0, 1073741823 - 65535));
        }
        reader.feed(chunk);
        // Answered on the next turn, as a real peer would: not from inside the proxy's write.
        if (out.length > 0 && !answerQueued) {
          answerQueued = true;
          rt.defer(() => {
            answerQueued = false;
            s.write(out.length === 1 ? out[0] : concat(out));
            out.length = 0;
          });
        }
      },
      onEnd: (s) => s.end(),
      onDrain() {},
      onClose() {},
    });
  });
  const text = proxyConfig({ mode: 'http', port: PROXY_PORT, backendPort: SERVER_PORT, serverOptions: h2Server ? 'proto h2' : '' });
  const model = await parseConfigText(text, 'bench.cfg');
  const proxy = new Proxy(rt, model, { quiet: true });
  await proxy.start();

  let done = 0;
  const clientReader = new WireFrames((type, flags) => {
    if ((type === DATA || type === HEADERS) && (flags & END_STREAM) !== 0) done++;
  });
  const client = rt.dial('127.0.0.1', PROXY_PORT, {
    onData(_s, chunk) {
      clientReader.feed(chunk);
    },
    onEnd() {},
    onDrain() {},
    onClose() {},
  });
  // What h2load sends first: the preface, SETTINGS (-m100, -w30) and a connection WINDOW_UPDATE (-W30).
  client.write(concat([PREFACE, settingsFrame([[0x3, 100], [0x4, 1073741823]]), windowUpdateFrame(0, 1073741823 - 65535), SETTINGS_ACK]));
  rt.flush();

  // h2load's request, HPACK-encoded as nghttp2 does (incremental indexing: from the second
  // request on, every field is one indexed byte, the same block each time).
  const encoder = new HpackEncoder({ indexing: true });
  const requestBlock = () => {
    encoder.begin();
    encoder.add(':method', 'GET');
    encoder.add(':path', '/');
    encoder.add(':scheme', 'http');
    encoder.add(':authority', `127.0.0.1:${PROXY_PORT}`);
    encoder.add('accept', '*/*');
    encoder.add('accept-encoding', 'gzip, deflate');
    encoder.add('user-agent', 'h2load nghttp2/1.52.0');
    return encoder.bytes.slice();
  };
  let block = requestBlock();
  let nextStream = 1;
  /** The next `streams` HEADERS frames in one chunk (a fresh one: the proxy may keep views of it). */
  const roundChunk = () => {
    const parts = [];
    for (let k = 0; k < streams; k++) {
      parts.push(headersFrames(nextStream, block, true, 16384));
      if (nextStream === 1) block = requestBlock();
      nextStream += 2;
    }
    return concat(parts);
  };

  /** n rounds of `streams` requests in one chunk, all answered before the next round. */
  const run = (n) => {
    for (let i = 0; i < n; i++) {
      const chunk = roundChunk();
      const target = done + streams;
      client.write(chunk);
      rt.flush();
      if (done !== target) throw new Error(`${caseName}: ${done - target + streams} of ${streams} responses in round ${i}`);
      client.received.length = 0;
    }
  };
  return { rt, proxy, run };
}

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : typeof Bun !== 'undefined' ? () => Bun.gc(true) : undefined;
const heapUsed =
  typeof process !== 'undefined' && typeof process.memoryUsage === 'function' && typeof Bun === 'undefined' && typeof Deno === 'undefined'
    ? () => process.memoryUsage().heapUsed
    : undefined;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s[s.length >> 1];
};
const engine = typeof Bun !== 'undefined' ? `Bun ${Bun.version}` : typeof Deno !== 'undefined' ? `Deno ${Deno.version.deno}` : `Node ${process.version}`;

const results = [];
for (const caseName of ['h1-server', 'h2-server']) {
  if (values.only !== undefined && !caseName.startsWith(values.only)) continue;
  const { rt, proxy, run } = await setUp(caseName);
  run(1);
  // The first round opens the server connections (HTTP/1: one per stream in flight); later
  // rounds must reuse them, or this would measure connection set-up.
  const serverConnections = rt.openSockets.size / 2 - 1;
  run(Math.ceil(50_000 / streams)); // warm-up: the JIT settles on this path
  if (rt.openSockets.size / 2 - 1 !== serverConnections) throw new Error(`${caseName}: server connections not reused (${serverConnections}, then ${rt.openSockets.size / 2 - 1})`);
  const perRequestNs = [];
  const perRequestBytes = [];
  const requests = rounds * streams;
  const end = performance.now() + timeMs;
  while (performance.now() < end) {
    const t0 = performance.now();
    run(rounds);
    const t1 = performance.now();
    perRequestNs.push(((t1 - t0) * 1e6) / requests);
  }
  // Bytes in small batches (about 100 requests, well under V8's young generation): a batch in
  // which a scavenge ran shows less than it allocated, and with these few the median has none.
  const byteRounds = Math.max(1, Math.round(100 / streams));
  for (let i = 0; heapUsed && i < 300; i++) {
    const h0 = heapUsed();
    run(byteRounds);
    const h1 = heapUsed();
    if (h1 >= h0) perRequestBytes.push((h1 - h0) / (byteRounds * streams));
  }
  gc?.();
  results.push({
    case: caseName,
    engine,
    serverConnections,
    streams,
    batches: perRequestNs.length,
    batch: requests,
    nsPerRequestMedian: median(perRequestNs),
    nsPerRequestMin: Math.min(...perRequestNs),
    bytesPerRequestMedian: median(perRequestBytes),
  });
  await proxy.kill();
}

if (values.json) {
  console.log(JSON.stringify(results));
} else {
  console.log(`\n## HTTP/2 request path of the core on ${engine} (fake runtime, one client connection, ${streams} streams at a time)\n`);
  console.log(
    markdownTable([
      ['case', 'server connections', 'batches', 'ns per request (median)', 'ns per request (best batch)', 'bytes allocated per request (median)'],
      ...results.map((r) => [
        r.case,
        String(r.serverConnections),
        `${r.batches} x ${r.batch}`,
        r.nsPerRequestMedian.toFixed(0),
        r.nsPerRequestMin.toFixed(0),
        r.bytesPerRequestMedian === undefined ? '(Node only)' : r.bytesPerRequestMedian.toFixed(0),
      ]),
    ]),
  );
}
