// HTTP/3 probe for Bun (docs/http3.md): the two HTTP/3 stacks Bun ships above QUIC.
// (1) Bun.serve({ http3: true }) answered by fetch(url, { protocol: 'http3' }): sequential
//     requests, a 64 MiB response, CPU per request, and whether the server sees the request
//     come over HTTP/3 at all; (2) node:quic with ALPN "h3": its own HTTP/3 application
//     (nghttp3) through stream headers (sendHeaders/onheaders), one request.
//
//   bun bench/quic/probe-bun-h3.mjs [--port 64201] [--json]
//
// Bounded: a watchdog exits the process after 60 s whatever happens.
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import process from 'node:process';

const args = process.argv.slice(2);
const argValue = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1] : fallback;
};
const PORT = Number(argValue('--port', '64201'));
const HOST = '127.0.0.1';
const REQUESTS = Number(argValue('--requests', '1000'));
const BULK_BYTES = Number(argValue('--bulk-mib', '64')) * 1024 * 1024;

const watchdog = setTimeout(() => {
  console.error('probe-bun-h3: watchdog: still running after 60 s, exiting');
  process.exit(2);
}, 60_000);

const fixtures = new URL('../../test/fixtures/tls/', import.meta.url);
const certPem = readFileSync(new URL('a.example.crt', fixtures), 'utf8');
const keyPem = readFileSync(new URL('a.example.key', fixtures), 'utf8');
const caPem = readFileSync(new URL('ca.pem', fixtures), 'utf8');
const results = { runtime: `bun ${Bun.version}` };
const bulkBody = new Uint8Array(BULK_BYTES).fill(0x62);

// ---- (1) Bun.serve http3 + fetch protocol http3 ------------------------------------------------
const seenVersions = new Map();
const server = Bun.serve({
  hostname: HOST,
  port: PORT,
  http3: true,
  tls: { cert: certPem, key: keyPem },
  fetch(request) {
    seenVersions.set('requests', (seenVersions.get('requests') ?? 0) + 1);
    if (new URL(request.url).pathname === '/bulk') return new Response(bulkBody);
    return new Response('x'.repeat(100));
  },
});
const base = `https://a.example:${PORT}`;
// fetch's HTTP/3 client refuses the a.example certificate for 127.0.0.1 even with `ca` given
// (HTTP3Unsupported), and a.example does not resolve here: verification is off for this probe.
const fetchOptions = { protocol: 'http3', tls: { rejectUnauthorized: false } };
const target = (path) => `https://${HOST}:${PORT}${path}`;
void base;
void caPem;

try {
  // Bun.serve adds Alt-Svc to its HTTP/1.1 and HTTP/2 answers only: none here means HTTP/3.
  const overTcp = await fetch(target('/'), { tls: { rejectUnauthorized: false } });
  results.tcpAltSvc = overTcp.headers.get('alt-svc');
  await overTcp.arrayBuffer();
  const first = await fetch(target('/'), fetchOptions);
  results.h3FirstStatus = first.status;
  results.h3AltSvc = first.headers.get('alt-svc');
  await first.arrayBuffer();
  for (let i = 0; i < 50; i++) await (await fetch(target('/'), fetchOptions)).arrayBuffer();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const response = await fetch(target('/'), fetchOptions);
    const body = await response.arrayBuffer();
    if (body.byteLength !== 100) throw new Error(`request ${i}: ${body.byteLength} bytes`);
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  results.h3Requests = REQUESTS;
  results.h3RequestsPerSecond = Math.round(REQUESTS / (ms / 1000));
  results.h3CpuUsPerRequest = Number(((cpu.user + cpu.system) / REQUESTS).toFixed(1));
  const cpuBulk = process.cpuUsage();
  const bulkStart = performance.now();
  const response = await fetch(target('/bulk'), fetchOptions);
  let received = 0;
  for await (const chunk of response.body) received += chunk.byteLength;
  const bulkMs = performance.now() - bulkStart;
  const bulkCpu = process.cpuUsage(cpuBulk);
  results.h3BulkBytes = received;
  results.h3BulkMBps = Number((BULK_BYTES / 1e6 / (bulkMs / 1000)).toFixed(1));
  results.h3BulkCpuMsPerMiB = Number(((bulkCpu.user + bulkCpu.system) / 1000 / (BULK_BYTES / 1048576)).toFixed(2));
} catch (error) {
  results.h3FetchError = `${error?.code ?? ''} ${error?.message ?? error}`.trim();
}
results.serverSawVersions = Object.fromEntries(seenVersions);
server.stop(true);

// ---- (2) node:quic with ALPN h3: its built-in HTTP/3 application -------------------------------
try {
  const quic = await import('node:quic');
  const key = createPrivateKey(keyPem);
  let serverHeaders;
  const endpoint = await quic.listen((session) => {
    session.onstream = (stream) => {
      stream.onheaders = (headers) => {
        serverHeaders = headers;
        stream.sendHeaders({ ':status': '200', 'content-type': 'text/plain' });
        stream.writer.writeSync(new TextEncoder().encode('hello over node:quic h3\n'));
        stream.writer.endSync();
      };
    };
  }, { endpoint: { address: `${HOST}:${PORT + 1}` }, sni: { '*': { keys: [key], certs: [Buffer.from(certPem)] } }, alpn: ['h3'] });
  const session = await quic.connect(`${HOST}:${PORT + 1}`, { alpn: 'h3', servername: 'a.example', ca: [Buffer.from(caPem)] });
  await session.opened;
  let responseHeaders;
  const stream = await session.createBidirectionalStream({
    headers: { ':method': 'GET', ':scheme': 'https', ':authority': 'a.example', ':path': '/' },
    onheaders: (headers) => { responseHeaders = headers; },
  });
  let body = '';
  for await (const batch of stream) for (const chunk of [batch].flat()) body += new TextDecoder().decode(chunk);
  results.nodeQuicH3 = `request headers seen by the server: ${JSON.stringify(serverHeaders)}; response headers ${JSON.stringify(responseHeaders)}; body ${JSON.stringify(body)}`;
  await session.close();
  await endpoint.close();
} catch (error) {
  results.nodeQuicH3 = `failed: ${error?.code ?? ''} ${error?.message ?? error}`;
}

clearTimeout(watchdog);
if (args.includes('--json')) console.log(JSON.stringify(results));
else for (const [name, value] of Object.entries(results)) console.log(`${name}: ${typeof value === 'object' ? JSON.stringify(value) : value}`);
process.exit(0);
