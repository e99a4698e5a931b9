/// <reference lib="deno.ns" />
/// <reference lib="deno.unstable" />
// QUIC probe for Deno (docs/http3.md): Deno.QuicEndpoint server and Deno.connectQuic client in
// one process on 127.0.0.1, measuring handshakes, request/response streams, one bulk stream and
// CPU per round trip, then checking which features an h3 mux needs are reachable through the API.
//
//   deno run --unstable-net -A bench/quic/probe-deno.ts [--port 64001] [--json]
//
// Bounded: a watchdog exits the process after 60 s whatever happens.
import { argValue as argOf, measureBulk, measureHandshakes, measureRoundTrips, printResults, withTimeout } from './measure.mjs';

const args = Deno.args;
const argValue = (name: string, fallback: string): string => argOf(args, name, fallback);
const PORT = Number(argValue('--port', '64001'));
const HOST = '127.0.0.1';
const ALPN = 'h3';
const ROUND_TRIPS = Number(argValue('--round-trips', '1000'));
const HANDSHAKES = Number(argValue('--handshakes', '50'));
const BULK_BYTES = Number(argValue('--bulk-mib', '64')) * 1024 * 1024;
const REQUEST = new Uint8Array(100).fill(0x61);

const watchdog = setTimeout(() => {
  console.error('probe-deno: watchdog: still running after 60 s, exiting');
  Deno.exit(2);
}, 60_000);

const fixtures = new URL('../../test/fixtures/tls/', import.meta.url);
const cert = Deno.readTextFileSync(new URL('a.example.crt', fixtures));
const key = Deno.readTextFileSync(new URL('a.example.key', fixtures));
const ca = Deno.readTextFileSync(new URL('ca.pem', fixtures));
const otherCert = Deno.readTextFileSync(new URL('b.example.crt', fixtures));
const otherKey = Deno.readTextFileSync(new URL('b.example.key', fixtures));

const results: Record<string, unknown> = { runtime: `deno ${Deno.version.deno}` };
const features: Record<string, string> = {};

async function readAll(readable: ReadableStream<Uint8Array>): Promise<number> {
  let total = 0;
  for await (const chunk of readable) total += chunk.byteLength;
  return total;
}

// ---- server ----------------------------------------------------------------------------------
// Each bidirectional stream: read to FIN, answer with the byte count as 8 bytes when the request
// was large (bulk), else echo the 100 bytes. The stream tagged "hold" is never read (flow control).
const serverEvents: string[] = [];
const serverConns: Deno.QuicConn[] = [];
const endpoint = new Deno.QuicEndpoint({ hostname: HOST, port: PORT });
const listener = endpoint.listen({ alpnProtocols: [ALPN, 'probe-other'], cert, key });

async function serveStream(stream: Deno.QuicBidirectionalStream): Promise<void> {
  const reader = stream.readable.getReader();
  const first = await reader.read();
  if (first.done) return;
  const head = first.value;
  if (head[0] === 0x48 /* 'H' : hold, never read more */) {
    serverEvents.push('hold stream opened');
    return;
  }
  if (head[0] === 0x52 /* 'R' : read until the peer resets */) {
    try {
      while (!(await reader.read()).done);
      serverEvents.push('reset stream: FIN instead of reset');
    } catch (error) {
      serverEvents.push(`reset stream: read error ${String(error)}`);
    }
    return;
  }
  let total = head.byteLength;
  const chunks: Uint8Array[] = [head];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total <= 4096) chunks.push(value);
  }
  const writer = stream.writable.getWriter();
  if (total > 4096) {
    const answer = new Uint8Array(8);
    new DataView(answer.buffer).setBigUint64(0, BigInt(total));
    await writer.write(answer);
  } else {
    for (const chunk of chunks) await writer.write(chunk);
  }
  await writer.close();
}

async function serveConn(conn: Deno.QuicConn): Promise<void> {
  serverConns.push(conn);
  void (async () => {
    for await (const uni of conn.incomingUnidirectionalStreams) {
      serverEvents.push(`uni stream ${uni.id} opened`);
      const bytes = await readAll(uni);
      serverEvents.push(`uni stream ${uni.id} received ${bytes} bytes`);
    }
  })().catch((error) => serverEvents.push(`uni streams: ${String(error)}`));
  void (async () => {
    for (;;) {
      const datagram = await conn.readDatagram();
      serverEvents.push(`datagram received ${datagram.byteLength} bytes`);
      await conn.sendDatagram(datagram);
    }
  })().catch(() => {});
  void conn.closed.then((info) => serverEvents.push(`server saw close code ${info.closeCode} reason "${info.reason}"`))
    .catch((error) => serverEvents.push(`server saw close error ${String(error)}`));
  for await (const stream of conn.incomingBidirectionalStreams) {
    serveStream(stream).catch((error) => serverEvents.push(`stream error ${String(error)}`));
  }
}

const serverLoop = (async () => {
  for await (const incoming of listener) {
    // ALPN can be chosen per connection before the handshake (QuicIncoming.accept's options).
    const conn = await incoming.accept({ alpnProtocols: [ALPN, 'probe-other'] });
    serverEvents.push(`accepted sni=${conn.serverName} alpn=${conn.protocol}`);
    serveConn(conn).catch(() => {});
  }
})().catch(() => {});

// ---- client ----------------------------------------------------------------------------------
const connectOptions = { hostname: HOST, port: PORT, serverName: 'a.example', alpnProtocols: [ALPN], caCerts: [ca] };

async function roundTrip(conn: Deno.QuicConn, body: Uint8Array): Promise<number> {
  const stream = await conn.createBidirectionalStream();
  const writer = stream.writable.getWriter();
  await writer.write(body);
  await writer.close();
  return readAll(stream.readable);
}

// (a) handshakes: a new client endpoint each time (no resumption), as a new browser would.
Object.assign(results, await measureHandshakes(async () => {
  const conn = await Deno.connectQuic(connectOptions);
  await conn.handshake;
  conn.close({ closeCode: 0, reason: '' });
  conn.endpoint.close();
}, HANDSHAKES));

const conn = await Deno.connectQuic(connectOptions);
await conn.handshake;
results.negotiatedAlpn = conn.protocol;

// (b) sequential request/response on new bidirectional streams, and (d) CPU per round trip.
Object.assign(results, await measureRoundTrips(() => roundTrip(conn, REQUEST), ROUND_TRIPS, REQUEST.byteLength));

// (c) bulk: 64 MiB on one stream, the server answers with the count it read.
Object.assign(results, await measureBulk(async () => {
  const chunk = new Uint8Array(64 * 1024).fill(0x62);
  const stream = await conn.createBidirectionalStream();
  const writer = stream.writable.getWriter();
  for (let sent = 0; sent < BULK_BYTES; sent += chunk.byteLength) {
    await writer.ready;
    await writer.write(chunk);
  }
  await writer.close();
  const answer = await stream.readable.getReader().read();
  return answer.value ? Number(new DataView(answer.value.buffer, answer.value.byteOffset).getBigUint64(0)) : -1;
}, BULK_BYTES));

// (e) features.
// Unidirectional streams (h3 control, QPACK encoder/decoder streams).
{
  const uni = await conn.createUnidirectionalStream();
  const writer = uni.getWriter();
  await writer.write(new Uint8Array([0x00, 0x04, 0x00])); // h3 control stream type + empty SETTINGS
  await writer.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const seen = serverEvents.filter((event) => event.startsWith('uni stream'));
  features.unidirectionalStreams = seen.length > 0 ? `yes: ${seen.join(', ')}` : 'no (not seen by the server)';
}
// Stream reset (RESET_STREAM) with an application error code: WritableStream.abort(reason).
{
  const stream = await conn.createBidirectionalStream();
  const writer = stream.writable.getWriter();
  await writer.write(new Uint8Array([0x52, 1, 2, 3]));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await writer.abort(0x10c /* H3_REQUEST_CANCELLED */).catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 150));
  const seen = serverEvents.find((event) => event.startsWith('reset stream')) ?? 'nothing seen';
  features.streamReset = `abort(0x10c) -> server: ${seen}`;
}
// STOP_SENDING: ReadableStream.cancel(reason) on the receiving side.
{
  const stream = await conn.createBidirectionalStream();
  const writer = stream.writable.getWriter();
  await writer.write(REQUEST);
  await writer.close();
  try {
    await stream.readable.cancel(0x10c);
    features.stopSending = 'readable.cancel(reason) exists; whether the code reaches the peer is not observable from the server API (no per-stream error event)';
  } catch (error) {
    features.stopSending = `cancel failed: ${String(error)}`;
  }
}
// Datagrams.
{
  try {
    await conn.sendDatagram(new Uint8Array([1, 2, 3]));
    const echoed = await withTimeout(conn.readDatagram(), 1000, 'probe-deno: datagram');
    features.datagrams = echoed === 'timeout' ? 'sendDatagram() ok, no echo' : `yes (maxDatagramSize ${conn.maxDatagramSize})`;
  } catch (error) {
    features.datagrams = `no: ${String(error)}`;
  }
}
// Flow control: a stream the server never reads; how much does the writer take before it waits?
{
  const stream = await conn.createBidirectionalStream();
  const writer = stream.writable.getWriter();
  await writer.write(new Uint8Array([0x48]));
  const chunk = new Uint8Array(16 * 1024);
  let accepted = 0;
  let stalled = false;
  for (let i = 0; i < 4096 && !stalled; i++) {
    const outcome = await withTimeout(writer.write(chunk).then(() => 'ok' as const), 300, 'probe-deno: flow-control write');
    if (outcome === 'timeout') stalled = true;
    else accepted += chunk.byteLength;
  }
  features.flowControl = stalled
    ? `yes: write() stops resolving after ${Math.round(accepted / 1024)} KiB unread by the peer (desiredSize ${writer.desiredSize})`
    : `no stall after ${Math.round(accepted / 1048576)} MiB`;
  writer.abort(0).catch(() => {});
}
// SNI seen by the server and ALPN per connection.
features.sniAlpnPerConnection = `server sees conn.serverName / conn.protocol (${serverEvents.find((e) => e.startsWith('accepted'))}); QuicIncoming.accept({ alpnProtocols }) chooses ALPN per connection before the handshake`;
// 0-RTT: a second connection through the same client endpoint, asking for zeroRtt.
{
  const clientEndpoint = new Deno.QuicEndpoint({ hostname: HOST, port: 0 });
  const first = await Deno.connectQuic({ ...connectOptions, endpoint: clientEndpoint });
  await first.handshake;
  await roundTrip(first, REQUEST); // lets the server's session ticket arrive
  first.close({ closeCode: 0, reason: '' });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const second = Deno.connectQuic({ ...connectOptions, endpoint: clientEndpoint, zeroRtt: true });
  const synchronous = !(second instanceof Promise);
  const conn2 = await second;
  await conn2.handshake;
  features.zeroRtt = synchronous
    ? 'client: yes (connectQuic({ zeroRtt: true }) returned a QuicConn at once: 0-RTT keys); server: QuicIncoming.accept({ zeroRtt: true }) gives 0.5-RTT only'
    : 'client: zeroRtt asked but a Promise came back (no 0-RTT on this attempt)';
  conn2.close({ closeCode: 0, reason: '' });
  clientEndpoint.close();
}
// A TCP listener on the same port number as the QUIC (UDP) endpoint.
{
  try {
    const tcp = Deno.listen({ hostname: HOST, port: PORT });
    features.sharedPortWithTcp = 'yes: Deno.listen() TCP on the QUIC endpoint\'s port number works (UDP and TCP are distinct)';
    tcp.close();
  } catch (error) {
    features.sharedPortWithTcp = `no: ${String(error).split('\n')[0]}`;
  }
}
// SO_REUSEPORT: a second QuicEndpoint on the same UDP port (one per thread/worker).
{
  try {
    const second = new Deno.QuicEndpoint({ hostname: HOST, port: PORT });
    features.reusePort = 'a second endpoint on the same port was accepted';
    second.close();
  } catch (error) {
    features.reusePort = `no option for it; a second endpoint on the port fails: ${String(error).split('\n')[0]}`;
  }
}
// Certificate per SNI: listen() takes one cert/key; accept() options have no certificate.
{
  let perSni = 'no: QuicListenOptions has one cert/key, QuicAcceptOptions none';
  try {
    const other = endpoint.listen({ alpnProtocols: [ALPN], cert: otherCert, key: otherKey });
    perSni = 'no SNI selection: one cert/key per listen(); a second listen() on the endpoint is accepted and takes the endpoint over (after its stop() nothing is accepted any more)';
    other.stop();
  } catch (error) {
    perSni += `; a second listen() on the endpoint throws: ${String(error).split('\n')[0]}`;
  }
  features.certificatePerSni = perSni;
}
// Connection close with an application error code (H3_NO_ERROR 0x100).
{
  conn.close({ closeCode: 0x100, reason: 'probe done' });
  await new Promise((resolve) => setTimeout(resolve, 150));
  const seen = serverEvents.find((event) => event.includes('probe done'));
  features.connectionCloseWithCode = seen ? `yes: ${seen}` : 'no close info seen by the server';
}

listener.stop();
for (const c of serverConns) c.close({ closeCode: 0, reason: '' });
endpoint.close();
await withTimeout(serverLoop, 500, 'probe-deno: server loop');
clearTimeout(watchdog);
printResults(results, features, args.includes('--json'));
Deno.exit(0);
