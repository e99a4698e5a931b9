/**
 * The response as the stream writes it for an HTTP/1 client (heads and bodies framed on the
 * wire: a forwarded head rebuilt by its editor, chunked or Content-Length bodies as the server
 * sent them, the proxy's own replies as their heads read once and their payloads) turned into
 * what an HTTP/2 stream carries: a header list per head (interim ones included), the body's
 * payload only, and its end. The stream and the rules stay version-neutral; this is the one place that reads the
 * HTTP/1 framing back (HAProxy's HTX makes the same split when its h2 mux reads a response).
 */
import { ResponseHeadParser, type HeadEditor, type ResponseHead } from '../../http/codec/index.ts';
import { H1BodyReader } from './h1-body-reader.ts';

/** Where the translated response goes. */
export interface ResponseSink {
  /** A head (interim or final) with its status; `endStream` when no body follows. */
  responseHead(status: number, head: ResponseHead, endStream: boolean): void;
  /** Payload bytes of the body. */
  responsePayload(chunk: Uint8Array, start: number, end: number): void;
  /** The body ended (after its last payload); `trailers` are a chunked body's trailer fields (lowercase names), if any. */
  responseEnd(trailers: readonly (readonly [string, string])[] | undefined): void;
}

/** The response heads read back: HAProxy's tune.http.maxhdr fields, and any size a server may send. */
const MAX_FIELDS = 101;
const MAX_HEAD_SIZE = 1 << 20;

export { isConnectionSpecific } from './connection-specific.ts';

export class ResponseTranslator {
  /** Made for the first head fed as bytes: the stream's heads usually come built (feedEdited, feedHead). */
  #parser: ResponseHeadParser | undefined = undefined;
  readonly #body: H1BodyReader;
  readonly #sink: ResponseSink;
  #requestMethod = 'GET';
  /** 'head': reading a head; 'body': reading its body; 'head-end': a HEAD's final head went, its end waits for the transaction's; 'done': the final response ended. */
  #state: 'head' | 'body' | 'head-end' | 'done' = 'head';

  constructor(sink: ResponseSink) {
    this.#sink = sink;
    this.#body = new H1BodyReader((chunk, start, end) => sink.responsePayload(chunk, start, end));
  }

  /** A new transaction, for a request with this method (a HEAD's response has no body). */
  begin(requestMethod: string): void {
    this.#requestMethod = requestMethod;
    this.#state = 'head';
    this.#parser?.reset();
  }

  get ended(): boolean {
    return this.#state === 'done';
  }

  /** Whether a final head went out. */
  get headSent(): boolean {
    return this.#state !== 'head';
  }

  /** Response bytes in HTTP/1 form; throws HttpParseError on bytes the H1 codec refuses. */
  feed(bytes: Uint8Array): void {
    let off = 0;
    const end = bytes.byteLength;
    while (off < end && this.#state !== 'done' && this.#state !== 'head-end') {
      if (this.#state === 'head') {
        const parser = (this.#parser ??= new ResponseHeadParser({ maxHeaders: MAX_FIELDS, maxHeadSize: MAX_HEAD_SIZE }));
        off += parser.feed(bytes, off);
        if (!parser.done) return;
        const head = parser.head as ResponseHead;
        parser.reset();
        this.#head(head);
        continue;
      }
      off += this.#body.feed(bytes, off);
      if (this.#body.done) {
        this.#state = 'done';
        this.#sink.responseEnd(this.#body.trailers());
      }
    }
  }

  /**
   * The edited final head, as if build()'s bytes were fed (HeadEditor.buildResponseHead makes
   * the head the parser would, with its limits); returns its size on the wire, or -1 when it
   * must be fed as bytes (a rewritten status line, or a head already being read from bytes).
   * Throws HttpParseError as feed() would.
   */
  feedEdited(editor: HeadEditor): number {
    if (this.#state !== 'head' || this.#parser?.inProgress === true) return -1;
    const head = editor.buildResponseHead(MAX_FIELDS, MAX_HEAD_SIZE);
    if (head === undefined) return -1;
    this.#head(head);
    return head.raw.byteLength;
  }

  /**
   * A final head the proxy built itself (a reply's, read once and shared), then its payload:
   * what feeding its bytes would do, without reading the head again. Returns false when it
   * must be fed as bytes (a head already being read from bytes).
   */
  feedHead(head: ResponseHead, payload: Uint8Array): boolean {
    if (this.#state !== 'head' || this.#parser?.inProgress === true || head.status < 200) return false;
    this.#head(head);
    if (payload.byteLength > 0) this.feed(payload);
    return true;
  }

  #head(head: ResponseHead): void {
    if (head.status < 200) return this.#sink.responseHead(head.status, head, false);
    this.#body.framer.startResponse(head, this.#requestMethod);
    const bodyless = this.#body.done;
    if (bodyless && this.#requestMethod === 'HEAD' && head.status !== 204 && head.status !== 304) {
      // The server may still be sending the body HEAD does not get: as HAProxy (the end of
      // the message comes with the server's), END_STREAM waits for the transaction's end, so
      // that the client's next stream finds the server connection free again.
      this.#state = 'head-end';
      return this.#sink.responseHead(head.status, head, false);
    }
    this.#state = bodyless ? 'done' : 'body';
    this.#sink.responseHead(head.status, head, bodyless);
  }

  /** The stream ended the transaction: a body delimited by the server's close ends here. */
  finish(): void {
    if (this.#state !== 'body' && this.#state !== 'head-end') return;
    this.#state = 'done';
    this.#sink.responseEnd(undefined);
  }
}
