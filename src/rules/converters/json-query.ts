/**
 * `json_query(JSON_PATH[,int])` (HAProxy 2.6's sample_conv_json_query over mjson): the value at
 * JSON_PATH (`$`, then `.key` — `\.` for a dot inside a key — and `[N]`) of the JSON text in the
 * sample: a string (unescaped as mjson does: `\u00XX` gives the byte XX, any other `\uXXXX`
 * gives nothing; other bytes as they are), a number (`%g` text, or an integer within
 * ±(2^53-1) with `int`), a boolean; nothing for null, arrays, objects, a missing path or
 * invalid JSON.
 */
import type { ConverterDefinition } from './definition.ts';
import { spec, strArg } from './definition.ts';
import type { Sample } from '../sample.ts';

export type PathStep = string | number;

const JSON_INT_MAX = 2 ** 53 - 1;

/** mjson's path syntax; undefined when it is not one. */
export function parseJsonPath(path: string): PathStep[] | undefined {
  if (path[0] !== '$') return undefined;
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      let key = '';
      i++;
      while (i < path.length && path[i] !== '.' && path[i] !== '[') {
        if (path[i] === '\\' && i + 1 < path.length) i++;
        key += path[i];
        i++;
      }
      steps.push(key);
    } else if (path[i] === '[') {
      const end = path.indexOf(']', i);
      const index = end < 0 ? '' : path.slice(i + 1, end);
      if (!/^\d+$/.test(index)) return undefined;
      steps.push(Number(index));
      i = end + 1;
    } else {
      return undefined;
    }
  }
  return steps;
}

/** C's printf("%g"): six significant digits, exponent form below 1e-4 and from 1e6, no trailing zeros. */
export function formatG(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  const [mantissa, exp] = value.toExponential(5).split('e') as [string, string];
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 6) {
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    const e = Math.abs(exponent);
    return `${m}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  const fixed = value.toFixed(Math.max(0, 5 - exponent));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** A character beyond one byte: an escape mjson gives up on. */
const WIDE = /[^\x00-\xff]/;

/**
 * Replaces the JSON text in `s` by its value at `steps` (undefined steps: a path that did not
 * parse, which matches nothing), as sample_conv_json_query does; false when there is none.
 * `asInt`: numbers as integers (json_query's `int` output type).
 */
export function queryJson(s: Sample, steps: readonly PathStep[] | undefined, asInt: boolean): boolean {
  if (steps === undefined) return false;
  let value: unknown;
  try {
    // Parsed as bytes (the sample's string holds one per character), as mjson reads them.
    value = JSON.parse(s.str);
  } catch {
    return false;
  }
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return false;
    if (typeof step === 'number') {
      if (!Array.isArray(value) || step >= value.length) return false;
      value = value[step];
    } else {
      if (Array.isArray(value) || !Object.hasOwn(value, step)) return false;
      value = (value as Record<string, unknown>)[step];
    }
  }
  if (typeof value === 'string') return WIDE.test(value) ? false : s.setStr(value);
  if (typeof value === 'boolean') return s.setBool(value);
  if (typeof value === 'number') {
    if (asInt) {
      const n = Math.trunc(value);
      return n < -JSON_INT_MAX || n > JSON_INT_MAX ? false : s.setInt(n);
    }
    return s.setStr(formatG(value));
  }
  return false;
}

const jsonQuery: ConverterDefinition = {
  name: 'json_query',
  args: spec(1, 'str', 'str'),
  input: 'str',
  output: 'any',
  compile(args) {
    const path = strArg(args, 0) ?? '';
    if (path === '') return 'json_path must not be empty';
    const output = strArg(args, 1) ?? '';
    if (output !== '' && output !== 'int') return 'output_type only supports "int" as argument';
    const steps = parseJsonPath(path);
    return (s) => queryJson(s, steps, output === 'int');
  },
};

export const JSON_QUERY_CONVERTERS: readonly ConverterDefinition[] = [jsonQuery];
