/**
 * HTTP converters (HAProxy's http_conv.c): `language(LIST[,DEFAULT])`, the entry of a
 * `;`-separated list of language tags an Accept-Language value prefers most; `host_only` and
 * `port_only` (HAProxy 2.6.12's sample.c), a Host value's two parts.
 */
import { type ConverterDefinition, simpleConverter, spec, strArg } from './definition.ts';
import { asciiCase } from './strings.ts';

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** http_language_range_match: `range` (from the header) matches `tag`, or a tag it is a sub-range of (`en-gb` for `en`). */
function rangeMatches(text: string, start: number, end: number, tag: string): boolean {
  let t = 0;
  for (let r = start; r < end; r++, t++) {
    const c = text.charCodeAt(r);
    if (c === 0x2d /* - */ && t === tag.length) return true;
    if (t === tag.length || c !== tag.charCodeAt(t)) return false;
  }
  return t === tag.length;
}

/** Where http_parse_qvalue stopped, and the value (0..1000). */
const Q = { value: 0, end: 0 };

/** http_parse_qvalue: `D[.DDD]` in thousandths, 1000 when absent or malformed, at most 1000. */
function parseQvalue(text: string, at: number): void {
  let i = at;
  let q = 1000;
  parse: {
    if (!isDigit(text.charCodeAt(i))) break parse;
    q = (text.charCodeAt(i++) - 0x30) * 1000;
    if (text.charCodeAt(i++) !== 0x2e /* . */) break parse;
    for (const weight of [100, 10, 1]) {
      if (!isDigit(text.charCodeAt(i))) break parse;
      q += (text.charCodeAt(i++) - 0x30) * weight;
    }
  }
  Q.value = q > 1000 ? 1000 : q;
  Q.end = i;
}

/**
 * sample_conv_q_preferred: walks the Accept-Language elements; an element matching one of
 * `tags` (in list order) with a higher q-value than the best so far wins, q=1 (the default)
 * at once. Returns the list entry, else `fallback`, else undefined.
 */
export function preferredLanguage(value: string, tags: readonly string[], fallback: string | undefined): string | undefined {
  const end = value.length;
  let best: string | undefined;
  let bestQ = 0;
  let al = 0;
  for (;;) {
    while (al < end && isSpace(value.charCodeAt(al))) al++;
    if (al >= end) break;
    const token = al;
    while (al < end) {
      const c = value.charCodeAt(al);
      if (c === 0x3b || c === 0x2c || isSpace(c)) break;
      al++;
    }
    element: if (al > token) {
      const tag = tags.find((t) => rangeMatches(value, token, al, t));
      if (tag === undefined) break element;
      let q = 1000;
      qvalue: {
        while (al < end && isSpace(value.charCodeAt(al))) al++;
        if (al >= end || value.charCodeAt(al) === 0x2c) break qvalue;
        // Anything but ';' here: the element is malformed, skipped in best effort.
        if (value.charCodeAt(al) !== 0x3b) break element;
        al++;
        while (al < end && isSpace(value.charCodeAt(al))) al++;
        if (al >= end || value.charCodeAt(al) !== 0x71 /* q */) break qvalue;
        al++;
        while (al < end && isSpace(value.charCodeAt(al))) al++;
        if (al >= end || value.charCodeAt(al) !== 0x3d /* = */) break qvalue;
        al++;
        while (al < end && isSpace(value.charCodeAt(al))) al++;
        if (al >= end) break qvalue;
        parseQvalue(value, al);
        q = Q.value;
        al = Q.end;
      }
      if (q > bestQ) {
        best = tag;
        if (q >= 1000) break;
        bestQ = q;
      }
    }
    while (al < end && value.charCodeAt(al) !== 0x2c) al++;
    if (al >= end) break;
    al++;
  }
  // An empty list entry matches nothing useful: HAProxy tests the length.
  if ((best === undefined || best === '') && fallback !== undefined) best = fallback;
  return best === '' ? undefined : best;
}

/**
 * Where a Host value's port starts: after the last `:` that no `]` follows (so `[::1]` has
 * none), as sample_conv_host_only scans; -1 without one. No further checks, as HAProxy's.
 */
function portColon(text: string): number {
  for (let p = text.length - 1; p >= 0; p--) {
    const c = text.charCodeAt(p);
    if (c === 0x3a /* : */) return p;
    if (c === 0x5d /* ] */) return -1;
  }
  return -1;
}

/**
 * HAProxy's strl2ui: decimal digits in an unsigned 32-bit integer, unchecked (a non-digit adds
 * its distance from '0', and the value wraps), so `port_only` gives HAProxy's numbers for any
 * input.
 */
function strl2ui(text: string, from: number): number {
  let value = 0;
  for (let k = from; k < text.length; k++) value = (value * 10 + (text.charCodeAt(k) - 0x30)) >>> 0;
  return value;
}

export const HTTP_CONVERTERS: readonly ConverterDefinition[] = [
  simpleConverter('host_only', spec(0), 'str', 'str', () => (s) => {
    const colon = portColon(s.str);
    return s.setStr(asciiCase(colon < 0 ? s.str : s.str.slice(0, colon), true));
  }),
  simpleConverter('port_only', spec(0), 'str', 'sint', () => (s) => {
    const colon = portColon(s.str);
    return s.setInt(colon < 0 ? 0 : strl2ui(s.str, colon + 1));
  }),
  {
    name: 'language',
    args: spec(1, 'str', 'str'),
    input: 'str',
    output: 'str',
    compile(args) {
      const tags = (strArg(args, 0) ?? '').split(';');
      const fallback = strArg(args, 1);
      return (s) => {
        const found = preferredLanguage(s.str, tags, fallback);
        return found === undefined ? false : s.setStr(found);
      };
    },
  },
];
