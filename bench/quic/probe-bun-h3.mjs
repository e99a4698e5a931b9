// HTTP/3 probe for Bun (docs/http3.md): the two HTTP/3 stacks Bun ships above QUIC.
// (1) Bun.serve({ http3: true }) answered by fetch(url, { protocol: 'http3' }): sequential
//     requests, a 64 MiB response, CPU per request, and that they went over HTTP/3 (no Alt-Svc,
//     which Bun.serve adds to its TCP answers only); (2) node:quic with ALPN "h3": its own HTTP/3 application
//     through stream headers (sendHeaders/onheaders), one request.
//
//   bun bench/quic/probe-bun-h3.mjs [--port 64201] [--json]
//
// Bounded: a watchdog exits the process after 60 s whatever happens.
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import process from 'node:process';
import { argValue as argOf, measureBulk, measureRoundTrips, printResults } from './measure.mjs';

const args = process.argv.slice(2);
const argValue = (name, fallback) => argOf(args, name, fallback);
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
let serverRequests = 0;
const server = Bun.serve({
  hostname: HOST,
  port: PORT,
  http3: true,
  tls: { cert: certPem, key: keyPem },
  fetch(request) {
    serverRequests++;
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
  const get = async (path) => (await (await fetch(target(path), fetchOptions)).arrayBuffer()).byteLength;
  const requests = await measureRoundTrips(() => get('/'), REQUESTS, 100);
  results.h3Requests = requests.roundTrips;
  results.h3RequestsPerSecond = requests.roundTripsPerSecond;
  results.h3CpuUsPerRequest = requests.cpuUsPerRoundTrip;
  const bulk = await measureBulk(async () => {
    const response = await fetch(target('/bulk'), fetchOptions);
    let received = 0;
    for await (const chunk of response.body) received += chunk.byteLength;
    return received;
  }, BULK_BYTES);
  results.h3BulkBytes = bulk.bulkBytesReceived;
  results.h3BulkMBps = bulk.bulkMBps;
  results.h3BulkCpuMsPerMiB = bulk.bulkCpuMsPerMiB;
} catch (error) {
  results.h3FetchError = `${error?.code ?? ''} ${error?.message ?? error}`.trim();
}
results.serverRequests = serverRequests;
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
printResults(results, {}, args.includes('--json'));
process.exit(0);
