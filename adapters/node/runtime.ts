/**
 * Node adapter: the runtime seam on node:net / node:tls. Node's sockets already buffer writes
 * and report backpressure, so this is a thin translation of events onto the SocketHandler.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { readFile, readdir, stat } from 'node:fs/promises';
import type {
  ConnectOptions,
  Listener,
  ListenOptions,
  Runtime,
  SignalName,
  Socket,
  SocketError,
  SocketHandler,
  TimerHandle,
  TlsCertificate,
  TlsInfo,
} from '../../src/runtime.ts';
import { SniCertificateMap } from '../shared/tls-names.ts';
import { toSocketError } from '../shared/socket-errors.ts';

const IGNORE: SocketHandler = {
  onData() {},
  onEnd() {},
  onDrain() {},
  onClose() {},
};

class NodeSocket implements Socket {
  handler: SocketHandler;
  readonly raw: net.Socket;
  error: SocketError | undefined;
  tls: TlsInfo | undefined;

  constructor(raw: net.Socket, handler: SocketHandler) {
    this.raw = raw;
    this.handler = handler;
    raw.on('data', (chunk: Buffer) => this.handler.onData(this, chunk));
    raw.on('end', () => this.handler.onEnd(this));
    raw.on('drain', () => this.handler.onDrain(this));
    raw.on('error', (err) => {
      this.error ??= toSocketError(err);
    });
    raw.on('close', () => this.handler.onClose(this, this.error));
  }

  setHandler(handler: SocketHandler): void {
    this.handler = handler;
  }
  write(chunk: Uint8Array): boolean {
    return this.raw.write(chunk);
  }
  end(): void {
    this.raw.end();
  }
  destroy(): void {
    this.raw.destroy();
  }
  pause(): void {
    this.raw.pause();
  }
  resume(): void {
    this.raw.resume();
  }
  setNoDelay(enabled: boolean): void {
    this.raw.setNoDelay(enabled);
  }
  setKeepAlive(enabled: boolean, initialDelayMs?: number): void {
    this.raw.setKeepAlive(enabled, initialDelayMs);
  }
  get bufferedAmount(): number {
    return this.raw.writableLength;
  }
  get remoteAddress(): string {
    return unmapIPv4(this.raw.remoteAddress ?? '');
  }
  get remotePort(): number {
    return this.raw.remotePort ?? 0;
  }
  get localAddress(): string {
    return unmapIPv4(this.raw.localAddress ?? '');
  }
  get localPort(): number {
    return this.raw.localPort ?? 0;
  }
}

/** Dual-stack listeners report IPv4 peers as ::ffff:a.b.c.d; HAProxy logs them as a.b.c.d. */
function unmapIPv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function tlsInfoOf(socket: tls.TLSSocket): TlsInfo {
  const servername = (socket as tls.TLSSocket & { servername?: string | false }).servername;
  return {
    sni: typeof servername === 'string' && servername !== '' ? servername : undefined,
    alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : undefined,
    protocol: socket.getProtocol() ?? undefined,
  };
}

class NodeListener implements Listener {
  readonly host: string;
  readonly port: number;
  readonly #server: net.Server;

  constructor(server: net.Server, host: string) {
    this.#server = server;
    this.host = host;
    const address = server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
  }

  close(): Promise<void> {
    // net.Server#close's callback waits for every accepted connection to end; the seam
    // promises only that the port is released, which happens synchronously in close().
    if (this.#server.listening) this.#server.close();
    return Promise.resolve();
  }
}

function listen(options: ListenOptions, onConnection: (socket: Socket) => void): Promise<Listener> {
  let server: net.Server;
  if (options.tls) {
    const alpn = options.tls.alpn ? [...options.tls.alpn] : undefined;
    const contexts = new SniCertificateMap(options.tls.certificates, (cert) =>
      tls.createSecureContext({ cert: cert.certPem, key: cert.keyPem }),
    );
    const first = options.tls.certificates[0] as TlsCertificate;
    const tlsServer = tls.createServer({
      allowHalfOpen: true,
      // tls.Server ignores a `secureContext` option: the default context (clients without SNI
      // or without a matching name) comes from its own cert/key.
      cert: first.certPem,
      key: first.keyPem,
      SNICallback: (servername, callback) => callback(null, contexts.select(servername)),
      ...(alpn ? { ALPNProtocols: alpn } : {}),
    });
    tlsServer.on('secureConnection', (raw: tls.TLSSocket) => {
      const socket = new NodeSocket(raw, IGNORE);
      socket.tls = tlsInfoOf(raw);
      onConnection(socket);
    });
    // A failed handshake never becomes a connection; Node would otherwise log nothing and
    // leave the socket to its default handling, which destroys it.
    tlsServer.on('tlsClientError', (_err, raw) => raw.destroy());
    server = tlsServer;
  } else {
    server = net.createServer({ allowHalfOpen: true }, (raw) => onConnection(new NodeSocket(raw, IGNORE)));
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(
      { host: options.host, port: options.port, backlog: options.backlog ?? 1024, ipv6Only: options.ipv6Only ?? false },
      () => {
        server.off('error', reject);
        server.on('error', () => {});
        resolve(new NodeListener(server, options.host));
      },
    );
  });
}

function connect(options: ConnectOptions, handler: SocketHandler): Socket {
  if (options.tls) {
    const t = options.tls;
    // allowHalfOpen is honoured by TLSSocket although @types/node omits it from ConnectionOptions.
    const raw = tls.connect({
      host: options.host,
      port: options.port,
      ...({ allowHalfOpen: true } as tls.ConnectionOptions),
      rejectUnauthorized: t.verify,
      ...(t.servername !== undefined ? { servername: t.servername } : {}),
      ...(t.alpn ? { ALPNProtocols: [...t.alpn] } : {}),
      ...(t.caPem !== undefined ? { ca: t.caPem } : {}),
    });
    const socket = new NodeSocket(raw, handler);
    raw.once('secureConnect', () => {
      socket.tls = tlsInfoOf(raw);
      if (options.noDelay !== false) raw.setNoDelay(true);
      socket.handler.onConnect?.(socket);
    });
    return socket;
  }
  const raw = net.connect({ host: options.host, port: options.port, allowHalfOpen: true });
  const socket = new NodeSocket(raw, handler);
  raw.once('connect', () => {
    if (options.noDelay !== false) raw.setNoDelay(true);
    socket.handler.onConnect?.(socket);
  });
  return socket;
}

export const nodeRuntime: Runtime = {
  name: 'node',
  version: process.versions.node,
  listen,
  connect,
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
  wallClock: () => Date.now(),
  readTextFile: (path) => readFile(path, 'utf8'),
  readDir: (path) => readdir(path),
  isDirectory: async (path) => (await stat(path)).isDirectory(),
  onSignal(signal: SignalName, listener: () => void) {
    process.on(signal, listener);
    return () => {
      process.off(signal, listener);
    };
  },
  env: (name) => process.env[name],
  pid: process.pid,
  writeStdout: (text) => {
    process.stdout.write(text);
  },
  writeStderr: (text) => {
    process.stderr.write(text);
  },
  exit: (code) => process.exit(code),
};
