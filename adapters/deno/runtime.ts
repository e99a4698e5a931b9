/**
 * Deno adapter: the runtime seam on Deno.listen / Deno.connect / Deno.startTls.
 *
 * Deno's connection API is promise based: each socket runs one read loop (`conn.read(buf)` into
 * a per-socket buffer, each read copied out so the chunk handed to onData belongs to the
 * receiver) and one write chain (`conn.write()` of the queue head, partial writes re-queued,
 * queued chunks merged into one write). The read loop never touches `conn.readable`: reading
 * that stream to EOF closes the whole resource and a later closeWrite() fails
 * (denoland/deno#22258). Verified facts for Deno 2.9.6 this file relies on (docs/runtimes.md):
 *  - conn.closeWrite() half-closes TCP and TLS connections; reading continues until EOF (null);
 *  - Deno.listenTls takes one certificate and its handshake info exposes only the ALPN
 *    protocol, not the SNI the client sent; node:tls (tls.createServer with SNICallback) works
 *    in Deno and reports `servername`, so TLS listeners use node:tls;
 *  - Deno.connectTls / Deno.startTls verify with rustls against the default roots plus
 *    `caCerts`; there is no per-connection "verify none" (only the process-wide
 *    --unsafely-ignore-certificate-errors flag), so `verify: false` connects through node:tls
 *    (rejectUnauthorized: false), while verified connections use Deno.connect + Deno.startTls
 *    so the SNI can differ from the address dialled (startTls sends `hostname` as SNI, none for
 *    an IP literal);
 *  - there is no synchronous socket write (the core's writeSync is NotSupported on TCP), so
 *    every write is an async op and bytes stay "buffered" until it completes.
 */
import { signalProcessNode, spawnProgramNode, spawnSelfWith, writeTextFileNode } from '../shared/node-spawn.ts';
import { setIdentityNode } from '../shared/node-identity.ts';
import { changeRootDeno } from './change-root.ts';
import { setFdLimitDeno } from './fd-limit.ts';
import { bindProcessToCpus, bindThreadToCpus } from './cpu-affinity.ts';
import { threadCpuMs } from './thread-cpu-time.ts';
import { readFile, readdir, stat } from 'node:fs/promises';
import type {
  SocketFeature,
  ConnectOptions,
  DatagramReceiver,
  DatagramSender,
  UnixDatagramSender,
  Listener,
  ListenOptions,
  Runtime,
  SignalName,
  Socket,
  SocketError,
  SocketHandler,
  TimerHandle,
  UnixListenOptions,
  TlsFeature,
  TlsInfo,
} from '../../src/runtime.ts';
import { isDefaultTlsSettings } from '../shared/node-tls-options.ts';
import { READ_SLAB_MAX_CHUNK, copyToReadSlab } from '../shared/read-slab.ts';
import { toSocketError } from '../shared/socket-errors.ts';
import { digestNode } from '../shared/node-digest.ts';
import { publicKeyNode } from '../shared/node-public-key.ts';
import { privateKeyNode } from '../shared/node-private-key.ts';
import { createZlibCompressorAnyLevel } from '../shared/zlib-compressor.ts';
import { lookupNode } from '../shared/node-dns.ts';
import { connectNode, listenInheritedNode, listenNode, listenUnixNode, unmapIPv4 } from '../shared/node-sockets.ts';
import { isAbstractSocket } from '../shared/unix-socket-file.ts';
import { refuseOcspStapling } from '../shared/ocsp-unsupported.ts';
import { parentWebWorker, startWebWorkerThread } from '../shared/web-worker-threads.ts';
import { loadServingBuiltins } from '../shared/node-builtins.ts';
import { collectGarbageNode } from '../shared/node-gc.ts';

/**
 * write() returns false once this many bytes are not yet confirmed written. Every Deno write is
 * asynchronous, so this counts the write in flight too: it is larger than Bun's 64 KiB so that a
 * proxy forwarding 64 KiB reads does not stall on every chunk.
 */
const HIGH_WATER_MARK = 128 * 1024;
/**
 * Small queued chunks are gathered into one write of up to this many bytes. Each Deno write
 * costs a turn of the event loop before the next can start, so writes are larger than Bun's.
 */
const GATHER_LIMIT = 256 * 1024;
/** A queued chunk this long is written on its own, never copied into a gather buffer. */
const WRITE_ALONE = 16 * 1024;
/** Gather buffers kept for reuse (per thread): 2 MiB at most. */
const GATHER_POOL = 8;
/**
 * Gather buffers free for another write. A Deno write is asynchronous, so each write in flight
 * owns its buffer until it completes; then the buffer serves again. Fresh buffers cost a page
 * fault per 4 KiB touched: 1 MiB HTTP/2 responses spent much of their CPU there.
 */
const freeGather: Uint8Array[] = [];
/**
 * The read buffer starts small and grows while reads fill it. Every connection, idle ones
 * included, holds its buffer in a pending conn.read() (Deno has no readiness API to wait
 * without one), so its size is paid per idle connection: with 16 KiB an idle keep-alive
 * connection cost 30.6 KiB RSS, with 2 KiB 10.1 KiB (10,000 connections, `npm run bench --
 * memory`). 2 KiB holds a typical request head (browsers send 0.5-2 KiB) in one read; larger
 * ones take a few reads while the buffer doubles.
 */
const READ_MIN = 2 * 1024;
const READ_MAX = 64 * 1024;

/** The chunk read into buf, copied out: the next read overwrites buf (see read-slab.ts). */
function copyOut(buf: Uint8Array, n: number): Uint8Array {
  return n > READ_SLAB_MAX_CHUNK ? buf.slice(0, n) : copyToReadSlab(buf, n);
}

const IGNORE: SocketHandler = {
  onData() {},
  onEnd() {},
  onDrain() {},
  onClose() {},
};



function netAddr(addr: Deno.Addr): Deno.NetAddr | undefined {
  return addr.transport === 'tcp' ? (addr as Deno.NetAddr) : undefined;
}

/** Errors raised while the TLS handshake runs are TLS failures unless they are plain I/O errors. */
function handshakeError(error: unknown): SocketError {
  const mapped = toSocketError(error);
  return mapped.code === 'OTHER' ? { code: 'TLS', message: mapped.message } : mapped;
}

class DenoSocket implements Socket {
  handler: SocketHandler;
  conn: Deno.Conn | undefined = undefined;
  tls: TlsInfo | undefined = undefined;

  #queue: Uint8Array[] = [];
  /** Bytes accepted by write() and not yet confirmed written (including the write in flight). */
  #queued = 0;
  #inflight: Uint8Array | undefined = undefined;
  /** The pooled buffer the write in flight reads from, if it gathered chunks. */
  #gather: Uint8Array | undefined = undefined;
  #needDrain = false;
  #ending = false;
  #shutdownStarted = false;
  #shutdownDone = false;
  #peerEnded = false;
  #paused = false;
  #resumeWaiter: (() => void) | undefined = undefined;
  #established: boolean;
  #closed = false;
  #abort: AbortController | undefined = undefined;

  #remoteAddress = '';
  #remotePort = 0;
  #localAddress = '';
  #localPort = 0;

  // Bound once per socket, so the write path allocates no closure per chunk.
  readonly #onWritten = (written: number): void => this.#writeDone(written);
  readonly #onShutdown = (): void => this.#shutdownComplete();
  readonly #onIoError = (error: unknown): void => this.#fail(toSocketError(error));

  constructor(handler: SocketHandler, established: boolean) {
    this.handler = handler;
    this.#established = established;
  }

  /** Accepted connection: record addresses and start reading (after onConnection ran). */
  attach(conn: Deno.Conn): void {
    this.conn = conn;
    const remote = netAddr(conn.remoteAddr);
    const local = netAddr(conn.localAddr);
    if (remote) {
      this.#remoteAddress = unmapIPv4(remote.hostname);
      this.#remotePort = remote.port;
    }
    if (local) {
      this.#localAddress = unmapIPv4(local.hostname);
      this.#localPort = local.port;
    }
  }

  start(): void {
    void this.#readLoop();
  }

  async connect(options: ConnectOptions): Promise<void> {
    const t = options.tls;
    let conn: Deno.Conn | undefined;
    try {
      this.#abort = new AbortController();
      const tcp = await Deno.connect({ hostname: options.host, port: options.port, signal: this.#abort.signal });
      this.#abort = undefined;
      conn = tcp;
      if (this.#closed) {
        tcp.close();
        return;
      }
      if (options.noDelay !== false) tcp.setNoDelay(true);
      this.attach(tcp);
      if (t) {
        const tlsConn = await Deno.startTls(tcp, {
          hostname: t.servername ?? t.checkName ?? options.host,
          ...(t.caPem !== undefined ? { caCerts: [t.caPem] } : {}),
          ...(t.alpn?.length ? { alpnProtocols: [...t.alpn] } : {}),
        });
        conn = tlsConn;
        this.conn = tlsConn;
        if (this.#closed) {
          tlsConn.close();
          return;
        }
        let info: Deno.TlsHandshakeInfo;
        try {
          info = await tlsConn.handshake();
        } catch (error) {
          if (!this.#closed) this.#finish(handshakeError(error));
          return;
        }
        if (this.#closed) return;
        this.tls = { sni: t.servername, alpn: info.alpnProtocol ?? undefined, protocol: undefined };
      }
    } catch (error) {
      this.#abort = undefined;
      if (this.#closed) return;
      this.#closed = true;
      try {
        conn?.close();
      } catch {
        // already closed
      }
      this.handler.onClose(this, t && conn !== undefined ? handshakeError(error) : toSocketError(error));
      return;
    }
    this.#established = true;
    this.start();
    if (this.#queue.length > 0) this.#writeNext();
    else if (this.#ending) this.#shutdown();
    this.handler.onConnect?.(this);
  }

  // ---- Socket -------------------------------------------------------------------------------

  setHandler(handler: SocketHandler): void {
    this.handler = handler;
  }

  write(chunk: Uint8Array): boolean {
    if (this.#closed || this.#ending) return false;
    this.#queued += chunk.length;
    if (this.#inflight === undefined && this.#established) this.#startWrite(chunk);
    else this.#queue.push(chunk);
    if (this.#queued < HIGH_WATER_MARK) return true;
    this.#needDrain = true;
    return false;
  }

  /** The chunks join the queue; small ones leave together through a pooled gather buffer. */
  writeGathered(chunks: readonly Uint8Array[]): boolean {
    if (this.#closed || this.#ending) return false;
    const queue = this.#queue;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i] as Uint8Array;
      queue.push(chunk);
      this.#queued += chunk.length;
    }
    if (this.#inflight === undefined && this.#established && queue.length > 0) this.#writeNext();
    if (this.#queued < HIGH_WATER_MARK) return true;
    this.#needDrain = true;
    return false;
  }

  end(): void {
    if (this.#ending || this.#closed) return;
    this.#ending = true;
    if (this.#established && this.#inflight === undefined && this.#queue.length === 0) this.#shutdown();
  }

  /** Deno.Conn has no SO_LINGER: the connection closes with a FIN (or an RST from the kernel if unread data remains). */
  reset(): void {
    this.destroy();
  }

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#queued = 0;
    this.#abort?.abort();
    try {
      this.conn?.close();
    } catch {
      // already closed
    }
    this.#wake();
    // Asynchronous, as Node does, so destroy() never re-enters the caller.
    queueMicrotask(() => this.handler.onClose(this, undefined));
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#wake();
  }

  setNoDelay(enabled: boolean): void {
    const conn = this.conn as Deno.TcpConn | undefined;
    if (conn && typeof conn.setNoDelay === 'function' && !this.#closed) conn.setNoDelay(enabled);
  }

  setKeepAlive(enabled: boolean, _initialDelayMs?: number): void {
    // Deno exposes SO_KEEPALIVE only, not the idle delay.
    const conn = this.conn as Deno.TcpConn | undefined;
    if (conn && typeof conn.setKeepAlive === 'function' && !this.#closed) conn.setKeepAlive(enabled);
  }

  get bufferedAmount(): number {
    return this.#queued;
  }
  get remoteAddress(): string {
    return this.#remoteAddress;
  }
  get remotePort(): number {
    return this.#remotePort;
  }
  get localAddress(): string {
    return this.#localAddress;
  }
  get localPort(): number {
    return this.#localPort;
  }

  // ---- reading ------------------------------------------------------------------------------

  #wake(): void {
    const waiter = this.#resumeWaiter;
    if (waiter !== undefined) {
      this.#resumeWaiter = undefined;
      waiter();
    }
  }

  #waitResume(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#resumeWaiter = resolve;
    });
  }

  async #readLoop(): Promise<void> {
    const conn = this.conn as Deno.Conn;
    let buf = new Uint8Array(READ_MIN);
    try {
      for (;;) {
        if (this.#paused) await this.#waitResume();
        if (this.#closed) return;
        const n = await conn.read(buf);
        if (this.#closed) return;
        if (n === null) break;
        if (n === 0) continue;
        const chunk = copyOut(buf, n);
        if (n === buf.length) {
          if (buf.length < READ_MAX) buf = new Uint8Array(buf.length * 2);
        } else if (buf.length > READ_MIN && n < buf.length >> 3) {
          buf = new Uint8Array(buf.length >> 1);
        }
        // pause() while the read was pending: hold the chunk until resume().
        while (this.#paused) {
          await this.#waitResume();
          if (this.#closed) return;
        }
        this.handler.onData(this, chunk);
        if (this.#closed) return;
      }
      // EOF: the peer finished its direction (held back while paused, like data).
      while (this.#paused) {
        await this.#waitResume();
        if (this.#closed) return;
      }
      this.#peerEnded = true;
      this.handler.onEnd(this);
      if (this.#shutdownDone && !this.#closed) this.#finish(undefined);
    } catch (error) {
      // A read failure (reset, ...) or an exception thrown by the handler: the socket is unusable.
      if (!this.#closed) this.#fail(toSocketError(error));
    }
  }

  // ---- writing ------------------------------------------------------------------------------

  #startWrite(chunk: Uint8Array): void {
    this.#inflight = chunk;
    (this.conn as Deno.Conn).write(chunk).then(this.#onWritten, this.#onIoError);
  }

  #writeNext(): void {
    const queue = this.#queue;
    const head = queue[0] as Uint8Array;
    if (queue.length === 1 || head.length >= WRITE_ALONE) {
      queue.shift();
      this.#startWrite(head);
      return;
    }
    const gather = freeGather.pop() ?? new Uint8Array(GATHER_LIMIT);
    let count = 0;
    let size = 0;
    while (count < queue.length) {
      const part = queue[count] as Uint8Array;
      if (size + part.length > GATHER_LIMIT) break;
      gather.set(part, size);
      size += part.length;
      count++;
    }
    queue.splice(0, count);
    this.#gather = gather;
    this.#startWrite(gather.subarray(0, size));
  }

  #writeDone(written: number): void {
    if (this.#closed) return;
    const chunk = this.#inflight as Uint8Array;
    this.#queued -= written;
    if (written < chunk.length) {
      this.#startWrite(chunk.subarray(written));
      return;
    }
    this.#inflight = undefined;
    const gather = this.#gather;
    if (gather !== undefined) {
      this.#gather = undefined;
      if (freeGather.length < GATHER_POOL) freeGather.push(gather);
    }
    if (this.#queue.length > 0) {
      this.#writeNext();
      return;
    }
    if (this.#needDrain) {
      this.#needDrain = false;
      this.handler.onDrain(this);
      if (this.#inflight !== undefined || this.#queue.length > 0 || this.#closed) return;
    }
    if (this.#ending) this.#shutdown();
  }

  #shutdown(): void {
    if (this.#shutdownStarted) return;
    this.#shutdownStarted = true;
    (this.conn as Deno.Conn).closeWrite().then(this.#onShutdown, this.#onIoError);
  }

  #shutdownComplete(): void {
    this.#shutdownDone = true;
    if (!this.#closed) this.handler.onFinished?.(this);
    // Both directions finished: close, as Node's allowHalfOpen sockets do.
    if (this.#peerEnded && !this.#closed) this.#finish(undefined);
  }

  // ---- closing ------------------------------------------------------------------------------

  #fail(error: SocketError): void {
    this.#finish(error);
  }

  #finish(error: SocketError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#queued = 0;
    try {
      this.conn?.close();
    } catch {
      // already closed
    }
    this.#wake();
    this.handler.onClose(this, error);
  }
}

class DenoListener implements Listener {
  readonly host: string;
  readonly port: number;
  readonly #raw: Deno.Listener;
  readonly #stopped: Promise<void>;
  #closed = false;

  constructor(raw: Deno.Listener, host: string, onConnection: (socket: Socket) => void) {
    this.#raw = raw;
    this.host = host;
    this.port = netAddr(raw.addr)?.port ?? 0;
    this.#stopped = this.#acceptLoop(onConnection);
  }

  async #acceptLoop(onConnection: (socket: Socket) => void): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await this.#raw.accept();
      } catch (error) {
        if (this.#closed || error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) return;
        // e.g. EMFILE: back off briefly instead of spinning.
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      const socket = new DenoSocket(IGNORE, true);
      socket.attach(conn);
      onConnection(socket);
      socket.start();
    }
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#raw.close();
      } catch {
        // already closed
      }
    }
    // The socket is only released once the pending accept() has been cancelled: a connect
    // issued in the same tick as close() would still be accepted by the kernel, then reset.
    return this.#stopped;
  }
}

function listen(options: ListenOptions, onConnection: (socket: Socket) => void): Promise<Listener> {
  refuseOcspStapling(options.tls, 'Deno');
  if (options.tls) return listenNode(options, onConnection);
  try {
    const raw = Deno.listen({
      hostname: options.host,
      port: options.port,
      transport: 'tcp',
      ...(options.reusePort ? { reusePort: true } : {}),
      ...(options.backlog !== undefined ? { tcpBacklog: options.backlog } : {}),
    });
    return Promise.resolve(new DenoListener(raw, options.host, onConnection));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A UNIX stream socket on Deno.listen, put in place as HAProxy does: bound on PATH.PID.tmp,
 * mode applied, renamed over PATH (adapters/shared/unix-socket-file.ts explains why).
 */
function listenUnix(options: UnixListenOptions, onConnection: (socket: Socket) => void): Promise<Listener> {
  refuseOcspStapling(options.tls, 'Deno');
  // TLS on a UNIX socket through node:tls (Deno.listenTls has no unix transport).
  if (options.tls !== undefined) return listenUnixNode(options, onConnection);
  if (isAbstractSocket(options.path)) {
    try {
      const raw = Deno.listen({ transport: 'unix', path: options.path });
      return Promise.resolve(new DenoListener(raw as unknown as Deno.Listener, options.path, onConnection));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  const tmp = `${options.path}.${Deno.pid}.tmp`;
  try {
    try {
      Deno.removeSync(tmp);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const raw = Deno.listen({ transport: 'unix', path: tmp });
    try {
      if (options.uid !== undefined || options.gid !== undefined) Deno.chownSync(tmp, options.uid ?? null, options.gid ?? null);
      if (options.mode !== undefined) Deno.chmodSync(tmp, options.mode);
      Deno.renameSync(tmp, options.path);
    } catch (error) {
      raw.close();
      try {
        Deno.removeSync(tmp);
      } catch {
        // already gone
      }
      throw error;
    }
    // Deno.listen has no backlog option for UNIX sockets: the kernel's default (somaxconn) applies.
    return Promise.resolve(new DenoListener(raw as unknown as Deno.Listener, options.path, onConnection));
  } catch (error) {
    return Promise.reject(error);
  }
}

// ---- node:tls (TLS listeners, verify-none connections) ------------------------------------------

function connect(options: ConnectOptions, handler: SocketHandler): Socket {
  const t = options.tls;
  // Deno.startTls has no version limits, client certificates or verifyhost; node:tls has them
  // (and sends a clear preface before its handshake).
  // UNIX sockets through node:net (Deno.connect's unix transport has no startTls); so is a
  // `source` binding (Deno.connect takes no local address, Deno's node:net localAddress does).
  if (options.path !== undefined || options.localAddress !== undefined || (t && (!t.verify || !isDefaultTlsSettings(t.settings) || t.certificate !== undefined || t.verifyHost !== undefined || t.crlPem !== undefined || t.preface !== undefined))) {
    return connectNode(options, handler);
  }
  const socket = new DenoSocket(handler, false);
  void socket.connect(options);
  return socket;
}

// ---- the rest of the host -------------------------------------------------------------------

const encoder = new TextEncoder();

function writeAllSync(target: { writeSync(p: Uint8Array): number }, data: string | Uint8Array): void {
  let bytes = typeof data === 'string' ? encoder.encode(data) : data;
  while (bytes.length > 0) bytes = bytes.subarray(target.writeSync(bytes));
}

/**
 * Deno's node:tls (rustls underneath) ignores cipher lists, TLSv1.3 suites and curves, on both
 * sides, and does not verify client certificates against a `ca` (measured on Deno 2.9.6:
 * valid ones fail with UNABLE_TO_VERIFY_LEAF_SIGNATURE), nor server certificates against a
 * `crl` (a revoked one connects), and ignores ticket keys (`ticketKeys`, setTicketKeys(): a
 * ticket resumes only on the listener that issued it). See docs/runtimes.md.
 */
const TLS_UNSUPPORTED: ReadonlySet<TlsFeature> = new Set<TlsFeature>([
  'ciphers',
  'dh-params',
  'ciphersuites',
  'curves',
  'client-certificates',
  'server-ciphers',
  'server-ciphersuites',
  'server-curves',
  'server-crl-file',
  'tls-ticket-keys',
  'tls-ticket-keys-aes256',
]);

/**
 * Deno.TcpConn.setKeepAlive toggles SO_KEEPALIVE only (no idle delay, interval or count), and
 * Deno.Conn has no abortive close (reset() closes with a FIN): see docs/runtimes.md.
 */
const SOCKET_UNSUPPORTED: ReadonlySet<SocketFeature> = new Set<SocketFeature>(['keepalive-idle', 'keepalive-interval', 'keepalive-count', 'abortive-close']);

export const denoRuntime: Runtime = {
  // A configuration check never loads them (adapters/shared/node-builtins.ts); serving does, at once.
  prepareToServe: loadServingBuiltins,
  collectGarbage: collectGarbageNode,
  name: 'deno',
  version: Deno.version.deno,
  tlsUnsupported: TLS_UNSUPPORTED,
  socketUnsupported: SOCKET_UNSUPPORTED,
  // node:tls on Deno is rustls: no OpenSSL version to compare.
  tlsLibrary: { name: 'rustls', opensslVersion: undefined },
  listen,
  listenUnix,
  listenInherited: listenInheritedNode,
  connect,
  openDatagramSocket: openDatagramSocketDeno,
  bindDatagramSocket: async (host, port, receiver) => bindDatagramSocketDeno(host, port, receiver),
  openUnixDatagramSender: openUnixDatagramSenderDeno,
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  afterIo: (callback) => void setImmediate(callback),
  clearTimer: (handle: TimerHandle) => clearTimeout(handle as number),
  now: () => performance.now(),
  wallClock: () => Date.now(),
  loopBusyTime: threadCpuMs,
  // node:dns (getaddrinfo) rather than Deno.resolveDns, which asks DNS servers only.
  lookup: lookupNode,
  // node:fs/promises rather than Deno.readTextFile: its error messages ("ENOENT: no such file
  // or directory, open '...'") match Node's and Bun's, and configuration errors quote them.
  readTextFile: (path) => readFile(path, 'utf8'),
  digest: digestNode,
  publicKey: publicKeyNode,
  privateKey: privateKeyNode,
  createCompressor: createZlibCompressorAnyLevel,
  readFile: async (path) => new Uint8Array(await readFile(path)),
  readDir: (path) => readdir(path),
  isDirectory: async (path) => (await stat(path)).isDirectory(),
  onSignal(signal: SignalName, listener: () => void) {
    Deno.addSignalListener(signal, listener);
    return () => {
      Deno.removeSignalListener(signal, listener);
    };
  },
  env: (name) => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined; // no --allow-env
    }
  },
  pid: Deno.pid,
  // Deno.listen({ reusePort }) is honoured on Linux only.
  listenerHandover: Deno.build.os === 'linux' ? 'reuse-port' : undefined,
  hostname: denoHostname(),
  writeStdout: (data) => writeAllSync(Deno.stdout, data),
  writeStderr: (data) => writeAllSync(Deno.stderr, data),
  exit: (code) => Deno.exit(code),
  // deno run -A with the package's deno.json (its unstable features) and the entry module.
  spawnProgram: spawnProgramNode,
  // (A worker has no main module: only the main thread spawns.)
  ...(Deno.mainModule === undefined ? {} : { spawnSelf: spawnSelfWith(Deno.execPath(), ['run', '-A', `--config=${new URL('../../deno.json', import.meta.url).pathname}`, new URL(Deno.mainModule).pathname]) }),
  writeTextFile: writeTextFileNode,
  setIdentity: setIdentityNode,
  changeRoot: changeRootDeno,
  setFdLimit: setFdLimitDeno,
  bindProcessToCpus,
  bindThreadToCpus,
  signalProcess: signalProcessNode,
  // Deno.listen sets SO_REUSEPORT on Linux only (its handover above): threads need it.
  ...(Deno.build.os === 'linux' ? { startThread: () => startWebWorkerThread(Deno.mainModule) } : {}),
  // A Deno worker's global scope is a WorkerGlobalScope.
  parentThread: parentWebWorker('WorkerGlobalScope' in globalThis && globalThis instanceof (globalThis as unknown as { WorkerGlobalScope: new () => object }).WorkerGlobalScope),
};

/** Datagrams waiting for the socket past which more are dropped (DroppedLogs for UNIX sockets). */
const DATAGRAM_QUEUE_MAX = 256;

/**
 * Deno's datagram sends are asynchronous, and two in flight may leave in either order (a
 * syslog receiver then reads "backend has no server available" before the "Server is DOWN"
 * logged just ahead of it) or, on 'unixpacket', fail: they go one at a time, from a queue.
 * Past DATAGRAM_QUEUE_MAX waiting datagrams (a receiver whose queue is full holds the pending
 * send) more are dropped rather than queued without end; push() answers false then.
 */
class DatagramQueue<T> {
  readonly #items: T[] = [];
  #sending = false;
  readonly #sendOne: (item: T) => Promise<unknown>;
  readonly #next = (): void => {
    const item = this.#items.shift();
    if (item === undefined) {
      this.#sending = false;
      return;
    }
    this.#sendOne(item).then(this.#next, this.#next);
  };

  constructor(sendOne: (item: T) => Promise<unknown>) {
    this.#sendOne = sendOne;
  }

  push(item: T): boolean {
    if (this.#items.length >= DATAGRAM_QUEUE_MAX) return false;
    this.#items.push(item);
    if (!this.#sending) {
      this.#sending = true;
      this.#next();
    }
    return true;
  }

  clear(): void {
    this.#items.length = 0;
  }
}

/**
 * Deno.listenDatagram's 'unixpacket' transport (unstable `net`) is a UNIX datagram socket, but
 * only a bound one. On Linux it is bound to a random name in the abstract namespace, which
 * vanishes with the socket, even when the process is killed, and which a `chroot` does not
 * hide; elsewhere to a name in a private temporary directory, removed on close (left behind if
 * the process is killed). Its sends go one at a time (DatagramQueue).
 */
function openUnixDatagramSenderDeno(): UnixDatagramSender {
  let conn: Deno.DatagramConn | undefined;
  let dir: string | undefined;
  try {
    if (Deno.build.os === 'linux') {
      conn = Deno.listenDatagram({ transport: 'unixpacket', path: `\0switchyard-log-${Deno.pid}-${crypto.randomUUID()}` });
    } else {
      dir = Deno.makeTempDirSync({ prefix: 'switchyard-log-' });
      conn = Deno.listenDatagram({ transport: 'unixpacket', path: `${dir}/s` });
    }
  } catch {
    // No permission or no unstable `net`: nothing can be sent.
  }
  const queue = new DatagramQueue<[Uint8Array, string]>((item) =>
    conn === undefined ? Promise.resolve() : conn.send(item[0], { transport: 'unixpacket', path: item[1] }),
  );
  return {
    send(bytes, path) {
      if (conn === undefined) return true;
      return queue.push([bytes, path]);
    },
    close() {
      queue.clear();
      conn?.close();
      conn = undefined;
      if (dir !== undefined) {
        try {
          Deno.removeSync(dir, { recursive: true });
        } catch {
          // Already gone.
        }
        dir = undefined;
      }
    },
  };
}

/** Deno.hostname() needs `--allow-sys=hostname`; without it the name is simply unknown. */
function denoHostname(): string | undefined {
  try {
    return Deno.hostname();
  } catch {
    return undefined;
  }
}

/**
 * Deno.listenDatagram (unstable `net`, enabled in deno.json) on an ephemeral port; given a
 * receiver, a receive loop that ends when the socket closes.
 */
function openDatagramSocketDeno(family: 4 | 6, receiver?: DatagramReceiver): DatagramSender {
  return bindDatagramSocketDeno(family === 6 ? '::' : '0.0.0.0', 0, receiver);
}

/** Deno.listenDatagram on `host`:`port` (port 0: ephemeral); throws when it cannot be bound. */
function bindDatagramSocketDeno(host: string, port: number, receiver?: DatagramReceiver): DatagramSender {
  const conn = Deno.listenDatagram({ transport: 'udp', hostname: host, port, ...(port !== 0 ? { reuseAddress: true } : {}) });
  let closed = false;
  if (receiver !== undefined) (async () => {
    while (!closed) {
      const [bytes, from] = await conn.receive();
      if (!closed && from.transport === 'udp') receiver.onDatagram(bytes, unmapIPv4(from.hostname), from.port);
    }
  })().catch(() => undefined);
  const queue = new DatagramQueue<[Uint8Array, string, number]>((item) =>
    closed ? Promise.resolve() : conn.send(item[0], { transport: 'udp', hostname: item[1], port: item[2] }),
  );
  return {
    send(bytes, address, port) {
      if (!closed) queue.push([bytes, address, port]);
    },
    close() {
      if (closed) return;
      closed = true;
      queue.clear();
      conn.close();
    },
  };
}
