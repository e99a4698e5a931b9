/**
 * An HTTP/1 body as its payload and, for a chunked one, its trailer fields: what an HTTP/2 side
 * needs from a message the stream framed for HTTP/1 (DATA carries the payload only, trailers
 * go in a last HEADERS frame). Used both ways: responses toward an HTTP/2 client
 * (response-translator.ts), requests toward an HTTP/2 server (request-translator.ts).
 */
import { BodyFramer } from '../../http/codec/index.ts';
import { isConnectionSpecific } from './connection-specific.ts';

export type TrailerFields = [string, string][];

export class H1BodyReader {
  readonly framer = new BodyFramer();
  /**
   * A chunked body's framing bytes since its last payload byte: when the body ends they hold the
   * last chunk and its trailer section (validated by the framer), read back as trailer fields.
   */
  readonly #framing: Uint8Array[] = [];
  #payloadIn: Uint8Array | undefined;
  #payloadEnd = 0;

  /** `onPayload` receives the body's payload ranges (chunk framing removed). */
  constructor(onPayload: (chunk: Uint8Array, start: number, end: number) => void) {
    this.framer.onData = (chunk, start, end) => {
      this.#framing.length = 0;
      this.#payloadIn = chunk;
      this.#payloadEnd = end;
      onPayload(chunk, start, end);
    };
  }

  get done(): boolean {
    return this.framer.done;
  }

  /** Reads body bytes from bytes[off..]; returns how many belonged to the body. Throws HttpParseError. */
  feed(bytes: Uint8Array, off: number): number {
    const framer = this.framer;
    if (framer.mode !== 'chunked') return framer.feed(bytes, off);
    this.#payloadIn = undefined;
    const used = framer.feed(bytes, off);
    const from = this.#payloadIn === bytes ? this.#payloadEnd : off;
    if (off + used > from) this.#framing.push(bytes.subarray(from, off + used));
    return used;
  }

  /** The trailer fields of the chunked body that just ended (lowercase names), if any. */
  trailers(): TrailerFields | undefined {
    if (this.framer.mode !== 'chunked') return undefined;
    const parts = this.#framing;
    let text = '';
    for (const part of parts) for (let i = 0; i < part.byteLength; i++) text += String.fromCharCode(part[i]!);
    parts.length = 0;
    const lines = text.split('\r\n');
    // Past an empty line (the CRLF ending the last data chunk), the last-chunk line "0[;ext]".
    let i = 0;
    while (i < lines.length && lines[i] === '') i++;
    i++;
    let fields: TrailerFields | undefined;
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
