/**
 * Purpose-built HTTP/1.1 backends for the `mode http` conformance suite: raw-socket servers on
 * 127.0.0.1 whose every byte the test controls, which count accepted connections and requests per
 * connection, and record what the proxy forwarded. Misbehaving variants (garbage, closing without
 * answering, silent, invalid framing) exercise the proxy's 502/504 paths.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  ByteReader,
  type BodyResult,
  type HeaderList,
  type HttpRequest,
  headerHasToken,
  pattern,
  readRequestBody,
  readRequestHead,
  repeatedDigest,
} from './http-wire.ts';

/** One connection the backend accepted. */
export interface BackendConnection {
  readonly id: number;
  /** Complete request heads received on it. */
  requests: number;
  readonly openedAt: number;
  /** performance.now() when it closed. */
  closedAt: number | undefined;
  readonly socket: Socket;
  readonly reader: ByteReader;
}

/** A request as the backend received it (i.e. as the proxy forwarded it). */
export interface ReceivedRequest {
  readonly connection: number;
  /** 1-based index of the request on its connection. */
  readonly index: number;
  readonly method: string;
  readonly target: string;
  readonly version: string;
  readonly rawHead: string;
  readonly headers: HeaderList;
  body: BodyResult | undefined;
}

export interface HttpTestBackend {
  readonly port: number;
  readonly name: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Request heads received so far (all connections). */
  readonly requests: number;
  readonly connections: readonly BackendConnection[];
  /** Connections currently open. */
  openConnections(): BackendConnection[];
  /** The last 100 requests, oldest first. */
  readonly received: readonly ReceivedRequest[];
  lastRequest(): ReceivedRequest | undefined;
  /** Resolves true once no connection is open (false after the time limit). */
  waitAllClosed(timeoutMs: number): Promise<boolean>;
  /** Resolves true once `requests` reaches n (false after the time limit). */
  waitForRequests(n: number, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface RequestContext {
  readonly backend: HttpTestBackend;
  readonly connection: BackendConnection;
  readonly request: HttpRequest;
  readonly record: ReceivedRequest;
  readonly socket: Socket;
  readonly reader: ByteReader;
}

/**
 * What the handler wants next: read the next request ('keep'), close the connection after the
 * response ('close': FIN), or leave the socket alone ('hold': the handler owns it now).
 */
export type HandlerResult = 'keep' | 'close' | 'hold';
export type RequestHandler = (ctx: RequestContext) => Promise<HandlerResult>;

export interface BackendOptions {
  /** Serve TLS with this PEM (certificate and key in one file). */
  tlsPem?: string;
  /** How long an idle backend connection may wait for the next request head. */
  idleMs?: number;
  /** The loopback address to listen on (default 127.0.0.1; DNS tests move a server between two). */
  host?: string;
}

const MAX_RECORDS = 100;

/** Starts a raw-socket HTTP/1.1 server that runs `handler` for every request head. */
export function httpBackend(port: number, name: string, handler: RequestHandler, options: BackendOptions = {}): Promise<HttpTestBackend> {
  const connections: BackendConnection[] = [];
  const received: ReceivedRequest[] = [];
  let requests = 0;
  const idleMs = options.idleMs ?? 60_000;

  const waitFor = async (cond: () => boolean, timeoutMs: number): Promise<boolean> => {
    const deadline = performance.now() + timeoutMs;
    while (!cond()) {
      if (performance.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  };

  let server: Server;
  const backend: HttpTestBackend = {
    port,
    name,
    get accepted() {
      return connections.length;
    },
    get requests() {
      return requests;
    },
    connections,
    openConnections: () => connections.filter((c) => c.closedAt === undefined),
    received,
    lastRequest: () => received[received.length - 1],
    waitAllClosed: (timeoutMs) => waitFor(() => connections.every((c) => c.closedAt !== undefined), timeoutMs),
    waitForRequests: (n, timeoutMs) => waitFor(() => requests >= n, timeoutMs),
    close: () =>
      new Promise<void>((done) => {
        for (const c of connections) c.socket.destroy();
        server.close(() => done());
      }),
  };

  const onSocket = (socket: Socket) => {
    socket.on('error', () => {});
    socket.setNoDelay(true);
    const reader = new ByteReader(socket);
    const connection: BackendConnection = { id: connections.length + 1, requests: 0, openedAt: performance.now(), closedAt: undefined, socket, reader };
    connections.push(connection);
    socket.once('close', () => (connection.closedAt = performance.now()));
    void (async () => {
      try {
        for (let i = 0; i < 100_000; i++) {
          const request = await readRequestHead(reader, performance.now() + idleMs);
          if (request === undefined) break;
          requests++;
          connection.requests++;
          const record: ReceivedRequest = {
            connection: connection.id,
            index: connection.requests,
            method: request.method,
            target: request.target,
            version: request.version,
            rawHead: request.head.raw,
            headers: request.headers,
            body: undefined,
          };
          received.push(record);
          if (received.length > MAX_RECORDS) received.shift();
          const next = await handler({ backend, connection, request, record, socket, reader });
          if (next === 'hold') return;
          if (next === 'close') {
            socket.end();
            return;
          }
        }
        socket.end();
      } catch {
        socket.destroy();
      }
    })();
  };

  return new Promise((resolve, reject) => {
    if (options.tlsPem !== undefined) {
      const pem = readFileSync(options.tlsPem, 'utf8');
      server = tls.createServer({ key: pem, cert: pem, allowHalfOpen: true }, onSocket) as unknown as Server;
    } else {
      server = createServer({ allowHalfOpen: true }, onSocket);
    }
    server.once('error', reject);
    server.listen(port, options.host ?? '127.0.0.1', () => resolve(backend));
  });
}

/** Writes, resolving once the socket accepted the bytes (waits for 'drain' under backpressure). */
export function writeAsync(socket: Socket, data: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) {
      reject(new Error('socket destroyed'));
      return;
    }
    if (socket.write(data)) {
      resolve();
      return;
    }
    const onDrain = () => {
      socket.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      socket.off('drain', onDrain);
      reject(new Error('socket closed while writing'));
    };
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}

/** The block that /download/* bodies repeat. */
export const DOWNLOAD_BLOCK = pattern(0x5eed, 64 * 1024);

/** sha256 of the first n bytes that /download/* sends. */
export function downloadDigest(n: number): string {
  return repeatedDigest(DOWNLOAD_BLOCK, n);
}

function response(status: number, reason: string, headers: Array<[string, string | number]>, body: Buffer | string = ''): Buffer {
  const lines = [`HTTP/1.1 ${status} ${reason}`, ...headers.map(([n, v]) => `${n}: ${v}`)];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'latin1') : body]);
}

/** Whether the request asked to close (HTTP/1.1 `Connection: close`, or HTTP/1.0 without keep-alive). */
function wantsClose(req: HttpRequest): boolean {
  if (headerHasToken(req.headers, 'connection', 'close')) return true;
  return req.version === 'HTTP/1.0' && !headerHasToken(req.headers, 'connection', 'keep-alive');
}

/**
 * The well-behaved application backend. Routes (by path prefix):
 *   /status/NNN          status NNN, no body (for 204 and 304 no framing headers at all)
 *   /download/cl/N       N bytes of DOWNLOAD_BLOCK with Content-Length
 *   /download/chunked/N  the same, chunked (64 KiB chunks)
 *   /slow/MS             answers 200 "slow" after MS ms
 *   /close               answers 200 with `connection: close`, then closes
 *   anything else        reads the body, answers 200 with the request head it received as the body
 * Every answer carries x-backend (its name), x-conn (connection number) and x-req (request
 * number on that connection). The echo carries x-body-length, x-body-sha256 and x-body-framing.
 * HEAD gets the GET head without a body. `Expect: 100-continue` gets `100 Continue` first.
 */
export function appBackend(port: number, name: string, options: BackendOptions = {}): Promise<HttpTestBackend> {
  return httpBackend(
    port,
    name,
    async ({ connection, request, record, socket, reader }) => {
      const close = wantsClose(request);
      const isHead = request.method === 'HEAD';
      const path = request.target.replace(/^[a-z]+:\/\/[^/]*/i, '');
      const common: Array<[string, string | number]> = [
        ['x-backend', name],
        ['x-conn', connection.id],
        ['x-req', connection.requests],
      ];
      if (close) common.push(['connection', 'close']);
      const done: HandlerResult = close ? 'close' : 'keep';

      if (headerHasToken(request.headers, 'expect', '100-continue')) await writeAsync(socket, 'HTTP/1.1 100 Continue\r\n\r\n');

      let m: RegExpExecArray | null;
      if ((m = /^\/status\/(\d{3})/.exec(path))) {
        record.body = await readRequestBody(reader, request, { deadline: performance.now() + 30_000 });
        const status = Number(m[1]);
        const bodyless = status === 204 || status === 304 || status < 200;
        const headers: Array<[string, string | number]> = [...common];
        if (status === 304) headers.push(['etag', '"v1"']);
        if (!bodyless) headers.push(['content-length', 0]);
        await writeAsync(socket, response(status, 'Status', headers));
        return done;
      }
      if ((m = /^\/download\/(cl|chunked)\/(\d+)/.exec(path))) {
        record.body = await readRequestBody(reader, request, { deadline: performance.now() + 30_000 });
        const total = Number(m[2]);
        const chunked = m[1] === 'chunked';
        const headers: Array<[string, string | number]> = [...common, ['content-type', 'application/octet-stream']];
        headers.push(chunked ? ['transfer-encoding', 'chunked'] : ['content-length', total]);
        await writeAsync(socket, response(200, 'OK', headers));
        if (isHead) return done;
        for (let sent = 0; sent < total; ) {
          const piece = DOWNLOAD_BLOCK.subarray(0, Math.min(DOWNLOAD_BLOCK.length, total - sent));
          sent += piece.length;
          if (chunked) await writeAsync(socket, Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
          else await writeAsync(socket, piece);
        }
        if (chunked) await writeAsync(socket, '0\r\n\r\n');
        return done;
      }
      if ((m = /^\/slow\/(\d+)/.exec(path))) {
        record.body = await readRequestBody(reader, request, { deadline: performance.now() + 30_000 });
        await new Promise((r) => setTimeout(r, Number(m?.[1])));
        if (socket.destroyed) return 'hold';
        await writeAsync(socket, response(200, 'OK', [...common, ['content-length', 4]], isHead ? '' : 'slow'));
        return done;
      }
      if (path.startsWith('/close')) {
        record.body = await readRequestBody(reader, request, { deadline: performance.now() + 30_000 });
        const headers = common.filter(([n]) => n !== 'connection');
        await writeAsync(socket, response(200, 'OK', [...headers, ['content-length', 6], ['connection', 'close']], isHead ? '' : 'closed'));
        return 'close';
      }
      // Echo the request head as the body.
      const body = await readRequestBody(reader, request, { deadline: performance.now() + 60_000 });
      record.body = body;
      const echoed = Buffer.from(request.head.raw, 'latin1');
      const headers: Array<[string, string | number]> = [
        ...common,
        ['x-body-length', body.length],
        ['x-body-sha256', body.sha256],
        ['x-body-framing', body.framing],
        ['content-type', 'text/plain'],
        ['content-length', echoed.length],
      ];
      await writeAsync(socket, response(200, 'OK', headers, isHead ? '' : echoed));
      return done;
    },
    options,
  );
}

/** Answers every request with these exact bytes, then closes (FIN) or keeps reading. */
export function cannedBackend(port: number, name: string, bytes: string | Buffer, after: 'close' | 'keep' = 'close'): Promise<HttpTestBackend> {
  return httpBackend(port, name, async ({ socket, reader, request, record }) => {
    record.body = await readRequestBody(reader, request, { deadline: performance.now() + 10_000 }).catch(() => undefined);
    await writeAsync(socket, bytes);
    return after;
  });
}

/**
 * Answers each request with the bytes `script` returns for it (e.g. chosen by path), then closes
 * (FIN) or keeps the connection, as the script says.
 */
export function scriptedBackend(
  port: number,
  name: string,
  script: (request: HttpRequest) => { bytes: string | Buffer; after?: 'close' | 'keep' },
): Promise<HttpTestBackend> {
  return httpBackend(port, name, async ({ socket, reader, request, record }) => {
    record.body = await readRequestBody(reader, request, { deadline: performance.now() + 10_000 }).catch(() => undefined);
    const { bytes, after = 'close' } = script(request);
    await writeAsync(socket, bytes);
    return after;
  });
}

/** Sends bytes that are not HTTP at all, then closes. */
export function garbageBackend(port: number): Promise<HttpTestBackend> {
  return cannedBackend(port, 'garbage', 'this is not HTTP at all\r\n\r\n');
}

/** Reads the request head, then closes without answering. */
export function closingBackend(port: number): Promise<HttpTestBackend> {
  return httpBackend(port, 'closing', async () => 'close');
}

/** Reads the request head and never answers (the connection stays open until the proxy closes it). */
export function silentBackend(port: number): Promise<HttpTestBackend> {
  return httpBackend(port, 'silent', async ({ socket }) => {
    socket.resume();
    // Closes once the proxy closes its side (a FIN; HAProxy resets instead, which needs no help).
    socket.once('end', () => socket.end());
    return 'hold';
  });
}

/** A WebSocket echo server (the `ws` package) on 127.0.0.1; counts upgrades. */
export function wsEchoBackend(port: number): Promise<{ port: number; upgrades: () => number; openSockets: () => number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    let upgrades = 0;
    const wss: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port }, (): void =>
      resolve({
        port,
        upgrades: () => upgrades,
        openSockets: (): number => wss.clients.size,
        close: () =>
          new Promise<void>((done) => {
            for (const c of wss.clients) c.terminate();
            wss.close(() => done());
          }),
      }),
    );
    wss.on('error', reject);
    wss.on('connection', (ws: WebSocket) => {
      upgrades++;
      ws.on('message', (data: RawData, isBinary: boolean) => ws.send(data, { binary: isBinary }));
      ws.on('error', () => {});
    });
  });
}
