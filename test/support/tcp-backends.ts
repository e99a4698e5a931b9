import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { pattern } from './http-wire.ts';

/** A test backend on 127.0.0.1 that records what it saw. */
export interface TestBackend {
  readonly port: number;
  /** Connections accepted so far. */
  accepted: number;
  /** Connections currently open. */
  readonly open: Set<Socket>;
  close(): Promise<void>;
}

/**
 * A TCP server on 127.0.0.1:port running `onConnection` for each connection; close() destroys the
 * open ones. `allowHalfOpen` false: a connection closes once its peer's FIN arrives.
 */
export function tcpServer(port: number, onConnection: (socket: Socket, backend: TestBackend) => void, { allowHalfOpen = true } = {}): Promise<TestBackend> {
  return new Promise((resolve, reject) => {
    const open = new Set<Socket>();
    let server: Server;
    const backend: TestBackend = {
      port,
      accepted: 0,
      open,
      close: () =>
        new Promise<void>((done) => {
          for (const s of open) s.destroy();
          server.close(() => done());
        }),
    };
    server = createServer({ allowHalfOpen }, (socket) => {
      backend.accepted++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
      onConnection(socket, backend);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(backend));
  });
}

/** Writes its name and a newline, then closes its side. */
export function namedServer(port: number, name: string): Promise<TestBackend> {
  return tcpServer(port, (socket) => {
    socket.end(`${name}\n`);
    socket.on('end', () => socket.end());
  });
}

/** Writes its name at once and keeps the connection open until the client closes. */
export function holdingServer(port: number, name: string): Promise<TestBackend> {
  return tcpServer(port, (socket) => {
    socket.write(`${name}\n`);
    socket.on('end', () => socket.end());
    socket.resume();
  });
}

/** Echoes every byte; half-closes when the client does. */
export function echoServer(port: number): Promise<TestBackend> {
  return tcpServer(port, (socket) => {
    socket.pipe(socket);
  });
}

/** Accepts and never answers (for server-side timeouts). */
export function silentServer(port: number): Promise<TestBackend> {
  return tcpServer(port, (socket) => {
    socket.resume();
  });
}

/**
 * Sends `totalBytes` of pattern data to every client with backpressure, then closes. Exposes
 * how many bytes it handed to the kernel so far (to observe backpressure from a slow reader).
 */
export function sourceServer(port: number, totalBytes: number, chunkSize = 64 * 1024): Promise<TestBackend & { written: () => number; digest: string }> {
  const chunk = pattern(7, chunkSize);
  const hash = createHash('sha256');
  for (let sent = 0; sent < totalBytes; sent += chunkSize) hash.update(chunk.subarray(0, Math.min(chunkSize, totalBytes - sent)));
  const digest = hash.digest('hex');
  let written = 0;
  return tcpServer(port, (socket) => {
    let sent = 0;
    const pump = () => {
      while (sent < totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunkSize, totalBytes - sent));
        sent += piece.length;
        written += piece.length;
        if (!socket.write(piece)) return;
      }
      socket.end();
    };
    socket.on('drain', pump);
    socket.resume();
    pump();
  }).then((backend) => Object.assign(backend, { written: () => written, digest }));
}

/** Echoes every byte over TLS (certificate a.example from test/fixtures/tls); plaintext is a failed handshake. */
export function tlsEchoServer(port: number, fixtures: string): Promise<TestBackend & { servernames: (string | false | null)[] }> {
  return new Promise((resolve, reject) => {
    const open = new Set<Socket>();
    const servernames: (string | false | null)[] = [];
    const server = createTlsServer({ cert: readFileSync(`${fixtures}/a.example.pem`), key: readFileSync(`${fixtures}/a.example.pem`) }, (socket) => {
      backend.accepted++;
      servernames.push(socket.servername);
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    server.on('tlsClientError', () => {});
    const backend = {
      port,
      accepted: 0,
      open,
      servernames,
      close: () =>
        new Promise<void>((done) => {
          for (const s of open) s.destroy();
          server.close(() => done());
        }),
    };
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(backend));
  });
}

/** Records the bytes each connection sends and never answers (to see what reached a server). */
export function recordingServer(port: number): Promise<TestBackend & { received: () => Buffer }> {
  const chunks: Buffer[] = [];
  return tcpServer(port, (socket) => {
    socket.on('data', (d: Buffer) => chunks.push(d));
  }).then((backend) => Object.assign(backend, { received: () => Buffer.concat(chunks) }));
}
