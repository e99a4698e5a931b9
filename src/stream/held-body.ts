import { BodyFramer, type RequestHead, type ResponseHead } from '../http/codec/index.ts';
import { responseHasNoBody } from '../http/codec/body-framer.ts';
import type { MessageBody } from '../rules/message-body.ts';

const EMPTY = new Uint8Array(0);

/**
 * A message body the stream holds instead of forwarding: request bytes that came before the
 * server connection (or while rules wait for the body), response bytes while `http-response
 * wait-for-body` waits. The bytes are kept as framed on the wire, so that they go on as they
 * came (the HTTP/1 pass-through); the payload the body fetches read is decoded from them only
 * when something asks (a fetch, a wait with `at-least`), by a framer of its own.
 */
export class HeldBody implements MessageBody {
  /**
   * HAProxy's buffer less its rewrite reserve (tune.bufsize - tune.maxrewrite): the room a
   * message's head and body share before `option http-buffer-request` / `wait-for-body` stop
   * waiting (channel_htx_full with the reserve).
   */
  readonly #room: number;

  constructor(room: number) {
    this.#room = room;
  }

  /** Wire chunks, in order. */
  chunks: Uint8Array[] = [];
  wireBytes = 0;
  /** The message's last byte is among the chunks (or it has no body). */
  ended = false;
  /** The head's size, which shares the buffer with the body. */
  #headBytes = 0;
  #head: RequestHead | ResponseHead | undefined;
  #requestMethod: string | undefined;
  /** Decoding state, created on the first question about the payload. */
  #decoder: BodyFramer | undefined;
  #decodedChunks = 0;
  #segments: Uint8Array[] = [];
  #payloadBytes = 0;
  /**
   * Bytes were handed over before anything asked about the payload: the framing of what
   * follows is unknown without them, and decoding them for nobody would cost every request.
   * The held payload then reads as empty, which it is until the message ends.
   */
  #undecodable = false;
  readonly #collect = (chunk: Uint8Array, start: number, end: number): void => {
    this.#segments.push(chunk.subarray(start, end));
    this.#payloadBytes += end - start;
  };

  /** A new message: `requestMethod` for a response (a HEAD's response has no body). */
  begin(head: RequestHead | ResponseHead, ended: boolean, requestMethod?: string): void {
    this.clear();
    this.#head = head;
    this.#headBytes = head.raw.byteLength;
    this.#requestMethod = requestMethod;
    this.ended = ended || (requestMethod !== undefined && responseBodyless(head as ResponseHead, requestMethod));
  }

  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.wireBytes += bytes.byteLength;
  }

  /** Hands the held wire bytes over (to the server or the client) and forgets them. */
  take(): Uint8Array[] {
    // The decoder must have read them: the bytes that follow continue the same framing.
    if (this.#decoder !== undefined) this.#sync();
    else if (this.chunks.length > 0) this.#undecodable = true;
    const chunks = this.chunks;
    this.chunks = [];
    this.wireBytes = 0;
    this.#decodedChunks = 0;
    this.#segments = [];
    this.#payloadBytes = 0;
    return chunks;
  }

  clear(): void {
    if (this.wireBytes > 0 || this.chunks.length > 0) this.take();
    this.#decoder = undefined;
    this.#undecodable = false;
    this.#head = undefined;
    this.#headBytes = 0;
    this.ended = false;
  }

  /** The head and the body fill HAProxy's buffer: no more would be read before forwarding. */
  get full(): boolean {
    return this.#headBytes + this.payloadBytes >= this.#room;
  }

  get final(): boolean {
    return this.ended || this.full;
  }

  get payloadBytes(): number {
    this.#sync();
    return this.#payloadBytes;
  }

  get announcedBytes(): number {
    this.#sync();
    const rest = this.#decoder === undefined || this.#decoder.done ? 0 : this.#decoder.mode === 'close' ? 0 : this.#decoder.remaining;
    return this.#payloadBytes + rest;
  }

  payload(): Uint8Array {
    this.#sync();
    const segments = this.#segments;
    if (segments.length === 0) return EMPTY;
    if (segments.length === 1) return segments[0] as Uint8Array;
    const out = new Uint8Array(this.#payloadBytes);
    let at = 0;
    for (const s of segments) {
      out.set(s, at);
      at += s.byteLength;
    }
    // Later questions read the joined copy.
    this.#segments = [out];
    return out;
  }

  /** Decodes the chunks not yet decoded (they were validated by the mux's own framer). */
  #sync(): void {
    const head = this.#head;
    if (head === undefined || this.#undecodable) return;
    let decoder = this.#decoder;
    if (decoder === undefined) {
      decoder = this.#decoder = new BodyFramer();
      if (this.#requestMethod === undefined) decoder.startRequest(head as RequestHead);
      else decoder.startResponse(head as ResponseHead, this.#requestMethod);
      decoder.onData = this.#collect;
    }
    const chunks = this.chunks;
    while (this.#decodedChunks < chunks.length) {
      const chunk = chunks[this.#decodedChunks++] as Uint8Array;
      if (!decoder.done) decoder.feed(chunk, 0, chunk.byteLength);
    }
  }
}

/** A response without a body (RFC 9112 §6.3), or an empty one: nothing to wait for. */
function responseBodyless(head: ResponseHead, requestMethod: string): boolean {
  return responseHasNoBody(head.status, requestMethod) || (!head.chunked && head.contentLength === 0);
}
