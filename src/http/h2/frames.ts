/**
 * HTTP/2 frames (RFC 9113 §4, §6): the connection preface, an incremental frame reader that
 * checks what every frame type must satisfy on its own (sizes, stream 0 or not, padding), and
 * serialisers for the frames a server sends. Which frame may come in which stream state is
 * the mux's business (src/mux/h2-client.ts). Serialised frames are views of a shared slab
 * (allocFromSlab): a fresh ArrayBuffer per frame costs more than the frame's own work on V8.
 */
import { allocFromSlab, copyBytes } from '../codec/chars.ts';

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

/** Error codes (RFC 9113 §7). */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
  ENABLE_CONNECT_PROTOCOL: 0x8,
} as const;

export const FRAME_HEADER_SIZE = 9;
export const DEFAULT_MAX_FRAME_SIZE = 16384;
export const DEFAULT_WINDOW = 65535;
export const MAX_WINDOW = 0x7fffffff;

/** "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 §3.4). */
export const PREFACE = new Uint8Array([
  0x50, 0x52, 0x49, 0x20, 0x2a, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32, 0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0x53, 0x4d, 0x0d, 0x0a, 0x0d, 0x0a,
]);

/**
 * A protocol error: a connection error (GOAWAY, then close) when `streamId` is 0, else a stream
 * error (RST_STREAM on that stream, the connection goes on).
 */
export class H2Error extends Error {
  override readonly name = 'H2Error';
  readonly code: number;
  readonly streamId: number;
  constructor(code: number, message: string, streamId = 0) {
    super(message);
    this.code = code;
    this.streamId = streamId;
  }
}

/** One frame as read: the payload is buf[start, end) with padding and priority fields removed. */
export class Frame {
  type = 0;
  flags = 0;
  streamId = 0;
  /** The frame's length on the wire (padding included): what DATA costs in flow control. */
  length = 0;
  buf: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;
}

/**
 * Cuts a byte stream into frames. feed() calls `onFrame` once per complete frame (the Frame is
 * reused: copy what outlives the call); a frame split across reads is gathered into one buffer.
 * Checks here are the ones a frame fails on its own, as connection errors (RFC 9113 §4.2, §6):
 * length above our SETTINGS_MAX_FRAME_SIZE, padding longer than the payload, fixed-size frames
 * of the wrong size, stream-0-only frames on a stream and the reverse.
 */
export class FrameReader {
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  readonly frame = new Frame();
  #pending: Uint8Array | undefined;
  #stopped = false;

  /** Stops reading (after a connection error): what follows is ignored. */
  stop(): void {
    this.#stopped = true;
    this.#pending = undefined;
  }

  /** Reads frames from data[off..]; throws H2Error on a connection error. */
  feed(data: Uint8Array, off: number, onFrame: (frame: Frame) => void): void {
    if (this.#pending !== undefined) {
      const joined = new Uint8Array(this.#pending.byteLength + data.byteLength - off);
      joined.set(this.#pending, 0);
      joined.set(data.subarray(off), this.#pending.byteLength);
      this.#pending = undefined;
      data = joined;
      off = 0;
    }
    const end = data.byteLength;
    while (!this.#stopped && end - off >= FRAME_HEADER_SIZE) {
      const length = (data[off]! << 16) | (data[off + 1]! << 8) | data[off + 2]!;
      if (length > this.maxFrameSize) throw new H2Error(ErrorCode.FRAME_SIZE_ERROR, `frame of ${length} bytes`);
      if (end - off < FRAME_HEADER_SIZE + length) break;
      const f = this.frame;
      f.type = data[off + 3]!;
      f.flags = data[off + 4]!;
      f.streamId = ((data[off + 5]! & 0x7f) << 24) | (data[off + 6]! << 16) | (data[off + 7]! << 8) | data[off + 8]!;
      f.length = length;
      f.buf = data;
      f.start = off + FRAME_HEADER_SIZE;
      f.end = f.start + length;
      off = f.end;
      checkFrame(f);
      onFrame(f);
    }
    if (!this.#stopped && off < end) this.#pending = data.slice(off);
  }
}

function checkFrame(f: Frame): void {
  const sid = f.streamId;
  switch (f.type) {
    case FrameType.DATA:
      if (sid === 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'DATA on stream 0');
      stripPadding(f);
      return;
    case FrameType.HEADERS:
      if (sid === 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'HEADERS on stream 0');
      stripPadding(f);
      if (f.flags & Flag.PRIORITY) {
        if (f.end - f.start < 5) throw new H2Error(ErrorCode.FRAME_SIZE_ERROR, 'HEADERS too short for its priority');
        f.start += 5;
      }
      return;
    case FrameType.PRIORITY:
      // Its size is a stream error (§6.3): the mux checks it, so that the frames after it are read.
      if (sid === 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'PRIORITY on stream 0');
      return;
    case FrameType.RST_STREAM:
      if (sid === 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'RST_STREAM on stream 0');
      if (f.length !== 4) throw new H2Error(ErrorCode.FRAME_SIZE_ERROR, 'RST_STREAM of the wrong size');
      return;
    case FrameType.SETTINGS:
      if (sid !== 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'SETTINGS on a stream');
      if (f.flags & Flag.ACK ? f.length !== 0 : f.length % 6 !== 0) throw new H2Error(ErrorCode.FRAME_SIZE_ERROR, 'SETTINGS of the wrong size');
      return;
    case FrameType.PUSH_PROMISE:
      throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'PUSH_PROMISE from a client');
    case FrameType.PING:
      if (sid !== 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'PING on a stream');
      if (f.length !== 8) throw new H2Error(ErrorCode.FRAME_SIZE_ERROR, 'PING of the wrong size');
      return;
    case FrameType.GOAWAY:
      if (sid !== 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'GOAWAY on a stream');
      if (f.length < 8) throw new H2Error(ErrorCode.FRAME_SIZE_ERROR, 'GOAWAY too short');
      return;
    case FrameType.WINDOW_UPDATE:
      if (f.length !== 4) throw new H2Error(ErrorCode.FRAME_SIZE_ERROR, 'WINDOW_UPDATE of the wrong size');
      return;
    case FrameType.CONTINUATION:
      if (sid === 0) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'CONTINUATION on stream 0');
      return;
    default:
      return; // unknown types are ignored (§4.1)
  }
}

function stripPadding(f: Frame): void {
  if ((f.flags & Flag.PADDED) === 0) return;
  if (f.length < 1) throw new H2Error(ErrorCode.FRAME_SIZE_ERROR, 'padded frame without its pad length');
  const pad = f.buf[f.start]!;
  f.start++;
  if (pad > f.end - f.start) throw new H2Error(ErrorCode.PROTOCOL_ERROR, 'padding longer than the payload');
  f.end -= pad;
}

/** A 32-bit big-endian read. */
export function readUint32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) >>> 0) + ((buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!);
}

function writeHeader(out: Uint8Array, at: number, length: number, type: number, flags: number, streamId: number): void {
  out[at] = (length >>> 16) & 0xff;
  out[at + 1] = (length >>> 8) & 0xff;
  out[at + 2] = length & 0xff;
  out[at + 3] = type;
  out[at + 4] = flags;
  out[at + 5] = (streamId >>> 24) & 0x7f;
  out[at + 6] = (streamId >>> 16) & 0xff;
  out[at + 7] = (streamId >>> 8) & 0xff;
  out[at + 8] = streamId & 0xff;
}

function writeUint32(out: Uint8Array, at: number, v: number): void {
  out[at] = (v >>> 24) & 0xff;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

/** A SETTINGS frame with (id, value) pairs. */
export function settingsFrame(pairs: readonly (readonly [number, number])[]): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_SIZE + 6 * pairs.length);
  writeHeader(out, 0, 6 * pairs.length, FrameType.SETTINGS, 0, 0);
  let at = FRAME_HEADER_SIZE;
  for (const [id, value] of pairs) {
    out[at] = id >>> 8;
    out[at + 1] = id & 0xff;
    writeUint32(out, at + 2, value);
    at += 6;
  }
  return out;
}

export const SETTINGS_ACK: Uint8Array = (() => {
  const out = new Uint8Array(FRAME_HEADER_SIZE);
  writeHeader(out, 0, 0, FrameType.SETTINGS, Flag.ACK, 0);
  return out;
})();

/** A PING acknowledging the 8 bytes at payload[at..]. */
export function pingAckFrame(payload: Uint8Array, at: number): Uint8Array {
  const out = allocFromSlab(FRAME_HEADER_SIZE + 8);
  writeHeader(out, 0, 8, FrameType.PING, Flag.ACK, 0);
  copyBytes(out, FRAME_HEADER_SIZE, payload, at, at + 8);
  return out;
}

export function windowUpdateFrame(streamId: number, increment: number): Uint8Array {
  const out = allocFromSlab(FRAME_HEADER_SIZE + 4);
  writeHeader(out, 0, 4, FrameType.WINDOW_UPDATE, 0, streamId);
  writeUint32(out, FRAME_HEADER_SIZE, increment);
  return out;
}

export function rstStreamFrame(streamId: number, code: number): Uint8Array {
  const out = allocFromSlab(FRAME_HEADER_SIZE + 4);
  writeHeader(out, 0, 4, FrameType.RST_STREAM, 0, streamId);
  writeUint32(out, FRAME_HEADER_SIZE, code);
  return out;
}

export function goawayFrame(lastStreamId: number, code: number): Uint8Array {
  const out = allocFromSlab(FRAME_HEADER_SIZE + 8);
  writeHeader(out, 0, 8, FrameType.GOAWAY, 0, 0);
  writeUint32(out, FRAME_HEADER_SIZE, lastStreamId);
  writeUint32(out, FRAME_HEADER_SIZE + 4, code);
  return out;
}

/** A HEADERS frame carrying `block`, followed by CONTINUATION frames when it exceeds maxFrameSize. */
export function headersFrames(streamId: number, block: Uint8Array, endStream: boolean, maxFrameSize: number): Uint8Array {
  const size = block.byteLength;
  if (size <= maxFrameSize) {
    // The usual case, one frame: no view of the block per frame.
    const out = allocFromSlab(FRAME_HEADER_SIZE + size);
    writeHeader(out, 0, size, FrameType.HEADERS, Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0), streamId);
    copyBytes(out, FRAME_HEADER_SIZE, block, 0, size);
    return out;
  }
  const frames = Math.ceil(size / maxFrameSize);
  const out = allocFromSlab(size + frames * FRAME_HEADER_SIZE);
  let at = 0;
  let from = 0;
  for (let i = 0; i < frames; i++) {
    const n = Math.min(maxFrameSize, size - from);
    const last = i === frames - 1;
    const flags = (last ? Flag.END_HEADERS : 0) | (i === 0 && endStream ? Flag.END_STREAM : 0);
    writeHeader(out, at, n, i === 0 ? FrameType.HEADERS : FrameType.CONTINUATION, flags, streamId);
    copyBytes(out, at + FRAME_HEADER_SIZE, block, from, from + n);
    at += FRAME_HEADER_SIZE + n;
    from += n;
  }
  return out;
}

/** The 9-byte header of a DATA frame of `length` bytes (its payload is written after it). */
export function dataFrameHeader(streamId: number, length: number, endStream: boolean): Uint8Array {
  const out = allocFromSlab(FRAME_HEADER_SIZE);
  writeHeader(out, 0, length, FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId);
  return out;
}

/** A whole DATA frame (header and payload in one buffer). */
export function dataFrame(streamId: number, payload: Uint8Array, start: number, end: number, endStream: boolean): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_SIZE + end - start);
  writeHeader(out, 0, end - start, FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId);
  copyBytes(out, FRAME_HEADER_SIZE, payload, start, end);
  return out;
}
