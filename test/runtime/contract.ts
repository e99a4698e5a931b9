/**
 * The runtime contract: what src/runtime.ts promises, checked against a real adapter over
 * 127.0.0.1. It uses ONLY the Runtime interface (no node:*, no Bun, no Deno), so the same file
 * runs under all three runtimes (test/runtime/contract-{node,bun,deno}.ts).
 *
 * Every case is bounded (timeouts everywhere), cleans up its sockets and listeners, and logs
 * `ok NAME` or `not ok NAME: reason`.
 */
import type {
  ConnectOptions,
  Listener,
  ListenOptions,
  Runtime,
  Socket,
  SocketError,
  SocketHandler,
  TlsCertificate,
} from '../../src/runtime.ts';

export interface ContractOptions {
  /** Directory holding a.example.pem, b.example.pem (cert + key) and ca.pem; ends with "/". */
  readonly tlsFixtures?: string;
  /** Only run cases whose name contains one of these strings. */
  readonly only?: readonly string[];
  /** A UNIX socket client and file inspector (test/runtime/unix-probe.ts); the listenUnix case fails without it. */
  readonly unix?: UnixProbe;
}

/** Outside views of UNIX sockets for the listenUnix case (the seam has no UNIX client). */
export interface UnixProbe {
  tempDir(): string;
  removeDir(dir: string): void;
  writeFile(path: string, text: string): void;
  exists(path: string): boolean;
  fileInfo(path: string): { readonly socket: boolean; readonly mode: number };
  /** Connects, sends `request` then half-closes, resolves with everything read until the close. */
  exchange(path: string, request: string): Promise<string>;
}

const CASE_TIMEOUT_MS = 20_000;
const WAIT_MS = 5_000;

/** Where the TLS fixtures are, from this file's location (test/runtime or dist/test/runtime). */
function defaultFixtures(): string {
  const url = import.meta.url;
  const rel = url.includes('/dist/test/') ? '../../../test/fixtures/tls/' : '../fixtures/tls/';
  return decodeURIComponent(new URL(rel, url).pathname);
}

/** A file of test/fixtures/errorfiles, from this file's location. */
function errorfileFixture(name: string): string {
  const url = import.meta.url;
  const rel = url.includes('/dist/test/') ? '../../../test/fixtures/errorfiles/' : '../fixtures/errorfiles/';
  return decodeURIComponent(new URL(rel + name, url).pathname);
}

// ---- small helpers (no runtime-specific globals) -------------------------------------------------

class Failure extends Error {}

/** Decodes with the web-standard DecompressionStream, which all three runtimes have. */
async function decompress(format: 'gzip' | 'deflate' | 'deflate-raw', parts: readonly Uint8Array[]): Promise<Uint8Array> {
  const stream = new DecompressionStream(format);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const writing = (async () => {
    for (const part of parts) await writer.write(part);
    await writer.close();
  })();
  const out: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.push(value as Uint8Array);
  }
  await writing;
  return concat(out);
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Failure(message);
}

function equal<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) throw new Failure(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const FNV_OFFSET = 0x811c9dc5;
function fnv1a(hash: number, bytes: Uint8Array): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193) >>> 0;
  return h;
}

/** Deterministic byte stream (xorshift32), fresh buffer per chunk as the seam requires. */
class Pattern {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0 || 1;
  }
  next(size: number): Uint8Array {
    const out = new Uint8Array(size);
    let x = this.#state;
    for (let i = 0; i < size; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    this.#state = x;
    return out;
  }
}

function describeError(error: SocketError | undefined): string {
  return error === undefined ? 'none' : `${error.code} (${error.message})`;
}

/** Records every event a socket delivers. */
class Peer implements SocketHandler {
  socket: Socket | undefined;
  readonly chunks: Uint8Array[] = [];
  bytes = 0;
  connects = 0;
  ends = 0;
  drains = 0;
  closes = 0;
  closeError: SocketError | undefined;
  readonly events: string[] = [];
  dataAfterEnd = false;
  dataAfterClose = false;
  onConnectHook: ((s: Socket) => void) | undefined;
  onDataHook: ((s: Socket, chunk: Uint8Array) => void) | undefined;
  onEndHook: ((s: Socket) => void) | undefined;
  #drainWaiter: (() => void) | undefined;

  role = '';

  constructor(socket?: Socket, role = '') {
    this.socket = socket;
    this.role = role;
  }
  onConnect(s: Socket): void {
    this.connects++;
    this.events.push('connect');
    this.onConnectHook?.(s);
  }
  onData(s: Socket, chunk: Uint8Array): void {
    if (this.ends > 0) this.dataAfterEnd = true;
    if (this.closes > 0) this.dataAfterClose = true;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.events[this.events.length - 1] !== 'data') this.events.push('data');
    this.onDataHook?.(s, chunk);
  }
  onEnd(s: Socket): void {
    this.ends++;
    this.events.push('end');
    this.onEndHook?.(s);
  }
  onDrain(_s: Socket): void {
    this.drains++;
    this.events.push('drain');
    const waiter = this.#drainWaiter;
    this.#drainWaiter = undefined;
    waiter?.();
  }
  onClose(_s: Socket, error: SocketError | undefined): void {
    this.closes++;
    this.closeError = error;
    this.events.push(error ? `close(${error.code})` : 'close');
  }
  text(): string {
    return decoder.decode(concat(this.chunks));
  }
  nextDrain(): Promise<void> {
    return new Promise((resolve) => {
      this.#drainWaiter = resolve;
    });
  }
}

/** One case's world: tracks what it opens so it is always cleaned up. */
class Ctx {
  readonly runtime: Runtime;
  unix: UnixProbe | undefined;
  readonly listeners: Listener[] = [];
  readonly sockets: Socket[] = [];
  readonly peers: Peer[] = [];

  constructor(runtime: Runtime) {
    this.runtime = runtime;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.runtime.setTimer(resolve, ms);
    });
  }

  /** Polls `condition` every few ms; rejects after `ms`. */
  async until(condition: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
    const deadline = this.runtime.now() + ms;
    while (!condition()) {
      if (this.runtime.now() > deadline) throw new Failure(`timed out waiting for ${what}${this.#describePeers()}`);
      await this.sleep(2);
    }
  }

  /** Event logs of every socket of the case, for failure messages. */
  #describePeers(): string {
    const lines = this.peers.map((p, i) => `\n    #${i} ${p.role}: ${p.events.join(',') || '(no events)'}`);
    return lines.join('');
  }

  /** Resolves with the promise, or rejects when it takes longer than `ms`. */
  within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.runtime.setTimer(() => reject(new Failure(`timed out waiting for ${what}`)), ms);
      promise.then(
        (value) => {
          this.runtime.clearTimer(timer);
          resolve(value);
        },
        (error) => {
          this.runtime.clearTimer(timer);
          reject(error);
        },
      );
    });
  }

  /** A listener whose accepted sockets get a fresh Peer each, set up by `setup`. */
  async server(options: Partial<ListenOptions>, setup: (socket: Socket, peer: Peer) => void = () => {}) {
    const accepted: { socket: Socket; peer: Peer }[] = [];
    const listener = await this.runtime.listen({ host: '127.0.0.1', port: 0, ...options }, (socket) => {
      this.sockets.push(socket);
      const peer = new Peer(socket, `server ${accepted.length}`);
      this.peers.push(peer);
      socket.setHandler(peer);
      accepted.push({ socket, peer });
      setup(socket, peer);
    });
    this.listeners.push(listener);
    return { listener, accepted };
  }

  connect(options: Partial<ConnectOptions> & { port: number }, peer = new Peer()): { socket: Socket; peer: Peer } {
    peer.role = `client ${this.peers.length}`;
    this.peers.push(peer);
    const socket = this.runtime.connect({ host: '127.0.0.1', ...options }, peer);
    peer.socket = socket;
    this.sockets.push(socket);
    return { socket, peer };
  }

  async connected(options: Partial<ConnectOptions> & { port: number }, peer = new Peer()) {
    const pair = this.connect(options, peer);
    await this.until(() => peer.connects > 0 || peer.closes > 0, 'onConnect');
    check(peer.connects === 1, `connect ${JSON.stringify(options)} failed: onClose error ${describeError(peer.closeError)}`);
    return pair;
  }

  async cleanup(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    for (const l of this.listeners) await l.close().catch(() => {});
    await this.sleep(5);
  }
}

/** Sends `total` pattern bytes in `chunkSize` writes, honouring write() === false / onDrain. */
async function sendPattern(ctx: Ctx, socket: Socket, peer: Peer, total: number, seed: number, chunkSize = 64 * 1024) {
  const pattern = new Pattern(seed);
  let hash = FNV_OFFSET;
  let sent = 0;
  let blocked = 0;
  while (sent < total) {
    const chunk = pattern.next(Math.min(chunkSize, total - sent));
    hash = fnv1a(hash, chunk);
    sent += chunk.length;
    if (!socket.write(chunk)) {
      blocked++;
      await ctx.within(peer.nextDrain(), `onDrain after write() returned false (${sent} bytes sent)`);
    }
  }
  return { hash, blocked };
}

function expectedHash(total: number, seed: number, chunkSize = 64 * 1024): number {
  const pattern = new Pattern(seed);
  let hash = FNV_OFFSET;
  for (let sent = 0; sent < total; ) {
    const chunk = pattern.next(Math.min(chunkSize, total - sent));
    hash = fnv1a(hash, chunk);
    sent += chunk.length;
  }
  return hash;
}

/** Hash of everything a peer received, computed at the end (so reused chunk memory shows). */
function receivedHash(peer: Peer): number {
  let hash = FNV_OFFSET;
  for (const c of peer.chunks) hash = fnv1a(hash, c);
  return hash;
}

async function settleAndCheckClosedOnce(ctx: Ctx, peers: Record<string, Peer>): Promise<void> {
  await ctx.sleep(30);
  for (const [name, peer] of Object.entries(peers)) {
    equal(peer.closes, 1, `${name} onClose count`);
    check(!peer.dataAfterClose, `${name} got onData after onClose`);
  }
}

// ---- TLS fixtures ---------------------------------------------------------------------------

interface TlsFixtures {
  readonly a: TlsCertificate;
  readonly b: TlsCertificate;
  readonly caPem: string;
}

function splitPem(text: string, source: string): TlsCertificate {
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  const key = text.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/);
  if (!certs || !key) throw new Failure(`${source}: expected a certificate and a private key`);
  return { certPem: `${certs.join('\n')}\n`, keyPem: `${key[0]}\n`, source };
}

async function loadTls(runtime: Runtime, dir: string): Promise<TlsFixtures> {
  const read = async (name: string) => runtime.readTextFile(dir + name);
  return {
    a: splitPem(await read('a.example.pem'), dir + 'a.example.pem'),
    b: splitPem(await read('b.example.pem'), dir + 'b.example.pem'),
    caPem: await read('ca.pem'),
  };
}

/** 1 MiB each way over TLS, the second half after the client's half-close. */
async function tlsTransfer(ctx: Ctx, fixtures: () => Promise<TlsFixtures>, certs: 'one' | 'two', verify: boolean) {
  const { a, b, caPem } = await fixtures();
  const total = 1024 * 1024;
  const certificates = certs === 'one' ? [b] : [a, b];
  const { listener, accepted } = await ctx.server({ tls: { certificates, alpn: ['http/1.1'] } });
  const { socket, peer } = await ctx.connected({
    port: listener.port,
    tls: { servername: 'b.example', verify, ...(verify ? { caPem } : {}), alpn: ['http/1.1'] },
  });
  await ctx.until(() => accepted.length > 0, 'accept');
  const server = accepted[0]!;
  equal(server.socket.tls?.sni, 'b.example', 'server-side sni');
  equal(server.socket.tls?.alpn, 'http/1.1', 'server-side alpn');
  equal(socket.tls?.alpn, 'http/1.1', 'client-side alpn');
  const up = await sendPattern(ctx, socket, peer, total, 0xabc);
  socket.end();
  await ctx.until(() => server.peer.ends > 0, 'server onEnd', 15_000);
  equal(server.peer.bytes, total, 'bytes received by the server');
  equal(receivedHash(server.peer), up.hash, 'client->server checksum');
  // half-closed by the client: the server can still send everything back
  const down = await sendPattern(ctx, server.socket, server.peer, total, 0xdef);
  server.socket.end();
  await ctx.until(() => peer.ends > 0, 'client onEnd', 15_000);
  equal(peer.bytes, total, 'bytes received by the client');
  equal(receivedHash(peer), down.hash, 'server->client checksum');
  equal(down.hash, expectedHash(total, 0xdef), 'sender checksum');
  await ctx.until(() => peer.closes > 0 && server.peer.closes > 0, 'both closed');
  equal(peer.closeError, undefined, 'client close error');
  equal(server.peer.closeError, undefined, 'server close error');
  await settleAndCheckClosedOnce(ctx, { client: peer, server: server.peer });
}

// ---- the cases ------------------------------------------------------------------------------

type Case = (ctx: Ctx, fixtures: () => Promise<TlsFixtures>) => Promise<void>;

/** A listenUnix server answering each connection with `tag:` and what it read, then closing. */
function unixEcho(ctx: Ctx, path: string, tag: string, mode?: number): Promise<Listener> {
  return ctx.runtime.listenUnix({ path, ...(mode !== undefined ? { mode } : {}) }, (socket) => {
    const peer = new Peer(socket, `unix server ${tag}`);
    ctx.peers.push(peer);
    ctx.sockets.push(socket);
    peer.onEndHook = (s) => {
      s.write(encoder.encode(`${tag}:${peer.text()}`));
      s.end();
    };
    socket.setHandler(peer);
  });
}

const CASES: [string, Case][] = [
  [
    'listenUnix: replaces a stale file, applies the mode, serves, a second listener takes the path over',
    async (ctx) => {
      const unix = ctx.unix;
      check(unix !== undefined, 'no UNIX probe given to runContract');
      const dir = unix.tempDir();
      try {
        const path = `${dir}/admin.sock`;
        unix.writeFile(path, 'stale');
        const first = await unixEcho(ctx, path, 'one', 0o600);
        ctx.listeners.push(first);
        equal(first.host, path, 'listener host');
        equal(first.port, 0, 'listener port');
        const info = unix.fileInfo(path);
        check(info.socket, 'the stale file was not replaced by a socket');
        equal(info.mode.toString(8), '600', 'socket file mode');
        equal(await ctx.within(unix.exchange(path, 'ping'), 'the first answer'), 'one:ping', 'answer of the first listener');
        // A second process (a reload) binds the same path: it takes it over atomically.
        const second = await unixEcho(ctx, path, 'two', 0o660);
        ctx.listeners.push(second);
        equal(unix.fileInfo(path).mode.toString(8), '660', 'mode after the takeover');
        equal(await ctx.within(unix.exchange(path, 'pong'), 'the second answer'), 'two:pong', 'answer after the takeover');
        equal(unix.exists(`${path}.${ctx.runtime.pid}.tmp`), false, 'temporary name left behind');
        await second.close();
        await first.close();
        check(unix.exists(path), 'close() removed the socket file');
      } finally {
        unix.removeDir(dir);
      }
    },
  ],
  [
    'timers: setTimer fires after its delay, clearTimer cancels, now() is monotonic',
    async (ctx) => {
      const rt = ctx.runtime;
      let last = rt.now();
      for (let i = 0; i < 10_000; i++) {
        const t = rt.now();
        check(t >= last, `now() went backwards: ${last} -> ${t}`);
        last = t;
      }
      check(Math.abs(rt.wallClock() - Date.now()) < 1000, 'wallClock() is not epoch milliseconds');
      const start = rt.now();
      let firedAt = -1;
      let cancelledFired = false;
      const cancelled = rt.setTimer(() => {
        cancelledFired = true;
      }, 10);
      rt.setTimer(() => {
        firedAt = rt.now();
      }, 25);
      rt.clearTimer(cancelled);
      await ctx.until(() => firedAt >= 0, 'timer');
      check(firedAt - start >= 20, `25 ms timer fired after ${(firedAt - start).toFixed(1)} ms`);
      await ctx.sleep(20);
      check(!cancelledFired, 'cleared timer fired');
    },
  ],
  [
    'loopBusyTime: grows by about a busy stretch of the loop, hardly while it waits for events',
    async (ctx) => {
      const rt = ctx.runtime;
      const busyTime = rt.loopBusyTime;
      check(busyTime !== undefined, 'loopBusyTime exists');
      await ctx.sleep(10);
      const before = busyTime.call(rt);
      check(before !== undefined, 'loopBusyTime gives a figure');
      // A thread that waited for a CPU on a shared machine may count less than the wall time.
      const spinStart = rt.now();
      while (rt.now() - spinStart < 150) {
        // busy
      }
      await ctx.sleep(0);
      const spun = (busyTime.call(rt) as number) - before;
      check(spun >= 40 && spun <= 1000, `150 ms of busy loop counted ${spun.toFixed(1)} ms busy`);
      const waitStart = busyTime.call(rt) as number;
      await ctx.sleep(300);
      const waited = (busyTime.call(rt) as number) - waitStart;
      check(waited >= 0 && waited < 100, `300 ms of waiting counted ${waited.toFixed(1)} ms busy`);
    },
  ],
  [
    'lookup: localhost resolves through the system resolver, an .invalid name is refused',
    async (ctx) => {
      const rt = ctx.runtime;
      // /etc/hosts names localhost on every host these tests run on; IPv4 is asked for so that an
      // IPv6-first resolver (::1 before 127.0.0.1) does not matter.
      const v4 = await ctx.within(rt.lookup('localhost', 4), 'lookup(localhost, 4)');
      check(v4.length > 0 && v4.every((a) => /^127\.\d+\.\d+\.\d+$/.test(a)), `localhost/4 -> ${JSON.stringify(v4)}`);
      const any = await ctx.within(rt.lookup('localhost'), 'lookup(localhost)');
      check(any.length > 0 && any.every((a) => a.startsWith('127.') || a === '::1'), `localhost -> ${JSON.stringify(any)}`);
      // An IP literal comes back as it is, as getaddrinfo returns it.
      const literal = await ctx.within(rt.lookup('127.0.0.1'), 'lookup(127.0.0.1)');
      equal(literal[0], '127.0.0.1', 'lookup(127.0.0.1)');
      // RFC 2606: .invalid never resolves.
      const failed = await ctx.within(
        rt.lookup('no-such-host.invalid').then(
          (found) => `resolved to ${JSON.stringify(found)}`,
          (error: unknown) => (error instanceof Error ? undefined : `rejected with a non-Error ${String(error)}`),
        ),
        'lookup(no-such-host.invalid)',
      );
      equal(failed, undefined, 'lookup(no-such-host.invalid)');
    },
  ],
  [
    'digest: md5, sha1 and sha2 of the standard test vectors, synchronously',
    async (ctx) => {
      const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      const abc = encoder.encode('abc');
      // FIPS 180-4 / RFC 1321 examples ("abc"), and the empty message for sha256.
      equal(hex(ctx.runtime.digest('md5', abc)), '900150983cd24fb0d6963f7d28e17f72', 'md5(abc)');
      equal(hex(ctx.runtime.digest('sha1', abc)), 'a9993e364706816aba3e25717850c26c9cd0d89d', 'sha1(abc)');
      equal(hex(ctx.runtime.digest('sha224', abc)), '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7', 'sha224(abc)');
      equal(hex(ctx.runtime.digest('sha256', new Uint8Array(0))), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'sha256()');
      equal(
        hex(ctx.runtime.digest('sha384', abc)),
        'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
        'sha384(abc)',
      );
      equal(
        hex(ctx.runtime.digest('sha512', abc)),
        'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
        'sha512(abc)',
      );
      check(ctx.runtime.digest('sha1', abc) instanceof Uint8Array, 'digest() returns a Uint8Array');
    },
  ],
  [
    'createCompressor: gzip, deflate and raw-deflate stream synchronously, flush per block, and decode to the input',
    async (ctx) => {
      const create = ctx.runtime.createCompressor;
      check(create !== undefined, 'createCompressor exists');
      if (create === undefined) return;
      const formats = [
        ['gzip', 'gzip'],
        ['deflate', 'deflate'],
        ['raw-deflate', 'deflate-raw'],
      ] as const;
      for (const [format, webName] of formats) {
        const out: Uint8Array[] = [];
        const compressor = create.call(ctx.runtime, format, { level: 1, memLevel: 8, windowBits: 15 }, { onCompressed: (bytes) => out.push(bytes) });
        const input: Uint8Array[] = [];
        for (let i = 0; i < 40; i++) {
          // 40 blocks of 10 KB: more output than one internal buffer in the middle of the run.
          const block = new Uint8Array(10_000);
          for (let j = 0; j < block.length; j++) block[j] = (j * 31 + i * 7 + ((j * j) >> 3)) & 0xff;
          input.push(block);
          const before = out.length;
          compressor.push(block);
          compressor.flush();
          // Synchronous: the flushed block is out before flush() returns.
          check(out.length > before, `${format}: block ${i} came out at its flush`);
        }
        compressor.finish();
        compressor.release();
        const decoded = await ctx.within(decompress(webName, out), `decode ${format}`);
        const expected = concat(input);
        equal(decoded.byteLength, expected.byteLength, `${format}: decoded length`);
        let same = true;
        for (let j = 0; j < expected.length && same; j++) same = decoded[j] === expected[j];
        check(same, `${format}: decoded bytes equal the input`);
      }
    },
  ],
  [
    'createCompressor: setLevel(0) after a flush sends stored blocks for deflate and raw-deflate (and says false where it cannot)',
    async (ctx) => {
      const create = ctx.runtime.createCompressor;
      if (create === undefined) return;
      const text = new TextEncoder().encode('switchyard '.repeat(4_000));
      for (const [format, webName] of [
        ['gzip', 'gzip'],
        ['deflate', 'deflate'],
        ['raw-deflate', 'deflate-raw'],
      ] as const) {
        const out: Uint8Array[] = [];
        const size = (): number => out.reduce((n, b) => n + b.byteLength, 0);
        const compressor = create.call(ctx.runtime, format, { level: 1, memLevel: 8, windowBits: 15 }, { onCompressed: (bytes) => out.push(bytes) });
        compressor.push(text);
        compressor.flush();
        const first = size();
        const changed = compressor.setLevel(0);
        compressor.push(text);
        compressor.flush();
        const second = size() - first;
        compressor.finish();
        if (format !== 'gzip') check(changed, `${format}: setLevel is applied`);
        // Stored blocks carry the input as it is; a compressing level shrinks this text a hundredfold.
        check(changed ? second > text.byteLength : second < text.byteLength / 10, `${format}: ${second} bytes for the second block (setLevel said ${changed})`);
        const decoded = await ctx.within(decompress(webName, out), `decode ${format}`);
        equal(decoded.byteLength, text.byteLength * 2, `${format}: decoded length`);
      }
    },
  ],
  [
    'readFile gives a file’s bytes as they are; a missing file rejects',
    async (ctx) => {
      const rt = ctx.runtime;
      // test/fixtures/errorfiles/latin1.http: an errorfile whose payload is not UTF-8.
      const path = errorfileFixture('latin1.http');
      const bytes = await ctx.within(rt.readFile(path), 'readFile');
      check(bytes instanceof Uint8Array, 'readFile did not give a Uint8Array');
      equal(bytes.length, 108, 'file length');
      equal([...bytes.subarray(-7)].join(','), '99,97,102,233,32,255,10', 'last bytes ("caf", 0xe9, " ", 0xff, LF)');
      equal(decoder.decode(bytes.subarray(0, 8)), 'HTTP/1.1', 'first bytes');
      const missing = await ctx.within(
        rt.readFile(`${path}.missing`).then(
          () => 'resolved',
          (error: unknown) => (error instanceof Error ? undefined : 'rejected with a non-Error'),
        ),
        'readFile(missing)',
      );
      equal(missing, undefined, 'readFile of a missing file');
    },
  ],
  [
    'echo round trip, addresses and ports populated, clean close',
    async (ctx) => {
      const { listener, accepted } = await ctx.server({}, (socket, peer) => {
        peer.onDataHook = (s, chunk) => s.write(chunk);
        peer.onEndHook = (s) => s.end();
      });
      check(listener.port > 0, 'listener.port is not set');
      const { socket, peer } = await ctx.connected({ port: listener.port });
      socket.write(encoder.encode('hello, '));
      socket.write(encoder.encode('switchyard'));
      await ctx.until(() => peer.bytes >= 17, 'echo');
      equal(peer.text(), 'hello, switchyard', 'echoed text');
      const server = accepted[0];
      check(server !== undefined, 'no accepted socket');
      equal(socket.remoteAddress, '127.0.0.1', 'client remoteAddress');
      equal(socket.remotePort, listener.port, 'client remotePort');
      check(socket.localPort > 0, 'client localPort not set');
      equal(server.socket.remoteAddress, '127.0.0.1', 'server remoteAddress');
      equal(server.socket.remotePort, socket.localPort, 'server remotePort');
      equal(server.socket.localPort, listener.port, 'server localPort');
      equal(socket.tls, undefined, 'plain socket tls');
      socket.end();
      await ctx.until(() => peer.closes > 0 && server.peer.closes > 0, 'both sides closed');
      equal(peer.closeError, undefined, 'client close error');
      equal(server.peer.closeError, undefined, 'server close error');
      equal(peer.ends, 1, 'client onEnd count');
      equal(server.peer.ends, 1, 'server onEnd count');
      equal(socket.remotePort, listener.port, 'client remotePort after close');
      await settleAndCheckClosedOnce(ctx, { client: peer, server: server.peer });
    },
  ],
  [
    'localAddress/localPort bind the connection (source)',
    async (ctx) => {
      const { listener, accepted } = await ctx.server({});
      const { socket } = await ctx.connected({ port: listener.port, localAddress: '127.0.0.2' });
      await ctx.until(() => accepted.length > 0, 'accepted');
      equal(accepted[0]?.socket.remoteAddress, '127.0.0.2', 'server sees the source address');
      equal(socket.localAddress, '127.0.0.2', 'client localAddress');
      socket.destroy();
      // A port too: the next one above the listener's is almost certainly free on 127.0.0.3.
      const port = listener.port < 65535 ? listener.port + 1 : listener.port - 1;
      const bound = await ctx.connected({ port: listener.port, localAddress: '127.0.0.3', localPort: port });
      await ctx.until(() => accepted.length > 1, 'accepted the second');
      equal(accepted[1]?.socket.remoteAddress, '127.0.0.3', 'second source address');
      equal(accepted[1]?.socket.remotePort, port, 'source port');
      bound.socket.destroy();
    },
  ],
  [
    'bytes written before onConnect are queued and delivered',
    async (ctx) => {
      const { listener, accepted } = await ctx.server({});
      const { socket, peer } = ctx.connect({ port: listener.port });
      check(peer.connects === 0, 'onConnect delivered synchronously inside connect()');
      socket.write(encoder.encode('early '));
      socket.write(encoder.encode('bird'));
      socket.end();
      await ctx.until(() => (accepted[0]?.peer.ends ?? 0) > 0, 'server onEnd');
      equal(accepted[0]?.peer.text(), 'early bird', 'received text');
      equal(peer.connects, 1, 'onConnect count');
    },
  ],
  [
    '4 MiB both ways intact (FNV-1a over the bytes; chunks kept until the end)',
    async (ctx) => {
      const total = 4 * 1024 * 1024;
      const { listener, accepted } = await ctx.server({});
      const { socket, peer } = await ctx.connected({ port: listener.port });
      await ctx.until(() => accepted.length > 0, 'accept');
      const server = accepted[0]!;
      const [up, down] = await Promise.all([
        sendPattern(ctx, socket, peer, total, 0x1234),
        sendPattern(ctx, server.socket, server.peer, total, 0x5678),
      ]);
      socket.end();
      server.socket.end();
      await ctx.until(() => peer.ends > 0 && server.peer.ends > 0, 'both onEnd', 15_000);
      equal(server.peer.bytes, total, 'bytes received by the server');
      equal(peer.bytes, total, 'bytes received by the client');
      equal(receivedHash(server.peer), up.hash, 'client->server checksum');
      equal(receivedHash(peer), down.hash, 'server->client checksum');
      await ctx.until(() => peer.closes > 0 && server.peer.closes > 0, 'both closed');
      equal(peer.closeError, undefined, 'client close error');
      equal(server.peer.closeError, undefined, 'server close error');
      await settleAndCheckClosedOnce(ctx, { client: peer, server: server.peer });
    },
  ],
  [
    'write() returns false under a paused reader, onDrain follows resume, data intact',
    async (ctx) => {
      const { listener, accepted } = await ctx.server({}, (socket) => socket.pause());
      const { socket, peer } = await ctx.connected({ port: listener.port });
      await ctx.until(() => accepted.length > 0, 'accept');
      const server = accepted[0]!;
      const pattern = new Pattern(99);
      let hash = FNV_OFFSET;
      let sent = 0;
      let refusals = 0;
      let drained: Promise<void> | undefined;
      const limit = 256 * 1024 * 1024;
      // Write until write() returns false and no onDrain follows: the adapter's queue can no
      // longer reach the kernel, whose buffers are full because the reader is paused. (Where
      // writes are asynchronous, write() may refuse before the kernel is full; onDrain then
      // follows quickly and the loop goes on.)
      while (sent < limit) {
        let refused = false;
        while (!refused && sent < limit) {
          const chunk = pattern.next(64 * 1024);
          hash = fnv1a(hash, chunk);
          sent += chunk.length;
          refused = !socket.write(chunk);
        }
        if (!refused) break;
        refusals++;
        const next = peer.nextDrain();
        drained = next;
        const gotDrain = await Promise.race([next.then(() => true), ctx.sleep(100).then(() => false)]);
        if (!gotDrain) break;
      }
      check(refusals > 0 && drained !== undefined, `write() never returned false (${sent} bytes written to a paused reader)`);
      check(sent < limit, `onDrain kept coming although the reader is paused (${sent} bytes written)`);
      const drainsBefore = peer.drains;
      await ctx.sleep(50);
      equal(server.peer.bytes, 0, 'bytes delivered to a reader paused from the start');
      equal(peer.drains, drainsBefore, 'onDrain while the reader is still paused and the kernel full');
      check(socket.bufferedAmount > 0, 'bufferedAmount is 0 while write() returns false');
      server.socket.resume();
      await ctx.within(drained as Promise<void>, 'onDrain after resume()');
      socket.end();
      await ctx.until(() => server.peer.ends > 0, 'server onEnd');
      equal(server.peer.bytes, sent, 'bytes received');
      equal(receivedHash(server.peer), hash, 'checksum');
      equal(socket.bufferedAmount, 0, 'bufferedAmount after drain');
    },
  ],
  [
    'writeGathered(): small and large chunks in order through a paused reader, onDrain follows resume',
    async (ctx) => {
      const { listener, accepted } = await ctx.server({}, (socket) => socket.pause());
      const { socket, peer } = await ctx.connected({ port: listener.port });
      await ctx.until(() => accepted.length > 0, 'accept');
      const server = accepted[0]!;
      const gathered = socket.writeGathered?.bind(socket) ?? ((chunks: readonly Uint8Array[]) => chunks.map((c) => socket.write(c)).at(-1) ?? true);
      const pattern = new Pattern(7);
      let hash = FNV_OFFSET;
      let sent = 0;
      let refused = false;
      // HTTP/2's shape: 9-byte frame headers before 16 KiB payloads, and a chunk past the
      // adapters' gather sizes. Whatever the kernel takes of a gathered write, the rest must
      // follow in order.
      for (let round = 0; round < 400 && !refused; round++) {
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < 8; i++) chunks.push(pattern.next(9), pattern.next(16 * 1024));
        chunks.push(pattern.next(300 * 1024), pattern.next(1));
        for (const chunk of chunks) {
          hash = fnv1a(hash, chunk);
          sent += chunk.length;
        }
        refused = !gathered(chunks);
      }
      check(refused, `writeGathered never returned false (${sent} bytes written to a paused reader)`);
      const drained = peer.nextDrain();
      server.socket.resume();
      await ctx.within(drained, 'onDrain after resume()');
      socket.end();
      await ctx.until(() => server.peer.ends > 0, 'server onEnd', 15_000);
      equal(server.peer.bytes, sent, 'bytes received');
      equal(receivedHash(server.peer), hash, 'checksum');
      equal(socket.bufferedAmount, 0, 'bufferedAmount after drain');
    },
  ],
  [
    'pause() stops onData and resume() restarts it',
    async (ctx) => {
      const { listener, accepted } = await ctx.server({});
      const { socket } = await ctx.connected({ port: listener.port });
      socket.write(encoder.encode('one'));
      await ctx.until(() => (accepted[0]?.peer.bytes ?? 0) >= 3, 'first bytes');
      const server = accepted[0]!;
      server.socket.pause();
      socket.write(encoder.encode('two'));
      socket.end();
      await ctx.sleep(100);
      equal(server.peer.bytes, 3, 'bytes delivered while paused');
      equal(server.peer.ends, 0, 'onEnd delivered while paused');
      server.socket.resume();
      await ctx.until(() => server.peer.ends > 0, 'data and onEnd after resume');
      equal(server.peer.text(), 'onetwo', 'text');
      check(!server.peer.dataAfterEnd, 'onData after onEnd');
    },
  ],
  [
    'half-close: client end() -> server onEnd, server still writes back, then both close',
    async (ctx) => {
      const { listener, accepted } = await ctx.server({}, (_socket, peer) => {
        peer.onEndHook = (s) => {
          // The client's direction is finished; ours is still open.
          s.write(encoder.encode(`got ${peer.text()}`));
          const later = () => {
            s.write(encoder.encode(' / later'));
            s.end();
          };
          ctx.runtime.setTimer(later, 20);
        };
      });
      const { socket, peer } = await ctx.connected({ port: listener.port });
      socket.write(encoder.encode('ping'));
      socket.end();
      socket.end(); // idempotent
      await ctx.until(() => peer.ends > 0, 'client onEnd');
      equal(peer.text(), 'got ping / later', 'reply after half-close');
      await ctx.until(() => peer.closes > 0 && (accepted[0]?.peer.closes ?? 0) > 0, 'both closed');
      const server = accepted[0]!;
      equal(server.peer.events.join(','), 'data,end,close', 'server events');
      equal(peer.events.join(','), 'connect,data,end,close', 'client events');
      equal(peer.closeError, undefined, 'client close error');
      equal(server.peer.closeError, undefined, 'server close error');
      await settleAndCheckClosedOnce(ctx, { client: peer, server: server.peer });
    },
  ],
  [
    'server ends first: client gets onEnd, keeps writing, then closes',
    async (ctx) => {
      const { listener, accepted } = await ctx.server({}, (socket) => {
        socket.write(encoder.encode('bye'));
        socket.end();
      });
      const { socket, peer } = await ctx.connected({ port: listener.port });
      await ctx.until(() => peer.ends > 0, 'client onEnd');
      equal(peer.text(), 'bye', 'text');
      socket.write(encoder.encode('still here'));
      socket.end();
      await ctx.until(() => peer.closes > 0 && (accepted[0]?.peer.closes ?? 0) > 0, 'both closed');
      const server = accepted[0]!;
      equal(server.peer.text(), 'still here', 'server received after its own end()');
      equal(server.peer.ends, 1, 'server onEnd count');
      equal(server.peer.closeError, undefined, 'server close error');
      equal(peer.closeError, undefined, 'client close error');
      await settleAndCheckClosedOnce(ctx, { client: peer, server: server.peer });
    },
  ],
  [
    'listener close releases the port (connect refused: ECONNREFUSED, no onConnect); accepted sockets survive',
    async (ctx) => {
      const { listener, accepted } = await ctx.server({}, (_socket, peer) => {
        peer.onDataHook = (s, chunk) => s.write(chunk);
      });
      const survivor = await ctx.connected({ port: listener.port });
      await ctx.until(() => accepted.length > 0, 'accept');
      await ctx.within(listener.close(), 'listener.close()');
      await listener.close(); // idempotent
      const { peer } = ctx.connect({ port: listener.port });
      await ctx.until(() => peer.closes > 0, 'onClose of the refused connect');
      equal(peer.connects, 0, 'onConnect count');
      equal(peer.closeError?.code, 'ECONNREFUSED', 'close error code');
      survivor.socket.write(encoder.encode('after close'));
      await ctx.until(() => survivor.peer.bytes >= 11, 'echo on the surviving connection');
      equal(survivor.peer.text(), 'after close', 'echo');
      await settleAndCheckClosedOnce(ctx, { refused: peer });
    },
  ],
  [
    'destroy() of a pending connect: onClose exactly once, no onConnect, no error',
    async (ctx) => {
      const { listener, accepted } = await ctx.server({});
      const { socket, peer } = ctx.connect({ port: listener.port });
      socket.write(encoder.encode('never'));
      socket.destroy();
      socket.destroy();
      equal(peer.closes, 0, 'onClose delivered synchronously inside destroy()');
      await ctx.until(() => peer.closes > 0, 'onClose');
      await ctx.sleep(100);
      equal(peer.connects, 0, 'onConnect count');
      equal(peer.closes, 1, 'onClose count');
      equal(peer.closeError, undefined, 'close error');
      for (const a of accepted) equal(a.peer.bytes, 0, 'bytes received from a destroyed connect');
    },
  ],
  [
    'destroy() of an established socket (also from inside onData): onClose once each side',
    async (ctx) => {
      const { listener, accepted } = await ctx.server({}, (_socket, peer) => {
        peer.onDataHook = (s) => {
          s.destroy();
          s.destroy();
          s.write(encoder.encode('ignored'));
        };
        peer.onEndHook = (s) => s.end();
      });
      const a = await ctx.connected({ port: listener.port });
      // The destroyed side's FIN (or RST) reaches the client; it then ends its own direction.
      a.peer.onEndHook = (s) => s.end();
      a.socket.write(encoder.encode('x'));
      await ctx.until(() => a.peer.closes > 0 && (accepted[0]?.peer.closes ?? 0) > 0, 'both closed');
      equal(accepted[0]!.peer.closeError, undefined, 'destroying side close error');
      const b = await ctx.connected({ port: listener.port });
      b.socket.destroy();
      equal(b.peer.closes, 0, 'onClose delivered synchronously inside destroy()');
      await ctx.until(() => b.peer.closes > 0 && (accepted[1]?.peer.closes ?? 0) > 0, 'both closed');
      equal(b.peer.closeError, undefined, 'destroying side close error');
      equal(b.peer.ends, 0, 'onEnd after own destroy()');
      await settleAndCheckClosedOnce(ctx, {
        'first client': a.peer,
        'first server': accepted[0]!.peer,
        'second client': b.peer,
        'second server': accepted[1]!.peer,
      });
    },
  ],
  [
    'reset(): the resetting side closes once without error; the peer closes too (ECONNRESET where the runtime sends an RST)',
    async (ctx) => {
      const { listener, accepted } = await ctx.server({}, (_socket, peer) => {
        peer.onEndHook = (s) => s.end();
      });
      const a = await ctx.connected({ port: listener.port });
      a.socket.write(encoder.encode('x'));
      await ctx.until(() => (accepted[0]?.peer.bytes ?? 0) > 0, 'server received');
      a.socket.reset();
      a.socket.reset();
      equal(a.peer.closes, 0, 'onClose delivered synchronously inside reset()');
      await ctx.until(() => a.peer.closes > 0 && (accepted[0]?.peer.closes ?? 0) > 0, 'both closed');
      equal(a.peer.closeError, undefined, 'resetting side close error');
      const seen = accepted[0]!.peer.closeError;
      check(seen === undefined || seen.code === 'ECONNRESET', `peer close error: ${seen?.code} ${seen?.message}`);
      await settleAndCheckClosedOnce(ctx, { client: a.peer, server: accepted[0]!.peer });
    },
  ],
  [
    'TLS: two certificates selected by SNI; server sees sni and alpn; verification proves the served certificate',
    async (ctx, fixtures) => {
      const { a, b, caPem } = await fixtures();
      const { listener, accepted } = await ctx.server(
        { tls: { certificates: [a, b], alpn: ['h2', 'http/1.1'] } },
        (socket) => socket.write(encoder.encode(`sni=${socket.tls?.sni};alpn=${socket.tls?.alpn}`)),
      );
      const expectServerView = async (peer: Peer, expected: string) => {
        await ctx.until(() => peer.bytes >= expected.length, `server greeting ${expected}`);
        equal(peer.text(), expected, 'server view');
      };
      // verify none, as a `server ... ssl verify none` line would dial it
      const one = await ctx.connected({ port: listener.port, tls: { servername: 'b.example', verify: false, alpn: ['http/1.1'] } });
      await expectServerView(one.peer, 'sni=b.example;alpn=http/1.1');
      equal(one.socket.tls?.alpn, 'http/1.1', 'client-side negotiated ALPN');
      equal(one.socket.tls?.sni, 'b.example', 'client-side sni');
      // verify against the CA: succeeds only if the certificate served for each name is that name's
      const vb = await ctx.connected({ port: listener.port, tls: { servername: 'b.example', verify: true, caPem } });
      await expectServerView(vb.peer, 'sni=b.example;alpn=undefined');
      const va = await ctx.connected({ port: listener.port, tls: { servername: 'a.example', verify: true, caPem, alpn: ['h2'] } });
      await expectServerView(va.peer, 'sni=a.example;alpn=h2');
      equal(va.socket.tls?.alpn, 'h2', 'client-side negotiated ALPN (h2)');
      // an unknown name gets the default (first) certificate, a.example's: verification fails
      const bad = ctx.connect({ port: listener.port, tls: { servername: 'c.example', verify: true, caPem } });
      await ctx.until(() => bad.peer.closes > 0, 'onClose of the unverifiable connection');
      equal(bad.peer.connects, 0, 'onConnect for a certificate that fails verification');
      equal(bad.peer.closeError?.code, 'TLS', 'close error code');
      // no SNI at all: the server sees none
      const none = await ctx.connected({ port: listener.port, tls: { verify: false } });
      await expectServerView(none.peer, 'sni=undefined;alpn=undefined');
      equal(accepted.length, 4, 'accepted TLS connections');
      await settleAndCheckClosedOnce(ctx, { unverifiable: bad.peer });
    },
  ],
  [
    'TLS: checkName replaces the dialled address in the certificate check, the chain is still verified',
    async (ctx, fixtures) => {
      const { a, caPem } = await fixtures();
      const { listener } = await ctx.server({ tls: { certificates: [a] } });
      // Dialled by address (as a server whose name was resolved at startup), checked by name.
      const good = await ctx.connected({ port: listener.port, tls: { verify: true, caPem, checkName: 'a.example' } });
      equal(good.peer.closeError, undefined, 'close error of the verified connection');
      const refused = async (tls: NonNullable<ConnectOptions['tls']>, what: string) => {
        const pair = ctx.connect({ port: listener.port, tls });
        await ctx.until(() => pair.peer.closes > 0, `onClose (${what})`);
        equal(pair.peer.connects, 0, `onConnect count (${what})`);
        equal(pair.peer.closeError?.code, 'TLS', `close error code (${what})`);
        return pair.peer;
      };
      const wrongName = await refused({ verify: true, caPem, checkName: 'b.example' }, 'another name');
      const byAddress = await refused({ verify: true, caPem }, 'no checkName: 127.0.0.1 is not in the certificate');
      const unknownCa = await refused({ verify: true, checkName: 'a.example' }, 'a CA outside the default store');
      await settleAndCheckClosedOnce(ctx, { wrongName, byAddress, unknownCa });
    },
  ],
  [
    'TLS: one certificate, verified client: sni and alpn reported, 1 MiB both ways intact, half-close',
    (ctx, fixtures) => tlsTransfer(ctx, fixtures, 'one', true),
  ],
  [
    'TLS: two certificates, verify-none client: sni and alpn reported, 1 MiB both ways intact, half-close',
    (ctx, fixtures) => tlsTransfer(ctx, fixtures, 'two', false),
  ],
  [
    'TLS listener: a client that does not speak TLS never becomes a connection',
    async (ctx, fixtures) => {
      const { a, b } = await fixtures();
      for (const certificates of [[a], [a, b]]) {
        const { listener, accepted } = await ctx.server({ tls: { certificates } });
        const { socket, peer } = await ctx.connected({ port: listener.port });
        socket.write(encoder.encode('GET / HTTP/1.1\r\nHost: a.example\r\n\r\n'));
        peer.onEndHook = (s) => s.end();
        await ctx.until(() => peer.closes > 0, `the listener to drop the client (${certificates.length} certificates)`);
        await ctx.sleep(20);
        equal(accepted.length, 0, `connections reported for a failed handshake (${certificates.length} certificates)`);
      }
    },
  ],
  [
    'TLS: handshake with a plain-TCP server fails with onClose(error), no onConnect',
    async (ctx) => {
      const { listener } = await ctx.server({}, (socket) => {
        socket.write(encoder.encode('this is not TLS\r\n\r\n'));
        socket.end();
      });
      const { peer } = ctx.connect({ port: listener.port, tls: { servername: 'a.example', verify: false } });
      await ctx.until(() => peer.closes > 0, 'onClose');
      equal(peer.connects, 0, 'onConnect count');
      check(peer.closeError !== undefined, 'onClose without an error');
      await settleAndCheckClosedOnce(ctx, { client: peer });
    },
  ],
];

export async function runContract(
  runtime: Runtime,
  log: (line: string) => void,
  options: ContractOptions = {},
): Promise<number> {
  const dir = options.tlsFixtures ?? defaultFixtures();
  let tls: Promise<TlsFixtures> | undefined;
  const fixtures = () => (tls ??= loadTls(runtime, dir));
  let failures = 0;
  log(`# runtime contract on ${runtime.name} ${runtime.version}`);
  for (const [name, run] of CASES) {
    if (options.only && !options.only.some((o) => name.includes(o))) continue;
    const ctx = new Ctx(runtime);
    ctx.unix = options.unix;
    const started = runtime.now();
    try {
      await ctx.within(run(ctx, fixtures), 'the whole case', CASE_TIMEOUT_MS);
      log(`ok ${name} (${(runtime.now() - started).toFixed(0)} ms)`);
    } catch (error) {
      failures++;
      const reason = error instanceof Failure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`not ok ${name}: ${reason}`);
    } finally {
      await ctx.cleanup();
    }
  }
  log(failures === 0 ? '# all passed' : `# ${failures} failed`);
  return failures;
}
