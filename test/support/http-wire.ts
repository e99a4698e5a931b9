/**
 * A tiny, deliberately independent HTTP/1.1 wire reader for the conformance tests: the client
 * side (test/support/http-client.ts) and the purpose-built backends (test/support/http-backends.ts)
 * both read raw bytes with it, so tests see exactly what crossed the proxy. It is lenient on
 * purpose (it must be able to show whatever a proxy sends) and streams bodies into a sink with a
 * running sha256, so 50 MiB transfers never sit in memory.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Duplex } from 'node:stream';

const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');

export class ConnectionClosedError extends Error {
  /** Bytes received and not consumed when the peer closed. */
  readonly partial: Buffer;
  constructor(message: string, partial: Buffer) {
    super(message);
    this.partial = partial;
  }
}

export class ReadTimeoutError extends Error {}

/** Buffers what a socket receives and hands it out on demand, with deadlines. */
export class ByteReader {
  readonly socket: Duplex;
  #buf: Buffer = Buffer.alloc(0);
  #ended = false;
  #closed = false;
  #wake: (() => void) | undefined;
  readonly #closedPromise: Promise<void>;
  /** Total bytes received. */
  received = 0;

  constructor(socket: Duplex) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.received += d.length;
      this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
      this.#notify();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on('error', () => {});
    this.#closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.#ended = true;
        this.#closed = true;
        this.#notify();
        resolve();
      });
    });
  }

  /** True once the peer sent FIN (or the socket closed). */
  get ended(): boolean {
    return this.#ended;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes buffered and not consumed yet. */
  get buffered(): Buffer {
    return this.#buf;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Waits for more bytes (or end). Throws ReadTimeoutError at the deadline (performance.now()). */
  async #more(deadline: number, what: string): Promise<void> {
    if (this.#ended) throw new ConnectionClosedError(`connection closed while waiting for ${what}`, this.#buf);
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw new ReadTimeoutError(`timed out waiting for ${what} (buffered: ${JSON.stringify(this.#buf.subarray(0, 200).toString('latin1'))})`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, remaining);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Consumes and returns bytes up to and including `delimiter`. */
  async readUntil(delimiter: Buffer, deadline: number, what: string, maxBytes = 1 << 20): Promise<Buffer> {
    let from = 0;
    for (;;) {
      const at = this.#buf.indexOf(delimiter, from);
      if (at >= 0) return this.take(at + delimiter.length);
      if (this.#buf.length > maxBytes) throw new Error(`${what} longer than ${maxBytes} bytes`);
      from = Math.max(0, this.#buf.length - delimiter.length + 1);
      await this.#more(deadline, what);
    }
  }

  /** Consumes exactly n buffered bytes (n <= buffered.length). */
  take(n: number): Buffer {
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  /** Streams exactly n bytes into sink. */
  async readExact(n: number, sink: (chunk: Buffer) => void, deadline: number, what: string): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.#buf.length === 0) await this.#more(deadline, `${what} (${left} of ${n} bytes missing)`);
      const piece = this.take(Math.min(left, this.#buf.length));
      left -= piece.length;
      if (piece.length > 0) sink(piece);
    }
  }

  /** Streams everything until the peer closes its side into sink. */
  async readToEnd(sink: (chunk: Buffer) => void, deadline: number, what: string): Promise<void> {
    for (;;) {
      if (this.#buf.length > 0) sink(this.take(this.#buf.length));
      if (this.#ended) return;
      try {
        await this.#more(deadline, what);
      } catch (err) {
        if (err instanceof ConnectionClosedError) continue;
        throw err;
      }
    }
  }

  /** Resolves true when the socket closed (or the peer half-closed) within the time limit. */
  async waitEnded(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!this.#ended) {
      if (performance.now() >= deadline) return false;
      try {
        await this.#more(deadline, 'close');
      } catch {
        // timeout or closed: the loop condition decides
      }
      if (this.#buf.length > 1 << 20) this.take(this.#buf.length); // do not hoard unread bytes
    }
    return true;
  }

  /** Resolves when the socket is fully closed. */
  whenClosed(): Promise<void> {
    return this.#closedPromise;
  }
}

export type HeaderList = Array<[name: string, value: string]>;

export interface ParsedHead {
  /** The whole head as received, including the final CRLF CRLF. */
  raw: string;
  startLine: string;
  headers: HeaderList;
}

/** Splits a head (latin1) into its start line and header fields (values trimmed). */
export function parseHead(raw: Buffer | string): ParsedHead {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const lines = text.split('\r\n');
  const startLine = lines[0] ?? '';
  const headers: HeaderList = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon < 0) headers.push([line, '']);
    else headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { raw: text, startLine, headers };
}

/** All values of a header (case-insensitive name). */
export function headerValues(headers: HeaderList, name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** The first value of a header, or undefined. */
export function headerValue(headers: HeaderList, name: string): string | undefined {
  return headerValues(headers, name)[0];
}

/** True when a comma-list header contains this token (case-insensitive). */
export function headerHasToken(headers: HeaderList, name: string, token: string): boolean {
  return headerValues(headers, name)
    .flatMap((v) => v.split(','))
    .some((t) => t.trim().toLowerCase() === token.toLowerCase());
}

export interface BodyResult {
  /** How the body was framed on the wire. */
  framing: 'none' | 'content-length' | 'chunked' | 'close';
  length: number;
  sha256: string;
  /** The body bytes, when collected (see collectLimit). */
  body: Buffer;
  /** Chunk sizes as received (chunked framing only). */
  chunkSizes: number[];
  /** The chunk size lines as received, without their CRLF (chunked framing only). */
  chunkSizeLines: string[];
  /** Raw trailer section (chunked framing only), without the final CRLF. */
  trailers: string;
}

export class BodySink {
  readonly #hash: Hash = createHash('sha256');
  readonly #chunks: Buffer[] = [];
  readonly #collectLimit: number;
  #collected = 0;
  length = 0;
  onChunk: ((chunk: Buffer) => void) | undefined;

  constructor(collectLimit: number) {
    this.#collectLimit = collectLimit;
  }

  readonly push = (chunk: Buffer): void => {
    this.length += chunk.length;
    this.#hash.update(chunk);
    if (this.#collected < this.#collectLimit) {
      const keep = chunk.subarray(0, this.#collectLimit - this.#collected);
      this.#chunks.push(Buffer.from(keep));
      this.#collected += keep.length;
    }
    this.onChunk?.(chunk);
  };

  finish(framing: BodyResult['framing'], chunked: ChunkedFraming = { sizes: [], lines: [], trailers: '' }): BodyResult {
    const { sizes: chunkSizes, lines: chunkSizeLines, trailers } = chunked;
    return { framing, length: this.length, sha256: this.#hash.digest('hex'), body: Buffer.concat(this.#chunks), chunkSizes, chunkSizeLines, trailers };
  }
}

export interface ReadBodyOptions {
  /** Give up at this performance.now() deadline. */
  deadline: number;
  /** Keep at most this many body bytes in `body` (the hash always covers everything). */
  collectLimit?: number;
  /** Called with every body chunk as it arrives. */
  onChunk?: (chunk: Buffer) => void;
}

/** What a chunked body's framing looked like on the wire. */
export interface ChunkedFraming {
  sizes: number[];
  /** The size lines as received, without their CRLF. */
  lines: string[];
  trailers: string;
}

/** Reads a chunked body (RFC 9112 §7.1), lenient about chunk extensions. */
export async function readChunked(reader: ByteReader, sink: BodySink, deadline: number): Promise<ChunkedFraming> {
  const sizes: number[] = [];
  const lines: string[] = [];
  for (let i = 0; ; i++) {
    if (i > 10_000_000) throw new Error('too many chunks');
    const line = (await reader.readUntil(CRLF, deadline, 'chunk size line', 4096)).toString('latin1');
    lines.push(line.slice(0, -2));
    const sizeText = line.slice(0, -2).split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`bad chunk size line ${JSON.stringify(line)}`);
    const size = parseInt(sizeText, 16);
    sizes.push(size);
    if (size === 0) break;
    await reader.readExact(size, sink.push, deadline, 'chunk data');
    const crlf = await reader.readUntil(CRLF, deadline, 'chunk CRLF', 2);
    if (crlf.length !== 2) throw new Error('chunk data not followed by CRLF');
  }
  let trailers = '';
  for (let i = 0; i < 1000; i++) {
    const line = (await reader.readUntil(CRLF, deadline, 'trailer line', 65536)).toString('latin1');
    if (line === '\r\n') break;
    trailers += line;
  }
  return { sizes, lines, trailers };
}

export interface HttpResponse {
  version: string;
  status: number;
  reason: string;
  head: ParsedHead;
  headers: HeaderList;
  body: Buffer;
  bodyLength: number;
  sha256: string;
  framing: BodyResult['framing'];
  chunkSizes: number[];
  /** The chunk size lines as received, without their CRLF (chunked framing only). */
  chunkSizeLines: string[];
  /** Body as latin1 text (what was collected). */
  text: string;
  header(name: string): string | undefined;
}

/**
 * Reads one response. `method` decides HEAD semantics; 1xx/204/304 never carry a body.
 * A body without Content-Length or chunked framing is read until the connection closes.
 */
export async function readResponse(reader: ByteReader, method: string, options: ReadBodyOptions): Promise<HttpResponse> {
  const rawHead = await reader.readUntil(CRLFCRLF, options.deadline, 'response head', 1 << 20);
  const head = parseHead(rawHead);
  const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(head.startLine);
  if (!m) throw new Error(`bad status line ${JSON.stringify(head.startLine)} in ${JSON.stringify(head.raw.slice(0, 300))}`);
  const status = Number(m[2]);
  const sink = new BodySink(options.collectLimit ?? 4 << 20);
  sink.onChunk = options.onChunk;
  let result: BodyResult;
  const te = headerValue(head.headers, 'transfer-encoding');
  const cl = headerValue(head.headers, 'content-length');
  if (method.toUpperCase() === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) {
    result = sink.finish('none');
  } else if (te !== undefined && /(^|,)\s*chunked\s*$/i.test(te)) {
    result = sink.finish('chunked', await readChunked(reader, sink, options.deadline));
  } else if (cl !== undefined) {
    await reader.readExact(Number(cl), sink.push, options.deadline, 'response body');
    result = sink.finish('content-length');
  } else {
    await reader.readToEnd(sink.push, options.deadline, 'close-delimited response body');
    result = sink.finish('close');
  }
  return {
    version: m[1] as string,
    status,
    reason: m[3] ?? '',
    head,
    headers: head.headers,
    body: result.body,
    bodyLength: result.length,
    sha256: result.sha256,
    framing: result.framing,
    chunkSizes: result.chunkSizes,
    chunkSizeLines: result.chunkSizeLines,
    text: result.body.toString('latin1'),
    header: (name) => headerValue(head.headers, name),
  };
}

export interface HttpRequest {
  method: string;
  target: string;
  version: string;
  head: ParsedHead;
  headers: HeaderList;
  header(name: string): string | undefined;
}

/** Reads one request head (the body is left in the reader). Resolves undefined on a clean close. */
export async function readRequestHead(reader: ByteReader, deadline: number): Promise<HttpRequest | undefined> {
  let rawHead: Buffer;
  try {
    rawHead = await reader.readUntil(CRLFCRLF, deadline, 'request head', 1 << 20);
  } catch (err) {
    if (err instanceof ConnectionClosedError && err.partial.length === 0) return undefined;
    throw err;
  }
  const head = parseHead(rawHead);
  const [method = '', target = '', version = ''] = head.startLine.split(' ');
  return { method, target, version, head, headers: head.headers, header: (name) => headerValue(head.headers, name) };
}

/** Reads a request body as framed by its head (chunked wins over Content-Length). */
export async function readRequestBody(reader: ByteReader, request: HttpRequest, options: ReadBodyOptions): Promise<BodyResult> {
  const sink = new BodySink(options.collectLimit ?? 64 * 1024);
  sink.onChunk = options.onChunk;
  const te = request.header('transfer-encoding');
  const cl = request.header('content-length');
  if (te !== undefined && /(^|,)\s*chunked\s*$/i.test(te)) {
    return sink.finish('chunked', await readChunked(reader, sink, options.deadline));
  }
  if (cl !== undefined && Number(cl) > 0) {
    await reader.readExact(Number(cl), sink.push, options.deadline, 'request body');
    return sink.finish('content-length');
  }
  return sink.finish('none');
}

/** Deterministic pseudo-random bytes (xorshift32), shared by uploads and downloads. */
export function pattern(seed: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** sha256 of `total` bytes made of `block` repeated (the last repetition truncated). */
export function repeatedDigest(block: Buffer, total: number): string {
  const hash = createHash('sha256');
  for (let sent = 0; sent < total; sent += block.length) hash.update(block.subarray(0, Math.min(block.length, total - sent)));
  return hash.digest('hex');
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
