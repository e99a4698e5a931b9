/**
 * `protobuf(FIELD[,TYPE])` and `ungrpc(FIELD[,TYPE])`, HAProxy 2.6's sample.c and protobuf.h:
 * the value of a protocol buffers field in a binary sample (`ungrpc`: in the messages of a gRPC
 * body, each behind its 5-byte header). FIELD is a dotted path of field numbers (`1.2.3`: field
 * 3 of the message in field 2 of the message in field 1). Without TYPE the field's raw bytes are
 * given (a varint's encoded bytes, a fixed field's 4 or 8 bytes, a length-delimited field's
 * content); with one of HAProxy's scalar types an integer. The walk is HAProxy's to the byte,
 * including how it resumes matching from the top-level path after a nested message ends.
 */
import type { Sample } from '../sample.ts';
import { type ConverterDefinition, spec, strArg } from './definition.ts';

const WIRE_VARINT = 0;
const WIRE_64BIT = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_32BIT = 5;

/** HAProxy's PBUF_T_* value types, by family. */
type ValueType =
  | 'binary'
  | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'enum' // varint, as is
  | 'sint32' | 'sint64' // varint, zigzag
  | 'fixed32' | 'sfixed32' | 'float' // 32-bit
  | 'fixed64' | 'sfixed64' | 'double'; // 64-bit

const VALUE_TYPES: ReadonlySet<string> = new Set([
  'int32', 'uint32', 'sint32', 'int64', 'uint64', 'sint64', 'bool', 'enum', 'fixed32', 'sfixed32', 'float', 'fixed64', 'sfixed64', 'double',
]);

/** gRPC's message header: a compression flag byte and a big-endian 32-bit length. */
const GRPC_HEADER = 5;

/** tools.c parse_dotted_uints: unsigned numbers (wrapping as C's unsigned int) separated by single dots; undefined when malformed. */
export function parseFieldPath(text: string): number[] | undefined {
  const ids: number[] = [];
  let i = 0;
  while (i < text.length) {
    let value = 0;
    for (; i < text.length; i++) {
      const d = text.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      value = (value * 10 + d) >>> 0;
    }
    if (i < text.length) {
      // Only a dot may follow a number, and not as the last character.
      if (text[i] !== '.' || i + 1 === text.length) return undefined;
      i++;
    }
    ids.push(value);
  }
  return ids;
}

/** A cursor over the sample's bytes (one character per byte). */
interface Cursor {
  pos: number;
  left: number;
}

/** The value of the varint decoded last (lo: exact when below 2^53; big: set when it is not). */
let varintValue = 0;
let varintBig: bigint | undefined;

/** protobuf_decode_varint: reads one varint at the cursor into varintValue/varintBig; false when truncated or over 10 bytes. */
function decodeVarint(bytes: string, c: Cursor): boolean {
  let value = 0;
  let big: bigint | undefined;
  let shift = 0;
  while (c.left > 0) {
    const b = bytes.charCodeAt(c.pos);
    const data = b & 0x7f;
    if (big === undefined && shift <= 45) value += data * 2 ** shift;
    else {
      big ??= BigInt(value);
      big |= BigInt(data) << BigInt(shift);
    }
    c.pos++;
    c.left--;
    if ((b & 0x80) === 0) break;
    if (c.left === 0) return false;
    shift += 7;
    if (shift > 63) return false;
  }
  varintValue = value;
  varintBig = big === undefined ? undefined : BigInt.asUintN(64, big);
  return true;
}

/** protobuf_varint_getlen: the length of the varint at `pos`, -1 when truncated or too long. */
function varintLength(bytes: string, pos: number, left: number): number {
  const c = { pos, left };
  return decodeVarint(bytes, c) ? c.pos - pos : -1;
}

/** The varint read last as HAProxy's signed 64-bit sample (a uint64 stored into an int64). */
function storeVarint(s: Sample, zigzag: boolean): true {
  if (varintBig === undefined && !zigzag) return s.setInt(varintValue);
  const v = varintBig ?? BigInt(varintValue);
  // zigzag: (v >> 1) ^ -(v & 1)
  return s.setInt64(BigInt.asIntN(64, zigzag ? (v >> 1n) ^ -(v & 1n) : v));
}

function le32(bytes: string, pos: number): number {
  return (bytes.charCodeAt(pos) | (bytes.charCodeAt(pos + 1) << 8) | (bytes.charCodeAt(pos + 2) << 16) | (bytes.charCodeAt(pos + 3) << 24)) >>> 0;
}

const floatView = new DataView(new ArrayBuffer(8));

function storeFixed(s: Sample, bytes: string, pos: number, size: 4 | 8, type: ValueType): boolean {
  if (type === 'binary') return s.setBin(bytes.slice(pos, pos + size));
  for (let i = 0; i < size; i++) floatView.setUint8(i, bytes.charCodeAt(pos + i));
  if (size === 4) {
    if (type === 'fixed32') return s.setInt(le32(bytes, pos));
    if (type === 'sfixed32') return s.setInt(le32(bytes, pos) | 0);
    // float: the value converted to an unsigned 32-bit integer, as the C cast does on x86-64.
    if (type === 'float') return s.setInt(Number(BigInt.asUintN(32, truncated(floatView.getFloat32(0, true)))));
    return false;
  }
  if (type === 'fixed64' || type === 'sfixed64') return s.setInt64(floatView.getBigInt64(0, true));
  if (type === 'double') return s.setInt64(truncated(floatView.getFloat64(0, true)));
  return false;
}

/**
 * A double converted to uint64_t by gcc on x86-64 (then read as int64): toward zero, [2^63, 2^64)
 * through the unsigned range, NaN and the rest out of range give the "integer indefinite" value.
 */
function truncated(f: number): bigint {
  if (f >= 2 ** 63 && f < 2 ** 64) return BigInt.asIntN(64, BigInt(f));
  if (!Number.isFinite(f) || Math.abs(f) >= 2 ** 63) return -(2n ** 63n);
  return BigInt(Math.trunc(f));
}

/** protobuf_field_lookup: walks the fields at the cursor; true once the sample holds the field. */
function lookup(s: Sample, bytes: string, c: Cursor, path: readonly number[], type: ValueType): boolean {
  // Length of the length-delimited message being walked, if any (HAProxy's one `elen`).
  let elen = 0;
  let field = 0;
  while (field < path.length) {
    if (c.left <= 0) return false;
    let sleft = c.left;
    if (!decodeVarint(bytes, c)) return false;
    const wire = varintBig === undefined ? varintValue % 8 : Number(varintBig & 7n);
    const number = varintBig === undefined ? Math.floor(varintValue / 8) >>> 0 : Number(BigInt.asUintN(32, varintBig >> 3n));
    const found = number === path[field];
    const last = found && field === path.length - 1;
    switch (wire) {
      case WIRE_VARINT: {
        if (last) {
          if (type === 'binary') {
            const n = varintLength(bytes, c.pos, c.left);
            return n >= 0 && s.setBin(bytes.slice(c.pos, c.pos + n));
          }
          if (!decodeVarint(bytes, { pos: c.pos, left: c.left })) return false;
          if (type === 'sint32' || type === 'sint64') return storeVarint(s, true);
          if (type === 'int32' || type === 'uint32' || type === 'int64' || type === 'uint64' || type === 'bool' || type === 'enum') return storeVarint(s, false);
          return false;
        }
        if (!found && !decodeVarint(bytes, c)) return false;
        break;
      }
      case WIRE_64BIT:
      case WIRE_32BIT: {
        const size = wire === WIRE_32BIT ? 4 : 8;
        if (last) return c.left >= size && storeFixed(s, bytes, c.pos, size, type);
        if (!found) {
          if (c.left < size) return false;
          c.pos += size;
          c.left -= size;
        }
        break;
      }
      case WIRE_LENGTH_DELIMITED: {
        if (!decodeVarint(bytes, c)) return false;
        if (varintBig !== undefined || varintValue > c.left) return false;
        elen = varintValue;
        // The field's size counts from here, not from its key.
        sleft = c.left;
        if (last) return type === 'binary' && s.setBin(bytes.slice(c.pos, c.pos + elen));
        if (!found) {
          c.pos += elen;
          c.left -= elen;
        }
        break;
      }
      default:
        return false;
    }
    if (elen > 0) elen -= sleft - c.left;
    if (found) field++;
    else if (elen <= 0) field = 0;
  }
  return false;
}

/** sample_conv_ungrpc: each gRPC message in turn, the cursor carried from one to the next as HAProxy's. */
function lookupGrpc(s: Sample, bytes: string, path: readonly number[], type: ValueType): boolean {
  const c: Cursor = { pos: 0, left: 0 };
  let grpcLeft = bytes.length;
  while (grpcLeft > GRPC_HEADER) {
    const length = ((bytes.charCodeAt(c.pos + 1) << 24) | (bytes.charCodeAt(c.pos + 2) << 16) | (bytes.charCodeAt(c.pos + 3) << 8) | bytes.charCodeAt(c.pos + 4)) >>> 0;
    c.pos += GRPC_HEADER;
    c.left = length;
    grpcLeft -= GRPC_HEADER;
    if (grpcLeft < length) return false;
    if (lookup(s, bytes, c, path, type)) return true;
    grpcLeft -= length;
  }
  return false;
}

function protobufConverter(name: 'protobuf' | 'ungrpc'): ConverterDefinition {
  return {
    name,
    args: spec(1, 'str', 'str'),
    input: 'bin',
    output: 'bin',
    compile(args) {
      const pathText = strArg(args, 0) ?? '';
      const path = parseFieldPath(pathText);
      if (pathText === '' || path === undefined) return `failed to parse '${pathText}' as type 'Protocol buffers field number' at position 1`;
      const typeName = strArg(args, 1);
      if (typeName !== undefined && !VALUE_TYPES.has(typeName)) return `Wrong protocol buffer type '${typeName}'`;
      const type = (typeName ?? 'binary') as ValueType;
      return name === 'ungrpc'
        ? (s) => lookupGrpc(s, s.str, path, type)
        : (s) => lookup(s, s.str, { pos: 0, left: s.str.length }, path, type);
    },
  };
}

export const PROTOBUF_CONVERTERS: readonly ConverterDefinition[] = [protobufConverter('ungrpc'), protobufConverter('protobuf')];
