/**
 * The syntax of sample expressions, as HAProxy's sample_parse_expr() and make_arg_list() read
 * it: `fetch[(args)][,converter[(args)]]...`. Keywords are made of letters, digits and
 * `._-+:`; arguments are comma-separated inside parentheses, may be quoted ('...' or "...")
 * and escaped (\\, \", \', \ , \r, \n, \t), and are typed by the keyword that takes them
 * (integer, string, IPv4/IPv6 address or mask...), with HAProxy's error messages.
 *
 * An expression is read either as a whole word (an ACL criterion, `balance hash`) or embedded
 * in a log-format string (`%[...]`), where it ends at the first character that cannot continue
 * it (the closing bracket).
 */
import { type Ipv6Words, inetPton4, inetPton6 } from '../util/ip-address.ts';
import { readInt64 } from './sample.ts';

/** HAProxy's argument types (arg_type_names) used by the keywords here. */
export type ArgType = 'sint' | 'str' | 'reg' | 'msk4' | 'msk6' | 'ipv4' | 'ipv6' | 'be' | 'fe' | 'srv' | 'tab';

const TYPE_NAMES: Readonly<Record<ArgType, string>> = {
  sint: 'integer',
  str: 'string',
  reg: 'regex',
  msk4: 'IPv4 mask',
  msk6: 'IPv6 mask',
  ipv4: 'IPv4 address',
  ipv6: 'IPv6 address',
  be: 'backend',
  fe: 'frontend',
  srv: 'server',
  tab: 'table',
};

/** What a keyword takes: its argument types in order, the first `min` mandatory (HAProxy's ARGn(min, ...)). */
export interface ArgSpec {
  readonly min: number;
  readonly types: readonly ArgType[];
}

export const NO_ARGS: ArgSpec = { min: 0, types: [] };

/** One argument as read: integers as numbers, addresses and masks parsed, the rest as text. */
export type ArgValue =
  | { readonly type: 'sint'; readonly value: number }
  | { readonly type: 'str'; readonly value: string }
  | { readonly type: 'ipv4'; readonly value: number }
  | { readonly type: 'ipv6'; readonly value: Ipv6Words };

/** Arguments in order; a missing optional one is undefined (HAProxy's ARGT_STOP). */
export type Args = readonly (ArgValue | undefined)[];

export type ArgListParse =
  | { readonly ok: true; readonly args: Args; readonly count: number; readonly end: number }
  /** `position`: HAProxy's err_arg (the argument being read, 0-based). */
  | { readonly ok: false; readonly message: string; readonly position: number };

/** A keyword character (HAProxy's is_idchar). */
function isIdChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x5f || c === 0x2d || c === 0x2b || c === 0x3a
  );
}

/** The keyword starting at `from` (possibly empty) and where it ends. */
export function readKeyword(text: string, from: number): { name: string; end: number } {
  let end = from;
  while (end < text.length && isIdChar(text.charCodeAt(end))) end++;
  return { name: text.slice(from, end), end };
}

function mask4(text: string): number {
  if (text.includes('.')) return inetPton4(text);
  if (!/^\d+$/.test(text)) return -1;
  const len = Number(text);
  if (len > 32) return -1;
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

function mask6(text: string): Ipv6Words | undefined {
  if (text.includes(':')) return inetPton6(text);
  if (!/^\d+$/.test(text)) return undefined;
  const len = Number(text);
  if (len > 128) return undefined;
  const words = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    const bits = Math.min(32, Math.max(0, len - 32 * i));
    words[i] = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  }
  return words as unknown as Ipv6Words;
}

type TypedArg = ArgValue | 'parse' | 'empty';

const UTF8 = new TextEncoder();

/**
 * String arguments as bytes, one character each, as samples are. Characters up to U+00FF already
 * are bytes, as everywhere in Switchyard's configuration (the tokenizer's `\xHH` gives one, and
 * header values are sent as latin1); a character beyond, which only UTF-8 text can bring, becomes
 * its UTF-8 bytes, as HAProxy reads the file.
 */
function bytesOfText(text: string): string {
  if (!/[^\x00-\xff]/.test(text)) return text;
  let out = '';
  for (const c of text) {
    if (c.charCodeAt(0) <= 0xff) out += c;
    else for (const b of UTF8.encode(c)) out += String.fromCharCode(b);
  }
  return out;
}

function typed(type: ArgType, text: string): TypedArg {
  switch (type) {
    case 'sint': {
      if (text === '') return 'empty';
      const end = { at: 0 };
      const value = readInt64(text, 0, end);
      return end.at < text.length ? 'parse' : { type: 'sint', value };
    }
    case 'ipv4': {
      if (text === '') return 'empty';
      const v = inetPton4(text);
      return v < 0 ? 'parse' : { type: 'ipv4', value: v };
    }
    case 'msk4': {
      if (text === '') return 'empty';
      const v = mask4(text);
      return v < 0 ? 'parse' : { type: 'ipv4', value: v };
    }
    case 'ipv6': {
      if (text === '') return 'empty';
      const v = inetPton6(text);
      return v === undefined ? 'parse' : { type: 'ipv6', value: v };
    }
    case 'msk6': {
      if (text === '') return 'empty';
      const v = mask6(text);
      return v === undefined ? 'parse' : { type: 'ipv6', value: v };
    }
    default:
      return { type: 'str', value: bytesOfText(text) };
  }
}

/**
 * HAProxy's make_arg_list: reads the argument list starting at `from` (an opening parenthesis,
 * or anything else for no list) against `spec`. An empty list still yields an empty first
 * argument when one is mandatory.
 */
export function parseArgList(text: string, from: number, spec: ArgSpec): ArgListParse {
  let i = from;
  const hasList = text.charCodeAt(i) === 0x28; /* ( */
  if (hasList) i++;
  const nbarg = spec.types.length;
  const args: (ArgValue | undefined)[] = [];
  let pos = 0;
  const typeName = (p: number): string => TYPE_NAMES[spec.types[p] as ArgType] ?? 'end of arguments';
  const fail = (message: string, position = pos): ArgListParse => ({ ok: false, message, position });
  parsing: if (nbarg > 0 && (hasList || spec.min > 0)) {
    while (pos < nbarg) {
      let out = '';
      let squote = false;
      let dquote = false;
      while (hasList && i < text.length) {
        const c = text[i] as string;
        if (c === '"' && !squote) {
          dquote = !dquote;
          i++;
        } else if (c === "'" && !dquote) {
          squote = !squote;
          i++;
        } else if (c === '\\' && !squote) {
          const next = text[i + 1];
          if (next === undefined) return fail(`failed to parse '${text.slice(i)}' after '${out}' as type '${typeName(pos)}' at position ${pos + 1}`);
          if (next === '\\' || next === ' ' || next === '"' || next === "'") {
            out += next;
            i += 2;
          } else if (next === 'r') {
            out += '\r';
            i += 2;
          } else if (next === 'n') {
            out += '\n';
            i += 2;
          } else if (next === 't') {
            out += '\t';
            i += 2;
          } else {
            out += '\\';
            i++;
          }
        } else if (!squote && !dquote && (c === ',' || c === ')')) {
          break;
        } else {
          out += c;
          i++;
        }
      }
      const value = typed(spec.types[pos] as ArgType, out);
      if (value === 'empty') {
        // An empty optional integer, address or mask ends the list: `()` has no argument at all.
        if (pos >= spec.min) break parsing;
        return fail(`expected type '${typeName(pos)}' at position ${pos + 1}, but got nothing`);
      }
      if (value === 'parse') return fail(`failed to parse '${out}' as type '${typeName(pos)}' at position ${pos + 1}`);
      args.push(value);
      pos++;
      if (!hasList || i >= text.length || text[i] === ')' || pos >= nbarg) break;
      i++; // the comma
    }
  }
  if (pos < spec.min) return fail(`missing arguments (got ${pos}/${spec.min}), type '${typeName(pos)}' expected`);
  if (hasList) {
    if (text[i] === ')') {
      i++;
    } else {
      const rest = text.slice(i);
      // The empty argument before a missing ')' was counted: report the one before it.
      return fail(rest === '' ? "expected ')'" : `expected ')' before '${rest}'`, pos > 1 ? pos - 1 : pos);
    }
  }
  while (args.length < nbarg) args.push(undefined);
  return { ok: true, args, count: pos, end: i };
}

/** What the expression parser needs to know of each keyword: its arguments. */
export interface KeywordSpecs {
  /** The fetch's arguments, or undefined when no fetch has that name. */
  fetch(name: string): ArgSpec | undefined;
  converter(name: string): ArgSpec | undefined;
}

export interface ParsedCall {
  readonly name: string;
  readonly args: Args;
  /** How many arguments were written (HAProxy's argcnt). */
  readonly count: number;
}

export type ExpressionParse =
  | { readonly ok: true; readonly fetch: ParsedCall; readonly converters: readonly ParsedCall[]; readonly end: number }
  /** `unknownFetch`: the fetch name nobody knows (callers may list the known ones). */
  | { readonly ok: false; readonly message: string; readonly unknownFetch?: string };

/**
 * Reads a sample expression from `from`. As a whole word (`embedded` false) anything after it
 * is an error; embedded (log-format) it ends before the first character that cannot continue it.
 */
export function parseSampleExpression(text: string, from: number, specs: KeywordSpecs, embedded: boolean): ExpressionParse {
  const fail = (message: string): ExpressionParse => ({ ok: false, message });
  const fetchWord = readKeyword(text, from);
  if (fetchWord.name === '') return fail('missing fetch method');
  const fetchSpec = specs.fetch(fetchWord.name);
  if (fetchSpec === undefined) return { ok: false, message: `unknown fetch method '${fetchWord.name}'`, unknownFetch: fetchWord.name };
  const fetchArgs = parseArgList(text, fetchWord.end, fetchSpec);
  if (!fetchArgs.ok) return fail(`fetch method '${fetchWord.name}' : ${fetchArgs.message}`);
  const fetch: ParsedCall = { name: fetchWord.name, args: fetchArgs.args, count: fetchArgs.count };
  const converters: ParsedCall[] = [];
  let i = fetchArgs.end;
  let last: string | undefined;
  for (;;) {
    if (i < text.length && text[i] !== ',') {
      if (embedded) break;
      return fail(last === undefined ? `missing comma after fetch keyword '${fetchWord.name}'` : `missing comma after converter '${last}'`);
    }
    while (text[i] === ',') i++;
    if (i >= text.length) break;
    const word = readKeyword(text, i);
    last = word.name;
    const spec = specs.converter(word.name);
    if (spec === undefined) return fail(`unknown converter '${word.name}'`);
    const parsed = parseArgList(text, word.end, spec);
    if (!parsed.ok) return fail(`invalid arg ${parsed.position + 1} in converter '${word.name}' : ${parsed.message}`);
    converters.push({ name: word.name, args: parsed.args, count: parsed.count });
    i = parsed.end;
  }
  return { ok: true, fetch, converters, end: i };
}
