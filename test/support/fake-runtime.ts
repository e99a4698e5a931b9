/**
 * An in-memory Runtime with a manual clock, for deterministic unit tests of the core: sockets
 * are pairs of FakeSockets, timers fire only when the test advances time, and addresses can be
 * made to refuse or black-hole connections.
 */
import { createHash } from 'node:crypto';
import type {
  ConnectOptions,
  DatagramReceiver,
  DatagramSender,
  UnixDatagramSender,
  DigestAlgorithm,
  Listener,
  ListenOptions,
  UnixListenOptions,
  Runtime,
  Socket,
  SocketError,
  SocketHandler,
  TimerHandle,
  TlsInfo,
} from '../../src/runtime.ts';

const NOOP: SocketHandler = { onData() {}, onEnd() {}, onDrain() {}, onClose() {} };
const HIGH_WATER = 64 * 1024;

export class FakeSocket implements Socket {
  handler: SocketHandler;
  peer: FakeSocket | undefined;
  readonly #rt: FakeRuntime;
  /** Data written to us, waiting because we are paused. */
  #inbox: Uint8Array[] = [];
  #inboxBytes = 0;
  #paused = false;
  /** An outbound socket whose connect has not completed: bytes wait, as in the kernel, until onConnect. */
  connecting = false;
  #peerEnded = false;
  #ended = false;
  closed = false;
  /** Our writes are blocked on the peer: emit onDrain when it flushes. */
  needDrain = false;
  received: Uint8Array[] = [];
  tls: TlsInfo | undefined;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress = '127.0.0.1';
  readonly localPort: number;

  constructor(rt: FakeRuntime, handler: SocketHandler, remotePort: number, localPort: number, remoteAddress = '127.0.0.1') {
    this.#rt = rt;
    this.handler = handler;
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
    this.localPort = localPort;
  }

  setHandler(handler: SocketHandler): void {
    this.handler = handler;
  }
  get paused(): boolean {
    return this.#paused;
  }
  get ended(): boolean {
    return this.#ended;
  }
  /** The other side sent its FIN (or we are closed): what a client sees as "the proxy closed". */
  get peerEnded(): boolean {
    return this.#peerEnded || this.closed;
  }
  write(chunk: Uint8Array): boolean {
    if (this.closed || this.#ended) return false;
    const peer = this.peer;
    if (peer === undefined) return false;
    if (this.#holdUnderNagle(chunk)) return true;
    peer.#deliver(chunk);
    if (peer.#inboxBytes >= HIGH_WATER) {
      this.needDrain = true;
      return false;
    }
    return true;
  }
  #deliver(chunk: Uint8Array): void {
    if (this.closed) return;
    if (this.#paused || this.connecting || this.#inbox.length > 0) {
      this.#inbox.push(chunk);
      this.#inboxBytes += chunk.byteLength;
      return;
    }
    this.received.push(chunk);
    this.handler.onData(this, chunk);
  }
  end(): void {
    if (this.#ended || this.closed) return;
    this.#ended = true;
    const peer = this.peer;
    this.#rt.defer(() => {
      if (peer && !peer.closed) peer.#peerEndArrived();
      this.#maybeClose();
    });
  }
  #peerEndArrived(): void {
    this.#peerEnded = true;
    if (this.#inbox.length === 0) this.handler.onEnd(this);
    this.#maybeClose();
  }
  #maybeClose(): void {
    if (this.#ended && this.#peerEnded && this.#inbox.length === 0) this.#close(undefined);
  }
  destroy(): void {
    if (this.closed) return;
    const peer = this.peer;
    this.#close(undefined);
    if (peer && !peer.closed) this.#rt.defer(() => peer.#close({ code: 'ECONNRESET', message: 'reset by peer' }));
  }
  /** Set once reset() (abortive close) was called. */
  wasReset = false;
  reset(): void {
    this.wasReset = true;
    this.destroy();
  }
  /** Closes with an error, as a failed connect or reset does. */
  fail(error: SocketError): void {
    this.#close(error);
  }
  #close(error: SocketError | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.#inbox = [];
    this.#inboxBytes = 0;
    this.#rt.openSockets.delete(this);
    this.handler.onClose(this, error);
  }
  pause(): void {
    this.#paused = true;
  }
  /** The connect completed: what the server already sent is delivered now (after onConnect). */
  connected(): void {
    this.connecting = false;
    if (!this.#paused) {
      this.#paused = true;
      this.resume();
    }
  }
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    while (this.#inbox.length > 0 && !this.#paused && !this.closed) {
      const chunk = this.#inbox.shift() as Uint8Array;
      this.#inboxBytes -= chunk.byteLength;
      this.received.push(chunk);
      this.handler.onData(this, chunk);
    }
    const peer = this.peer;
    if (this.#inbox.length === 0) {
      if (peer?.needDrain && !peer.closed) {
        peer.needDrain = false;
        peer.handler.onDrain(peer);
      }
      if (this.#peerEnded) {
        this.handler.onEnd(this);
        this.#maybeClose();
      }
    }
  }
  /** TCP_NODELAY: set by setNoDelay, or by connect() unless its options say `noDelay: false` (as the adapters). */
  noDelay = false;
  setNoDelay(enabled: boolean): void {
    this.noDelay = enabled;
  }
  /** Nagle (FakeRuntime.nagleDelayMs): data sent and not yet acknowledged, and the writes held back meanwhile. */
  #unacknowledged = false;
  #held: Uint8Array[] = [];
  /**
   * Nagle's algorithm, when the runtime models it and TCP_NODELAY is off: a write while earlier
   * data is unacknowledged is held until the peer's delayed ACK (nagleDelayMs later), then
   * sent with whatever else was held.
   */
  #holdUnderNagle(chunk: Uint8Array): boolean {
    const delay = this.#rt.nagleDelayMs;
    if (delay === undefined || this.noDelay) return false;
    if (this.#unacknowledged) {
      this.#held.push(chunk);
      return true;
    }
    this.#unacknowledged = true;
    const acknowledged = (): void => {
      this.#unacknowledged = false;
      if (this.#held.length === 0 || this.closed) return;
      const held = Buffer.concat(this.#held);
      this.#held = [];
      this.#unacknowledged = true;
      const peer = this.peer;
      if (peer !== undefined) peer.#deliver(new Uint8Array(held));
      this.#rt.setTimer(acknowledged, delay);
    };
    this.#rt.setTimer(acknowledged, delay);
    return false;
  }
  setKeepAlive(): void {}
  get bufferedAmount(): number {
    const peer = this.peer;
    return peer === undefined ? 0 : peer.#inboxBytes;
  }
  /** Everything received so far, as text. */
  text(): string {
    return new TextDecoder().decode(Buffer.concat(this.received));
  }
}

interface FakeTimer {
  id: number;
  due: number;
  callback: () => void;
}

export class FakeRuntime implements Runtime {
  readonly name = 'test' as const;
  readonly version = '0';
  readonly pid = 4242;
  clock = 1000;
  wall = Date.UTC(2026, 10, 24, 8, 0, 0);
  readonly listeners = new Map<string, (socket: Socket) => void>();
  /** The options of every listen() call, in order. */
  readonly listenCalls: ListenOptions[] = [];
  /** Addresses whose connection attempts never complete (for connect timeouts). */
  readonly blackholes = new Set<string>();
  readonly openSockets = new Set<FakeSocket>();
  /**
   * Models Nagle's algorithm on sockets without TCP_NODELAY: the peer's delayed ACK comes this
   * many ms after data it receives; undefined (the default): every write is delivered at once.
   */
  nagleDelayMs: number | undefined = undefined;
  /**
   * What lookup() knows, name -> addresses in resolver order (`localhost` as /etc/hosts has it);
   * any other name fails as getaddrinfo's ENOTFOUND.
   */
  readonly hosts = new Map<string, string[]>([['localhost', ['127.0.0.1']]]);
  /** Every lookup() made, as `name` or `name/family`. */
  readonly lookups: string[] = [];
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  connectAttempts: string[] = [];
  #timers: FakeTimer[] = [];
  #nextTimer = 1;
  #nextPort = 40000;
  #deferred: (() => void)[] = [];

  /** Queues work to run on the next flush() (stands in for the event loop's next turn). */
  defer(fn: () => void): void {
    this.#deferred.push(fn);
  }

  /** Runs deferred work until nothing is left. */
  flush(): void {
    for (let guard = 0; this.#deferred.length > 0; guard++) {
      if (guard > 100_000) throw new Error('fake runtime: deferred work does not settle');
      (this.#deferred.shift() as () => void)();
    }
  }

  /** Advances the clock, firing due timers in order, flushing deferred work between them. */
  advance(ms: number): void {
    const target = this.clock + ms;
    this.flush();
    for (;;) {
      this.#timers.sort((a, b) => a.due - b.due || a.id - b.id);
      const next = this.#timers[0];
      if (next === undefined || next.due > target) break;
      this.#timers.shift();
      this.clock = Math.max(this.clock, next.due);
      next.callback();
      this.flush();
    }
    this.clock = target;
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  listen(options: ListenOptions, onConnection: (socket: Socket) => void): Promise<Listener> {
    this.listenCalls.push(options);
    const port = options.port === 0 ? this.#nextPort++ : options.port;
    const key = `${options.host}:${port}`;
    if (this.listeners.has(key)) return Promise.reject(new Error(`address in use: ${key}`));
    this.listeners.set(key, onConnection);
    return Promise.resolve({
      host: options.host,
      port,
      close: () => {
        this.listeners.delete(key);
        return Promise.resolve();
      },
    });
  }

  /** A UNIX socket listener, registered under `unix:PATH` (dial('unix:PATH', 0) reaches it). */
  listenUnix(options: UnixListenOptions, onConnection: (socket: Socket) => void): Promise<Listener> {
    const key = `unix:${options.path}:0`;
    this.listeners.set(key, onConnection);
    return Promise.resolve({
      host: options.path,
      port: 0,
      close: () => {
        this.listeners.delete(key);
        return Promise.resolve();
      },
    });
  }

  /**
   * A client connecting to one of the proxy's listeners; returns the client's end. The proxy
   * sees the client as `clientAddress` (to tell clients apart, e.g. for `stick on src`).
   */
  dial(host: string, port: number, handler: SocketHandler = NOOP, clientAddress = '127.0.0.1'): FakeSocket {
    const accept = this.listeners.get(`${host}:${port}`);
    if (accept === undefined) throw new Error(`nothing listens on ${host}:${port}`);
    const clientPort = this.#nextPort++;
    const client = new FakeSocket(this, handler, port, clientPort);
    const server = new FakeSocket(this, NOOP, clientPort, port, clientAddress);
    client.peer = server;
    server.peer = client;
    this.openSockets.add(client);
    this.openSockets.add(server);
    accept(server);
    this.flush();
    return client;
  }

  connect(options: ConnectOptions, handler: SocketHandler): Socket {
    const key = `${options.host}:${options.port}`;
    this.connectAttempts.push(key);
    const local = this.#nextPort++;
    const socket = new FakeSocket(this, handler, options.port, local);
    socket.noDelay = options.noDelay !== false;
    this.openSockets.add(socket);
    if (this.blackholes.has(key)) return socket;
    this.defer(() => {
      if (socket.closed) return;
      const accept = this.listeners.get(key);
      if (accept === undefined) return socket.fail({ code: 'ECONNREFUSED', message: `connect ECONNREFUSED ${key}` });
      const remote = new FakeSocket(this, NOOP, local, options.port);
      socket.peer = remote;
      remote.peer = socket;
      this.openSockets.add(remote);
      socket.connecting = true;
      accept(remote);
      socket.handler.onConnect?.(socket);
      socket.connected();
    });
    return socket;
  }

  /** Datagrams sent through send-only datagram sockets (syslog), in order. */
  readonly datagrams: Array<{ family: 4 | 6; address: string; port: number; text: string }> = [];
  /** Send-only datagram sockets opened and not closed. */
  openDatagrams = 0;
  /** Sockets opened with a receiver (the resolvers'): what each sent, and its receiver to answer. */
  readonly udpSockets: FakeUdpSocket[] = [];

  openDatagramSocket(family: 4 | 6, receiver?: DatagramReceiver): DatagramSender {
    if (receiver === undefined) return this.#sendOnlyDatagrams(family);
    const socket: FakeUdpSocket = { family, receiver, sent: [], closed: false };
    this.udpSockets.push(socket);
    return {
      send: (bytes, address, port) => {
        if (!socket.closed) socket.sent.push({ bytes: bytes.slice(), address, port });
      },
      close: () => {
        socket.closed = true;
      },
    };
  }

  /** Sockets bound by bindDatagramSocket (log-forward's dgram-bind), by "host:port". */
  readonly boundDatagrams = new Map<string, DatagramReceiver>();

  bindDatagramSocket(host: string, port: number, receiver: DatagramReceiver): Promise<DatagramSender> {
    const key = `${host}:${port}`;
    if (this.boundDatagrams.has(key)) return Promise.reject(new Error(`bind EADDRINUSE ${key}`));
    this.boundDatagrams.set(key, receiver);
    return Promise.resolve({
      send: () => undefined,
      close: () => {
        this.boundDatagrams.delete(key);
      },
    });
  }

  #sendOnlyDatagrams(family: 4 | 6): DatagramSender {
    this.openDatagrams++;
    let closed = false;
    return {
      send: (bytes, address, port) => {
        if (!closed) this.datagrams.push({ family, address, port, text: new TextDecoder().decode(bytes) });
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.openDatagrams--;
      },
    };
  }

  /** What UNIX datagram senders sent: [path, text]. */
  readonly unixDatagrams: Array<[string, string]> = [];
  /** UNIX datagram senders opened and not closed. */
  openUnixDatagrams = 0;
  /** How many more UNIX datagrams the receivers take before their queue is full (send() answers false). */
  unixDatagramRoom = Infinity;

  openUnixDatagramSender(): UnixDatagramSender {
    this.openUnixDatagrams++;
    let closed = false;
    return {
      send: (bytes, path) => {
        if (closed) return true;
        if (this.unixDatagramRoom <= 0) return false;
        this.unixDatagramRoom--;
        this.unixDatagrams.push([path, new TextDecoder().decode(bytes)]);
        return true;
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.openUnixDatagrams--;
      },
    };
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.#nextTimer++, due: this.clock + delayMs, callback };
    this.#timers.push(timer);
    return timer.id;
  }
  clearTimer(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }
  now(): number {
    return this.clock;
  }
  wallClock(): number {
    return this.wall + this.clock;
  }
  lookup(host: string, family?: 4 | 6): Promise<string[]> {
    this.lookups.push(family === undefined ? host : `${host}/${family}`);
    const all = this.hosts.get(host) ?? [];
    const found = family === undefined ? all : all.filter((a) => (family === 6) === a.includes(':'));
    if (found.length === 0) return Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`));
    return Promise.resolve([...found]);
  }
  readTextFile(path: string): Promise<string> {
    return Promise.reject(new Error(`no file ${path}`));
  }
  readFile(path: string): Promise<Uint8Array> {
    return Promise.reject(new Error(`no file ${path}`));
  }
  readDir(): Promise<string[]> {
    return Promise.resolve([]);
  }
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
    return createHash(algorithm).update(data).digest();
  }
  isDirectory(): Promise<boolean> {
    return Promise.resolve(false);
  }
  onSignal(): () => void {
    return () => {};
  }
  env(): string | undefined {
    return undefined;
  }
  writeStdout(data: string | Uint8Array): void {
    this.stdout.push(typeof data === 'string' ? data : latin1(data));
  }
  writeStderr(data: string | Uint8Array): void {
    this.stderr.push(typeof data === 'string' ? data : latin1(data));
  }
  exit(code: number): never {
    throw new Error(`exit(${code})`);
  }
}

/** A backend that answers each connection with a fixed text and keeps reading. */
export function serveText(rt: FakeRuntime, host: string, port: number, text: string): Promise<Listener> {
  return rt.listen({ host, port }, (socket) => {
    socket.setHandler({
      onData() {},
      onEnd(s) {
        s.end();
      },
      onDrain() {},
      onClose() {},
    });
    socket.write(new TextEncoder().encode(text));
  });
}

/** Bytes written by the proxy, one char per byte (as tests compare log lines). */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** A UDP socket of FakeRuntime.openDatagramSocket. */
export interface FakeUdpSocket {
  readonly family: 4 | 6;
  readonly receiver: DatagramReceiver;
  readonly sent: Array<{ bytes: Uint8Array; address: string; port: number }>;
  closed: boolean;
}
