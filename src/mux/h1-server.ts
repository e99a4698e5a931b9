import { viewOf } from '../http/codec/chars.ts';
import { BodyFramer, HttpParseError, ResponseHeadParser, type ResponseHead } from '../http/codec/index.ts';
import { analyzeResponse } from '../http/codec/semantics.ts';
import type { ConnectionParking, PooledConnection } from '../http/server-pool.ts';
import type { Socket } from '../runtime.ts';
import type { Server } from '../proxy/server.ts';
import { H2ServerStream } from './h2/server-stream.ts';
import { joinedBytes, type CapturedWire } from './h1-error-capture.ts';
import { MuxedServerSocket } from './muxed-server-socket.ts';

/** HAProxy's tune.http.maxhdr is 101 slots, one of which ends the list: 100 header lines. */
const MAX_HEADERS = 100;

/** What became of a final response head the stream was given. */
export const HeadOutcome = {
  /** Not forwarded (retried, replaced by a local reply, or the session ended): stop reading. */
  dropped: 0,
  /** Forwarded: its body follows. */
  body: 1,
  /** A 101: the rest is raw bytes both ways. */
  tunnel: 2,
} as const;
export type HeadOutcome = (typeof HeadOutcome)[keyof typeof HeadOutcome];

/** What the server-side mux tells the stream about the response of its exchange. */
export interface H1ServerEvents {
  /** A 1xx response before the final one. */
  interimResponse(head: ResponseHead): void;
  /** The final response head. */
  responseHead(head: ResponseHead): HeadOutcome;
  /** Body bytes as framed on the wire (the HTTP/1 pass-through), or raw bytes after a 101. */
  responseData(bytes: Uint8Array): void;
  /** An invalid response, refused or let through, for `show errors` (before responseInvalid or responseHead). */
  captureResponse(wire: CapturedWire): void;
  /** The head could not be parsed (a junk response). */
  responseInvalid(error: unknown): void;
  /** The body's framing broke after the head was forwarded. */
  responseBodyInvalid(): void;
  /** The response's last byte arrived. */
  responseComplete(): void;
}

/**
 * One request/response exchange over an HTTP/1 server connection (HAProxy's mux_h1, backend
 * side): which connection it rides (fresh or reused from the pool), the response head parser
 * and body framer, and whether the connection may carry another request afterwards. The
 * stream owns the policy (retries, rules, what the client gets); this owns the wire.
 */
export class H1ServerExchange {
  readonly #events: H1ServerEvents;
  /** Made for the first head read as bytes (an HTTP/2 server's come built: feedHead). */
  #parser: ResponseHeadParser | undefined = undefined;
  readonly #maxHeadSize: number;
  /** `option accept-invalid-http-response` on this exchange's connection. */
  #relaxed = false;
  readonly #framer = new BodyFramer();
  #conn: PooledConnection | undefined;
  /** The server whose used connections (`used_conn_cur`) count this exchange's, while attached. */
  #countedOn: Server | undefined = undefined;
  /** The connection came from the idle pool. */
  reused = false;
  /** The server half-closed: it will take no further request. */
  ended = false;
  /** Bytes that came in the read that completed the final head, after it (in the buffer with it). */
  bodyBytesWithHead = 0;
  /** Bytes came after the end of the response: the connection cannot be trusted again. */
  #junk = false;
  /** The final head was forwarded and its body is being read. */
  #inBody = false;
  /** The response's last byte arrived. */
  done = false;
  /** The final head, the read it completed in and where it ended there (`show errors` of a bad body). */
  #headRaw: Uint8Array | undefined = undefined;
  #headRead: Uint8Array | undefined = undefined;
  #headEnd = 0;

  /** `maxHeadSize`: the response buffer less its rewrite reserve (tune.bufsize - tune.maxrewrite). */
  constructor(events: H1ServerEvents, maxHeadSize: number) {
    this.#events = events;
    this.#maxHeadSize = maxHeadSize;
  }

  /** The server socket of the exchange, while it has one. */
  get socket(): Socket | undefined {
    return this.#conn?.socket;
  }
  /** Response bytes received on this connection so far (0: the server said nothing). */
  get bytesReceived(): number {
    return this.#parser?.bytesReceived ?? 0;
  }
  /** The body ends when the server closes (no length, not chunked). */
  get closeDelimited(): boolean {
    return this.#framer.mode === 'close';
  }

  /**
   * The exchange rides `conn` (its socket's handler must already be the stream). `shareable`:
   * the connection may serve other sessions once idle, so it counts as a used connection of its
   * server while attached (an HTTP/2 connection counts itself, once).
   */
  attach(conn: PooledConnection, reused: boolean, shareable: boolean, acceptInvalid = false): void {
    this.#uncount();
    if (shareable && !(conn.socket instanceof H2ServerStream)) {
      this.#countedOn = conn.server;
      conn.server.usedConnections++;
    }
    this.#conn = conn;
    this.reused = reused;
    this.ended = false;
    this.#junk = false;
    this.#inBody = false;
    this.done = false;
    this.#parser?.reset();
    // the backend's `option accept-invalid-http-response` is an H1 mux setting: HAProxy's h2 mux ignores it
    this.#relaxed = acceptInvalid && !(conn.socket instanceof H2ServerStream);
    if (this.#parser !== undefined) this.#parser.relaxed = this.#relaxed;
  }

  /** Forgets the connection, which the caller closes; the exchange can be attached again (a retry). */
  detach(): Socket | undefined {
    const socket = this.#conn?.socket;
    this.#conn = undefined;
    this.#uncount();
    this.#parser?.reset();
    this.#inBody = false;
    this.done = false;
    return socket;
  }

  /** Reads response bytes from the server. */
  feed(chunk: Uint8Array): void {
    const events = this.#events;
    const end = chunk.byteLength;
    let off = 0;
    while (off < end) {
      if (!this.#inBody) {
        const parser = this.#parser ?? this.#newParser();
        try {
          off += parser.feed(chunk, off);
        } catch (error) {
          if (this.#capturing) {
            const input = parser.inputAtError(chunk, off);
            events.captureResponse({ ...input, refused: true, full: error instanceof HttpParseError && error.code === 'HEAD_TOO_LARGE' });
          }
          return events.responseInvalid(error);
        }
        if (!parser.done) return;
        const head = parser.head as ResponseHead;
        // `option accept-invalid-http-response` let an invalid byte through: HAProxy captures it too.
        if (parser.relaxedAt >= 0 && this.#capturing) events.captureResponse({ bytes: joinedBytes(head.raw, chunk.subarray(off)), errorAt: parser.relaxedAt, refused: false, head: head.raw });
        parser.reset();
        if (head.interim) {
          events.interimResponse(head);
          continue;
        }
        this.bodyBytesWithHead = end - off;
        this.#headRaw = head.raw;
        this.#headRead = chunk;
        this.#headEnd = off;
        const outcome = events.responseHead(head);
        if (outcome === HeadOutcome.dropped) return;
        if (outcome === HeadOutcome.tunnel) {
          if (off < end) events.responseData(chunk.subarray(off));
          return;
        }
        continue;
      }
      if (!this.done) {
        const start = off;
        try {
          off += this.#framer.feed(chunk, off);
        } catch (error) {
          this.#captureBadBody(chunk, start, error);
          return events.responseBodyInvalid();
        }
        if (off > start && !this.#framer.discard) events.responseData(start === 0 && off === end ? chunk : viewOf(chunk, start, off));
        if (this.#framer.done) this.done = true;
        continue;
      }
      this.#junk = true;
      break;
    }
    if (this.done) events.responseComplete();
  }

  #newParser(): ResponseHeadParser {
    // The socket's chunks are ours (SocketHandler.onData): a head in one chunk stays a view of it.
    const parser = new ResponseHeadParser({ maxHeaders: MAX_HEADERS, maxHeadSize: this.#maxHeadSize, copyHead: false });
    parser.relaxed = this.#relaxed;
    return (this.#parser = parser);
  }

  /**
   * A response head a server-side mux built from what it decoded (an HTTP/2 server's header
   * list), not yet analysed: taken as feed() takes a head it parsed, without reading its bytes
   * back. One over the parser's limits (fields, size) goes through the parser, which refuses it
   * as it refuses the same bytes from an HTTP/1 server.
   */
  feedHead(head: ResponseHead): void {
    const events = this.#events;
    if (this.#inBody || head.headerCount > MAX_HEADERS || head.raw.byteLength > this.#maxHeadSize) return this.feed(head.raw);
    try {
      analyzeResponse(head);
    } catch (error) {
      return events.responseInvalid(error);
    }
    if (head.interim) return events.interimResponse(head);
    this.bodyBytesWithHead = 0;
    this.#headRaw = head.raw;
    this.#headRead = head.raw;
    this.#headEnd = head.raw.byteLength;
    // A bodyless response is complete once its head is taken (startBody said so), as in feed().
    if (events.responseHead(head) === HeadOutcome.body && this.done) events.responseComplete();
  }

  /**
   * An invalid response body, for `show errors`: with its head when both came in one read (the
   * mux's buffer then holds both), else the bytes of this read from the body's part.
   */
  #captureBadBody(chunk: Uint8Array, start: number, error: unknown): void {
    const head = this.#headRaw;
    if (head === undefined || !this.#capturing) return;
    const offset = error instanceof HttpParseError ? error.offset : -1;
    if (chunk === this.#headRead) {
      const bytes = joinedBytes(head, chunk.subarray(this.#headEnd));
      this.#events.captureResponse({ bytes, errorAt: offset >= 0 ? head.byteLength + offset : bytes.byteLength, refused: true, head });
    } else {
      const bytes = chunk.slice(start);
      this.#events.captureResponse({ bytes, errorAt: offset >= 0 ? offset - this.#framer.bytesConsumed : bytes.byteLength, refused: true, head });
    }
  }

  /**
   * Only an HTTP/1 server's bytes are captured for `show errors`: HAProxy's h2 mux captures
   * nothing, and its FCGI mux captures the records' payload with FCGI flags, which is not done here.
   */
  get #capturing(): boolean {
    return !(this.#conn?.socket instanceof MuxedServerSocket);
  }

  /** The final head was accepted: frame its body (`requestMethod`: a HEAD's response has none). */
  startBody(head: ResponseHead, requestMethod: string): void {
    this.#framer.startResponse(head, requestMethod);
    this.#inBody = true;
    this.done = this.#framer.done;
  }

  /** The server closed a close-delimited body: that was all of it. */
  endOfBody(): void {
    this.#framer.eof();
    this.done = true;
  }

  /**
   * The exchange is over. The connection goes back to the pool (or the session's private store)
   * when it can carry another request (`keepAlive`: both sides and the stream agree), else it
   * is closed.
   */
  finish(pool: ConnectionParking | undefined, keepAlive: boolean, serverHeld: boolean): void {
    const conn = this.#conn;
    this.#conn = undefined;
    this.#uncount();
    this.#inBody = false;
    this.done = false;
    this.#headRaw = this.#headRead = undefined;
    if (conn === undefined) return;
    if (serverHeld) conn.socket.resume();
    const reusable = pool !== undefined && keepAlive && !this.#junk && !this.ended && this.#framer.mode !== 'close';
    // An HTTP/2 stream leaves its connection, which goes back to the pool with its last stream
    // (or is closed: past its `max-reuse`, told GOAWAY, not reusable).
    if (conn.socket instanceof H2ServerStream) return conn.socket.finish(pool, reusable);
    if (reusable) {
      conn.uses++;
      // Shared with every session from now on (or kept for this one when private), or closed.
      (pool as ConnectionParking).park(conn);
    } else {
      conn.socket.destroy();
    }
  }

  #uncount(): void {
    if (this.#countedOn === undefined) return;
    this.#countedOn.usedConnections--;
    this.#countedOn = undefined;
  }

  /** The connection the stream belonged to is gone: drop the parser's scratch buffers. */
  release(): void {
    this.#parser?.release();
  }
}
