/**
 * FastCGI 1.0 records (the FastCGI specification; HAProxy 2.6's fcgi.c): an 8-byte header
 * (version 1, type, request id, content length, padding length, reserved), the content, the
 * padding. Name-value pairs (PARAMS, GET_VALUES) carry each length in one byte below 128, else
 * in four with the top bit set. Encoding writes names as HAProxy's fcgi_encode_param does:
 * uppercase, every character other than a letter or a digit as '_'.
 */

export const FCGI_VERSION = 1;
export const RECORD_HEADER_SIZE = 8;
/** Largest content of one record. */
export const MAX_RECORD_CONTENT = 0xffff;

export const RecordType = {
  BEGIN_REQUEST: 1,
  ABORT_REQUEST: 2,
  END_REQUEST: 3,
  PARAMS: 4,
  STDIN: 5,
  STDOUT: 6,
  STDERR: 7,
  DATA: 8,
  GET_VALUES: 9,
  GET_VALUES_RESULT: 10,
  UNKNOWN_TYPE: 11,
} as const;

export const ROLE_RESPONDER = 1;
export const FLAG_KEEP_CONN = 1;

/** END_REQUEST's protocol status. */
export const ProtocolStatus = { REQUEST_COMPLETE: 0, CANT_MPX_CONN: 1, OVERLOADED: 2, UNKNOWN_ROLE: 3 } as const;

function writeHeader(out: Uint8Array, at: number, type: number, id: number, length: number, padding = 0): void {
  out[at] = FCGI_VERSION;
  out[at + 1] = type;
  out[at + 2] = (id >> 8) & 0xff;
  out[at + 3] = id & 0xff;
  out[at + 4] = (length >> 8) & 0xff;
  out[at + 5] = length & 0xff;
  out[at + 6] = padding;
  out[at + 7] = 0;
}

/** One record of `type` carrying content[start, end) (at most MAX_RECORD_CONTENT bytes), no padding. */
export function record(type: number, id: number, content?: Uint8Array, start = 0, end = content?.byteLength ?? 0): Uint8Array {
  const length = end - start;
  const out = new Uint8Array(RECORD_HEADER_SIZE + length);
  writeHeader(out, 0, type, id, length);
  if (content !== undefined && length > 0) out.set(content.subarray(start, end), RECORD_HEADER_SIZE);
  return out;
}

/**
 * A stream's content (PARAMS, STDIN, STDOUT...) as records of at most MAX_RECORD_CONTENT bytes,
 * in one buffer; an empty content gives no record (the stream's end is an empty record).
 */
export function streamRecords(type: number, id: number, content: Uint8Array, start = 0, end = content.byteLength): Uint8Array {
  const length = end - start;
  const count = Math.ceil(length / MAX_RECORD_CONTENT);
  const out = new Uint8Array(length + count * RECORD_HEADER_SIZE);
  let at = 0;
  for (let off = start; off < end; off += MAX_RECORD_CONTENT) {
    const n = Math.min(MAX_RECORD_CONTENT, end - off);
    writeHeader(out, at, type, id, n);
    out.set(content.subarray(off, off + n), at + RECORD_HEADER_SIZE);
    at += RECORD_HEADER_SIZE + n;
  }
  return out;
}

/** BEGIN_REQUEST for the responder role. */
export function beginRequest(id: number, keepConn: boolean): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_SIZE + 8);
  writeHeader(out, 0, RecordType.BEGIN_REQUEST, id, 8);
  out[RECORD_HEADER_SIZE] = 0;
  out[RECORD_HEADER_SIZE + 1] = ROLE_RESPONDER;
  out[RECORD_HEADER_SIZE + 2] = keepConn ? FLAG_KEEP_CONN : 0;
  return out;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Builds the content of a PARAMS (or GET_VALUES) stream: name-value pairs, latin1. */
export class ParamsWriter {
  #buf = new Uint8Array(1024);
  #len = 0;

  get length(): number {
    return this.#len;
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.byteLength) return;
    let size = this.#buf.byteLength * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  #writeLength(n: number): void {
    const b = this.#buf;
    if (n < 0x80) {
      b[this.#len++] = n;
      return;
    }
    b[this.#len++] = ((n >>> 24) & 0x7f) | 0x80;
    b[this.#len++] = (n >>> 16) & 0xff;
    b[this.#len++] = (n >>> 8) & 0xff;
    b[this.#len++] = n & 0xff;
  }

  /** Adds a pair; the name goes uppercase with '_' for every character that is not a letter or a digit. */
  add(name: string, value: string): void {
    this.#room(10 + name.length + value.length);
    this.#writeLength(name.length);
    this.#writeLength(value.length);
    const b = this.#buf;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      b[this.#len++] = isAlnum(c) ? (c >= 0x61 ? c - 0x20 : c) : 0x5f;
    }
    for (let i = 0; i < value.length; i++) b[this.#len++] = value.charCodeAt(i) & 0xff;
  }

  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}

/** Decodes name-value pairs (latin1 strings); throws on a truncated pair. */
export function decodeParams(content: Uint8Array): [string, string][] {
  const out: [string, string][] = [];
  let at = 0;
  const length = (): number => {
    if (at >= content.byteLength) throw new Error('truncated name-value pair');
    const b0 = content[at]!;
    if (b0 < 0x80) {
      at += 1;
      return b0;
    }
    if (at + 4 > content.byteLength) throw new Error('truncated name-value pair');
    const n = ((b0 & 0x7f) << 24) | (content[at + 1]! << 16) | (content[at + 2]! << 8) | content[at + 3]!;
    at += 4;
    return n;
  };
  const text = (n: number): string => {
    if (at + n > content.byteLength) throw new Error('truncated name-value pair');
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(content[at + i]!);
    at += n;
    return s;
  };
  while (at < content.byteLength) {
    const n = length();
    const v = length();
    out.push([text(n), text(v)]);
  }
  return out;
}

/** Receives whole records from a RecordReader. `content` is only valid during the call. */
export interface RecordSink {
  record(type: number, id: number, content: Uint8Array): void;
}

/**
 * Splits a byte stream into records: each record is delivered whole (content without padding),
 * gathered across reads when it spans several.
 */
export class RecordReader {
  readonly #sink: RecordSink;
  #pending: Uint8Array | undefined;

  constructor(sink: RecordSink) {
    this.#sink = sink;
  }

  /** Throws on a record whose version is not 1. */
  feed(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this.#pending !== undefined) {
      const joined = new Uint8Array(this.#pending.byteLength + chunk.byteLength);
      joined.set(this.#pending);
      joined.set(chunk, this.#pending.byteLength);
      bytes = joined;
      this.#pending = undefined;
    }
    let at = 0;
    while (bytes.byteLength - at >= RECORD_HEADER_SIZE) {
      if (bytes[at] !== FCGI_VERSION) throw new Error(`FastCGI record of version ${bytes[at]}`);
      const type = bytes[at + 1]!;
      const id = (bytes[at + 2]! << 8) | bytes[at + 3]!;
      const length = (bytes[at + 4]! << 8) | bytes[at + 5]!;
      const total = RECORD_HEADER_SIZE + length + bytes[at + 6]!;
      if (bytes.byteLength - at < total) break;
      this.#sink.record(type, id, bytes.subarray(at + RECORD_HEADER_SIZE, at + RECORD_HEADER_SIZE + length));
      at += total;
    }
    if (at < bytes.byteLength) this.#pending = bytes.slice(at);
  }

  /** Bytes of an incomplete record held. */
  get buffered(): number {
    return this.#pending?.byteLength ?? 0;
  }
}
