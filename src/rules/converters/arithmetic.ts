/**
 * Integer converters (HAProxy's sample.c): `add sub mul div mod neg and or xor cpl bool not odd
 * even`, on signed 64-bit integers with HAProxy's saturation (an overflow gives the nearest
 * bound, a division by zero the largest value, a modulo by zero 0).
 *
 * The operand of the binary ones is an integer or a variable name (check_operator); a variable
 * is read as an integer at each conversion, and an absent one makes the sample absent
 * (sample_conv_var2smp_sint). A boolean input stays a boolean carrying the result, as HAProxy
 * casts nothing between them. A 64-bit value (`xxh64`, `xxh3`) is computed exactly, as
 * HAProxy's long long arithmetic is.
 */
import { readInt64, type Sample } from '../sample.ts';
import { type ConverterDefinition, type ConvertOp, simpleConverter, spec, strArg } from './definition.ts';
import { VariableReader, variableArg } from './variable-args.ts';

const TWO_32 = 2 ** 32;
const INT64_MAX = 2 ** 63; // printed as 9223372036854775807 (see intText)
const INT64_MIN = -(2 ** 63);

function saturate(n: number): number {
  return n >= INT64_MAX ? INT64_MAX : n <= INT64_MIN ? INT64_MIN : n;
}

type BitOp = 'and' | 'or' | 'xor';

function bitwise(a: number, b: number, op: BitOp): number {
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    // Within ±2^53 the high halves fit an int32: two 32-bit operations make the 64-bit one.
    const ah = Math.floor(a / TWO_32);
    const bh = Math.floor(b / TWO_32);
    const al = a - ah * TWO_32;
    const bl = b - bh * TWO_32;
    const hi = op === 'and' ? ah & bh : op === 'or' ? ah | bh : ah ^ bh;
    const lo = (op === 'and' ? al & bl : op === 'or' ? al | bl : al ^ bl) >>> 0;
    return hi * TWO_32 + lo;
  }
  const x = toBigInt(a);
  const y = toBigInt(b);
  return Number(op === 'and' ? x & y : op === 'or' ? x | y : x ^ y);
}

function toBigInt(n: number): bigint {
  if (n >= INT64_MAX) return 2n ** 63n - 1n;
  if (n <= INT64_MIN) return -(2n ** 63n);
  return BigInt(Math.trunc(n));
}

export function add(a: number, b: number): number {
  return saturate(a + b);
}

export function sub(a: number, b: number): number {
  return saturate(a - b);
}

export function mul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return saturate(a * b);
}

export function div(a: number, b: number): number {
  if (b === 0) return INT64_MAX;
  if (a <= INT64_MIN && b === -1) return INT64_MAX;
  return saturate(Math.trunc(a / b)) || 0;
}

export function mod(a: number, b: number): number {
  if (b === 0) return 0;
  if (a <= INT64_MIN && b === -1) return 0;
  return a % b || 0;
}

/** The operand: a variable, an integer constant (the whole text, as read_int64 reads it), or a refusal. */
function operand(text: string): VariableReader | number | string {
  const variable = variableArg(text);
  if (variable !== undefined) return new VariableReader(variable, 'sint');
  const end = { at: 0 };
  const value = readInt64(text, 0, end);
  return end.at < text.length ? 'expects an integer or a variable name' : value;
}

const BIG_MAX = 2n ** 63n - 1n;
const BIG_MIN = -(2n ** 63n);

function saturateBig(n: bigint): bigint {
  return n > BIG_MAX ? BIG_MAX : n < BIG_MIN ? BIG_MIN : n;
}

/** An integer sample's exact value (saturated doubles read as the int64 bounds). */
function exactOf(s: Sample): bigint {
  return s.wide ?? saturateBig(BigInt(Math.trunc(s.num)));
}

/** The same operations on exact 64-bit values, for operands a 64-bit hash gave. */
const WIDE: Readonly<Record<string, (a: bigint, b: bigint) => bigint>> = {
  add: (a, b) => saturateBig(a + b),
  sub: (a, b) => saturateBig(a - b),
  mul: (a, b) => saturateBig(a * b),
  div: (a, b) => (b === 0n || (a === BIG_MIN && b === -1n) ? BIG_MAX : a / b),
  mod: (a, b) => (b === 0n || (a === BIG_MIN && b === -1n) ? 0n : a % b),
  and: (a, b) => a & b,
  or: (a, b) => a | b,
  xor: (a, b) => a ^ b,
};

/** Stores `result` in `s` (its type kept), exact when the double cannot hold it. */
function setResult(s: Sample, result: bigint): true {
  s.num = Number(result);
  s.wide = s.type === 'int' && !Number.isSafeInteger(s.num) ? result : undefined;
  return true;
}

function binary(name: string, apply: (a: number, b: number) => number): ConverterDefinition {
  const wide = WIDE[name] as (a: bigint, b: bigint) => bigint;
  return {
    name,
    args: spec(1, 'str'),
    input: 'sint',
    output: 'sint',
    compile(args) {
      const b = operand(strArg(args, 0) ?? '');
      if (typeof b === 'string') return b;
      if (typeof b === 'number') {
        const exactB = saturateBig(BigInt(Math.trunc(b)));
        return (s) => {
          if (s.wide !== undefined) return setResult(s, wide(s.wide, exactB));
          s.num = apply(s.num, b);
          return true;
        };
      }
      return (s, ctx) => {
        const value = b.read(ctx);
        if (value === undefined) return false;
        if (s.wide !== undefined || value.wide !== undefined) return setResult(s, wide(exactOf(s), exactOf(value)));
        s.num = apply(s.num, value.num);
        return true;
      };
    },
  };
}

function unary(name: string, op: ConvertOp, output: 'sint' | 'bool' = 'sint'): ConverterDefinition {
  return simpleConverter(name, spec(0), 'sint', output, () => op);
}

const isOdd = (n: number): boolean => Math.abs(n % 2) === 1;

export const ARITHMETIC_CONVERTERS: readonly ConverterDefinition[] = [
  binary('add', add),
  binary('sub', sub),
  binary('mul', mul),
  binary('div', div),
  binary('mod', mod),
  binary('and', (a, b) => bitwise(a, b, 'and')),
  binary('or', (a, b) => bitwise(a, b, 'or')),
  binary('xor', (a, b) => bitwise(a, b, 'xor')),
  unary('neg', (s) => {
    s.num = s.num <= INT64_MIN ? INT64_MAX : 0 - s.num;
    s.wide = undefined;
    return true;
  }),
  unary('cpl', (s) => {
    s.num = saturate(-s.num - 1);
    s.wide = undefined;
    return true;
  }),
  unary('bool', (s) => s.setBool(s.num !== 0), 'bool'),
  unary('not', (s) => s.setBool(s.num === 0), 'bool'),
  unary('odd', (s) => s.setBool(isOdd(s.num)), 'bool'),
  unary('even', (s) => s.setBool(!isOdd(s.num)), 'bool'),
];
