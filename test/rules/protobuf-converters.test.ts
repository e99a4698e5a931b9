/**
 * `protobuf` and `ungrpc` (src/rules/converters/protobuf.ts) on hand-built protocol buffers
 * messages; the expected values are HAProxy 2.6.12's for the same bytes and expressions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFieldPath } from '../../src/rules/converters/protobuf.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import { Sample } from '../../src/rules/sample.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';

function varint(value: bigint | number): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if (v === 0n) {
      out.push(b);
      return Buffer.from(out);
    }
    out.push(b | 0x80);
  }
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
const ld = (field: number, bytes: Buffer) => Buffer.concat([key(field, 2), varint(bytes.length), bytes]);
function le(size: 4 | 8, write: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(size);
  write(b);
  return b;
}

/** Field 3 is a message holding an int32 -2 (10 bytes), a zigzag 5 (-3) and a message {1: 7}. */
const NESTED = Buffer.concat([key(1, 0), varint(-2), key(2, 0), varint(5), ld(3, Buffer.concat([key(1, 0), varint(7)]))]);
const MESSAGE = Buffer.concat([
  key(1, 0), varint(150),
  ld(2, Buffer.from('testing')),
  ld(3, NESTED),
  key(4, 5), le(4, (b) => b.writeInt32LE(-7)),
  key(5, 1), le(8, (b) => b.writeBigInt64LE(-9n)),
  key(6, 5), le(4, (b) => b.writeFloatLE(-5.5)),
  key(7, 1), le(8, (b) => b.writeDoubleLE(1e10)),
  key(8, 0), varint(2n ** 62n + 3n),
]);
/** Two gRPC messages: the first without field 1, the second with it. */
function grpc(...messages: Buffer[]): Buffer {
  return Buffer.concat(messages.map((m) => Buffer.concat([Buffer.from([0, m.length >>> 24, (m.length >>> 16) & 0xff, (m.length >>> 8) & 0xff, m.length & 0xff]), m])));
}
const GRPC = grpc(Buffer.concat([key(9, 0), varint(1)]), Buffer.concat([key(1, 0), varint(42), ld(2, Buffer.from('second'))]));

const ctx: SampleContext = { clientAddress: '', lbHead: undefined };

/** The converter chain on `bytes`: an integer as text, binary as upper-case hex, undefined when absent. */
function run(bytes: Buffer, chain: string): string | undefined {
  const compiled = compileSampleFetch(`bin(${bytes.toString('hex')}),${chain}`);
  if (!compiled.ok) return `error: ${compiled.message}`;
  const s = new Sample();
  if (!compiled.fetch.sample(ctx, s)) return undefined;
  if (s.type === 'int') return s.wide !== undefined ? s.wide.toString() : String(s.num);
  return Buffer.from(s.str, 'latin1').toString('hex').toUpperCase();
}

describe('protobuf converter', () => {
  it('varints: as is, zigzag, raw bytes; a uint64 beyond 2^53 exactly', () => {
    assert.equal(run(MESSAGE, 'protobuf(1,int32)'), '150');
    assert.equal(run(MESSAGE, 'protobuf(1)'), '9601');
    assert.equal(run(MESSAGE, 'protobuf(1,sint64)'), '75');
    assert.equal(run(MESSAGE, 'protobuf(8,uint64)'), '4611686018427387907');
  });

  it('nested messages by dotted path: negative int32 (10-byte varint), sint32, a message in a message', () => {
    assert.equal(run(MESSAGE, 'protobuf(3.1,int64)'), '-2');
    assert.equal(run(MESSAGE, 'protobuf(3.1,uint32)'), '-2', 'the uint64 is read back as a signed 64-bit sample');
    assert.equal(run(MESSAGE, 'protobuf(3.2,sint32)'), '-3');
    assert.equal(run(MESSAGE, 'protobuf(3.3.1,int32)'), '7');
    assert.equal(run(MESSAGE, 'protobuf(3.3)'), '0807');
    assert.equal(run(MESSAGE, 'protobuf(3.9,int32)'), undefined);
  });

  it('fixed-size fields: fixed32/sfixed32/fixed64, float and double truncated as HAProxy’s C casts', () => {
    assert.equal(run(MESSAGE, 'protobuf(4,fixed32)'), '4294967289');
    assert.equal(run(MESSAGE, 'protobuf(4,sfixed32)'), '-7');
    assert.equal(run(MESSAGE, 'protobuf(4)'), 'F9FFFFFF');
    assert.equal(run(MESSAGE, 'protobuf(5,fixed64)'), '-9');
    assert.equal(run(MESSAGE, 'protobuf(6,float)'), '4294967291');
    assert.equal(run(MESSAGE, 'protobuf(7,double)'), '10000000000');
  });

  it('length-delimited fields only as bytes; a missing field is absent', () => {
    assert.equal(run(MESSAGE, 'protobuf(2)'), Buffer.from('testing').toString('hex').toUpperCase());
    assert.equal(run(MESSAGE, 'protobuf(2,int32)'), undefined);
    assert.equal(run(MESSAGE, 'protobuf(9)'), undefined);
    assert.equal(run(MESSAGE.subarray(0, 5), 'protobuf(2)'), undefined, 'truncated');
  });

  it('arguments: field paths and type names checked once', () => {
    assert.deepEqual(parseFieldPath('1.22.333'), [1, 22, 333]);
    assert.deepEqual(parseFieldPath('1..2'), [1, 0, 2], 'an empty number reads as 0 (read_uint)');
    assert.equal(parseFieldPath('1.'), undefined);
    assert.equal(parseFieldPath('1a'), undefined);
    assert.match(run(MESSAGE, 'protobuf(1,int128)') ?? '', /Wrong protocol buffer type 'int128'/);
    assert.match(run(MESSAGE, 'protobuf(x)') ?? '', /failed to parse 'x' as type 'Protocol buffers field number' at position 1/);
  });
});

describe('ungrpc converter', () => {
  it('looks through each gRPC message in turn', () => {
    assert.equal(run(GRPC, 'ungrpc(1,int32)'), '42');
    assert.equal(run(GRPC, 'ungrpc(2)'), Buffer.from('second').toString('hex').toUpperCase());
    assert.equal(run(GRPC, 'ungrpc(9,bool)'), '1');
    assert.equal(run(GRPC, 'ungrpc(3)'), undefined);
    assert.equal(run(GRPC.subarray(0, GRPC.length - 1), 'ungrpc(2)'), undefined, 'a message longer than what is left');
  });
});
