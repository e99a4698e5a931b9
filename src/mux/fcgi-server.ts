import { MuxedServerSocket } from './muxed-server-socket.ts';
import type { Socket, SocketError, SocketHandler } from '../runtime.ts';
import type { RequestHead } from '../http/codec/index.ts';
import type { FcgiAppModel } from '../config/model.ts';
import { VERSION } from '../version.ts';
import { LogLevel, type ProxyLogger } from '../log/logger.ts';
import { RequestTranslator, type RequestSink } from './h2/request-translator.ts';
import type { TrailerFields } from './h2/h1-body-reader.ts';
import { beginRequest, ParamsWriter, record, RecordReader, RecordType, streamRecords, type RecordSink } from '../http/fcgi/records.ts';
import { CgiParamsError, writeCgiParams, type CgiFacts } from '../http/fcgi/cgi-params.ts';
import { FcgiResponseWriter } from '../http/fcgi/response-writer.ts';

/**
 * What the stream tells the FCGI mux about the request in flight (HttpStream implements it):
 * the connection's addresses, TLS, and the fcgi-app's `set-param` values and hidden headers for
 * this request (src/stream/fcgi-request.ts); the mux adds what the fcgi-app itself says.
 */
export type FcgiRequestFacts = Pick<CgiFacts, 'clientAddress' | 'clientPort' | 'localAddress' | 'localPort' | 'https' | 'params' | 'hiddenHeaders'>;

export interface FcgiRequestSource {
  fcgiRequestFacts(): FcgiRequestFacts | undefined;
}

const NOTHING_HIDDEN: ReadonlySet<string> = new Set();

/** A request body without Content-Length is gathered up to this size before PARAMS go (HAProxy's buffer). */
const BODY_WAIT_LIMIT = 16384;

function stderrText(content: Uint8Array): string {
  let end = content.byteLength;
  if (content[end - 1] === 0x0a) end--;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(content[i]!);
  return s;
}

function failure(message: string): SocketError {
  return { code: 'ECONNRESET', message } as SocketError;
}

function hasFacts(handler: SocketHandler | undefined): handler is SocketHandler & FcgiRequestSource {
  return handler !== undefined && typeof (handler as Partial<FcgiRequestSource>).fcgiRequestFacts === 'function';
}

/**
 * The server side of a FastCGI connection (HAProxy 2.6's mux_fcgi, one request at a time),
 * presented to the stream as the socket of an HTTP/1 server, as the HTTP/2 server mux is: the
 * stream writes the request as for an HTTP/1 server and reads an HTTP/1 response. Underneath,
 * each request becomes BEGIN_REQUEST (responder role, FCGI_KEEP_CONN with `option keep-conn`),
 * PARAMS (src/http/fcgi/cgi-params.ts), an empty PARAMS, the body's payload as STDIN and an
 * empty STDIN; the application's STDOUT is a CGI response (src/http/fcgi/response-writer.ts)
 * given back as HTTP/1, STDERR goes to the `log-stderr` targets, END_REQUEST ends the response. A body without
 * Content-Length is gathered first (up to 16 KiB) so that CONTENT_LENGTH can be sent, as
 * HAProxy's FCGI filter waits for the body. Request ids go 1, 3, 5... on a connection.
 */
export class FcgiServerConnection extends MuxedServerSocket implements Socket, SocketHandler, RequestSink, RecordSink {
  readonly #socket: Socket;
  readonly #app: FcgiAppModel;
  readonly #pathInfo: RegExp | undefined;
  #handler: SocketHandler | undefined;
  readonly #request: RequestTranslator;
  readonly #reader: RecordReader;
  readonly #response: FcgiResponseWriter;
  readonly #stderrLog: ProxyLogger | undefined;

  #nextId = 1;
  /** The request in flight (0: none). */
  #id = 0;
  /** The head waiting for its body's length (no Content-Length), and the body gathered meanwhile. */
  #waitingHead: RequestHead | undefined;
  #facts: FcgiRequestFacts | undefined;
  readonly #body: Uint8Array[] = [];
  #bodyBytes = 0;
  #paramsSent = false;
  /** END_REQUEST came for the request in flight. */
  #ended = false;
  #socketFull = false;
  #owesDrain = false;
  #paused = false;
  readonly #held: Uint8Array[] = [];
  #closed = false;
  #closeReported = false;

  constructor(socket: Socket, app: FcgiAppModel, stderrLog?: ProxyLogger) {
    super(socket);
    this.#socket = socket;
    this.#stderrLog = stderrLog;
    this.#app = app;
    this.#pathInfo = app.pathInfo === undefined ? undefined : new RegExp(app.pathInfo);
    this.#request = new RequestTranslator(this);
    this.#reader = new RecordReader(this);
    this.#response = new FcgiResponseWriter();
    socket.setHandler(this);
  }

  // ---- Socket: what the stream (or the pool, while idle) sees ---------------------------------

  setHandler(handler: SocketHandler): void {
    this.#handler = handler;
  }

  write(chunk: Uint8Array): boolean {
    if (this.#closed) return false;
    // A request after a whole one: the stream read its response (END_REQUEST may still be on
    // its way; records of the old id are then ignored).
    if (this.#id === 0 || this.#request.ended) this.#begin();
    try {
      const used = this.#request.feed(chunk);
      if (used < chunk.byteLength) throw new Error('bytes after the request');
    } catch (error) {
      this.#fail(error instanceof Error ? error.message : String(error));
      return false;
    }
    if (this.#socketFull) this.#owesDrain = true;
    return !this.#socketFull;
  }

  #begin(): void {
    this.#id = this.#nextId;
    this.#nextId += 2;
    this.#ended = false;
    this.#paramsSent = false;
    this.#waitingHead = undefined;
    this.#facts = undefined;
    this.#request.begin();
    this.#response.begin();
  }

  #out(bytes: Uint8Array): void {
    if (!this.#socket.write(bytes)) this.#socketFull = true;
  }

  /** No half-close in FastCGI: the request's end is its empty STDIN record. */
  end(): void {}

  destroy(): void {
    this.#shut(false);
  }

  reset(): void {
    this.#shut(true);
  }

  pause(): void {
    this.#paused = true;
    this.#socket.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const held = this.#held.splice(0);
    for (const bytes of held) {
      if (this.#closed) return;
      if (this.#paused) {
        this.#held.push(bytes);
        continue;
      }
      this.#handler?.onData(this, bytes);
    }
    if (!this.#paused) this.#socket.resume();
    if (!this.#paused && this.#held.length === 0) this.#afterResponse();
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount + this.#bodyBytes;
  }

  // ---- RequestSink: the request the stream wrote, as records ---------------------------------

  requestHead(head: RequestHead, endStream: boolean): void {
    this.#facts = hasFacts(this.#handler) ? this.#handler.fcgiRequestFacts() : undefined;
    this.#out(beginRequest(this.#id, this.#app.keepConn));
    if (endStream || head.contentLength !== undefined) {
      this.#sendParams(head, 0);
      if (endStream) this.#out(record(RecordType.STDIN, this.#id));
      return;
    }
    this.#waitingHead = head;
  }

  requestPayload(chunk: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    if (this.#paramsSent) {
      this.#out(streamRecords(RecordType.STDIN, this.#id, chunk, start, end));
      return;
    }
    this.#body.push(chunk.slice(start, end));
    this.#bodyBytes += end - start;
    if (this.#bodyBytes >= BODY_WAIT_LIMIT) this.#flushWaitingBody();
  }

  requestEnd(_trailers: TrailerFields | undefined): void {
    if (!this.#paramsSent) this.#flushWaitingBody();
    this.#out(record(RecordType.STDIN, this.#id));
  }

  #flushWaitingBody(): void {
    const head = this.#waitingHead;
    if (head === undefined) return;
    this.#waitingHead = undefined;
    this.#sendParams(head, this.#bodyBytes);
    for (const part of this.#body) this.#out(streamRecords(RecordType.STDIN, this.#id, part));
    this.#body.length = 0;
    this.#bodyBytes = 0;
  }

  #sendParams(head: RequestHead, bodyLength: number): void {
    const facts = this.#facts;
    const params = new ParamsWriter();
    try {
      writeCgiParams(
        head,
        {
          docroot: this.#app.docroot,
          index: this.#app.index,
          pathInfo: this.#pathInfo,
          clientAddress: facts?.clientAddress ?? '',
          clientPort: facts?.clientPort ?? 0,
          localAddress: facts?.localAddress ?? '',
          localPort: facts?.localPort ?? 0,
          https: facts?.https ?? false,
          params: facts?.params ?? [],
          hiddenHeaders: facts?.hiddenHeaders ?? NOTHING_HIDDEN,
          bodyLength,
          software: `Switchyard ${VERSION}`,
        },
        params,
      );
    } catch (error) {
      if (!(error instanceof CgiParamsError)) throw error;
      this.#fail(error.message);
      return;
    }
    this.#paramsSent = true;
    this.#out(streamRecords(RecordType.PARAMS, this.#id, params.bytes()));
    this.#out(record(RecordType.PARAMS, this.#id));
    this.#response.requestMethod(head.method, head.versionMinor);
  }

  // ---- SocketHandler: the application's records ------------------------------------------------

  onData(_socket: Socket, chunk: Uint8Array): void {
    if (this.#closed) return;
    try {
      this.#reader.feed(chunk);
      // A response read whole in this read gets a Content-Length (HAProxy's FCGI filter adds it
      // when the message is complete at the time its headers are analysed).
      const out = this.#response.flush(this.#ended);
      if (out !== undefined) this.#deliver(out);
    } catch (error) {
      this.#fail(error instanceof Error ? error.message : String(error));
      return;
    }
    if (this.#ended) this.#afterResponse();
  }

  record(type: number, id: number, content: Uint8Array): void {
    if (type === RecordType.GET_VALUES_RESULT || type === RecordType.UNKNOWN_TYPE) return;
    if (id !== this.#id || this.#id === 0) return; // a record of no request of ours (an aborted one): ignored
    switch (type) {
      case RecordType.STDOUT:
        if (this.#ended) throw new Error('STDOUT after END_REQUEST');
        if (content.byteLength > 0) this.#response.stdout(content);
        return;
      case RecordType.STDERR:
        // app_log(LOG_ERR) with the fcgi-app's name as tag, one line per record (its last newline dropped).
        if (this.#stderrLog !== undefined && content.byteLength > 0) this.#stderrLog.emit(LogLevel.err, stderrText(content), true);
        return;
      case RecordType.END_REQUEST:
        if (content.byteLength < 8) throw new Error('END_REQUEST record too short');
        this.#ended = true;
        return;
      default:
        throw new Error(`unexpected FastCGI record type ${type}`);
    }
  }

  #deliver(bytes: Uint8Array): void {
    if (this.#paused) this.#held.push(bytes);
    else this.#handler?.onData(this, bytes);
  }

  /** The response ended: without keep-conn the application closes the connection, so do we. */
  #afterResponse(): void {
    if (!this.#ended || this.#closed || this.#held.length > 0) return;
    if (!this.#response.complete) {
      this.#fail('END_REQUEST before a complete response');
      return;
    }
    if (!this.#app.keepConn) this.#socket.end();
  }

  onDrain(): void {
    this.#socketFull = false;
    if (!this.#owesDrain) return;
    this.#owesDrain = false;
    this.#handler?.onDrain(this);
  }

  onEnd(): void {
    if (this.#closed) return;
    // The application closed: a response in progress ends here (close-delimited) or is cut.
    if (this.#id !== 0 && !this.#ended) {
      this.#fail('the FastCGI application closed before END_REQUEST');
      return;
    }
    this.#handler?.onEnd(this);
    if (!this.#closed) this.#shut(false);
  }

  onConnect(): void {}

  onClose(_socket: Socket, error: SocketError | undefined): void {
    this.#closed = true;
    this.#report(error);
  }

  #fail(message: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    this.#report(failure(message));
  }

  /** Closed by its user (the stream or the pool): it hears nothing more. */
  #shut(abort: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReported = true;
    this.#request.release();
    if (abort) this.#socket.reset();
    else this.#socket.destroy();
  }

  #report(error: SocketError | undefined): void {
    if (this.#closeReported) return;
    this.#closeReported = true;
    this.#request.release();
    this.#handler?.onClose(this, error);
  }
}
