import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ErrorCode,
  Flag,
  FrameReader,
  FrameType,
  H2Error,
  dataFrame,
  goawayFrame,
  headersFrames,
  pingAckFrame,
  readUint32,
  rstStreamFrame,
  settingsFrame,
  windowUpdateFrame,
  type Frame,
} from '../../../src/http/h2/index.ts';

interface Seen {
  type: number;
  flags: number;
  streamId: number;
  payload: number[];
  length: number;
}

function frame(type: number, flags: number, streamId: number, payload: number[]): Uint8Array {
  const n = payload.length;
  return new Uint8Array([n >> 16, (n >> 8) & 0xff, n & 0xff, type, flags, (streamId >>> 24) & 0x7f, (streamId >> 16) & 0xff, (streamId >> 8) & 0xff, streamId & 0xff, ...payload]);
}

function read(bytes: Uint8Array, split = bytes.length): Seen[] {
  const r = new FrameReader();
  const seen: Seen[] = [];
  const on = (f: Frame) => seen.push({ type: f.type, flags: f.flags, streamId: f.streamId, payload: Array.from(f.buf.subarray(f.start, f.end)), length: f.length });
  r.feed(bytes.subarray(0, split), 0, on);
  r.feed(bytes.subarray(split), 0, on);
  return seen;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function codeOf(fn: () => unknown): { code: number; streamId: number } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof H2Error);
    return { code: e.code, streamId: e.streamId };
  }
  assert.fail('no error');
}

describe('FrameReader', () => {
  it('reads frames split at every byte boundary', () => {
    const bytes = concat(frame(FrameType.PING, 0, 0, [1, 2, 3, 4, 5, 6, 7, 8]), frame(FrameType.DATA, Flag.END_STREAM, 1, [9, 9]));
    for (let split = 0; split <= bytes.length; split++) {
      const seen = read(bytes, split);
      assert.equal(seen.length, 2, `split ${split}`);
      assert.deepEqual(seen[1], { type: FrameType.DATA, flags: Flag.END_STREAM, streamId: 1, payload: [9, 9], length: 2 });
    }
  });
  it('strips padding and the priority fields of HEADERS, keeps the wire length for flow control', () => {
    const [d] = read(frame(FrameType.DATA, Flag.PADDED, 3, [2, 0x61, 0x62, 0, 0]));
    assert.deepEqual(d!.payload, [0x61, 0x62]);
    assert.equal(d!.length, 5);
    const [h] = read(frame(FrameType.HEADERS, Flag.PADDED | Flag.PRIORITY | Flag.END_HEADERS, 1, [1, 0, 0, 0, 0, 16, 0x82, 0]));
    assert.deepEqual(h!.payload, [0x82]);
  });
  it('connection errors of frames on their own', () => {
    assert.equal(codeOf(() => read(frame(FrameType.DATA, 0, 0, []))).code, ErrorCode.PROTOCOL_ERROR);
    assert.equal(codeOf(() => read(frame(FrameType.DATA, Flag.PADDED, 1, [5, 1]))).code, ErrorCode.PROTOCOL_ERROR);
    assert.equal(codeOf(() => read(frame(FrameType.SETTINGS, 0, 1, []))).code, ErrorCode.PROTOCOL_ERROR);
    assert.equal(codeOf(() => read(frame(FrameType.SETTINGS, 0, 0, [0, 1, 0]))).code, ErrorCode.FRAME_SIZE_ERROR);
    assert.equal(codeOf(() => read(frame(FrameType.SETTINGS, Flag.ACK, 0, [0, 1, 0, 0, 0, 0]))).code, ErrorCode.FRAME_SIZE_ERROR);
    assert.equal(codeOf(() => read(frame(FrameType.PING, 0, 0, [1]))).code, ErrorCode.FRAME_SIZE_ERROR);
    assert.equal(codeOf(() => read(frame(FrameType.PING, 0, 1, [1, 2, 3, 4, 5, 6, 7, 8]))).code, ErrorCode.PROTOCOL_ERROR);
    assert.equal(codeOf(() => read(frame(FrameType.RST_STREAM, 0, 1, [0, 0, 0]))).code, ErrorCode.FRAME_SIZE_ERROR);
    assert.equal(codeOf(() => read(frame(FrameType.WINDOW_UPDATE, 0, 1, [0, 0, 0]))).code, ErrorCode.FRAME_SIZE_ERROR);
    assert.equal(codeOf(() => read(frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1, [0, 0, 0, 2]))).code, ErrorCode.PROTOCOL_ERROR);
    assert.equal(codeOf(() => read(frame(FrameType.GOAWAY, 0, 0, [0, 0, 0, 0]))).code, ErrorCode.FRAME_SIZE_ERROR);
  });
  it('a frame above SETTINGS_MAX_FRAME_SIZE is a FRAME_SIZE_ERROR as soon as its header arrives', () => {
    const header = new Uint8Array([0, 0x40, 0x01, 0, 0, 0, 0, 0, 1]);
    assert.equal(codeOf(() => read(header)).code, ErrorCode.FRAME_SIZE_ERROR);
  });
  it('unknown frame types and PRIORITY of any size pass to the mux', () => {
    assert.equal(read(frame(0x42, 0, 0, [1, 2]))[0]!.type, 0x42);
    assert.equal(read(frame(FrameType.PRIORITY, 0, 1, [1, 2]))[0]!.length, 2);
  });
});

describe('frame serialisers', () => {
  it('write what the reader reads back', () => {
    const seen = read(
      concat(
        settingsFrame([[3, 100], [4, 65535]]),
        pingAckFrame(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 0),
        windowUpdateFrame(5, 1000),
        rstStreamFrame(7, ErrorCode.CANCEL),
        goawayFrame(9, ErrorCode.PROTOCOL_ERROR),
        dataFrame(11, new Uint8Array([0, 1, 2, 3]), 1, 3, true),
      ),
    );
    assert.deepEqual(seen.map((f) => [f.type, f.flags, f.streamId]), [[4, 0, 0], [6, 1, 0], [8, 0, 5], [3, 0, 7], [7, 0, 0], [0, 1, 11]]);
    assert.deepEqual(seen[0]!.payload, [0, 3, 0, 0, 0, 100, 0, 4, 0, 0, 0xff, 0xff]);
    assert.equal(readUint32(new Uint8Array(seen[2]!.payload), 0), 1000);
    assert.deepEqual(seen[5]!.payload, [1, 2]);
  });
  it('a header block larger than the frame size goes out as HEADERS then CONTINUATION', () => {
    const block = new Uint8Array(40).fill(0x82);
    const seen = read(headersFrames(1, block, true, 16));
    assert.deepEqual(seen.map((f) => [f.type, f.flags, f.payload.length]), [[1, Flag.END_STREAM, 16], [9, 0, 16], [9, Flag.END_HEADERS, 8]]);
  });
});
