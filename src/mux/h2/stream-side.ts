import type { HeadEditor, RequestHead, ResponseHead } from '../../http/codec/index.ts';
import { ErrorCode } from '../../http/h2/index.ts';
import { ReplyConnection, type LocalReply } from '../../http/local-reply.ts';
import type { ConnectionInfo } from '../../proxy/connection-info.ts';
import type { HttpClientSide } from '../../stream/client-side.ts';
import { HttpStream } from '../../stream/http-stream.ts';
import { prepareResponseHead } from '../h1-head-out.ts';
import type { H2ClientConnection } from '../h2-client.ts';
import { ResponseTranslator, type ResponseSink } from './response-translator.ts';
import { H_SEC_WEBSOCKET_ACCEPT, websocketAccept } from './ext-connect.ts';

const CHUNK_END = new Uint8Array([0x0d, 0x0a]);
const LAST_CHUNK = new Uint8Array([0x30, 0x0d, 0x0a, 0x0d, 0x0a]);
const EMPTY = new Uint8Array(0);

/**
 * One HTTP/2 stream of a client connection, as the HttpStream serving it sees its client
 * (HttpClientSide): the request it was given, the response it writes (translated to HEADERS and
 * DATA by a ResponseTranslator), the stream's flow-control windows and its state. The
 * connection (src/mux/h2-client.ts) owns the socket, the frames and the timer.
 */
export class H2Stream implements HttpClientSide, ResponseSink {
  readonly id: number;
  readonly conn: H2ClientConnection;
  readonly stream: HttpStream;
  readonly idleSince: number;
  readonly requests: number;
  closeAfter = false;
  readonly #translator: ResponseTranslator;

  /** What we may still send on this stream (the client's window for it). */
  sendWindow: number;
  /** What the client may still send on this stream. */
  recvWindow: number;
  /** Request bytes consumed and not yet given back with WINDOW_UPDATE. */
  creditOwed = 0;
  /** The stream asked us to stop reading its request (the server side is full). */
  held = false;
  /** The client ended its side (END_STREAM received). */
  remoteEnded = false;
  /** Our END_STREAM went out. */
  localEnded = false;
  /**
   * Its response's HEADERS frame while it waits in the connection's output, nothing after it
   * for this stream, in the output's batch numbered `queuedHeadersBatch`: an end of the
   * response coming before the batch is written goes on it as END_STREAM (H2ClientConnection).
   */
  queuedHeaders: Uint8Array | undefined = undefined;
  queuedHeadersBatch = 0;
  /**
   * Its response may end on its HEADERS frame: not an answer to HEAD (whose END_STREAM waits
   * for the server's end, see ResponseTranslator) nor an extended CONNECT's tunnel.
   */
  endsOnHeaders = true;
  /** RST_STREAM was sent or received: the stream is closed. */
  reset = false;
  /** The HttpStream is finished with this stream (transaction ended or aborted). */
  txnDone = false;
  /** Response payload waiting for flow-control credit or the socket. */
  pending: Uint8Array[] = [];
  pendingBytes = 0;
  /** END_STREAM is to follow the pending payload. */
  pendingEnd = false;
  /** Trailer fields to send (HEADERS with END_STREAM) once the pending payload is out. */
  trailers: readonly (readonly [string, string])[] | undefined = undefined;
  /** The HttpStream was told the client cannot take more (clientBlocked). */
  blocked = false;
  /** Request body framing toward the server. */
  contentLength = -1;
  chunked = false;
  received = 0;
  /**
   * An extended CONNECT (RFC 8441): the request went to the server as an HTTP/1.1 Upgrade, its
   * 101 goes to the client as `:status 200`, and the stream then carries the tunnel's bytes.
   */
  extConnect = false;
  /** The 101's Sec-WebSocket-Accept was made by our HTTP/2 server side, not sent by the server. */
  #dropAccept = false;
  /** The Sec-WebSocket-Key made up for it (the server's Accept must match). */
  websocketKey: string | undefined = undefined;
  /** After the 101: DATA both ways are the tunnel's bytes. */
  #tunnel = false;
  /** Tunnel bytes the client sent before the server's 101 (forwarded once it comes). */
  #early: Uint8Array[] | undefined = undefined;

  constructor(conn: H2ClientConnection, id: number, sendWindow: number, recvWindow: number) {
    this.conn = conn;
    this.id = id;
    this.sendWindow = sendWindow;
    this.recvWindow = recvWindow;
    this.idleSince = conn.now;
    this.requests = conn.streamsOpened;
    this.#translator = new ResponseTranslator(this);
    this.stream = new HttpStream(conn.host, this, conn.defaultBackend);
  }

  /** A complete request head: the transaction starts (the analysers run when it is ready). */
  begin(head: RequestHead, headBytes: number, endStream: boolean): void {
    const stream = this.stream;
    stream.requestStarted();
    stream.countRequestBytes(headBytes);
    this.#translator.begin(head.method);
    this.endsOnHeaders = head.method !== 'HEAD' && !this.extConnect;
    this.remoteEnded = endStream;
    // An extended CONNECT has no request body: what the client sends next is the tunnel's.
    stream.begin(head, endStream || this.extConnect);
    if (stream.readyToStart) stream.start();
  }

  /** A request the HTTP layer refuses (HAProxy's HTX parsing error): answered 400 on this stream. */
  refuse(error: unknown, headBytes: number, endStream: boolean): void {
    const stream = this.stream;
    stream.requestStarted();
    stream.countRequestBytes(headBytes);
    this.remoteEnded = endStream;
    stream.badRequest(error);
  }

  /** DATA payload for the request body, framed as the server side expects it. */
  requestData(buf: Uint8Array, start: number, end: number, endStream: boolean): void {
    const stream = this.stream;
    const n = end - start;
    if (this.extConnect) return this.#tunnelData(buf, start, end, endStream);
    if (n > 0) {
      stream.countRequestBytes(n);
      if (this.chunked) {
        const size = n.toString(16);
        const framed = new Uint8Array(size.length + 2 + n + 2);
        for (let i = 0; i < size.length; i++) framed[i] = size.charCodeAt(i);
        framed[size.length] = 0x0d;
        framed[size.length + 1] = 0x0a;
        framed.set(buf.subarray(start, end), size.length + 2);
        framed.set(CHUNK_END, size.length + 2 + n);
        stream.requestData(framed);
      } else {
        stream.requestData(buf.subarray(start, end));
      }
    }
    if (endStream) this.requestEnd(undefined);
    else if (!this.txnDone && stream.readyToStart) stream.start();
  }

  /** Client DATA of an extended CONNECT: tunnel bytes (held until the server's 101). */
  #tunnelData(buf: Uint8Array, start: number, end: number, endStream: boolean): void {
    const stream = this.stream;
    if (end > start) {
      stream.countRequestBytes(end - start);
      const bytes = buf.slice(start, end);
      if (this.#tunnel) stream.tunnelFromClient(bytes);
      else if (!this.txnDone) (this.#early ??= []).push(bytes);
    }
    if (!endStream) return;
    this.remoteEnded = true;
    if (this.#tunnel) stream.clientEnded();
  }

  /** The request ended (END_STREAM), with trailers already as chunked-body trailer lines if any. */
  requestEnd(trailers: string | undefined): void {
    this.remoteEnded = true;
    if (this.txnDone) return;
    const stream = this.stream;
    if (this.chunked) {
      if (trailers === undefined) {
        stream.requestData(LAST_CHUNK);
      } else {
        const text = `0\r\n${trailers}\r\n`;
        const bytes = new Uint8Array(text.length);
        for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
        stream.requestData(bytes);
      }
    }
    stream.requestEnd();
    if (!this.txnDone && stream.readyToStart) stream.start();
  }

  // ---- HttpClientSide ----------------------------------------------------------------------

  get connection(): ConnectionInfo {
    return this.conn.connection;
  }
  get now(): number {
    return this.conn.now;
  }
  set now(now: number) {
    this.conn.now = now;
  }
  get closed(): boolean {
    return this.reset || this.conn.closed;
  }
  get tunnelling(): boolean {
    return this.#tunnel;
  }
  /** Every HTTP/2 stream carries one transaction. */
  get lastTransaction(): boolean {
    return true;
  }

  clientDeadline(): number | undefined {
    return this.held ? undefined : this.conn.clientDeadline();
  }

  sendInterim(head: ResponseHead): number {
    this.#feed(head.raw);
    return head.raw.byteLength;
  }

  prepareResponseHead(_req: RequestHead, head: ResponseHead, editor: HeadEditor): void {
    prepareResponseHead(head, editor);
  }

  sendResponseHead(editor: HeadEditor): number {
    if (!this.reset) {
      // The edited head goes to the translator as its parser would read it, not written for it.
      let sent: number;
      try {
        sent = this.#translator.feedEdited(editor);
      } catch {
        this.conn.resetStream(this, ErrorCode.INTERNAL_ERROR);
        return 0;
      }
      if (sent >= 0) {
        if (this.pending.length > 0 || this.pendingEnd) this.conn.flushStream(this);
        return sent;
      }
    }
    const bytes = editor.build();
    this.#feed(bytes);
    return bytes.byteLength;
  }

  sendHead(bytes: Uint8Array): void {
    this.#feed(bytes);
  }

  sendReply(reply: LocalReply, connection: ReplyConnection, headOnly: boolean): number {
    const bytes = reply.encode(connection);
    const size = headOnly ? bytes.byteLength - reply.bodyLength : bytes.byteLength;
    this.#feedReply(reply.responseHead(connection), headOnly ? EMPTY : reply.payload, bytes.subarray(0, size));
    return size;
  }

  /** The connection header is HTTP/1's: an HTTP/2 stream has none to add. */
  sendEditedReply(editor: HeadEditor, _connection: string | undefined, payload: Uint8Array): number {
    const sent = this.sendResponseHead(editor);
    this.#feed(payload);
    return sent + payload.byteLength;
  }

  /** A reply's head (read once, shared) and payload; `bytes` are the same reply in HTTP/1 form, fed when the head cannot be taken as it is. */
  #feedReply(head: ResponseHead, payload: Uint8Array, bytes: Uint8Array): void {
    if (this.reset) return;
    let taken: boolean;
    try {
      taken = this.#translator.feedHead(head, payload);
    } catch {
      return this.conn.resetStream(this, ErrorCode.INTERNAL_ERROR);
    }
    if (!taken) return this.#feed(bytes);
    if (this.pending.length > 0 || this.pendingEnd) this.conn.flushStream(this);
  }

  sendData(bytes: Uint8Array): void {
    if (this.#tunnel) {
      if (this.reset || bytes.byteLength === 0) return;
      this.pending.push(bytes);
      this.pendingBytes += bytes.byteLength;
      this.conn.flushStream(this);
      return;
    }
    this.#feed(bytes);
  }

  /**
   * A 101 to an extended CONNECT is valid when the Sec-WebSocket-Accept we are owed is the one
   * sent: an HTTP/1 server got our made-up key (HAProxy's H1 mux checks it); an HTTP/2 server
   * got none and owes none.
   */
  acceptsUpgrade(head: ResponseHead, viaH2: boolean): boolean {
    if (!this.extConnect) return false;
    if (this.websocketKey === undefined) return true;
    const ours = head.get(H_SEC_WEBSOCKET_ACCEPT) === websocketAccept(this.conn.runtime, this.websocketKey);
    if (!viaH2) return ours;
    // Only the server-side mux can have made this one (the server never saw the key): not the server's.
    this.#dropAccept = ours;
    return true;
  }

  replyConnection(_req: RequestHead | undefined, _close: boolean): ReplyConnection {
    return ReplyConnection.none;
  }

  cork(): void {
    this.conn.cork();
  }

  uncork(): void {
    this.conn.uncork();
  }

  shutdown(): void {
    if (!this.#tunnel) return this.conn.resetStream(this, ErrorCode.CANCEL);
    // The server ended the tunnel: the stream ends after what it sent (END_STREAM), and the
    // transaction with it (logged as a tunnel closing is).
    if (this.txnDone) return;
    this.txnDone = true;
    this.stream.clientAborted();
    this.stream.abort();
    this.conn.transactionEnded(this, true);
  }

  holdRequest(): void {
    this.held = true;
  }

  releaseRequest(): void {
    if (!this.held) return;
    this.held = false;
    if (this.creditOwed > 0) this.conn.creditStream(this);
  }

  schedule(): void {
    this.conn.scheduleStream(this);
  }

  transactionEnded(_close: boolean): void {
    if (this.txnDone) return;
    this.txnDone = true;
    this.#translator.finish();
    this.conn.transactionEnded(this, this.#translator.headSent);
  }

  enterTunnel(): void {
    if (!this.extConnect) return this.conn.resetStream(this, ErrorCode.INTERNAL_ERROR);
    this.#tunnel = true;
    const early = this.#early;
    this.#early = undefined;
    if (early !== undefined) for (const bytes of early) this.stream.tunnelFromClient(bytes);
    if (this.remoteEnded) this.stream.clientEnded();
  }

  destroy(): void {
    this.conn.resetStream(this, ErrorCode.INTERNAL_ERROR);
  }

  /** `silent-drop`: as HAProxy, the whole connection goes, without a word (a reset where the runtime can). */
  drop(): void {
    this.conn.drop();
  }

  kill(cause: 'K' | 'D' | 'U' = 'K'): void {
    if (this.reset) return;
    this.stream.setTermination(cause, 'D');
    this.stream.log();
    this.conn.resetStream(this, ErrorCode.CANCEL);
  }

  /** The HttpStream is dropped without finishing (a reset, the connection closing). */
  abort(): void {
    if (this.txnDone) return;
    this.txnDone = true;
    this.stream.abort();
  }

  #feed(bytes: Uint8Array): void {
    if (this.reset) return;
    try {
      this.#translator.feed(bytes);
    } catch {
      return this.conn.resetStream(this, ErrorCode.INTERNAL_ERROR);
    }
    // Sent once per write of the stream, so that the last DATA frame carries END_STREAM.
    if (this.pending.length > 0 || this.pendingEnd) this.conn.flushStream(this);
  }

  // ---- ResponseSink ------------------------------------------------------------------------

  responseHead(status: number, head: ResponseHead, endStream: boolean): void {
    // HAProxy's h2s_frt_make_resp_headers: the 101 answering an extended CONNECT is a 200.
    if (status === 101 && this.extConnect) return this.conn.sendHeaders(this, 200, head, false, this.#dropAccept ? 'sec-websocket-accept' : undefined);
    this.conn.sendHeaders(this, status, head, endStream);
  }

  responsePayload(chunk: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    this.pending.push(chunk.subarray(start, end));
    this.pendingBytes += end - start;
  }

  responseEnd(trailers: readonly (readonly [string, string])[] | undefined): void {
    this.trailers = trailers;
    this.pendingEnd = true;
  }
}
