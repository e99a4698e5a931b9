/** The ring buffer's bounds (HAProxy's ring_write accounting), readers, and a ring sink's framing and drop announces. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RingBuffer, varintBytes } from '../../src/log/ring-buffer.ts';
import { RingSink } from '../../src/log/ring-sink.ts';
import { LogLevel } from '../../src/log/logger.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined): string => new TextDecoder().decode(data);

describe('ring buffer', () => {
  it("counts lengths as HAProxy's varint does (1 byte below 240, 2 below 2288)", () => {
    assert.deepEqual([0, 239, 240, 2287, 2288, 264431, 264432].map(varintBytes), [1, 1, 2, 2, 3, 3, 4]);
  });

  it('keeps the latest messages within size bytes (1 + varint + length + 1 each), dropping the oldest', () => {
    // 1 initial byte, then 9-byte messages take 11 bytes each: 4 fit in 50 bytes (45), not 5 (56).
    const ring = new RingBuffer(50);
    for (let i = 0; i < 6; i++) assert.equal(ring.write(bytes(`message-${i}`)), true);
    assert.equal(ring.used, 45);
    assert.deepEqual([ring.first, ring.end], [2, 6]);
    assert.equal(text(ring.at(2)), 'message-2');
    assert.equal(ring.at(1), undefined);
  });

  it('refuses a message that could never fit (varint + length + 2 above size)', () => {
    const ring = new RingBuffer(20);
    assert.equal(ring.write(new Uint8Array(18)), false);
    assert.equal(ring.write(new Uint8Array(17)), true);
  });

  it('a holding reader keeps its messages: writes fail instead of deleting them; a non-holding one skips ahead', () => {
    const ring = new RingBuffer(40);
    ring.write(bytes('a'.repeat(10)));
    const held = ring.attach(false, true);
    const loose = ring.attach(false, false);
    ring.write(bytes('b'.repeat(10)));
    ring.write(bytes('c'.repeat(10)));
    assert.equal(ring.write(bytes('d'.repeat(10))), false, 'the oldest is held');
    assert.equal(text(ring.read(held)), 'a'.repeat(10));
    assert.equal(ring.write(bytes('d'.repeat(10))), true, 'read, it may go');
    ring.detach(held);
    ring.write(bytes('e'.repeat(10)));
    assert.equal(text(ring.read(loose)), 'c'.repeat(10), 'the loose reader resumes at the oldest still held');
  });
});

describe('ring sink', () => {
  it("puts the ring's header (not the log line's), cuts to maxlen, and announces dropped lines first", () => {
    const rt = new FakeRuntime();
    const sink = new RingSink(rt, { name: 'r', description: 'r', format: 'priority', maxLength: 12, size: 44 }, { hostname: '', tag: 'switchyard' });
    assert.equal(sink.write(LogLevel.info, 'local0', bytes('hello world'), 'px'), true);
    assert.equal(text(sink.buffer.at(0)), '<134>hello w', 'priority header, cut at 12 bytes');
    const reader = sink.buffer.attach(false, true);
    assert.equal(sink.write(LogLevel.info, 'local0', bytes('x'.repeat(11)), 'px'), true);
    assert.equal(sink.write(LogLevel.info, 'local0', bytes('y'.repeat(11)), 'px'), true);
    assert.equal(sink.write(LogLevel.info, 'local0', bytes('z'), 'px'), false, 'full, the oldest held');
    assert.equal(sink.dropped, 1);
    sink.buffer.detach(reader);
    assert.equal(sink.write(LogLevel.info, 'local0', bytes('after'), 'px'), true);
    assert.equal(sink.dropped, 0);
    const end = sink.buffer.end;
    assert.deepEqual([text(sink.buffer.at(end - 2)), text(sink.buffer.at(end - 1))], ['<133>1 event', '<134>after'], 'notice (133), cut to maxlen like any line');
  });
});
