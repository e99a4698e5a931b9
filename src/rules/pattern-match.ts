/**
 * ACL pattern matching methods (HAProxy's `-m found|bool|int|ip|str|beg|end|sub|reg|dir|dom|len`),
 * compiled once from the patterns of one ACL line: strings lower-cased once for `-i`, regexes
 * built once, integer ranges and networks parsed once. A matcher tests one sample value.
 */
import { compileRegex } from '../util/pcre.ts';
import { buildMapIndex } from './pattern-index.ts';
import { DIR_DELIMITERS, DOM_DELIMITERS, matchWord, stripDelimiters } from './match-word.ts';
import { type Sample, sampleInt, sampleText } from './sample.ts';
import { castSample } from './sample-casts.ts';

export type MatchMethod = 'found' | 'bool' | 'int' | 'ip' | 'bin' | 'str' | 'beg' | 'end' | 'sub' | 'reg' | 'dir' | 'dom' | 'len';

export const MATCH_METHODS: readonly MatchMethod[] = ['found', 'bool', 'int', 'ip', 'bin', 'str', 'beg', 'end', 'sub', 'reg', 'dir', 'dom', 'len'];

export type Matcher = (s: Sample) => boolean;

export type CompiledMatcher = { readonly ok: true; readonly match: Matcher } | { readonly ok: false; readonly message: string };

interface Range {
  readonly min: number;
  readonly max: number;
}

const OPERATORS = new Set(['eq', 'ge', 'gt', 'le', 'lt']);

/**
 * HAProxy's integer patterns: `N`, `MIN:MAX`, `:MAX`, `MIN:`, or an operator (`eq`, `ge`, `gt`,
 * `le`, `lt`) applying to the values that follow it.
 */
function parseRanges(patterns: readonly string[]): Range[] | string {
  const ranges: Range[] = [];
  let operator = 'eq';
  for (const p of patterns) {
    if (OPERATORS.has(p)) {
      operator = p;
      continue;
    }
    const range = /^(-?\d+)?:(-?\d+)?$/.exec(p);
    if (range !== null && (range[1] !== undefined || range[2] !== undefined)) {
      if (operator !== 'eq') return `'${operator}' cannot be followed by a range ('${p}')`;
      ranges.push({ min: range[1] === undefined ? -Infinity : Number(range[1]), max: range[2] === undefined ? Infinity : Number(range[2]) });
      continue;
    }
    if (!/^-?\d+$/.test(p)) return `'${p}' is not a number`;
    const n = Number(p);
    switch (operator) {
      case 'ge':
        ranges.push({ min: n, max: Infinity });
        break;
      case 'gt':
        ranges.push({ min: n + 1, max: Infinity });
        break;
      case 'le':
        ranges.push({ min: -Infinity, max: n });
        break;
      case 'lt':
        ranges.push({ min: -Infinity, max: n - 1 });
        break;
      default:
        ranges.push({ min: n, max: n });
    }
  }
  return ranges;
}

function inRanges(ranges: readonly Range[], n: number): boolean {
  for (const r of ranges) if (n >= r.min && n <= r.max) return true;
  return false;
}

type StringTest = (value: string, pattern: string) => boolean;
const startsWith: StringTest = (v, p) => v.startsWith(p);
const endsWith: StringTest = (v, p) => v.endsWith(p);
const includes: StringTest = (v, p) => v.includes(p);
const inDirectory: StringTest = (v, p) => matchWord(v, p, DIR_DELIMITERS);
const inDomain: StringTest = (v, p) => matchWord(v, p, DOM_DELIMITERS);

/** Whether some pattern passes `test` against `value` (module-level tests: no closure per call). */
function anyOf(patterns: readonly string[], value: string, test: StringTest): boolean {
  for (const p of patterns) if (test(value, p)) return true;
  return false;
}

/** Compiles the patterns of one ACL line for `method`; `ignoreCase` is `-i`. */
export function compileMatcher(method: MatchMethod, patterns: readonly string[], ignoreCase: boolean): CompiledMatcher {
  const fold = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
  const text = (s: Sample): string => fold(sampleText(s));
  const list = patterns.map(fold);
  switch (method) {
    case 'found':
      return { ok: true, match: () => true };
    case 'bool':
      return { ok: true, match: (s) => s.type !== 'ip' && (sampleInt(s) ?? 0) !== 0 };
    case 'int':
    case 'len': {
      const ranges = parseRanges(patterns);
      if (typeof ranges === 'string') return { ok: false, message: ranges };
      if (method === 'len') return { ok: true, match: (s) => inRanges(ranges, sampleText(s).length) };
      return {
        ok: true,
        match: (s) => {
          const n = sampleInt(s);
          return n !== undefined && inRanges(ranges, n);
        },
      };
    }
    case 'ip': {
      // HAProxy's networks (dotted or CIDR masks, IPv4-mapped addresses matching IPv4 ones).
      const built = buildMapIndex('ip', patterns);
      if (!built.ok) return { ok: false, message: built.message };
      const index = built.index;
      // An integer is an IPv4 address in host order (HAProxy's c_int2ip cast: `hex2i -m ip`).
      return { ok: true, match: (s) => (s.type === 'ip' || s.type === 'str' || s.type === 'int') && castSample(s, 'addr') && index.lookup(s) >= 0 };
    }
    case 'str': {
      const set = new Set(list);
      return { ok: true, match: (s) => set.has(text(s)) };
    }
    case 'beg':
      return { ok: true, match: (s) => anyOf(list, text(s), startsWith) };
    case 'end':
      return { ok: true, match: (s) => anyOf(list, text(s), endsWith) };
    case 'sub':
      return { ok: true, match: (s) => anyOf(list, text(s), includes) };
    case 'dir': {
      const parts = list.map((p) => stripDelimiters(p, DIR_DELIMITERS));
      return { ok: true, match: (s) => anyOf(parts, text(s), inDirectory) };
    }
    case 'dom': {
      const parts = list.map((p) => stripDelimiters(p, DOM_DELIMITERS));
      return { ok: true, match: (s) => anyOf(parts, text(s), inDomain) };
    }
    case 'bin': {
      // Patterns are hex bytes; the sample is compared as binary (an integer as its 8 bytes...).
      const values = new Set<string>();
      for (const p of patterns) {
        if (p.length % 2 !== 0) return { ok: false, message: 'an even number of hex digit is expected' };
        const bad = /[^0-9a-fA-F]/.exec(p);
        if (bad !== null) return { ok: false, message: `an hex digit is expected (found '${bad[0]}')` };
        let bytes = '';
        for (let i = 0; i < p.length; i += 2) bytes += String.fromCharCode(parseInt(p.slice(i, i + 2), 16));
        values.add(bytes);
      }
      return { ok: true, match: (s) => castSample(s, 'bin') && values.has(s.str) };
    }
    case 'reg': {
      const regexes: RegExp[] = [];
      for (const p of patterns) {
        const compiled = compileRegex(p, ignoreCase ? 'i' : '');
        if (!compiled.ok) return { ok: false, message: compiled.message };
        regexes.push(compiled.regex);
      }
      return {
        ok: true,
        match: (s) => {
          const value = sampleText(s);
          for (const r of regexes) if (r.test(value)) return true;
          return false;
        },
      };
    }
  }
}
