/**
 * String converters (HAProxy's sample.c): `lower upper length field word regsub concat strcmp
 * add_item ltrim rtrim cut_crlf iif bytes`. Strings are bytes (one character each): `lower` and
 * `upper` change ASCII letters only, as HAProxy's do.
 */
import { compileRegex } from '../../util/pcre.ts';
import { type ConverterDefinition, type ConvertOp, intArg, simpleConverter, spec, strArg } from './definition.ts';
import type { SampleContext } from '../sample-context.ts';
import { VariableReader, variableArg } from './variable-args.ts';

export function asciiCase(text: string, lower: boolean): string {
  const from = lower ? 0x41 : 0x61;
  let change = false;
  let ascii = true;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c >= from && c < from + 26) change = true;
    else if (c >= 0x80) ascii = false;
  }
  if (!change) return text;
  // The engine's own case mapping is the same on ASCII, and faster.
  if (ascii) return lower ? text.toLowerCase() : text.toUpperCase();
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c >= from && c < from + 26 ? String.fromCharCode(c ^ 0x20) : text[i];
  }
  return out;
}

function isDelimiter(c: number, delimiters: string): boolean {
  for (let k = 0; k < delimiters.length; k++) if (delimiters.charCodeAt(k) === c) return true;
  return false;
}

/** HAProxy's sample_conv_field: the index-th field (negative: from the end), `count` fields long. */
function field(text: string, index: number, delimiters: string, countArg: number): string | undefined {
  let count = countArg;
  let start: number;
  let end: number;
  let f: number;
  if (index < 0) {
    f = -1;
    end = start = text.length;
    while (start > 0) {
      if (isDelimiter(text.charCodeAt(start - 1), delimiters)) {
        if (f === index) {
          if (count === 1) return text.slice(start, end);
          if (count > 1) count--;
        } else {
          end = start - 1;
          f--;
        }
      }
      start--;
    }
  } else {
    f = 1;
    end = start = 0;
    while (end < text.length) {
      if (isDelimiter(text.charCodeAt(end), delimiters)) {
        if (f === index) {
          if (count === 1) return text.slice(start, end);
          if (count > 1) count--;
        } else {
          start = end + 1;
          f++;
        }
      }
      end++;
    }
  }
  return f === index ? text.slice(start, end) : undefined;
}

/** HAProxy's sample_conv_word: like field but runs of delimiters separate words; a missing word is empty. */
function word(text: string, index: number, delimiters: string, countArg: number): string {
  let count = countArg;
  let w = 0;
  let inWord = false;
  let start: number;
  let end: number;
  if (index < 0) {
    end = start = text.length;
    while (start > 0) {
      const sep = isDelimiter(text.charCodeAt(start - 1), delimiters);
      if (!inWord) {
        if (!sep) {
          if (w !== index) {
            w--;
            end = start;
          }
          inWord = true;
        }
      } else if (sep) {
        if (w === index) {
          if (count === 1) return text.slice(start, end);
          if (count > 1) count--;
        }
        inWord = false;
      }
      start--;
    }
  } else {
    end = start = 0;
    while (end < text.length) {
      const sep = isDelimiter(text.charCodeAt(end), delimiters);
      if (!inWord) {
        if (!sep) {
          if (w !== index) {
            w++;
            start = end;
          }
          inWord = true;
        }
      } else if (sep) {
        if (w === index) {
          if (count === 1) return text.slice(start, end);
          if (count > 1) count--;
        }
        inWord = false;
      }
      end++;
    }
  }
  return w === index ? text.slice(start, end) : '';
}

function fieldConverter(name: 'field' | 'word'): ConverterDefinition {
  return {
    name,
    args: spec(2, 'sint', 'str', 'sint'),
    input: 'str',
    output: 'str',
    compile(args) {
      const index = intArg(args, 0, 0);
      const delimiters = strArg(args, 1) ?? '';
      if (index === 0) return 'Unexpected value 0 for index';
      if (delimiters === '') return 'Empty separators list';
      const count = intArg(args, 2, 1);
      if (name === 'word') return (s) => s.setStr(word(s.str, index, delimiters, count));
      return (s) => {
        const found = field(s.str, index, delimiters, count);
        return found === undefined ? false : s.setStr(found);
      };
    },
  };
}

/**
 * HAProxy's exp_replace: the replacement text with \0..\9 (the match and its groups), \xHH (a
 * byte) and \C (C itself) expanded.
 */
export function expandReplacement(template: string, groups: readonly (string | undefined)[]): string {
  if (!template.includes('\\')) return template;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c !== '\\' || i + 1 >= template.length) {
      out += c;
      continue;
    }
    const next = template.charCodeAt(++i);
    if (next >= 0x30 && next <= 0x39) {
      out += groups[next - 0x30] ?? '';
    } else if (next === 0x78 /* x */ && i + 2 < template.length) {
      const hex = (k: number): number => {
        let v = template.toUpperCase().charCodeAt(k) - 0x30;
        if (v > 9) v -= 7;
        return v & 0xf;
      };
      out += String.fromCharCode(((hex(i + 1) << 4) + hex(i + 2)) & 0xff);
      i += 2;
    } else {
      out += template[i];
    }
  }
  return out;
}

const regsub: ConverterDefinition = {
  name: 'regsub',
  args: spec(2, 'reg', 'str', 'str'),
  input: 'str',
  output: 'str',
  compile(args) {
    const flags = strArg(args, 2) ?? '';
    let jsFlags = '';
    for (const f of flags) {
      if (f === 'i') jsFlags += jsFlags.includes('i') ? '' : 'i';
      else if (f === 'g') jsFlags += jsFlags.includes('g') ? '' : 'g';
      else return `invalid regex flag '${f}', only 'i' and 'g' are supported`;
    }
    const compiled = compileRegex(strArg(args, 0) ?? '', jsFlags);
    if (!compiled.ok) return compiled.message;
    const regex = compiled.regex;
    const template = strArg(args, 1) ?? '';
    // The match and its groups lead replace()'s callback arguments (offset and input follow).
    const captures = Math.min(9, (new RegExp(`${regex.source}|`).exec('') as RegExpExecArray).length - 1);
    // Bound once: no closure per evaluation.
    const replace = (...m: unknown[]): string => {
      const groups: (string | undefined)[] = [];
      for (let k = 0; k <= captures; k++) groups.push(typeof m[k] === 'string' ? (m[k] as string) : undefined);
      return expandReplacement(template, groups);
    };
    return (s) => {
      regex.lastIndex = 0;
      return s.setStr(s.str.replace(regex, replace));
    };
  },
};

/**
 * The variable argument of `concat`/`add_item`/`strcmp` (vars_check_arg), or HAProxy's refusal
 * of a text that is not a variable name.
 */
function stringVariable(text: string): VariableReader | string {
  const variable = variableArg(text);
  return variable === undefined ? `failed to register variable name '${text}'` : new VariableReader(variable, 'str');
}

/** The variable's text, '' when it is absent or not castable to a string (concat and add_item skip it). */
function optionalText(reader: VariableReader | undefined, ctx: SampleContext): string {
  return reader?.read(ctx)?.str ?? '';
}

const concat: ConverterDefinition = {
  name: 'concat',
  args: spec(1, 'str', 'str', 'str'),
  input: 'str',
  output: 'str',
  compile(args) {
    const name = strArg(args, 1) ?? '';
    const reader = name === '' ? undefined : stringVariable(name);
    if (typeof reader === 'string') return reader;
    const prefix = strArg(args, 0) ?? '';
    const suffix = strArg(args, 2) ?? '';
    if (reader === undefined) {
      const both = prefix + suffix;
      return (s) => s.setStr(s.str + both);
    }
    return (s, ctx) => s.setStr(s.str + prefix + optionalText(reader, ctx) + suffix);
  },
};

const addItem: ConverterDefinition = {
  name: 'add_item',
  args: spec(2, 'str', 'str', 'str'),
  input: 'str',
  output: 'str',
  compile(args) {
    const name = strArg(args, 1) ?? '';
    const reader = name === '' ? undefined : stringVariable(name);
    if (typeof reader === 'string') return reader;
    const suffix = strArg(args, 2) ?? '';
    if (reader === undefined && suffix === '') return 'one of the optional arguments has to be nonempty';
    const delimiter = strArg(args, 0) ?? '';
    // The delimiter goes only after a non-empty input, and only when something follows it.
    return (s, ctx) => {
      const item = optionalText(reader, ctx) + suffix;
      return s.setStr(s.str !== '' && item !== '' ? s.str + delimiter + item : s.str + item);
    };
  },
};

const strcmp: ConverterDefinition = {
  name: 'strcmp',
  args: spec(1, 'str'),
  input: 'str',
  output: 'sint',
  compile(args) {
    const name = strArg(args, 0) ?? '';
    if (name === '') return 'missing variable name';
    const reader = stringVariable(name);
    if (typeof reader === 'string') return reader;
    return (s, ctx) => {
      const other = reader.read(ctx);
      if (other === undefined) return false;
      return s.setInt(compareBytes(s.str, other.str));
    };
  },
};

/**
 * strcmp's result as HAProxy computes it: glibc's strncmp over the common length (the difference
 * of the first differing bytes; it stops at a NUL both share), then -1/1 when only the lengths
 * differ.
 */
export function compareBytes(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  for (let i = 0; i < max; i++) {
    const c = a.charCodeAt(i);
    const d = c - b.charCodeAt(i);
    if (d !== 0) return d;
    if (c === 0) break;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function trimmer(name: 'ltrim' | 'rtrim'): ConverterDefinition {
  return simpleConverter(name, spec(1, 'str'), 'str', 'str', (args) => {
    const chars = strArg(args, 0) ?? '';
    if (name === 'ltrim') {
      return (s) => {
        let i = 0;
        while (i < s.str.length && isDelimiter(s.str.charCodeAt(i), chars)) i++;
        return i === 0 ? true : s.setStr(s.str.slice(i));
      };
    }
    return (s) => {
      let i = s.str.length;
      while (i > 0 && isDelimiter(s.str.charCodeAt(i - 1), chars)) i--;
      return i === s.str.length ? true : s.setStr(s.str.slice(0, i));
    };
  });
}

const cutCrlf: ConvertOp = (s) => {
  let i = 0;
  while (i < s.str.length && s.str.charCodeAt(i) !== 0x0d && s.str.charCodeAt(i) !== 0x0a) i++;
  return i === s.str.length ? true : s.setStr(s.str.slice(0, i));
};

export const STRING_CONVERTERS: readonly ConverterDefinition[] = [
  simpleConverter('lower', spec(0), 'str', 'str', () => (s) => s.setStr(asciiCase(s.str, true))),
  simpleConverter('upper', spec(0), 'str', 'str', () => (s) => s.setStr(asciiCase(s.str, false))),
  simpleConverter('length', spec(0), 'str', 'sint', () => (s) => s.setInt(s.str.length)),
  fieldConverter('field'),
  fieldConverter('word'),
  regsub,
  concat,
  addItem,
  strcmp,
  trimmer('ltrim'),
  trimmer('rtrim'),
  simpleConverter('cut_crlf', spec(0), 'str', 'str', () => cutCrlf),
  simpleConverter('iif', spec(2, 'str', 'str'), 'bool', 'str', (args) => {
    const yes = strArg(args, 0) ?? '';
    const no = strArg(args, 1) ?? '';
    return (s) => s.setStr(s.num !== 0 ? yes : no);
  }),
  // The type is kept: a string stays a string (HAProxy only moves the pointers).
  simpleConverter('bytes', spec(1, 'sint', 'sint'), 'bin', 'bin', (args) => {
    const offset = Math.max(0, intArg(args, 0, 0));
    const length = args[1]?.type === 'sint' ? args[1].value : undefined;
    return (s) => {
      if (s.str.length <= offset) {
        s.str = '';
        return true;
      }
      const rest = s.str.length - offset;
      s.str = s.str.slice(offset, length !== undefined && length < rest ? offset + Math.max(0, length) : s.str.length);
      return true;
    };
  }),
];

