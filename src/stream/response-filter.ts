/**
 * The response filter seam (HAProxy's stream filters, `filter NAME` lines): per transaction, a
 * chain of filters in declaration order (the frontend's, then the backend's) that may edit the
 * request head before it goes to the server, the response head before it goes to the client,
 * and see or rewrite the response payload.
 *
 * Without filters nothing here runs: the stream forwards the body as framed on the wire. A
 * filter that only observes the payload (a cache storing it) leaves the wire bytes as they are;
 * the chain decodes a copy of the framing for it. A filter that rewrites the payload (compression)
 * makes the response chunked (`frameChunked`): the chain then decodes the server's framing, runs
 * the payload through the filters and frames their output as one chunk per server read, and the
 * last chunk at the end. The trailers of a chunked response are not carried over then.
 *
 * Filters run synchronously: what one server read produced goes out before the next read, so
 * the stream's backpressure (a slow client pauses the server) is unchanged.
 */
import type { ProcessLimits } from '../proxy/process-limits.ts';
import type { BackendModel, FrontendModel } from '../config/model.ts';
import { BodyFramer, H_CONTENT_LENGTH, H_TRANSFER_ENCODING, latin1Bytes, type RequestHead, type ResponseHead } from '../http/codec/index.ts';
import type { HeadEditor } from '../http/codec/serialize.ts';
import type { Runtime } from '../runtime.ts';
import type { CacheTxn } from '../cache/cache-txn.ts';
import type { HttpCounters } from '../proxy/counters.ts';

/** How a filter takes part in a response body. */
export type FilterBodyRole = 'none' | 'observe' | 'transform';

/** Where a filter's payload output goes (the next filter, or the framer). */
export interface FilterOutput {
  push(payload: Uint8Array): void;
}

export interface ResponseFilter {
  /**
   * The request passed every analyser (rules, backend choice) and is about to go to the server
   * (HAProxy's http_headers callback on the request): read it, edit it through `editor`.
   */
  request(req: RequestHead, editor: HeadEditor): void;
  /**
   * The response head passed the response and after-response rules and is about to go to the
   * client. `res` is the head as the server sent it; the rules' edits are in `editor`, where the
   * filter makes its own. A filter answering 'transform' must have called frameChunked.
   */
  responseHead(req: RequestHead, res: ResponseHead, editor: HeadEditor): FilterBodyRole;
  /** A compressing filter's algorithm (its configuration name) once it took the response (`res.comp`). */
  readonly compressionAlgo?: string | undefined;
  /** Payload bytes (framing removed); an observer passes them on unchanged. */
  data(payload: Uint8Array, out: FilterOutput): void;
  /** The end of one server read: what the filter holds back may go on (compression flushes). */
  flush(out: FilterOutput): void;
  /** The end of the payload. */
  end(out: FilterOutput): void;
  /** The transaction is over, complete or not: release what the filter holds. Idempotent. */
  release(): void;
}

/** What a filter kind's factory is given, per transaction. */
export interface FilterContext {
  readonly frontend: FrontendModel;
  readonly backend: BackendModel;
  readonly runtime: Runtime;
  /** The transaction's dealings with the caches, when the configuration has `cache` sections. */
  readonly cache: CacheTxn | undefined;
  /** The frontend's and the backend's counters (what the filters count goes to both, as HAProxy's). */
  readonly frontendCounters: HttpCounters;
  readonly backendCounters: HttpCounters;
  /** The process's bounds: the compression tunables, rate and zlib memory. */
  readonly limits: ProcessLimits;
}

/** Creates a filter kind's instance for one transaction; undefined when it has nothing to do. */
export type ResponseFilterFactory = (ctx: FilterContext) => ResponseFilter | undefined;

const T_CHUNKED = latin1Bytes('chunked');

/** The response goes out chunked: Content-Length removed, `Transfer-Encoding: chunked` added unless it is chunked already. */
export function frameChunked(res: ResponseHead, editor: HeadEditor): void {
  if (res.contentLength !== undefined) editor.removeAll(H_CONTENT_LENGTH);
  if (!res.chunked || !res.hasToken(H_TRANSFER_ENCODING, T_CHUNKED)) editor.append(H_TRANSFER_ENCODING, 'chunked');
}

const EMPTY = new Uint8Array(0);
const CRLF = latin1Bytes('\r\n');
const LAST_CHUNK = latin1Bytes('0\r\n\r\n');

/** Links filter i's output to filter i+1's input; created once per chain, never per chunk. */
class Link implements FilterOutput {
  readonly filter: ResponseFilter;
  readonly next: FilterOutput;
  constructor(filter: ResponseFilter, next: FilterOutput) {
    this.filter = filter;
    this.next = next;
  }
  push(payload: Uint8Array): void {
    this.filter.data(payload, this.next);
  }
}

/** The chain of one transaction. */
export class ResponseFilterChain implements FilterOutput {
  readonly #filters: readonly ResponseFilter[];
  /** The filters taking part in the body, in order, and the first link. */
  #active: ResponseFilter[] = [];
  #entry: FilterOutput = this;
  #links: FilterOutput[] = [];
  #transform = false;
  #engaged = false;
  #decoder: BodyFramer | undefined;
  /** Output of the last filter for the read in progress (transforming chains). */
  #pieces: Uint8Array[] = [];
  #pieceBytes = 0;
  readonly #onPayload = (chunk: Uint8Array, start: number, end: number): void => {
    this.#entry.push(chunk.subarray(start, end));
  };

  constructor(filters: readonly ResponseFilter[]) {
    this.#filters = filters;
  }

  /** The algorithm compressing the response, once responseHead() ran (`res.comp`, `res.comp_algo`). */
  compression: string | undefined = undefined;

  /** The chain rewrites the body: the stream must send what wire() returns. */
  get transforms(): boolean {
    return this.#transform;
  }

  request(req: RequestHead, editor: HeadEditor): void {
    for (const f of this.#filters) f.request(req, editor);
  }

  /** Offers the response to each filter; false when none takes part in the body (the chain can be dropped). */
  responseHead(req: RequestHead, res: ResponseHead, editor: HeadEditor): boolean {
    const active: ResponseFilter[] = [];
    for (const f of this.#filters) {
      const role = f.responseHead(req, res, editor);
      if (role === 'none') continue;
      active.push(f);
      if (role === 'transform') this.#transform = true;
      this.compression ??= f.compressionAlgo;
    }
    if (active.length === 0) {
      this.release();
      return false;
    }
    this.#active = active;
    // The payload flows from the first active filter to the last, then to this chain (framer).
    let next: FilterOutput = this;
    const links: FilterOutput[] = [];
    for (let i = active.length - 1; i >= 0; i--) {
      next = new Link(active[i] as ResponseFilter, next);
      links.unshift(next);
    }
    this.#links = links;
    this.#entry = next;
    const decoder = (this.#decoder = new BodyFramer());
    decoder.startResponse(res, req.method);
    decoder.onData = this.#onPayload;
    this.#engaged = true;
    return true;
  }

  /**
   * One server read's wire bytes: decodes them into payload for the filters, then returns the
   * bytes to send, the same bytes when the filters only observe.
   */
  wire(bytes: Uint8Array): Uint8Array {
    const decoder = this.#decoder as BodyFramer;
    let at = 0;
    while (at < bytes.byteLength && !decoder.done) at += decoder.feed(bytes, at, bytes.byteLength);
    // A read that ends the payload is neither flushed nor framed yet: finish() follows, and its
    // chunk carries the whole output, the compressed stream's end included, as HAProxy's
    // comp_http_payload finishes on the last block instead of flushing it.
    if (decoder.done) return this.#transform ? EMPTY : bytes;
    this.#flushFilters();
    if (!this.#transform) return bytes;
    return this.#takeChunk(false);
  }

  /** The payload ended: the bytes that close the body (a transforming chain's last chunks). */
  finish(): Uint8Array {
    if (!this.#engaged) return EMPTY;
    this.#engaged = false;
    const active = this.#active;
    for (let i = 0; i < active.length; i++) (active[i] as ResponseFilter).end(this.#links[i + 1] ?? this);
    return this.#transform ? this.#takeChunk(true) : EMPTY;
  }

  release(): void {
    for (const f of this.#filters) f.release();
    this.#engaged = false;
  }

  /** FilterOutput of the last filter: collects what goes to the client. */
  push(payload: Uint8Array): void {
    if (!this.#transform || payload.byteLength === 0) return;
    this.#pieces.push(payload);
    this.#pieceBytes += payload.byteLength;
  }

  #flushFilters(): void {
    const active = this.#active;
    for (let i = 0; i < active.length; i++) (active[i] as ResponseFilter).flush(this.#links[i + 1] ?? this);
  }

  /** Frames the collected output as one chunk (and the last chunk when `last`). */
  #takeChunk(last: boolean): Uint8Array {
    const size = this.#pieceBytes;
    if (size === 0 && !last) return EMPTY;
    const sizeLine = size === 0 ? EMPTY : latin1Bytes(`${size.toString(16)}\r\n`);
    const total = sizeLine.byteLength + size + (size === 0 ? 0 : 2) + (last ? LAST_CHUNK.byteLength : 0);
    const out = new Uint8Array(total);
    out.set(sizeLine, 0);
    let at = sizeLine.byteLength;
    for (const p of this.#pieces) {
      out.set(p, at);
      at += p.byteLength;
    }
    if (size > 0) {
      out.set(CRLF, at);
      at += 2;
    }
    if (last) out.set(LAST_CHUNK, at);
    this.#pieces.length = 0;
    this.#pieceBytes = 0;
    return out;
  }
}
