#!/usr/bin/env node
// How to compress a streamed response body on each runtime: 20 bodies of 1 MiB in 16 KiB
// reads, each read flushed (Z_SYNC_FLUSH, as HAProxy flushes each block), gzip level 1.
//   node bench/micro/compressor.mjs          (needs `npm run build`: it loads dist/)
//   npx bun bench/micro/compressor.mjs
//   npx deno run -A bench/micro/compressor.mjs
// Compares the adapters' Runtime.createCompressor (adapters/shared/zlib-compressor.ts: the zlib
// stream's handle, synchronous), node:zlib's public streaming API (write + flush(cb), async)
// and CompressionStream (async, cannot flush: a streamed body would wait for its end).
import process from 'node:process';
import zlib from 'node:zlib';

const onNode = globalThis.Bun === undefined && globalThis.Deno === undefined;
const { createZlibCompressor } = await import(onNode ? '../../dist/adapters/shared/zlib-compressor.js' : '../../adapters/shared/zlib-compressor.ts');
const runtime = globalThis.Bun !== undefined ? `bun ${globalThis.Bun.version}` : globalThis.Deno !== undefined ? `deno ${globalThis.Deno.version.deno}` : `node ${process.versions.node}`;

const READ = 16 * 1024;
const BODIES = 20;
// Text-like input (compresses ~10x), the same on every runtime.
const body = new Uint8Array(1024 * 1024);
const words = new TextEncoder().encode('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ');
let seed = 7;
for (let i = 0; i < body.length; i++) {
  seed = (seed * 1103515245 + 12345) >>> 0;
  body[i] = (seed >>> 24) < 16 ? 0x30 + ((seed >>> 16) % 10) : words[i % words.length];
}

async function timed(name, run) {
  await run(); // warm-up
  const start = performance.now();
  const cpu = process.cpuUsage();
  let out = 0;
  for (let r = 0; r < BODIES; r++) out += await run();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  console.log(`| ${runtime} | ${name} | ${(ms / BODIES).toFixed(1)} | ${(cpuMs / BODIES).toFixed(1)} | ${(out / BODIES / 1024).toFixed(0)} |`);
}

// CPU time (all threads: the async API works on the thread pool) is steadier than wall time on a
// shared machine.
console.log('| runtime | method | wall ms per 1 MiB body | CPU ms per body | KiB out |');
console.log('| --- | --- | --- | --- | --- |');
await timed('createCompressor (sync handle)', () => {
  let out = 0;
  const c = createZlibCompressor('gzip', { level: 1, memLevel: 8, windowBits: 15 }, { onCompressed: (b) => (out += b.byteLength) });
  for (let at = 0; at < body.length; at += READ) {
    c.push(body.subarray(at, at + READ));
    c.flush();
  }
  c.finish();
  return out;
});
await timed('zlib stream write + flush(cb)', () =>
  new Promise((resolve) => {
    let out = 0;
    const z = zlib.createGzip({ level: 1 });
    z.on('data', (b) => (out += b.byteLength));
    z.on('end', () => resolve(out));
    let at = 0;
    const next = () => {
      if (at >= body.length) return z.end();
      z.write(body.subarray(at, at + READ));
      at += READ;
      z.flush(zlib.constants.Z_SYNC_FLUSH, next);
    };
    next();
  }),
);
await timed('CompressionStream (no flush)', async () => {
  let out = 0;
  const cs = new CompressionStream('gzip');
  const writer = cs.writable.getWriter();
  const reading = (async () => {
    const reader = cs.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      out += value.byteLength;
    }
  })();
  for (let at = 0; at < body.length; at += READ) await writer.write(body.subarray(at, at + READ));
  await writer.close();
  await reading;
  return out;
});
