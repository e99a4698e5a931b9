/**
 * Raw HTTP/1.1 client connections for the `mode http` conformance suite: exact bytes out (so
 * malformed requests reach the proxy untouched), responses parsed by test/support/http-wire.ts.
 */
import { connect, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { ByteReader, type HttpResponse, type ReadBodyOptions, readResponse } from './http-wire.ts';

const open = new Set<HttpConnection>();

export interface DialOptions {
  /** Speak TLS (certificates are not verified). */
  tls?: boolean;
  servername?: string;
  /** Source address of the client socket (e.g. 127.0.0.2, to look like another client). */
  localAddress?: string;
  /** ALPN protocols to offer (TLS only). */
  alpn?: string[];
  /** More node:tls options (client certificate, version limits, ciphers, curves...). */
  tlsOptions?: tls.ConnectionOptions;
}

export class HttpConnection {
  readonly socket: Socket;
  readonly reader: ByteReader;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    this.reader = new ByteReader(socket);
    open.add(this);
    socket.once('close', () => open.delete(this));
  }

  static open(port: number, options: DialOptions = {}): Promise<HttpConnection> {
    return new Promise((resolve, reject) => {
      let socket: Socket;
      const onError = (err: Error) => reject(err);
      if (options.tls) {
        socket = tls.connect({
          host: '127.0.0.1',
          port,
          rejectUnauthorized: false,
          ...(options.servername ? { servername: options.servername } : {}),
          ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
          ...options.tlsOptions,
        });
        socket.once('secureConnect', () => {
          socket.off('error', onError);
          resolve(new HttpConnection(socket));
        });
      } else {
        socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
        socket.once('connect', () => {
          socket.off('error', onError);
          resolve(new HttpConnection(socket));
        });
      }
      socket.once('error', onError);
    });
  }

  /** Writes bytes; resolves once they are handed to the kernel (honours backpressure). */
  write(data: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed) {
        reject(new Error('client socket destroyed'));
        return;
      }
      const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
      if (this.socket.write(buf)) {
        resolve();
        return;
      }
      const onDrain = () => {
        this.socket.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        this.socket.off('drain', onDrain);
        reject(new Error('client socket closed while writing'));
      };
      this.socket.once('drain', onDrain);
      this.socket.once('close', onClose);
    });
  }

  /** Reads the next response (interim 1xx responses are returned as they come). */
  read(method = 'GET', timeoutMs = 5000, options: Omit<ReadBodyOptions, 'deadline'> = {}): Promise<HttpResponse> {
    return readResponse(this.reader, method, { ...options, deadline: performance.now() + timeoutMs });
  }

  /** Sends a request and reads its final response (skipping 1xx). */
  async request(method: string, target: string, headers: Record<string, string | number> = {}, body?: Buffer | string, timeoutMs = 5000): Promise<HttpResponse> {
    await this.write(buildRequest(method, target, { host: 'example.test', ...headers }, body));
    for (let i = 0; i < 10; i++) {
      const res = await this.read(method, timeoutMs);
      if (res.status >= 200 || res.status === 101) return res;
    }
    throw new Error('too many interim responses');
  }

  /** Resolves true if the proxy closed (or half-closed) the connection within the time limit. */
  waitClosed(timeoutMs: number): Promise<boolean> {
    return this.reader.waitEnded(timeoutMs);
  }

  /** Everything that arrives until the proxy closes the connection. */
  async readRest(timeoutMs = 5000): Promise<Buffer> {
    const chunks: Buffer[] = [];
    await this.reader.readToEnd((c) => chunks.push(c), performance.now() + timeoutMs, 'close');
    return Buffer.concat(chunks);
  }

  get closed(): boolean {
    return this.reader.ended;
  }

  /** The protocol the TLS handshake negotiated by ALPN; false when none (or not TLS). */
  get alpnProtocol(): string | false {
    return this.socket instanceof tls.TLSSocket ? (this.socket.alpnProtocol ?? false) : false;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Builds request bytes. `headers` keeps its order; Content-Length is added for a body unless a framing header is present. */
export function buildRequest(method: string, target: string, headers: Record<string, string | number>, body?: Buffer | string, version = 'HTTP/1.1'): Buffer {
  const lines = [`${method} ${target} ${version}`];
  const names = Object.keys(headers).map((n) => n.toLowerCase());
  for (const [n, v] of Object.entries(headers)) lines.push(`${n}: ${v}`);
  const bodyBuf = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  if (bodyBuf !== undefined && !names.includes('content-length') && !names.includes('transfer-encoding')) lines.push(`content-length: ${bodyBuf.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bodyBuf ?? Buffer.alloc(0)]);
}

/**
 * One connection, one exact byte sequence, one response; then reports whether the proxy closed
 * the connection within closeWaitMs.
 */
export async function exchange(
  port: number,
  bytes: Buffer | string,
  method = 'GET',
  timeoutMs = 5000,
  closeWaitMs = 1000,
): Promise<{ response: HttpResponse; closed: boolean; connection: HttpConnection }> {
  const connection = await HttpConnection.open(port);
  try {
    await connection.write(bytes);
    const response = await connection.read(method, timeoutMs);
    const closed = await connection.waitClosed(closeWaitMs);
    return { response, closed, connection };
  } finally {
    connection.destroy();
  }
}

/** The status of one `GET path` on a connection of its own. */
export async function statusOf(port: number, path = '/'): Promise<number> {
  const conn = await HttpConnection.open(port);
  try {
    return (await conn.request('GET', path)).status;
  } finally {
    conn.destroy();
  }
}

/** Which backend answered one `GET /` on a connection of its own (its x-backend header), or the status. */
export async function answererOf(port: number): Promise<string> {
  const conn = await HttpConnection.open(port);
  try {
    const res = await conn.request('GET', '/', { host: 'test' });
    return res.status === 200 ? (res.header('x-backend') ?? '?') : String(res.status);
  } finally {
    conn.destroy();
  }
}

/** Destroys every client connection still open (for after() hooks). */
export function destroyAllClients(): void {
  for (const c of open) c.destroy();
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The body of `GET path` on a new connection to 127.0.0.1:port, or undefined when the request fails (a reload's probe). */
export async function bodyOrUndefined(port: number, path = '/'): Promise<string | undefined> {
  try {
    const conn = await HttpConnection.open(port);
    try {
      return (await conn.request('GET', path)).text;
    } finally {
      conn.destroy();
    }
  } catch {
    return undefined;
  }
}

/**
 * Asks `GET path` on new connections, one at a time, until the body is `answer` or `timeoutMs`
 * passed (a reload taking effect). Resolves with the last body seen (undefined: no answer yet).
 */
export async function untilBody(port: number, answer: string, timeoutMs: number, path = '/'): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let text: string | undefined;
  do {
    text = await bodyOrUndefined(port, path);
    if (text === answer) return text;
    await delay(50);
  } while (Date.now() < deadline);
  return text;
}
