/**
 * Bytes of HAProxy's peers protocol (src/peers.c, doc/peers-v2.0.txt): its variable-length
 * integers and the two cursors messages are written and read with.
 *
 * An integer below 240 is one byte; a larger one starts with `value | 0xf0`, then carries
 * `(value - 240) >> 4` seven bits per byte, the high bit set on every byte but the last
 * (intencode/intdecode). Values here are JavaScript numbers: exact up to 2^53, which covers
 * every counter a process can reach.
 */

const TWO_BYTES_MIN = 0xf0;
const STOP_BYTE = 0x80;

/** A growable output buffer. */
export class ByteWriter {
  #bytes: Uint8Array;
  length = 0;

  constructor(capacity = 256) {
    this.#bytes = new Uint8Array(capacity);
  }

  #room(n: number): void {
    if (this.length + n <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.length));
    this.#bytes = grown;
  }

  byte(value: number): void {
    this.#room(1);
    this.#bytes[this.length++] = value & 0xff;
  }

  uint32(value: number): void {
    this.#room(4);
    const v = value >>> 0;
    this.#bytes[this.length++] = v >>> 24;
    this.#bytes[this.length++] = (v >>> 16) & 0xff;
    this.#bytes[this.length++] = (v >>> 8) & 0xff;
    this.#bytes[this.length++] = v & 0xff;
  }

  bytes(data: Uint8Array): void {
    this.#room(data.length);
    this.#bytes.set(data, this.length);
    this.length += data.length;
  }

  /** intencode(). */
  varint(value: number): void {
    let i = Math.max(0, Math.floor(value));
    if (i < TWO_BYTES_MIN) {
      this.byte(i);
      return;
    }
    this.byte((i % 256) | TWO_BYTES_MIN);
    i = Math.floor((i - TWO_BYTES_MIN) / 16);
    while (i >= STOP_BYTE) {
      this.byte((i % 256) | STOP_BYTE);
      i = Math.floor((i - STOP_BYTE) / 128);
    }
    this.byte(i);
  }

  /** The bytes written so far (a view: copy before writing more if kept). */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}

/** Raised by a ByteReader reading past its end: the message is malformed (or, framing, incomplete). */
export class Truncated extends Error {
  constructor() {
    super('truncated peers message');
  }
}

/** A cursor over one message's bytes. */
export class ByteReader {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  byte(): number {
    if (this.pos >= this.end) throw new Truncated();
    return this.bytes[this.pos++] as number;
  }

  uint32(): number {
    if (this.pos + 4 > this.end) throw new Truncated();
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (((b[p] as number) << 24) | ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number)) >>> 0;
  }

  take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) throw new Truncated();
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new Truncated();
    this.pos += n;
  }

  /** intdecode(). */
  varint(): number {
    let i = this.byte();
    if (i >= TWO_BYTES_MIN) {
      let shift = 4;
      let b: number;
      do {
        b = this.byte();
        i += b * 2 ** shift;
        shift += 7;
      } while (b >= STOP_BYTE);
    }
    return i;
  }
}

/** The bytes of a varint alone (a message length). */
export function varintBytes(value: number): Uint8Array {
  const w = new ByteWriter(10);
  w.varint(value);
  return w.view().slice();
}

/** Text as bytes one char each (stick keys are latin1 text, as the samples they come from). */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

export function latin1Text(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}
