// QUIC probe for Bun's node:quic (docs/http3.md): a quic.listen() server and a quic.connect()
// client in one process on 127.0.0.1, measuring handshakes, request/response streams, one bulk
// stream and CPU per round trip, then checking which features an h3 mux needs are reachable.
//
//   bun bench/quic/probe-bun.mjs [--port 64101] [--alpn quic-test] [--json]
//
// The ALPN defaults to a test protocol: with "h3", node:quic runs its own HTTP/3 application on
// the session, and opening a stream without headers fails (ERR_QUIC_OPEN_STREAM_FAILED).
// Bounded: a watchdog exits the process after 60 s whatever happens.
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { argValue as argOf, measureBulk, measureHandshakes, measureRoundTrips, printResults, withTimeout } from './measure.mjs';

const quic = await import('node:quic');
const args = process.argv.slice(2);
const argValue = (name, fallback) => argOf(args, name, fallback);
const PORT = Number(argValue('--port', '64101'));
const HOST = '127.0.0.1';
const ALPN = argValue('--alpn', 'quic-test');
const ROUND_TRIPS = Number(argValue('--round-trips', '1000'));
const HANDSHAKES = Number(argValue('--handshakes', '50'));
const BULK_BYTES = Number(argValue('--bulk-mib', '64')) * 1024 * 1024;
const REQUEST = new Uint8Array(100).fill(0x61);

const watchdog = setTimeout(() => {
  console.error('probe-bun: watchdog: still running after 60 s, exiting');
  process.exit(2);
}, 60_000);

const fixtures = new URL('../../test/fixtures/tls/', import.meta.url);
const cert = readFileSync(new URL('a.example.crt', fixtures));
const key = createPrivateKey(readFileSync(new URL('a.example.key', fixtures)));
const ca = readFileSync(new URL('ca.pem', fixtures));
const otherCert = readFileSync(new URL('b.example.crt', fixtures));
const otherKey = createPrivateKey(readFileSync(new URL('b.example.key', fixtures)));

const results = { runtime: `bun ${Bun.version}`, alpn: ALPN };
const features = {};
const serverEvents = [];

const concat = (chunks, total) => {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
};

// ---- server ----------------------------------------------------------------------------------
async function serveStream(stream) {
  if (stream.direction === 'uni') {
    let total = 0;
    for await (const batch of stream) for (const chunk of [batch].flat()) total += chunk.byteLength;
    serverEvents.push(`uni stream ${stream.id} received ${total} bytes`);
    return;
  }
  stream.onreset = (error) => serverEvents.push(`onreset ${error?.message ?? error}`);
  stream.closed.catch(() => {}); // a reset stream's closed rejects: expected here
  const chunks = [];
  let total = 0;
  try {
    for await (const batch of stream) {
      for (const chunk of [batch].flat()) {
        if (total === 0 && chunk[0] === 0x48 /* 'H': hold, never read more */) {
          serverEvents.push('hold stream opened');
          await new Promise(() => {});
        }
        total += chunk.byteLength;
        if (total <= 4096) chunks.push(chunk);
      }
    }
  } catch (error) {
    serverEvents.push(`stream read error ${error?.code ?? ''} ${error?.message ?? error}`);
    return;
  }
  if (chunks[0]?.[0] === 0x52 /* 'R' */) {
    serverEvents.push('reset stream: FIN instead of reset');
    return;
  }
  const writer = stream.writer;
  if (total > 4096) {
    const answer = new Uint8Array(8);
    new DataView(answer.buffer).setBigUint64(0, BigInt(total));
    writer.writeSync(answer);
  } else {
    writer.writeSync(concat(chunks, total));
  }
  writer.endSync();
}

const serverSessions = [];
const serverEndpoint = await quic.listen((session) => {
  serverSessions.push(session);
  session.onstream = (stream) => {
    serveStream(stream).catch((error) => serverEvents.push(`serve error ${error?.message ?? error}`));
  };
  session.ondatagram = (datagram) => {
    serverEvents.push(`datagram received ${datagram.byteLength} bytes`);
    session.sendDatagram(datagram).catch(() => {});
  };
  session.opened.then((info) => serverEvents.push(`accepted sni=${info.servername} alpn=${info.protocol}`)).catch(() => {});
  session.closed.then(() => serverEvents.push('server session closed cleanly'))
    .catch((error) => serverEvents.push(`server session closed: ${error?.code ?? ''} ${error?.message ?? error}`));
}, {
  endpoint: { address: `${HOST}:${PORT}` },
  sni: { '*': { keys: [key], certs: [cert] }, 'b.example': { keys: [otherKey], certs: [otherCert] } },
  alpn: [ALPN],
  transportParams: { maxDatagramFrameSize: 1200 },
});

// ---- client ----------------------------------------------------------------------------------
const connectOptions = { alpn: ALPN, servername: 'a.example', ca: [ca], transportParams: { maxDatagramFrameSize: 1200 } };

async function readAll(stream) {
  let total = 0;
  for await (const batch of stream) for (const chunk of [batch].flat()) total += chunk.byteLength;
  return total;
}

async function roundTrip(session, body) {
  const stream = await session.createBidirectionalStream({ body });
  return readAll(stream);
}

// (a) handshakes: a new client endpoint each time (no resumption).
Object.assign(results, await measureHandshakes(async () => {
  const session = await quic.connect(`${HOST}:${PORT}`, connectOptions);
  const info = await session.opened;
  results.negotiatedAlpn = info.protocol;
  await session.close();
}, HANDSHAKES));

const sessionTickets = [];
const session = await quic.connect(`${HOST}:${PORT}`, connectOptions);
session.onsessionticket = (ticket) => sessionTickets.push(ticket);
session.ondatagram = (datagram) => serverEvents.push(`client got datagram ${datagram.byteLength} bytes`);
await session.opened;

// (b) sequential request/response on new bidirectional streams, and (d) CPU per round trip.
Object.assign(results, await measureRoundTrips(() => roundTrip(session, REQUEST), ROUND_TRIPS, REQUEST.byteLength));

// (c) bulk: 64 MiB on one stream through the writer, waiting for drain when it refuses.
Object.assign(results, await measureBulk(async () => {
  const chunk = new Uint8Array(64 * 1024).fill(0x62);
  const stream = await session.createBidirectionalStream();
  const writer = stream.writer;
  // The writer's drain promise sits behind a symbol that node:quic does not export (its
  // drainableProtocol): the only one of its symbols that is not Symbol.(async)Dispose.
  const drainable = Object.getOwnPropertySymbols(writer).find((symbol) => !String(symbol).includes('ispose'));
  let sent = 0;
  let waits = 0;
  while (sent < BULK_BYTES) {
    if (writer.writeSync(chunk)) sent += chunk.byteLength;
    else {
      waits++;
      const wait = drainable ? writer[drainable]() : null;
      await (wait ?? sleep(1));
    }
  }
  while (writer.endSync() < 0) await sleep(1);
  results.bulkWriterWaits = waits;
  const answerChunks = [];
  for await (const batch of stream) for (const c of [batch].flat()) answerChunks.push(c);
  const answer = concat(answerChunks, answerChunks.reduce((n, c) => n + c.byteLength, 0));
  return answer.byteLength === 8 ? Number(new DataView(answer.buffer).getBigUint64(0)) : -1;
}, BULK_BYTES));

// (e) features.
{
  const uni = await session.createUnidirectionalStream({ body: new Uint8Array([0x00, 0x04, 0x00]) });
  await withTimeout(uni.closed.catch(() => {}), 1000, 'probe-bun: uni stream');
  await sleep(100);
  const seen = serverEvents.filter((event) => event.startsWith('uni stream'));
  features.unidirectionalStreams = seen.length > 0 ? `yes: ${seen.join(', ')}` : 'no (not seen by the server)';
}
{
  const stream = await session.createBidirectionalStream();
  stream.closed.catch(() => {});
  stream.writer.writeSync(new Uint8Array([0x52, 1, 2, 3]));
  await sleep(50);
  stream.resetStream(0x10cn /* H3_REQUEST_CANCELLED */);
  await sleep(150);
  const seen = serverEvents.filter((event) => event.startsWith('onreset') || event.startsWith('stream read error') || event.startsWith('reset stream'));
  features.streamReset = `resetStream(0x10c) -> server: ${seen.join('; ') || 'nothing seen'}`;
}
{
  const before = serverEvents.length;
  const stream = await session.createBidirectionalStream();
  stream.closed.catch(() => {});
  stream.writer.writeSync(new Uint8Array([0x48]));
  await sleep(50);
  // Flow control: the server never reads this stream; how much does the writer take?
  const chunk = new Uint8Array(16 * 1024);
  let accepted = 0;
  let refused = false;
  for (let i = 0; i < 4096 && !refused; i++) {
    if (stream.writer.writeSync(chunk)) accepted += chunk.byteLength;
    else refused = true;
    if (i % 16 === 15) await sleep(5);
  }
  await sleep(200);
  features.flowControl = refused
    ? `yes: writeSync() returns false after ${Math.round(accepted / 1024)} KiB unread by the peer (desiredSize ${stream.writer.desiredSize}; highWaterMark ${stream.highWaterMark})`
    : `no refusal after ${Math.round(accepted / 1048576)} MiB`;
  stream.stopSending(0x10cn);
  stream.resetStream(0x10cn);
  void before;
  features.stopSending = 'stream.stopSending(code) and stream.resetStream(code) exist (bigint codes); the peer sees stream.onreset / a read error carrying the code';
}
{
  try {
    await session.sendDatagram(new Uint8Array([1, 2, 3]));
    await sleep(200);
    const seen = serverEvents.filter((event) => event.includes('datagram'));
    features.datagrams = seen.length > 0 ? `yes: ${seen.join(', ')} (maxDatagramSize ${session.maxDatagramSize})` : `sendDatagram() ok, nothing seen (maxDatagramSize ${session.maxDatagramSize})`;
  } catch (error) {
    features.datagrams = `no: ${error?.message ?? error}`;
  }
}
{
  const other = await quic.connect(`${HOST}:${PORT}`, { ...connectOptions, servername: 'b.example' });
  const info = await other.opened;
  const subject = other.peerCertificate?.subject ?? String(other.peerCertificate ?? '?');
  features.certificatePerSni = `yes: the sni option maps names to keys/certs ('*' the default), endpoint.setSNIContexts() replaces them live; servername b.example got ${String(subject).replace(/\n/g, ' ')} (${info.servername})`;
  await other.close();
}
features.sniAlpnPerConnection = `server sees the SNI and ALPN in session.opened (${serverEvents.find((e) => e.startsWith('accepted'))}); the alpn list is per listen() (the sni entries carry TLS identities only)`;
{
  const clientEndpoint = new quic.QuicEndpoint({ address: `${HOST}:0` });
  const tickets = [];
  const first = await quic.connect(`${HOST}:${PORT}`, { ...connectOptions, endpoint: clientEndpoint });
  first.onsessionticket = (ticket) => tickets.push(ticket);
  await first.opened;
  await roundTrip(first, REQUEST);
  await sleep(50);
  await first.close();
  if (tickets.length === 0) features.zeroRtt = 'no session ticket was delivered (onsessionticket)';
  else {
    const second = await quic.connect(`${HOST}:${PORT}`, { ...connectOptions, endpoint: clientEndpoint, sessionTicket: tickets[0] });
    const info = await second.opened;
    features.zeroRtt = `session ticket delivered; resumed connection: earlyDataAttempted=${info.earlyDataAttempted} earlyDataAccepted=${info.earlyDataAccepted}`;
    await second.close();
  }
  await clientEndpoint.close();
}
{
  const net = await import('node:net');
  const tcp = net.createServer();
  const outcome = await new Promise((resolve) => {
    tcp.once('error', (error) => resolve(`no: ${error.code}`));
    tcp.listen(PORT, HOST, () => resolve('yes: a node:net TCP server on the QUIC endpoint\'s port number works'));
  });
  features.sharedPortWithTcp = outcome;
  await new Promise((resolve) => tcp.close(() => resolve()));
}
{
  try {
    const a = new quic.QuicEndpoint({ address: `${HOST}:${PORT + 1}`, reusePort: true });
    const listenerA = await quic.listen(() => {}, { endpoint: a, sni: { '*': { keys: [key], certs: [cert] } }, alpn: [ALPN] });
    const b = new quic.QuicEndpoint({ address: `${HOST}:${PORT + 1}`, reusePort: true });
    try {
      await quic.listen(() => {}, { endpoint: b, sni: { '*': { keys: [key], certs: [cert] } }, alpn: [ALPN] });
      features.reusePort = 'yes: two endpoints listen on one port with reusePort: true';
    } catch (error) {
      features.reusePort = `option exists, a second listener fails: ${error?.message ?? error}`;
    }
    await Promise.allSettled([listenerA.close(), b.close()]);
  } catch (error) {
    features.reusePort = `no: ${error?.message ?? error}`;
  }
}
{
  session.close({ code: 0x100n, type: 'application', reason: 'probe done' });
  await withTimeout(session.closed.catch(() => {}), 1000, 'probe-bun: session close');
  await sleep(150);
  const seen = serverEvents.filter((event) => event.startsWith('server session closed')).pop();
  features.connectionCloseWithCode = seen ? `close({ code: 0x100n, type: 'application' }) -> last server session: ${seen}` : 'nothing seen';
}

await withTimeout(serverEndpoint.close(), 2000, 'probe-bun: endpoint close');
clearTimeout(watchdog);
printResults(results, features, args.includes('--json'));
process.exit(0);
