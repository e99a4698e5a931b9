/**
 * The response as the stream writes it for an HTTP/1 client (heads and bodies framed on the
 * wire: a forwarded head rebuilt by its editor, chunked or Content-Length bodies as the server
 * sent them, the proxy's own replies as whole messages) turned into what an HTTP/2 stream
 * carries: a header list per head (interim ones included), the body's payload only, and its
 * end. The stream and the rules stay version-neutral; this is the one place that reads the
 * HTTP/1 framing back (HAProxy's HTX makes the same split when its h2 mux reads a response).
 */
import { BodyFramer, ResponseHeadParser, type ResponseHead } from '../../http/codec/index.ts';

/** Where the translated response goes. */
export interface ResponseSink {
  /** A head (interim or final) with its status; `endStream` when no body follows. */
  responseHead(status: number, head: ResponseHead, endStream: boolean): void;
  /** Payload bytes of the body. */
  responsePayload(chunk: Uint8Array, start: number, end: number): void;
  /** The body ended (after its last payload); `trailers` are a chunked body's trailer fields (lowercase names), if any. */
  responseEnd(trailers: readonly (readonly [string, string])[] | undefined): void;
}

/** HTTP/1 fields that mean nothing in HTTP/2 (RFC 9113 §8.2.2) and are not sent. */
const CONNECTION_SPECIFIC = new Set(['connection', 'proxy-connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

export function isConnectionSpecific(lowerName: string): boolean {
  return CONNECTION_SPECIFIC.has(lowerName);
}

export class ResponseTranslator {
  readonly #parser = new ResponseHeadParser({ maxHeaders: 101, maxHeadSize: 1 << 20 });
  readonly #framer = new BodyFramer();
  readonly #sink: ResponseSink;
  #requestMethod = 'GET';
  /**
   * A chunked body's framing bytes since its last payload byte: when the body ends they hold the
   * last chunk and its trailer section (validated by the framer), read back as trailer fields.
   */
  readonly #framing: Uint8Array[] = [];
  #payloadIn: Uint8Array | undefined;
  #payloadEnd = 0;
  /** 'head': reading a head; 'body': reading its body; 'done': the final response ended. */
  #state: 'head' | 'body' | 'done' = 'head';

  constructor(sink: ResponseSink) {
    this.#sink = sink;
    this.#framer.onData = (chunk, start, end) => {
      this.#framing.length = 0;
      this.#payloadIn = chunk;
      this.#payloadEnd = end;
      sink.responsePayload(chunk, start, end);
    };
  }

  /** A new transaction, for a request with this method (a HEAD's response has no body). */
  begin(requestMethod: string): void {
    this.#requestMethod = requestMethod;
    this.#state = 'head';
    this.#parser.reset();
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
    while (off < end && this.#state !== 'done') {
      if (this.#state === 'head') {
        off += this.#parser.feed(bytes, off);
        if (!this.#parser.done) return;
        const head = this.#parser.head as ResponseHead;
        this.#parser.reset();
        if (head.status < 200) {
          this.#sink.responseHead(head.status, head, false);
          continue;
        }
        this.#framer.startResponse(head, this.#requestMethod);
        const bodyless = this.#framer.done;
        this.#state = bodyless ? 'done' : 'body';
        this.#sink.responseHead(head.status, head, bodyless);
        continue;
      }
      const framer = this.#framer;
      if (framer.mode !== 'chunked') {
        off += framer.feed(bytes, off);
      } else {
        this.#payloadIn = undefined;
        const used = framer.feed(bytes, off);
        const from = this.#payloadIn === bytes ? this.#payloadEnd : off;
        if (off + used > from) this.#framing.push(bytes.subarray(from, off + used));
        off += used;
      }
      if (framer.done) {
        this.#state = 'done';
        this.#sink.responseEnd(framer.mode === 'chunked' ? this.#trailers() : undefined);
      }
    }
  }

  /** The stream ended the transaction: a body delimited by the server's close ends here. */
  finish(): void {
    if (this.#state !== 'body') return;
    this.#state = 'done';
    this.#sink.responseEnd(undefined);
  }

  /** The trailer fields of the chunked body that just ended (the framer validated their syntax). */
  #trailers(): [string, string][] | undefined {
    const parts = this.#framing;
    let text = '';
    for (const part of parts) for (let i = 0; i < part.byteLength; i++) text += String.fromCharCode(part[i]!);
    parts.length = 0;
    const lines = text.split('\r\n');
    // Past an empty line (the CRLF ending the last data chunk), the last-chunk line "0[;ext]".
    let i = 0;
    while (i < lines.length && lines[i] === '') i++;
    i++;
    let fields: [string, string][] | undefined;
    for (; i < lines.length && lines[i] !== ''; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      if (isConnectionSpecific(name)) continue;
      (fields ??= []).push([name, line.slice(colon + 1).trim()]);
    }
    return fields;
  }
}
