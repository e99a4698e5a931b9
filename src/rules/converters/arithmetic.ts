/**
 * Integer converters (HAProxy's sample.c): `add sub mul div mod neg and or xor cpl bool not odd
 * even`, on signed 64-bit integers with HAProxy's saturation (an overflow gives the nearest
 * bound, a division by zero the largest value, a modulo by zero 0).
 *
 * The operand of the binary ones is an integer or a variable name (check_operator). A boolean
 * input stays a boolean carrying the result, as HAProxy casts nothing between them.
 */
import { readInt64 } from '../sample.ts';
import { type ConverterDefinition, type ConvertOp, simpleConverter, spec, strArg } from './definition.ts';
import { isVariableName, variableArgRefused } from './variable-args.ts';

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

/** The operand: an integer constant (the whole text, as read_int64 reads it), or a refusal. */
function operand(text: string): number | string {
  if (isVariableName(text)) return variableArgRefused(text);
  const end = { at: 0 };
  const value = readInt64(text, 0, end);
  return end.at < text.length ? 'expects an integer or a variable name' : value;
}

function binary(name: string, apply: (a: number, b: number) => number): ConverterDefinition {
  return {
    name,
    args: spec(1, 'str'),
    input: 'sint',
    output: 'sint',
    compile(args) {
      const b = operand(strArg(args, 0) ?? '');
      if (typeof b === 'string') return b;
      return (s) => {
        s.num = apply(s.num, b);
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
    return true;
  }),
  unary('cpl', (s) => {
    s.num = saturate(-s.num - 1);
    return true;
  }),
  unary('bool', (s) => s.setBool(s.num !== 0), 'bool'),
  unary('not', (s) => s.setBool(s.num === 0), 'bool'),
  unary('odd', (s) => s.setBool(isOdd(s.num)), 'bool'),
  unary('even', (s) => s.setBool(!isOdd(s.num)), 'bool'),
];
