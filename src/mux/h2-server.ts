import { MuxedServerSocket } from './muxed-server-socket.ts';
import type { Runtime, Socket, SocketError, SocketHandler } from '../runtime.ts';
import { headerName, type RequestHead } from '../http/codec/index.ts';
import {
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW,
  ErrorCode,
  Flag,
  FrameReader,
  FrameType,
  H2Error,
  HeaderList,
  HpackDecoder,
  HpackEncoder,
  MAX_WINDOW,
  PREFACE,
  SETTINGS_ACK,
  Setting,
  dataFrame,
  goawayFrame,
  headersFrames,
  pingAckFrame,
  readUint32,
  rstStreamFrame,
  settingsFrame,
  windowUpdateFrame,
  type Frame,
} from '../http/h2/index.ts';
import { encodeRequestFields, RequestTranslator, upgradeProtocol, type RequestSink } from './h2/request-translator.ts';
import { websocketAccept } from './h2/ext-connect.ts';
import { isConnectionSpecific } from './h2/connection-specific.ts';
import { localSettings, type H2Options } from './h2/local-settings.ts';

const H_SEC_WEBSOCKET_KEY = headerName('sec-websocket-key');
import type { TrailerFields } from './h2/h1-body-reader.ts';
import { h1Chunk, h1LastChunk, h1ResponseHead, type ResponseFraming } from './h2/h1-response-writer.ts';

/** Largest header block (HEADERS + CONTINUATION) gathered before the connection is given up. */
const MAX_HEADER_BLOCK = 65536;
/** Largest decoded response header list. */
const MAX_HEADER_LIST = 65536;

/** Why the exchange on an HTTP/2 server connection failed: the stream's onClose error. */
function failure(message: string): SocketError {
  return { code: 'ECONNRESET', message } as SocketError;
}

/**
 * The server side of an HTTP/2 connection (HAProxy's mux_h2, backend side), presented to the
 * stream as the socket of an HTTP/1 server: the stream writes the request as it would for an
 * HTTP/1 server (head, then the body framed with Content-Length or chunked) and reads the
 * response as HTTP/1 bytes, so `H1ServerExchange` parses it and the stream, its rules, retries,
 * the idle pool and the logs are the HTTP/1 ones. Underneath, each request becomes a stream:
 * HEADERS (src/mux/h2/request-translator.ts: `:method`, `:scheme`, `:path`, Host, no
 * connection-specific field), DATA (the payload, chunk framing removed) and trailers as a last
 * HEADERS frame; the response's HEADERS become an HTTP/1 head (chunked when it has no
 * Content-Length), its DATA the body, a trailing HEADERS frame the chunked trailer section
 * (src/mux/h2/h1-response-writer.ts).
 *
 * This slice carries one stream at a time: the connection goes back to the idle pool between
 * requests, and the next request rides the same connection on the next stream id. Flow control
 * both ways: request DATA waits for the server's windows (write() then returns false and
 * onDrain follows), response DATA is credited back as the stream reads it, and not while the
 * stream paused us (its client is slow), so a slow client holds at most one window.
 *
 * A stream error from the server (RST_STREAM, a malformed response) or a connection error ends
 * the whole connection: its exchange sees a closed server (502 before the response, a cut
 * response after). The server's GOAWAY lets the stream in flight finish when the server
 * processed it, and fails it as an unanswered request otherwise (a reused connection is then
 * retried by the stream once on a fresh one).
 */
export class H2ServerConnection extends MuxedServerSocket implements Socket, SocketHandler, RequestSink {
  readonly #socket: Socket;
  #handler: SocketHandler | undefined;
  readonly #reader = new FrameReader();
  readonly #decoder: HpackDecoder;
  readonly #encoder = new HpackEncoder();
  readonly #fields = new HeaderList();
  readonly #request: RequestTranslator;
  readonly #framing: ResponseFraming = { status: 0, contentLength: -1, chunked: false };
  readonly #onFrame = (f: Frame): void => this.#frame(f);

  // The server's settings.
  #peerInitialWindow = DEFAULT_WINDOW;
  #peerMaxFrame = DEFAULT_MAX_FRAME_SIZE;
  #connSendWindow = DEFAULT_WINDOW;

  /** The stream in flight (0: none), and the next id to use. */
  #sid = 0;
  #nextId = 1;
  #streamSendWindow = 0;
  #requestMethod = 'GET';
  /** END_STREAM went out / came in on the stream in flight. */
  #requestDone = false;
  #responseDone = false;
  /** 'head': waiting for the final head; 'body': DATA or trailers; 'done'. */
  #resState: 'head' | 'body' | 'done' = 'head';
  /**
   * A HEAD's final head whose END_STREAM has not come: held until it does, so that the stream
   * (for which the head is the whole response) sends the client's next request only once this
   * stream ended, as HAProxy's h2 mux ends the message only then (http_bodyless_response).
   */
  #headUntilEnd: Uint8Array | undefined = undefined;
  /** The server's first SETTINGS came, and whether it offered extended CONNECT (RFC 8441). */
  #settingsSeen = false;
  #rfc8441 = false;
  /** An Upgrade request waiting for the server's SETTINGS (HAProxy's mux sends nothing before them). */
  #upgradeWaiting: RequestHead | undefined = undefined;
  /** The stream in flight is an extended CONNECT for this protocol. */
  #extConnect: string | undefined = undefined;
  /** Its client's Sec-WebSocket-Key (the 101 owes the HTTP/1 client the matching Accept). */
  #websocketKey: string | undefined = undefined;
  /** The extended CONNECT was answered 200: DATA both ways are the tunnel's bytes. */
  #tunnel = false;
  readonly #runtime: Runtime | undefined;
  readonly #maxStreams: number;
  #resRemaining = -1;
  /** Response bytes given to the stream: a failure before any is an unanswered request. */
  #delivered = 0;

  /** Request payload waiting for flow-control credit, and whether its end (with trailers) follows. */
  readonly #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #pendingEnd = false;
  #pendingTrailers: TrailerFields | undefined;
  /** write() returned false: onDrain is owed. */
  #owesDrain = false;
  /** The server's socket queue is above its high-water mark. */
  #socketFull = false;

  /** The stream paused us: response bytes wait here, uncredited. */
  #paused = false;
  readonly #held: Uint8Array[] = [];
  /** The tunnel's server direction ended while bytes were held: onEnd follows their delivery. */
  #endAfterHeld = false;
  /** Response DATA bytes (padding included) read but not yet credited back. */
  #owed = 0;

  /** A header block in progress. */
  #blockFlags = 0;
  #blockParts: Uint8Array[] = [];
  #blockBytes = 0;
  #blockStream = 0;

  /** The server's GOAWAY: the last stream it processes (-1: none received). */
  #goawayLast = -1;
  #ended = false;
  #closed = false;
  #closeReported = false;

  /**
   * `maxStreams`: the streams this connection may carry in all (`max-reuse` + 1; HAProxy's
   * h2_avail_streams); `opts`: the generation's `tune.h2.*`, announced as HAProxy does.
   */
  constructor(socket: Socket, runtime?: Runtime, maxStreams = Infinity, opts: H2Options = {}) {
    super(socket);
    this.#socket = socket;
    this.#runtime = runtime;
    this.#maxStreams = maxStreams;
    this.#request = new RequestTranslator(this);
    const local = localSettings(opts, true);
    this.#decoder = new HpackDecoder({ maxTableSize: local.headerTableSize, maxListSize: MAX_HEADER_LIST });
    this.#reader.maxFrameSize = local.maxFrameSize;
    socket.setHandler(this);
    // The preface and our SETTINGS in one write (HAProxy's h2c_send_settings): no server push,
    // extended CONNECT offered, the tuned window, table, stream count and frame size.
    const settings = settingsFrame(local.pairs);
    const out = new Uint8Array(PREFACE.byteLength + settings.byteLength);
    out.set(PREFACE);
    out.set(settings, PREFACE.byteLength);
    socket.write(out);
  }

  /** Whether another request may ride this connection: `max-reuse` not reached, no GOAWAY, still open. */
  get acceptsNewStream(): boolean {
    return !this.#closed && !this.#ended && this.#goawayLast < 0 && (this.#nextId - 1) / 2 < this.#maxStreams;
  }

  // ---- Socket: what the stream (or the pool, while idle) sees ---------------------------------

  setHandler(handler: SocketHandler): void {
    this.#handler = handler;
  }

  write(chunk: Uint8Array): boolean {
    if (this.#closed) return false;
    if (this.#tunnel) {
      if (this.#requestDone) return false;
      this.requestPayload(chunk, 0, chunk.byteLength);
      const flowing = this.#pendingBytes === 0 && !this.#socketFull;
      if (!flowing) this.#owesDrain = true;
      return flowing;
    }
    if (this.#sid !== 0 && this.#request.ended) {
      // The stream read its whole response (a Content-Length body, a HEAD's head) before the
      // server's END_STREAM came: the next request goes on a new stream, the old one's end is ignored.
      if (this.#pendingBytes > 0 || this.#pendingEnd) {
        this.#connectionError(ErrorCode.INTERNAL_ERROR, new Error('a request began before the previous one was sent'));
        return false;
      }
      this.#sid = 0;
    }
    if (this.#sid === 0) this.#openStream();
    try {
      const used = this.#request.feed(chunk);
      // Bytes past the end of the request belong to no request: the stream never sends them.
      if (used < chunk.byteLength) throw new H2Error(ErrorCode.INTERNAL_ERROR, 'bytes after the request');
    } catch (error) {
      this.#connectionError(error instanceof H2Error ? error.code : ErrorCode.INTERNAL_ERROR, error);
      return false;
    }
    const flowing = this.#pendingBytes === 0 && !this.#socketFull;
    if (!flowing) this.#owesDrain = true;
    return flowing;
  }

  /** Writes to the server's socket, noting when its queue is full (the stream is told to wait). */
  #out(bytes: Uint8Array): void {
    if (!this.#socket.write(bytes)) this.#socketFull = true;
  }

  /** A half-close of the request direction: the request's END_STREAM already said it, except in a tunnel. */
  end(): void {
    if (!this.#tunnel || this.#requestDone || this.#closed) return;
    this.#pendingEnd = true;
    if (this.#pendingBytes === 0) this.#sendEnd();
  }

  destroy(): void {
    this.#shut(false);
  }

  reset(): void {
    this.#shut(true);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const held = this.#held.splice(0);
    for (const bytes of held) {
      if (this.#closed || this.#paused) {
        // Paused again (or gone) while delivering: keep the rest.
        if (!this.#closed) this.#held.push(bytes);
        continue;
      }
      this.#deliver(bytes);
    }
    if (this.#endAfterHeld && this.#held.length === 0 && !this.#closed) {
      this.#endAfterHeld = false;
      this.#handler?.onEnd(this);
    }
    this.#afterDelivery();
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount + this.#pendingBytes;
  }

  // ---- RequestSink: the request the stream wrote, as frames ----------------------------------

  requestHead(head: RequestHead, endStream: boolean): void {
    if (head.upgrade) {
      if (!this.#settingsSeen) {
        this.#upgradeWaiting = head;
        return;
      }
      return this.#extendedConnect(head);
    }
    this.#requestMethod = head.method;
    const encoder = this.#encoder;
    encoder.begin();
    encodeRequestFields(head, encoder);
    this.#out(headersFrames(this.#sid, encoder.bytes, endStream, this.#peerMaxFrame));
    if (endStream) this.#requestDone = true;
  }

  /**
   * An HTTP/1.1 Upgrade to an HTTP/2 server: an extended CONNECT (RFC 8441) when the server
   * offered it, else, as HAProxy, the stream is refused (RST_STREAM, and the client gets a 502).
   */
  #extendedConnect(head: RequestHead): void {
    const protocol = upgradeProtocol(head) ?? '';
    if (!this.#rfc8441) return this.#streamFailed('the server does not offer extended CONNECT (RFC 8441)', ErrorCode.INTERNAL_ERROR);
    this.#requestMethod = 'GET';
    this.#extConnect = protocol;
    this.#websocketKey = protocol.toLowerCase() === 'websocket' ? head.get(H_SEC_WEBSOCKET_KEY) : undefined;
    const encoder = this.#encoder;
    encoder.begin();
    encodeRequestFields(head, encoder, protocol);
    this.#out(headersFrames(this.#sid, encoder.bytes, false, this.#peerMaxFrame));
  }

  requestPayload(chunk: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    if (this.#pendingBytes > 0) {
      this.#queue(chunk.slice(start, end));
      return;
    }
    const sent = this.#sendData(chunk, start, end);
    if (sent < end) this.#queue(chunk.slice(sent, end));
  }

  requestEnd(trailers: TrailerFields | undefined): void {
    this.#pendingEnd = true;
    this.#pendingTrailers = trailers;
    if (this.#pendingBytes === 0) this.#sendEnd();
  }

  #queue(bytes: Uint8Array): void {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.byteLength;
  }

  /** Sends DATA frames from chunk[start, end) as far as the windows allow; returns where it stopped. */
  #sendData(chunk: Uint8Array, start: number, end: number): number {
    while (start < end) {
      const room = Math.min(this.#connSendWindow, this.#streamSendWindow, this.#peerMaxFrame);
      if (room <= 0) break;
      const n = Math.min(room, end - start);
      this.#out(dataFrame(this.#sid, chunk, start, start + n, false));
      this.#connSendWindow -= n;
      this.#streamSendWindow -= n;
      start += n;
    }
    return start;
  }

  /** The request's end: its trailers as a last HEADERS frame, else an empty DATA frame, with END_STREAM. */
  #sendEnd(): void {
    this.#pendingEnd = false;
    const trailers = this.#pendingTrailers;
    this.#pendingTrailers = undefined;
    if (trailers !== undefined) {
      const encoder = this.#encoder;
      encoder.begin();
      for (const [name, value] of trailers) encoder.add(name, value);
      this.#out(headersFrames(this.#sid, encoder.bytes, true, this.#peerMaxFrame));
    } else {
      this.#out(dataFrame(this.#sid, new Uint8Array(0), 0, 0, true));
    }
    this.#requestDone = true;
    this.#maybeStreamDone();
  }

  /** Credit came: queued payload goes out, then the end; the stream hears it may write again. */
  #flushPending(): void {
    const pending = this.#pending;
    while (pending.length > 0) {
      const bytes = pending[0] as Uint8Array;
      const sent = this.#sendData(bytes, 0, bytes.byteLength);
      this.#pendingBytes -= sent;
      if (sent < bytes.byteLength) {
        pending[0] = bytes.subarray(sent);
        return;
      }
      pending.shift();
    }
    if (this.#pendingEnd && this.#sid !== 0) this.#sendEnd();
    this.#drained();
  }

  #drained(): void {
    if (!this.#owesDrain || this.#pendingBytes > 0 || this.#socketFull || this.#closed) return;
    this.#owesDrain = false;
    this.#handler?.onDrain(this);
  }

  #openStream(): void {
    this.#sid = this.#nextId;
    this.#nextId += 2;
    this.#streamSendWindow = this.#peerInitialWindow;
    this.#requestDone = false;
    this.#responseDone = false;
    this.#resState = 'head';
    this.#headUntilEnd = undefined;
    this.#extConnect = undefined;
    this.#websocketKey = undefined;
    this.#tunnel = false;
    this.#endAfterHeld = false;
    this.#resRemaining = -1;
    this.#delivered = 0;
    this.#request.begin();
  }

  /** Both directions ended: the connection is free for the next request. */
  #maybeStreamDone(): void {
    if (!this.#requestDone || !this.#responseDone || this.#sid === 0) return;
    this.#sid = 0;
  }

  // ---- SocketHandler: the real connection -----------------------------------------------------

  onData(_socket: Socket, chunk: Uint8Array): void {
    if (this.#closed) return;
    try {
      this.#reader.feed(chunk, 0, this.#onFrame);
    } catch (error) {
      const code = error instanceof H2Error ? error.code : ErrorCode.PROTOCOL_ERROR;
      return this.#connectionError(code, error);
    }
    this.#afterDelivery();
  }

  onDrain(): void {
    if (this.#closed) return;
    this.#socketFull = false;
    this.#flushPending();
    this.#drained();
  }

  onEnd(): void {
    // The server closed its side: nothing more will come on any stream.
    if (this.#closed) return this.#socket.destroy();
    this.#ended = true;
    this.#handler?.onEnd(this);
    if (!this.#closed) this.#shut(false);
  }

  onClose(_socket: Socket, error: SocketError | undefined): void {
    const wasClosed = this.#closed;
    this.#closed = true;
    this.#reader.stop();
    if (this.#closeReported) return;
    this.#closeReported = true;
    // A connection we ended ourselves was given up by its user: it hears nothing more.
    if (!wasClosed || error !== undefined) this.#handler?.onClose(this, error);
  }

  // ---- frames -----------------------------------------------------------------------------------

  #frame(f: Frame): void {
    if (this.#closed) return;
    if (this.#blockStream !== 0 && f.type !== FrameType.CONTINUATION) {
      throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'a header block was interrupted');
    }
    switch (f.type) {
      case FrameType.SETTINGS:
        return this.#settings(f);
      case FrameType.PING:
        if ((f.flags & Flag.ACK) === 0) this.#out(pingAckFrame(f.buf, f.start));
        return;
      case FrameType.GOAWAY:
        return this.#goaway(f);
      case FrameType.WINDOW_UPDATE:
        return this.#windowUpdate(f);
      case FrameType.HEADERS:
      case FrameType.CONTINUATION:
        return this.#headerFragment(f);
      case FrameType.DATA:
        return this.#data(f);
      case FrameType.RST_STREAM:
        if (f.streamId !== this.#sid) return;
        return this.#streamFailed(`the server reset the stream (error ${readUint32(f.buf, f.start)})`);
      default:
        return; // PRIORITY, unknown types
    }
  }

  #settings(f: Frame): void {
    if (f.flags & Flag.ACK) return;
    for (let at = f.start; at < f.end; at += 6) {
      const id = (f.buf[at]! << 8) | f.buf[at + 1]!;
      const value = readUint32(f.buf, at + 2);
      if (id === Setting.INITIAL_WINDOW_SIZE) {
        if (value > MAX_WINDOW) throw new H2Error(ErrorCode.FLOW_CONTROL_ERROR, 'initial window too large');
        if (this.#sid !== 0) this.#streamSendWindow += value - this.#peerInitialWindow;
        this.#peerInitialWindow = value;
      } else if (id === Setting.MAX_FRAME_SIZE) {
        if (value < DEFAULT_MAX_FRAME_SIZE || value > 0xffffff) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'invalid max frame size');
        this.#peerMaxFrame = value;
      } else if (id === Setting.ENABLE_PUSH) {
        if (value > 1) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'invalid enable push');
      } else if (id === Setting.ENABLE_CONNECT_PROTOCOL) {
        this.#rfc8441 = value === 1;
      }
    }
    this.#settingsSeen = true;
    this.#out(SETTINGS_ACK);
    const waiting = this.#upgradeWaiting;
    if (waiting !== undefined) {
      this.#upgradeWaiting = undefined;
      this.#extendedConnect(waiting);
    }
    if (this.#pendingBytes > 0 || this.#pendingEnd) this.#flushPending();
  }

  #goaway(f: Frame): void {
    const last = readUint32(f.buf, f.start) & 0x7fffffff;
    this.#goawayLast = last;
    if (this.#sid !== 0 && this.#sid > last) {
      // Not processed: for the stream, a server that closed without answering.
      this.#sid = 0;
      this.#ended = true;
      this.#handler?.onEnd(this);
      if (!this.#closed) this.#shut(false);
      return;
    }
    if (this.#sid === 0) this.#idleEnd();
  }

  /** No stream in flight and none may start: whoever holds the connection (the pool) lets it go. */
  #idleEnd(): void {
    if (this.#ended || this.#closed) return;
    this.#ended = true;
    this.#handler?.onEnd(this);
    if (!this.#closed) this.#shut(false);
  }

  #windowUpdate(f: Frame): void {
    const increment = readUint32(f.buf, f.start) & 0x7fffffff;
    if (f.streamId === 0) {
      if (increment === 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
      this.#connSendWindow += increment;
      if (this.#connSendWindow > MAX_WINDOW) throw new H2Error(ErrorCode.FLOW_CONTROL_ERROR, 'connection window overflow');
    } else {
      if (f.streamId !== this.#sid) return;
      if (increment === 0) return this.#streamFailed('WINDOW_UPDATE of 0', ErrorCode.PROTOCOL_ERROR);
      this.#streamSendWindow += increment;
      if (this.#streamSendWindow > MAX_WINDOW) return this.#streamFailed('stream window overflow', ErrorCode.FLOW_CONTROL_ERROR);
    }
    if (this.#pendingBytes > 0 || this.#pendingEnd) this.#flushPending();
  }

  #headerFragment(f: Frame): void {
    if (f.type === FrameType.HEADERS) {
      if (f.streamId > this.#nextId - 2 || (f.streamId & 1) === 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'HEADERS on a stream we did not open');
      this.#blockStream = f.streamId;
      this.#blockFlags = f.flags;
      this.#blockParts = [];
      this.#blockBytes = 0;
    } else if (this.#blockStream === 0 || f.streamId !== this.#blockStream) {
      throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'CONTINUATION without a header block');
    }
    this.#blockBytes += f.end - f.start;
    if (this.#blockBytes > MAX_HEADER_BLOCK) throw new H2Error(ErrorCode.ENHANCE_YOUR_CALM, 'header block too large');
    this.#blockParts.push(f.buf.slice(f.start, f.end));
    if ((f.flags & Flag.END_HEADERS) === 0) return;
    const parts = this.#blockParts;
    this.#blockParts = [];
    const sid = this.#blockStream;
    this.#blockStream = 0;
    let block: Uint8Array;
    if (parts.length === 1) block = parts[0] as Uint8Array;
    else {
      block = new Uint8Array(this.#blockBytes);
      let at = 0;
      for (const part of parts) {
        block.set(part, at);
        at += part.byteLength;
      }
    }
    // Decoded whatever the stream: the HPACK state is the connection's (a COMPRESSION_ERROR is the connection's).
    try {
      this.#decoder.decode(block, 0, block.byteLength, this.#fields);
    } catch (error) {
      throw new H2Error(ErrorCode.COMPRESSION_ERROR, error instanceof Error ? error.message : 'HPACK');
    }
    if (sid !== this.#sid) return; // a stream we gave up
    this.#headers((this.#blockFlags & Flag.END_STREAM) !== 0);
  }

  #headers(endStream: boolean): void {
    const fields = this.#fields;
    if (fields.tooLarge) return this.#streamFailed('response header list too large', ErrorCode.PROTOCOL_ERROR);
    let bytes: Uint8Array;
    try {
      if (this.#resState === 'body') {
        // Trailers: they end the stream.
        if (!endStream) return this.#streamFailed('trailers without END_STREAM', ErrorCode.PROTOCOL_ERROR);
        const chunked = this.#framing.chunked;
        bytes = h1LastChunk(fields);
        if (!chunked) bytes = new Uint8Array(0); // Content-Length framing has no room for trailers
        if (this.#resRemaining > 0) return this.#streamFailed('response shorter than its content-length', ErrorCode.PROTOCOL_ERROR);
        this.#resState = 'done';
      } else if (this.#resState === 'head' && this.#extConnect !== undefined && this.#tunnelHead(fields, endStream)) {
        return;
      } else if (this.#resState === 'head') {
        bytes = h1ResponseHead(fields, this.#requestMethod, this.#framing);
        const status = this.#framing.status;
        // A refused extended CONNECT is a plain response: our side of the stream ends now.
        if (this.#extConnect !== undefined && status >= 200 && !this.#requestDone) this.#sendEnd();
        if (status < 200) {
          if (endStream) return this.#streamFailed('interim response with END_STREAM', ErrorCode.PROTOCOL_ERROR);
        } else {
          const bodyless = !this.#framing.chunked && (this.#framing.contentLength <= 0 || this.#requestMethod === 'HEAD' || status === 204 || status === 304);
          this.#resRemaining = bodyless ? -1 : this.#framing.contentLength;
          if (endStream && this.#framing.chunked) {
            const last = h1LastChunk(undefined);
            const joined = new Uint8Array(bytes.byteLength + last.byteLength);
            joined.set(bytes);
            joined.set(last, bytes.byteLength);
            bytes = joined;
          } else if (endStream && this.#resRemaining > 0) {
            return this.#streamFailed('response shorter than its content-length', ErrorCode.PROTOCOL_ERROR);
          }
          this.#resState = endStream ? 'done' : 'body';
        }
      } else {
        return this.#streamFailed('HEADERS after the end of the response', ErrorCode.STREAM_CLOSED);
      }
    } catch (error) {
      return this.#streamFailed(error instanceof Error ? error.message : 'malformed response', ErrorCode.PROTOCOL_ERROR);
    }
    if (endStream) this.#responseDone = true;
    if (this.#headUntilEnd !== undefined) {
      bytes = this.#headUntilEnd;
      this.#headUntilEnd = undefined;
    } else if (!endStream && this.#resState === 'body' && this.#requestMethod === 'HEAD') {
      this.#headUntilEnd = bytes;
      return;
    }
    if (bytes.byteLength > 0) this.#deliverOrHold(bytes);
    if (endStream) this.#maybeStreamDone();
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
    if (!accept && this.#websocketKey !== undefined && this.#runtime !== undefined) {
      lines += `sec-websocket-accept: ${websocketAccept(this.#runtime, this.#websocketKey)}\r\n`;
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

  /** The server ended its direction of the tunnel: for the stream, the server's FIN, after the bytes it holds. */
  #tunnelServerEnd(): void {
    this.#resState = 'done';
    this.#responseDone = true;
    if (this.#held.length > 0) this.#endAfterHeld = true;
    else this.#handler?.onEnd(this);
  }

  #data(f: Frame): void {
    // Flow control counts every DATA frame, whichever stream it is on.
    this.#owed += f.length;
    if (f.streamId !== this.#sid) {
      if (f.streamId >= this.#nextId) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'DATA on an idle stream');
      return;
    }
    if (this.#tunnel) {
      if (f.end > f.start) this.#deliverOrHold(f.buf.subarray(f.start, f.end));
      if ((f.flags & Flag.END_STREAM) !== 0) this.#tunnelServerEnd();
      return;
    }
    if (this.#resState !== 'body') return this.#streamFailed('DATA outside a response body', ErrorCode.PROTOCOL_ERROR);
    const endStream = (f.flags & Flag.END_STREAM) !== 0;
    const n = f.end - f.start;
    let bytes: Uint8Array | undefined;
    if (this.#framing.chunked) {
      if (n > 0) bytes = h1Chunk(f.buf, f.start, f.end);
      if (endStream) {
        const last = h1LastChunk(undefined);
        if (bytes === undefined) bytes = last;
        else {
          const joined = new Uint8Array(bytes.byteLength + last.byteLength);
          joined.set(bytes);
          joined.set(last, bytes.byteLength);
          bytes = joined;
        }
      }
    } else if (this.#resRemaining >= 0) {
      if (n > this.#resRemaining || (endStream && n < this.#resRemaining)) {
        return this.#streamFailed('response body differs from its content-length', ErrorCode.PROTOCOL_ERROR);
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
    if (endStream) this.#maybeStreamDone();
  }

  // ---- to the stream --------------------------------------------------------------------------

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

  /** After a read (or a resume): credit what the stream took, and end an idle connection the server gave up. */
  #afterDelivery(): void {
    if (this.#closed) return;
    if (this.#owed > 0 && !this.#paused && this.#held.length === 0) {
      const n = this.#owed;
      this.#owed = 0;
      this.#out(windowUpdateFrame(0, n));
      if (this.#sid !== 0 && !this.#responseDone) this.#out(windowUpdateFrame(this.#sid, n));
    }
    if (this.#goawayLast >= 0 && this.#sid === 0) this.#idleEnd();
  }

  // ---- errors and the end ----------------------------------------------------------------------

  /**
   * The stream in flight cannot go on (the server reset it, or its response is malformed). The
   * stream sees its server close (502 before a response, a cut one after); the connection,
   * whose state is now unsure for the next request, is closed.
   */
  #streamFailed(message: string, code?: number): void {
    if (code !== undefined && this.#sid !== 0) this.#out(rstStreamFrame(this.#sid, code));
    this.#sid = 0;
    this.#fail(message);
  }

  #connectionError(code: number, error: unknown): void {
    if (this.#closed) return;
    this.#out(goawayFrame(0, code));
    this.#fail(error instanceof Error ? error.message : 'HTTP/2 connection error');
  }

  #fail(message: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.stop();
    this.#closeReported = true;
    this.#socket.end();
    this.#handler?.onClose(this, failure(message));
  }

  /** The user gives the connection up: GOAWAY (and RST_STREAM for a stream in flight), then close. */
  #shut(abort: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReported = true;
    this.#reader.stop();
    if (abort) return this.#socket.reset();
    if (this.#sid !== 0) this.#out(rstStreamFrame(this.#sid, ErrorCode.CANCEL));
    this.#out(goawayFrame(0, ErrorCode.NO_ERROR));
    this.#socket.end();
  }
}

/** Whether a server connection the stream is done with may carry another request (an HTTP/1 one always may). */
export function carriesAnotherRequest(socket: Socket): boolean {
  return !(socket instanceof H2ServerConnection) || socket.acceptsNewStream;
}
