/**
 * The lookups of map files (HAProxy's pattern.c, as `map_*` converters use it): which entry of
 * a map matches a sample, built once per file and match kind.
 *
 * As HAProxy indexes them: `str` is an exact lookup (the first entry of a key wins), `beg` and
 * `ip` find the longest matching prefix (IPv4 networks with non-contiguous masks are tried
 * after the trees, in file order), and `sub dir dom end reg regm int` give the first entry of
 * the file that matches. `str` is a hash, `beg`, `dir`, `dom` and `end` prefix trees and `ip`
 * binary tries (pattern-trees.ts): their lookups cost the input's length, not the map's size;
 * `sub`, `reg`, `regm` and `int` try the entries in order, as HAProxy does.
 */
import { parseAddress } from '../util/cidr.ts';
import { inetPton4, inetPton6, type Ipv6Words } from '../util/ip-address.ts';
import { parseIpv4 } from '../util/ipv4.ts';
import { compileRegex } from '../util/pcre.ts';
import { DIR_DELIMITERS, DOM_DELIMITERS, stripDelimiters } from './match-word.ts';
import { BitTrie, PrefixTrie } from './pattern-trees.ts';
import type { Sample } from './sample.ts';

export type MapMatch = 'str' | 'beg' | 'sub' | 'dir' | 'dom' | 'end' | 'reg' | 'regm' | 'int' | 'ip';

export interface MapIndex {
  /** Index of the matching entry, or -1. */
  lookup(s: Sample): number;
  /** `regm`: the groups of the last successful match (\0..\9 of the value). */
  readonly groups: readonly (string | undefined)[];
}

export type IndexBuild = { readonly ok: true; readonly index: MapIndex } | { readonly ok: false; readonly message: string; readonly entry: number };

/** strl2llrc: an optionally negative decimal integer, nothing else (HAProxy lets characters below '0' through). */
function strictInteger(text: string): number | undefined {
  if (text === '') return undefined;
  const negative = text[0] === '-';
  let n = 0;
  for (let i = negative ? 1 : 0; i < text.length; i++) {
    const j = text.charCodeAt(i) - 0x30;
    if (j > 9) return undefined;
    n = negative ? n * 10 - j : n * 10 + j;
  }
  return n;
}

interface Range {
  readonly min: number;
  readonly max: number;
}

/** pat_parse_int: `N`, `MIN:MAX` or `MIN-MAX`, `:MAX`, `MIN:` (ranges of integers). */
export function parseIntRange(text: string): Range | string {
  const notValid = `'${text}' is not a valid number range`;
  if (text === '') return notValid;
  let sep = 0;
  while (sep < text.length && text[sep] !== ':' && text[sep] !== '-') sep++;
  if (sep === text.length) {
    const n = strictInteger(text);
    return n === undefined ? `'${text}' is not a number` : { min: n, max: n };
  }
  if (sep === 0 && text.length > 1) {
    const max = strictInteger(text.slice(1));
    return max === undefined ? notValid : { min: -Infinity, max };
  }
  if (sep === text.length - 1) {
    const min = strictInteger(text.slice(0, sep));
    return min === undefined ? notValid : { min, max: Infinity };
  }
  const min = strictInteger(text.slice(0, sep));
  const max = strictInteger(text.slice(sep + 1));
  if (min === undefined || max === undefined || min > max) return notValid;
  return { min, max };
}

type Net4 = { readonly v6: false; readonly addr: number; readonly mask: number; readonly bits: number };
type Net6 = { readonly v6: true; readonly words: Ipv6Words; readonly bits: number };

function contiguousBits(mask: number): number {
  let bits = 0;
  while (bits < 32 && ((mask << bits) & 0x80000000) !== 0) bits++;
  return ((bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits)) >>> 0) === mask >>> 0 ? bits : -1;
}

/** pat_parse_ip with HAProxy's str2net/str62net (no name resolution in maps). */
export function parseNetworkPattern(text: string): Net4 | Net6 | string {
  const invalid = `'${text}' is not a valid IPv4 or IPv6 address`;
  const slash = text.lastIndexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const maskText = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = inetPton4(addrText);
  if (v4 >= 0) {
    let mask = 0xffffffff;
    if (maskText !== undefined) {
      if (maskText.includes('.')) mask = inetPton4(maskText);
      else mask = /^\d+$/.test(maskText) && Number(maskText) <= 32 ? (Number(maskText) === 0 ? 0 : (0xffffffff << (32 - Number(maskText))) >>> 0) : -1;
    }
    if (mask >= 0) return { v6: false, addr: v4, mask: mask >>> 0, bits: contiguousBits(mask >>> 0) };
  }
  if (maskText === '' || (maskText !== undefined && (!/^\d+$/.test(maskText) || Number(maskText) > 128))) return invalid;
  const words = inetPton6(addrText);
  if (words === undefined) return invalid;
  return { v6: true, words, bits: maskText === undefined ? 128 : Number(maskText) };
}

function ipIndex(keys: readonly string[]): IndexBuild {
  const tree4 = new BitTrie();
  const tree6 = new BitTrie();
  const list: { readonly entry: number; readonly addr: number; readonly mask: number }[] = [];
  for (let e = 0; e < keys.length; e++) {
    const net = parseNetworkPattern(keys[e] as string);
    if (typeof net === 'string') return { ok: false, message: net, entry: e };
    if (!net.v6 && net.bits >= 0) tree4.add([net.addr], net.bits, e);
    else if (!net.v6) list.push({ entry: e, addr: net.addr, mask: net.mask });
    else tree6.add(net.words, net.bits, e);
  }
  /** ::ffff:a.b.c.d, the IPv6 form an IPv4 address is also looked up as (reused). */
  const mapped = [0, 0, 0xffff, 0];
  const inList = (v4: number): number => {
    for (const n of list) if ((((v4 ^ n.addr) & n.mask) >>> 0) === 0) return n.entry;
    return -1;
  };
  return {
    ok: true,
    index: {
      groups: [],
      lookup(s) {
        if (!s.str.includes(':')) {
          const v4 = parseIpv4(s.str);
          if (v4 < 0) return -1;
          let found = tree4.longestPrefix4(v4);
          if (found < 0) {
            mapped[3] = v4;
            found = tree6.longestPrefix(mapped, 128);
          }
          return found >= 0 ? found : inList(v4);
        }
        const words = parseAddress(s.str);
        if (words === undefined) return -1;
        let found = tree6.longestPrefix(words, 128);
        if (found >= 0) return found;
        // IPv4-mapped, IPv4-compatible and 6to4 addresses are looked up as IPv4 too.
        let v4 = -1;
        if (words[0] === 0 && words[1] === 0 && (words[2] === 0 || words[2] >>> 0 === 0xffff)) v4 = words[3] >>> 0;
        else if (words[0] >>> 16 === 0x2002) v4 = (((words[0] & 0xffff) << 16) | (words[1] >>> 16)) >>> 0;
        if (v4 < 0) return -1;
        found = tree4.longestPrefix4(v4);
        return found >= 0 ? found : inList(v4);
      },
    },
  };
}

function regexIndex(keys: readonly string[], capture: boolean): IndexBuild {
  const regexes: RegExp[] = [];
  for (let e = 0; e < keys.length; e++) {
    const compiled = compileRegex(keys[e] as string);
    if (!compiled.ok) return { ok: false, message: compiled.message, entry: e };
    regexes.push(compiled.regex);
  }
  const groups: (string | undefined)[] = [];
  return {
    ok: true,
    index: {
      groups,
      lookup(s) {
        for (let e = 0; e < regexes.length; e++) {
          const r = regexes[e] as RegExp;
          if (!capture) {
            if (r.test(s.str)) return e;
            continue;
          }
          const m = r.exec(s.str);
          if (m === null) continue;
          groups.length = 0;
          for (let g = 0; g < m.length && g < 10; g++) groups.push(m[g]);
          return e;
        }
        return -1;
      },
    },
  };
}

function listIndex(keys: readonly string[], test: (text: string, key: string) => boolean): IndexBuild {
  return {
    ok: true,
    index: {
      groups: [],
      lookup(s) {
        for (let e = 0; e < keys.length; e++) if (test(s.str, keys[e] as string)) return e;
        return -1;
      },
    },
  };
}

/**
 * `dir`/`dom`: the first entry whose key (stripped of the delimiters at its ends) is a whole run
 * of words of the input. An empty key matches an empty input or one ending with a delimiter.
 */
function wordIndex(keys: readonly string[], delimiters: string): IndexBuild {
  const tree = new PrefixTrie();
  let empty = -1;
  keys.forEach((k, e) => {
    const stripped = stripDelimiters(k, delimiters);
    if (stripped !== '') tree.add(stripped, e);
    else if (empty < 0) empty = e;
  });
  return {
    ok: true,
    index: {
      groups: [],
      lookup(s) {
        const text = s.str;
        const found = tree.firstWord(text, delimiters);
        if (empty < 0 || (found >= 0 && found < empty)) return found;
        return text.length === 0 || delimiters.includes(text[text.length - 1] as string) ? empty : found;
      },
    },
  };
}

/** Builds the lookup of `match` over the keys of a map file. */
export function buildMapIndex(match: MapMatch, keys: readonly string[]): IndexBuild {
  switch (match) {
    case 'str': {
      const exact = new Map<string, number>();
      keys.forEach((k, e) => {
        if (!exact.has(k)) exact.set(k, e);
      });
      return { ok: true, index: { groups: [], lookup: (s) => exact.get(s.str) ?? -1 } };
    }
    case 'beg': {
      const tree = new PrefixTrie();
      keys.forEach((k, e) => tree.add(k, e));
      return { ok: true, index: { groups: [], lookup: (s) => tree.longestPrefix(s.str) } };
    }
    case 'sub':
      return listIndex(keys, (text, key) => text.includes(key));
    case 'end': {
      const tree = new PrefixTrie(true);
      keys.forEach((k, e) => tree.add(k, e));
      return { ok: true, index: { groups: [], lookup: (s) => tree.firstSuffix(s.str) } };
    }
    case 'dir':
      return wordIndex(keys, DIR_DELIMITERS);
    case 'dom':
      return wordIndex(keys, DOM_DELIMITERS);
    case 'reg':
    case 'regm':
      return regexIndex(keys, match === 'regm');
    case 'int': {
      const ranges: Range[] = [];
      for (let e = 0; e < keys.length; e++) {
        const r = parseIntRange(keys[e] as string);
        if (typeof r === 'string') return { ok: false, message: r, entry: e };
        ranges.push(r);
      }
      return {
        ok: true,
        index: {
          groups: [],
          lookup(s) {
            for (let e = 0; e < ranges.length; e++) if (s.num >= ranges[e]!.min && s.num <= ranges[e]!.max) return e;
            return -1;
          },
        },
      };
    }
    case 'ip':
      return ipIndex(keys);
  }
}
