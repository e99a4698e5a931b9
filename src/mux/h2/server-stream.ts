/**
 * One stream of an HTTP/2 server connection (HAProxy's h2s, backend side), as the HttpStream
 * riding it sees its server: the socket of an HTTP/1 server. The stream hands over the request's
 * head as it built it (writeRequestHead) and writes its body in HTTP/1 form
 * (src/mux/h2/request-translator.ts turns them into HEADERS, DATA and trailers), and
 * reads the response as HTTP/1 bytes (src/mux/h2/h1-response-writer.ts). This object owns what
 * is the stream's own: its id, its send window, the request payload waiting for credit, the
 * response's translation state, the bytes held while its user paused it. The connection
 * (src/mux/h2-server.ts) owns the socket, the frames, HPACK, the connection window and the
 * stream ids, and shares the connection window between the streams waiting for it.
 *
 * A stream error (RST_STREAM from the server, a malformed response) ends only this stream: its
 * user hears a closed server (502 before the response, a cut response after).
 */
import { MuxedServerSocket } from '../muxed-server-socket.ts';
import type { Socket, SocketError, SocketHandler } from '../../runtime.ts';
import { headerName, type RequestHead, type ResponseHead } from '../../http/codec/index.ts';
import { ErrorCode, Flag, H2Error, HeaderList, dataFrame, headersFrames, type Frame } from '../../http/h2/index.ts';
import { encodeRequestFields, RequestTranslator, upgradeProtocol, type Http2Origin, type RequestSink } from './request-translator.ts';
import { websocketAccept } from './ext-connect.ts';
import { isConnectionSpecific } from './connection-specific.ts';
import type { TrailerFields } from './h1-body-reader.ts';
import { h1Chunk, h1LastChunk, h1ResponseHead, type ResponseFraming } from './h1-response-writer.ts';
import type { ConnectionParking } from '../../http/server-pool.ts';
import type { H2ServerConnection } from '../h2-server.ts';

const H_SEC_WEBSOCKET_KEY = headerName('sec-websocket-key');
const EMPTY = new Uint8Array(0);

/**
 * What the stream behind an H2ServerStream (HttpStream) knows of its request beyond the HTTP/1
 * head it writes: an HTTP/2 client's URI and the WebSocket key made up for it.
 */
interface RequestOrigin {
  readonly madeUpWebsocketKey: string | undefined;
  readonly http2Origin: Http2Origin | undefined;
}

/** Why the exchange on an HTTP/2 server stream failed: the stream's onClose error. */
export function h2Failure(message: string, streamReset = false): SocketError {
  return { code: 'ECONNRESET', message, streamReset } as SocketError;
}

/**
 * Whether a server socket's error is an HTTP/2 stream the server reset (or answered with a
 * malformed response): the server saw the request, so it is no silent close of an idle
 * connection to retry elsewhere (HAProxy answers 502).
 */
export function isStreamReset(error: SocketError | undefined): boolean {
  return (error as { streamReset?: boolean } | undefined)?.streamReset === true;
}

function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/**
 * A socket handler that takes a response head as it was built from the server's header list
 * (HttpStream, whose server-side exchange would only read its bytes back into the same head).
 */
export interface ResponseHeadHandler extends SocketHandler {
  onResponseHead?(socket: Socket, head: ResponseHead): void;
}

export class H2ServerStream extends MuxedServerSocket implements Socket, RequestSink {
  readonly connection: H2ServerConnection;
  #handler: ResponseHeadHandler | undefined;
  readonly #request: RequestTranslator;
  readonly #framing: ResponseFraming = { status: 0, contentLength: -1, chunked: false, plain: false };

  /** Its id once its HEADERS went out (0: not yet). */
  id = 0;
  /** What we may still send on it (the server's window for it). */
  sendWindow = 0;
  /** DATA bytes read for it and not yet credited back to its window. */
  owed = 0;
  /** Waiting in the connection's queue for connection-window credit. */
  waitingCredit = false;
  /** Its user let it go (finish, destroy): frames still coming for it are consumed unseen. */
  detached = false;
  /** Over for its user: failed, ended, or let go. */
  #closed = false;

  #requestMethod = 'GET';
  /** END_STREAM went out / came in. */
  #requestDone = false;
  #responseDone = false;
  /** 'head': waiting for the final head; 'body': DATA or trailers; 'done'. */
  #resState: 'head' | 'body' | 'done' = 'head';
  /**
   * A HEAD's final head whose END_STREAM has not come: held until it does, so that the stream
   * (for which the head is the whole response) sends its client's next request only once this
   * stream ended, as HAProxy's h2 mux ends the message only then (http_bodyless_response).
   */
  #headUntilEnd: Uint8Array | undefined = undefined;
  /** An Upgrade request waiting for the server's SETTINGS (HAProxy's mux sends nothing before them). */
  #upgradeWaiting: RequestHead | undefined = undefined;
  /** An extended CONNECT for this protocol. */
  #extConnect: string | undefined = undefined;
  /** Its client's Sec-WebSocket-Key (the 101 owes the HTTP/1 client the matching Accept). */
  #websocketKey: string | undefined = undefined;
  /** The extended CONNECT was answered 200: DATA both ways are the tunnel's bytes. */
  #tunnel = false;
  #resRemaining = -1;
  /** Response bytes given to the user: a failure before any is an unanswered request. */
  #delivered = 0;

  /** Request bytes written before the connection had a stream slot for it. */
  #unsent: Uint8Array[] | undefined = undefined;
  /** Request payload waiting for flow-control credit, and whether its end (with trailers) follows. */
  readonly #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #pendingEnd = false;
  #pendingTrailers: TrailerFields | undefined;
  /** write() returned false: onDrain is owed. */
  #owesDrain = false;

  /** The user paused us: response bytes wait here, their stream credit with them. */
  #paused = false;
  readonly #held: Uint8Array[] = [];
  /** The tunnel's server direction ended while bytes were held: onEnd follows their delivery. */
  #endAfterHeld = false;

  constructor(connection: H2ServerConnection, inner: Socket, handler: ResponseHeadHandler | undefined) {
    super(inner);
    this.connection = connection;
    this.#handler = handler;
    this.#request = new RequestTranslator(this);
    this.#request.begin();
  }

  /** Both directions ended on the wire. */
  get finished(): boolean {
    return this.#requestDone && this.#responseDone;
  }

  // ---- Socket: what the HttpStream sees ---------------------------------------------------------

  setHandler(handler: ResponseHeadHandler): void {
    this.#handler = handler;
  }

  write(chunk: Uint8Array): boolean {
    if (this.#closed) return false;
    if (this.#unsent !== undefined || (this.id === 0 && !this.connection.slotFor(this))) {
      // No stream slot yet (the server's MAX_CONCURRENT_STREAMS): kept until one frees.
      (this.#unsent ??= []).push(chunk.slice());
      this.#owesDrain = true;
      return false;
    }
    if (this.#tunnel) {
      if (this.#requestDone) return false;
      this.requestPayload(chunk, 0, chunk.byteLength);
      return this.#flowing();
    }
    try {
      const used = this.#request.feed(chunk);
      // Bytes past the end of the request belong to no request: the stream never sends them.
      if (used < chunk.byteLength) throw new H2Error(ErrorCode.INTERNAL_ERROR, 'bytes after the request');
    } catch (error) {
      return this.#translationFailed(error);
    }
    return this.#flowing();
  }

  /**
   * The request's head as its stream built it (HeadEditor.buildRequestHead), not as bytes to
   * parse again; its body follows through write(). Before the stream has a slot, or in the
   * middle of a request, it goes as its bytes.
   */
  writeRequestHead(head: RequestHead): boolean {
    if (this.#closed) return false;
    if (this.#unsent !== undefined || this.#tunnel || this.#request.started || (this.id === 0 && !this.connection.slotFor(this))) return this.write(head.raw);
    try {
      this.#request.takeHead(head);
    } catch (error) {
      return this.#translationFailed(error);
    }
    return this.#flowing();
  }

  /**
   * The request could not be translated: the HPACK encoder may have changed its table for a
   * block that never went out, so the connection's state is unsure and it ends.
   */
  #translationFailed(error: unknown): false {
    this.connection.fail(error instanceof H2Error ? error.code : ErrorCode.INTERNAL_ERROR, error);
    return false;
  }

  #flowing(): boolean {
    const flowing = this.#pendingBytes === 0 && !this.connection.socketFull;
    if (!flowing) this.#owesDrain = true;
    return flowing;
  }

  /** A slot freed on the connection: what was written meanwhile goes out. */
  slotGranted(): void {
    const unsent = this.#unsent;
    this.#unsent = undefined;
    if (unsent === undefined || this.#closed) return;
    for (const chunk of unsent) if (!this.write(chunk) && this.#closed) return;
    this.drained();
  }

  /** A half-close of the request direction: the request's END_STREAM already said it, except in a tunnel. */
  end(): void {
    if (!this.#tunnel || this.#requestDone || this.#closed) return;
    this.#pendingEnd = true;
    if (this.#pendingBytes === 0) this.#sendEnd();
  }

  /** The user gives the stream up: RST_STREAM (CANCEL) if it is still open on the wire. */
  destroy(): void {
    this.#letGo(undefined, false, false);
  }

  reset(): void {
    this.#letGo(undefined, false, false);
  }

  /**
   * The exchange is over (H1ServerExchange.finish): the stream leaves, and the connection goes
   * back to `pool` when it has no other stream and `reusable` (the exchange may be followed by
   * another on this connection), or stays with its other streams.
   */
  finish(pool: ConnectionParking | undefined, reusable: boolean): void {
    this.#letGo(pool, reusable, true);
  }

  /** `finished`: the exchange ended and said whether the connection is `reusable`; else the stream was given up. */
  #letGo(pool: ConnectionParking | undefined, reusable: boolean, finished: boolean): void {
    if (this.detached) return;
    const wasClosed = this.#closed;
    this.detached = true;
    this.#closed = true;
    this.#handler = undefined;
    this.#held.length = 0;
    const conn = this.connection;
    if (this.id !== 0 && !this.finished && !wasClosed) {
      // A response read whole before its END_STREAM (Content-Length, HEAD) needs no reset: the
      // stream keeps its slot until the server ends it. Anything else is cancelled.
      const responseRead = this.#resState === 'done' || (this.#resState === 'body' && !this.#tunnel && !this.#framing.chunked && this.#resRemaining === 0);
      if (!this.#requestDone || !responseRead || this.#pendingBytes > 0) {
        conn.resetStream(this.id, ErrorCode.CANCEL, false);
        conn.streamClosed(this);
      }
    } else if (this.id === 0) {
      conn.streamClosed(this);
    }
    conn.streamLeft(pool, reusable, finished);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const held = this.#held.splice(0);
    for (let i = 0; i < held.length; i++) {
      if (this.#closed || this.#paused) {
        // Paused again (or gone) while delivering: keep the rest.
        if (!this.#closed) this.#held.push(...held.slice(i));
        break;
      }
      this.#deliver(held[i] as Uint8Array);
    }
    if (this.#endAfterHeld && this.#held.length === 0 && !this.#closed) {
      this.#endAfterHeld = false;
      this.#handler?.onEnd(this);
    }
    this.connection.credit(this);
  }

  /** Whether its owed credit may go back to the server now (its user takes what comes). */
  get takesData(): boolean {
    return !this.#paused && this.#held.length === 0;
  }

  get bufferedAmount(): number {
    return this.connection.socketBuffered + this.#pendingBytes;
  }

  // ---- RequestSink: the request the stream wrote, as frames ----------------------------------

  requestHead(head: RequestHead, endStream: boolean): void {
    if (head.upgrade) {
      if (!this.connection.settingsSeen) {
        this.#upgradeWaiting = head;
        return;
      }
      return this.#extendedConnect(head);
    }
    this.#requestMethod = head.method;
    this.#sendHeaders(head, endStream, undefined);
    if (endStream) this.#requestDone = true;
  }

  #sendHeaders(head: RequestHead, endStream: boolean, protocol: string | undefined, madeUpKey?: string): void {
    const conn = this.connection;
    conn.open(this);
    const encoder = conn.encoder;
    encoder.begin();
    const origin = (this.#handler as Partial<RequestOrigin> | undefined)?.http2Origin;
    encodeRequestFields(head, encoder, protocol, madeUpKey, origin);
    conn.out(headersFrames(this.id, encoder.bytes, endStream, conn.peerMaxFrame));
    if (this.hasPending) this.flush(Infinity);
  }

  /** The server's first SETTINGS came: an Upgrade request waiting for them goes now. */
  settingsArrived(): void {
    const waiting = this.#upgradeWaiting;
    if (waiting === undefined || this.#closed) return;
    this.#upgradeWaiting = undefined;
    this.#extendedConnect(waiting);
  }

  /**
   * An HTTP/1.1 Upgrade to an HTTP/2 server: an extended CONNECT (RFC 8441) when the server
   * offered it, else, as HAProxy, the stream is refused (the client gets a 502).
   */
  #extendedConnect(head: RequestHead): void {
    const protocol = upgradeProtocol(head) ?? '';
    if (!this.connection.rfc8441) {
      // HAProxy resets the stream it was about to open (the server sees RST_STREAM on its id).
      this.connection.open(this);
      return this.#fail('the server does not offer extended CONNECT (RFC 8441)', ErrorCode.INTERNAL_ERROR);
    }
    this.#requestMethod = 'GET';
    this.#extConnect = protocol;
    this.#websocketKey = protocol.toLowerCase() === 'websocket' ? head.get(H_SEC_WEBSOCKET_KEY) : undefined;
    // A key the h2 client side made up for its own extended CONNECT is in the head for an
    // HTTP/1 server: HAProxy's h2 mux has none to send. (The Accept made from it below only
    // lets the 101 through; that client side drops it again.)
    const madeUp = (this.#handler as Partial<RequestOrigin> | undefined)?.madeUpWebsocketKey;
    this.#sendHeaders(head, false, protocol, madeUp);
  }

  requestPayload(chunk: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    if (this.#pendingBytes > 0 || this.id === 0) {
      this.#queue(chunk.slice(start, end));
      return;
    }
    const sent = this.#sendData(chunk, start, end, Infinity);
    if (sent < end) this.#queue(chunk.slice(sent, end));
  }

  requestEnd(trailers: TrailerFields | undefined): void {
    this.#pendingEnd = true;
    this.#pendingTrailers = trailers;
    if (this.#pendingBytes === 0 && this.id !== 0) this.#sendEnd();
  }

  #queue(bytes: Uint8Array): void {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.byteLength;
  }

  /** Sends DATA from chunk[start, end) as far as the windows and `budget` allow; returns where it stopped. */
  #sendData(chunk: Uint8Array, start: number, end: number, budget: number): number {
    const conn = this.connection;
    while (start < end && budget > 0) {
      const room = Math.min(conn.connSendWindow, this.sendWindow, conn.peerMaxFrame, budget);
      if (room <= 0) break;
      const n = Math.min(room, end - start);
      conn.out(dataFrame(this.id, chunk, start, start + n, false));
      conn.connSendWindow -= n;
      this.sendWindow -= n;
      budget -= n;
      start += n;
    }
    // Stopped by the connection's window (or its turn) with room of its own: it waits its turn.
    if (start < end && this.sendWindow > 0) conn.waitCredit(this);
    return start;
  }

  /** The request's end: its trailers as a last HEADERS frame, else an empty DATA frame, with END_STREAM. */
  #sendEnd(): void {
    this.#pendingEnd = false;
    const trailers = this.#pendingTrailers;
    this.#pendingTrailers = undefined;
    const conn = this.connection;
    if (trailers !== undefined) {
      const encoder = conn.encoder;
      encoder.begin();
      for (const [name, value] of trailers) encoder.add(name, value);
      conn.out(headersFrames(this.id, encoder.bytes, true, conn.peerMaxFrame));
    } else {
      conn.out(dataFrame(this.id, EMPTY, 0, 0, true));
    }
    this.#requestDone = true;
    this.#maybeFinished();
  }

  /**
   * Credit came (its window, or its turn of the connection's): queued payload goes out, at most
   * `budget` bytes of it, then the end; its user hears it may write again.
   */
  flush(budget: number): void {
    if (this.id === 0 || this.#closed) return;
    const pending = this.#pending;
    while (pending.length > 0 && budget > 0) {
      const bytes = pending[0] as Uint8Array;
      const sent = this.#sendData(bytes, 0, bytes.byteLength, budget);
      budget -= sent;
      this.#pendingBytes -= sent;
      if (sent < bytes.byteLength) {
        pending[0] = bytes.subarray(sent);
        return;
      }
      pending.shift();
    }
    if (pending.length > 0) return;
    if (this.#pendingEnd && !this.#requestDone) this.#sendEnd();
    this.drained();
  }

  get hasPending(): boolean {
    return this.#pendingBytes > 0 || (this.#pendingEnd && !this.#requestDone);
  }

  /** The server's socket and our windows may take more: the user hears it if it was told to wait. */
  drained(): void {
    if (!this.#owesDrain || this.#pendingBytes > 0 || this.#unsent !== undefined || this.connection.socketFull || this.#closed) return;
    this.#owesDrain = false;
    this.#handler?.onDrain(this);
  }

  /** The server's WINDOW_UPDATE for this stream. */
  windowUpdate(increment: number): void {
    if (increment === 0) return this.#fail('WINDOW_UPDATE of 0', ErrorCode.PROTOCOL_ERROR);
    this.sendWindow += increment;
    if (this.sendWindow > 0x7fffffff) return this.#fail('stream window overflow', ErrorCode.FLOW_CONTROL_ERROR);
    if (this.hasPending) this.flush(Infinity);
  }

  // ---- the server's frames on this stream -----------------------------------------------------

  /** A complete header block for this stream, decoded into `fields`. */
  headers(fields: HeaderList, endStream: boolean): void {
    if (this.detached) {
      if (endStream) this.#serverEnded();
      return;
    }
    if (fields.tooLarge) return this.#fail('response header list too large', ErrorCode.PROTOCOL_ERROR);
    let bytes: Uint8Array;
    let head: ResponseHead | undefined;
    try {
      if (this.#resState === 'body') {
        // Trailers: they end the stream.
        if (!endStream) return this.#fail('trailers without END_STREAM', ErrorCode.PROTOCOL_ERROR);
        // Content-Length framing has no room for trailers.
        bytes = this.#framing.chunked ? h1LastChunk(fields) : EMPTY;
        if (this.#resRemaining > 0) return this.#fail('response shorter than its content-length', ErrorCode.PROTOCOL_ERROR);
        this.#resState = 'done';
      } else if (this.#resState === 'head' && this.#extConnect !== undefined && this.#tunnelHead(fields, endStream)) {
        return;
      } else if (this.#resState === 'head') {
        head = h1ResponseHead(fields, this.#requestMethod, this.#framing);
        bytes = head.raw;
        const status = this.#framing.status;
        // A refused extended CONNECT is a plain response: our side of the stream ends now.
        if (this.#extConnect !== undefined && status >= 200 && !this.#requestDone) this.#sendEnd();
        if (status < 200) {
          if (endStream) return this.#fail('interim response with END_STREAM', ErrorCode.PROTOCOL_ERROR);
        } else {
          const bodyless = !this.#framing.chunked && (this.#framing.contentLength <= 0 || this.#requestMethod === 'HEAD' || status === 204 || status === 304);
          this.#resRemaining = bodyless ? -1 : this.#framing.contentLength;
          if (endStream && this.#framing.chunked) {
            // The head and the last chunk in one delivery, as bytes.
            bytes = joined(bytes, h1LastChunk(undefined));
            head = undefined;
          } else if (endStream && this.#resRemaining > 0) return this.#fail('response shorter than its content-length', ErrorCode.PROTOCOL_ERROR);
          this.#resState = endStream ? 'done' : 'body';
        }
      } else {
        return this.#fail('HEADERS after the end of the response', ErrorCode.STREAM_CLOSED);
      }
    } catch (error) {
      return this.#fail(error instanceof Error ? error.message : 'malformed response', ErrorCode.PROTOCOL_ERROR);
    }
    if (this.#headUntilEnd !== undefined) {
      bytes = this.#headUntilEnd;
      this.#headUntilEnd = undefined;
    } else if (!endStream && this.#resState === 'body' && this.#requestMethod === 'HEAD') {
      this.#headUntilEnd = bytes;
      return;
    }
    if (endStream) this.#responseDone = true;
    if (head !== undefined && this.#framing.plain && !this.#paused && this.#held.length === 0 && this.#handler?.onResponseHead !== undefined) {
      this.#delivered += bytes.byteLength;
      this.#handler.onResponseHead(this, head);
    } else if (bytes.byteLength > 0) {
      this.#deliverOrHold(bytes);
    }
    if (endStream) this.#maybeFinished();
  }

  /**
   * The HEADERS answering an extended CONNECT: a 200 becomes the HTTP/1 `101` with
   * `Connection: upgrade` and `Upgrade: <protocol>` (h2_make_htx_response), and the
   * Sec-WebSocket-Accept the client's key calls for when the server sent none (HAProxy's H1
   * mux adds it); the stream becomes a tunnel. False for any other status (a plain response).
   * A 200 with END_STREAM is still the 101 (h2_prepare_htx_stsline converts any 200), and the
   * server's direction of the tunnel is over at once.
   */
  #tunnelHead(fields: HeaderList, endStream: boolean): boolean {
    let status = '';
    let accept = false;
    let lines = '';
    for (let i = 0; i < fields.count; i++) {
      const name = fields.names[i]!;
      const value = fields.values[i]!;
      if (name === ':status') status = value;
      else if (name.charCodeAt(0) === 0x3a || isConnectionSpecific(name)) continue;
      else {
        if (name === 'sec-websocket-accept') accept = true;
        lines += `${name}: ${value}\r\n`;
      }
    }
    if (status !== '200') return false;
    lines += `connection: upgrade\r\nupgrade: ${this.#extConnect!}\r\n`;
    const runtime = this.connection.runtime;
    if (!accept && this.#websocketKey !== undefined && runtime !== undefined) {
      lines += `sec-websocket-accept: ${websocketAccept(runtime, this.#websocketKey)}\r\n`;
    }
    const text = `HTTP/1.1 101 \r\n${lines}\r\n`;
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    this.#tunnel = true;
    this.#resState = 'body';
    this.#deliverOrHold(bytes);
    if (endStream) this.#tunnelServerEnd();
    return true;
  }

  /** The server ended its direction of the tunnel: for the user, the server's FIN, after the bytes it holds. */
  #tunnelServerEnd(): void {
    this.#resState = 'done';
    this.#responseDone = true;
    if (this.#held.length > 0) this.#endAfterHeld = true;
    else this.#handler?.onEnd(this);
    this.#maybeFinished();
  }

  /** A DATA frame for this stream (the connection counted it for its own window). */
  data(f: Frame): void {
    const endStream = (f.flags & Flag.END_STREAM) !== 0;
    if (this.detached) {
      if (endStream) this.#serverEnded();
      return;
    }
    if (!this.#responseDone) this.connection.owe(this, f.length);
    if (this.#tunnel) {
      if (f.end > f.start) this.#deliverOrHold(f.buf.subarray(f.start, f.end));
      if (endStream) this.#tunnelServerEnd();
      return;
    }
    if (this.#resState !== 'body') return this.#fail('DATA outside a response body', ErrorCode.PROTOCOL_ERROR);
    const n = f.end - f.start;
    let bytes: Uint8Array | undefined;
    if (this.#framing.chunked) {
      if (n > 0) bytes = h1Chunk(f.buf, f.start, f.end);
      if (endStream) bytes = bytes === undefined ? h1LastChunk(undefined) : joined(bytes, h1LastChunk(undefined));
    } else if (this.#resRemaining >= 0) {
      if (n > this.#resRemaining || (endStream && n < this.#resRemaining)) {
        return this.#fail('response body differs from its content-length', ErrorCode.PROTOCOL_ERROR);
      }
      this.#resRemaining -= n;
      // The frame's buffer belongs to the reader only while it is pending: the payload is copied when held.
      if (n > 0) bytes = f.buf.subarray(f.start, f.end);
    }
    // (a bodyless response's stray DATA is dropped)
    if (endStream) {
      this.#resState = 'done';
      this.#responseDone = true;
      if (this.#headUntilEnd !== undefined) {
        bytes = this.#headUntilEnd;
        this.#headUntilEnd = undefined;
      }
    }
    if (bytes !== undefined) this.#deliverOrHold(bytes);
    if (endStream) this.#maybeFinished();
  }

  /** A detached stream's END_STREAM: it gives its slot back. */
  #serverEnded(): void {
    this.#responseDone = true;
    this.connection.streamClosed(this);
  }

  /** RST_STREAM from the server. REFUSED_STREAM before any response is an unanswered request (retried). */
  serverReset(code: number): void {
    if (this.detached) return this.connection.streamClosed(this);
    if (code === ErrorCode.REFUSED_STREAM && this.#delivered === 0) return this.unanswered();
    this.#fail(`the server reset the stream (error ${code})`);
  }

  // ---- to the user ----------------------------------------------------------------------------

  #deliverOrHold(bytes: Uint8Array): void {
    if (this.#paused || this.#held.length > 0) {
      this.#held.push(bytes.slice());
      return;
    }
    this.#deliver(bytes);
  }

  #deliver(bytes: Uint8Array): void {
    this.#delivered += bytes.byteLength;
    this.#handler?.onData(this, bytes);
  }

  #maybeFinished(): void {
    if (this.#requestDone && this.#responseDone && this.id !== 0) this.connection.streamClosed(this);
  }

  // ---- errors and the end ----------------------------------------------------------------------

  /**
   * The stream cannot go on (its response is malformed, it was refused): RST_STREAM with `code`
   * when given; the user sees its server close with an error. The connection goes on.
   */
  #fail(message: string, code?: number): void {
    if (this.#closed) return;
    const conn = this.connection;
    if (code !== undefined && this.id !== 0) conn.resetStream(this.id, code, true);
    this.#closed = true;
    conn.streamClosed(this);
    this.#handler?.onClose(this, h2Failure(message, true));
  }

  /** The connection failed: the user sees its server close with an error. */
  connectionFailed(error: SocketError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handler?.onClose(this, error);
  }

  /**
   * The server will not process this stream (a GOAWAY below its id, REFUSED_STREAM, a closed
   * connection before any answer): for the user, a server that closed without answering.
   */
  unanswered(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.connection.streamClosed(this);
    this.#handler?.onEnd(this);
  }

  /** The server closed the connection: a response in progress ends there (the user judges it). */
  serverClosed(): void {
    if (this.#closed || this.#responseDone) return;
    if (this.#delivered === 0 && this.#held.length === 0) return this.unanswered();
    if (this.#held.length > 0) this.#endAfterHeld = true;
    else {
      this.#closed = true;
      this.#handler?.onEnd(this);
    }
  }
}
