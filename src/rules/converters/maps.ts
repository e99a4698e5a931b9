/**
 * Map converters (HAProxy's map.c): `map(FILE[,DEFAULT])` and `map_<match>[_<output>]`, which
 * look the sample up in a map file (read with the configuration: see pattern-files.ts) and give
 * the value of the matching entry, else the default, else nothing. `<match>` is how keys match
 * (str, beg, sub, dir, dom, end, reg, regm, int, ip), `<output>` what values are: strings
 * (none), integers (`_int`) or addresses (`_ip`). Values are checked when the file is read, as
 * HAProxy does, and errors name the line of the file.
 */
import { bufToIpv4, formatIpv4, formatIpv6, inetPton6 } from '../../util/ip-address.ts';
import { buildMapIndex, type MapIndex, type MapMatch } from '../pattern-index.ts';
import { type PatternLine, parsedPatternFile, patternRef, readPatternFile, readPatternLines } from '../pattern-files.ts';
import type { PatternRef } from '../pattern-ref.ts';
import { readInt64, Sample } from '../sample.ts';
import { castSample } from '../sample-casts.ts';
import type { DeclaredType } from '../sample-casts.ts';
import type { ConverterDefinition } from './definition.ts';
import { spec, strArg } from './definition.ts';
import { expandReplacement } from './strings.ts';

type MapOutput = 'str' | 'int' | 'ip';

/** map_parse_ip: an IPv4 address (HAProxy's lenient buf2ip) or an IPv6 one, as text. */
function parseIpValue(text: string): string | undefined {
  const v4 = bufToIpv4(text);
  if (v4 >= 0) return formatIpv4(v4);
  const words = text.length > 46 ? undefined : inetPton6(text);
  return words === undefined ? undefined : formatIpv6(words);
}

/** map_parse_int: the whole text as read_int64 reads it. */
function parseIntValue(text: string): number | undefined {
  const end = { at: 0 };
  const n = readInt64(text, 0, end);
  return end.at < text.length ? undefined : n;
}

interface LoadedMap {
  readonly index: MapIndex;
  readonly values: readonly (string | number)[];
}

function parseValue(text: string, output: MapOutput): string | number | undefined {
  return output === 'int' ? parseIntValue(text) : output === 'ip' ? parseIpValue(text) : text;
}

/** The map built from `lines` for `match` and `output`, or the error HAProxy reports. */
function buildMap(path: string, lines: readonly PatternLine[], match: MapMatch, output: MapOutput): LoadedMap | string {
  const values: (string | number)[] = [];
  let badValue = -1;
  for (let e = 0; e < lines.length && badValue < 0; e++) {
    const line = lines[e] as PatternLine;
    const value = parseValue(line.value, output);
    if (value === undefined) badValue = e;
    else values.push(value);
  }
  const built = buildMapIndex(match, lines.map((l) => l.key));
  // HAProxy reads each line's value, then its key: the first bad line is the one reported.
  if (!built.ok && (badValue < 0 || built.entry < badValue)) return `${built.message} at line ${lines[built.entry]?.line ?? 0} of file '${path}'`;
  if (badValue >= 0) {
    const line = lines[badValue] as PatternLine;
    return `unable to parse '${line.value}' at line ${line.line} of file '${path}'`;
  }
  if (!built.ok) return built.message;
  return { index: built.index, values };
}

/** The map file parsed for `match` and `output`, or the error HAProxy reports. */
function loadMap(path: string, text: string, match: MapMatch, output: MapOutput): LoadedMap | string {
  return parsedPatternFile(`map:${match}:${output}:${path}`, (): LoadedMap | string => buildMap(path, readPatternLines(text, true), match, output));
}

/**
 * A map over a live reference: rebuilt at the first lookup after the reference changed (the
 * CLI and the set-map actions check entries against every map first, so a rebuild cannot fail).
 */
class LiveMap {
  readonly #ref: PatternRef;
  readonly #match: MapMatch;
  readonly #output: MapOutput;
  #version: number;
  #map: LoadedMap;

  constructor(ref: PatternRef, match: MapMatch, output: MapOutput, first: LoadedMap) {
    this.#ref = ref;
    this.#match = match;
    this.#output = output;
    this.#version = ref.version;
    this.#map = first;
  }

  current(): LoadedMap {
    if (this.#version !== this.#ref.version) {
      this.#version = this.#ref.version;
      const built = buildMap(this.#ref.reference, entryLines(this.#ref), this.#match, this.#output);
      if (typeof built !== 'string') this.#map = built;
    }
    return this.#map;
  }
}

function entryLines(ref: PatternRef): PatternLine[] {
  return ref.current.map((e) => ({ key: e.key, value: e.value ?? '', line: e.line }));
}

/** The live map of `ref` for `match` and `output`, shared by the converters of a generation; or its error. */
function liveMap(ref: PatternRef, match: MapMatch, output: MapOutput): LiveMap | string {
  return parsedPatternFile(`live-map:${match}:${output}:${ref.reference}`, (): LiveMap | string => {
    const first = buildMap(ref.reference, entryLines(ref), match, output);
    if (typeof first === 'string') return first;
    // pat_ref_push's checks for a new entry: its value (parse_smp), then its key (parse).
    ref.addCheck((key, value) => {
      if (value !== undefined && parseValue(value, output) === undefined) return `unable to parse '${value}'`;
      const built = buildMapIndex(match, [key]);
      return built.ok ? undefined : built.message;
    });
    const live = new LiveMap(ref, match, output, first);
    ref.addUser({
      method: match,
      ignoreCase: false,
      tree: match === 'str' || match === 'beg' || match === 'ip',
      find: (text) => {
        const s = new Sample();
        s.setStr(text);
        if (!castSample(s, INPUTS[match])) return undefined;
        const found = live.current().index.lookup(s);
        const entry = found >= 0 ? ref.current[found] : undefined;
        if (entry === undefined) return undefined;
        return { entry, type: output === 'str' ? 'str' : output === 'int' ? 'sint' : (entry.value ?? '').includes(':') ? 'ipv6' : 'ipv4' };
      },
    });
    return live;
  });
}

const INPUTS: Readonly<Record<MapMatch, DeclaredType>> = {
  str: 'str',
  beg: 'str',
  sub: 'str',
  dir: 'str',
  dom: 'str',
  end: 'str',
  reg: 'str',
  regm: 'str',
  int: 'sint',
  ip: 'addr',
};

const OUTPUTS: Readonly<Record<MapOutput, DeclaredType>> = { str: 'str', int: 'sint', ip: 'addr' };

function mapConverter(name: string, match: MapMatch, output: MapOutput): ConverterDefinition {
  return {
    name,
    args: spec(1, 'str', output === 'int' ? 'sint' : 'str'),
    input: INPUTS[match],
    output: OUTPUTS[output],
    compile(args) {
      const path = strArg(args, 0) ?? '';
      let fallback: string | number | undefined;
      const given = args[1];
      if (given !== undefined) {
        if (given.type === 'sint') {
          fallback = given.value;
        } else if (given.type === 'str' && output === 'ip') {
          fallback = parseIpValue(given.value);
          if (fallback === undefined) return `map: cannot parse default ip <${given.value}>.`;
        } else if (given.type === 'str') {
          fallback = given.value;
        }
      }
      const ref = patternRef(path, true, 'map');
      // The loader's first pass only learns which files to read.
      if (ref === 'pending') return () => false;
      if (typeof ref === 'string') return ref;
      let current: () => LoadedMap;
      if (ref === undefined) {
        const text = readPatternFile(path);
        if (text === 'pending') return () => false;
        if (typeof text !== 'string') return text.error;
        const map = loadMap(path, text, match, output);
        if (typeof map === 'string') return map;
        current = () => map;
      } else {
        const live = liveMap(ref, match, output);
        if (typeof live === 'string') return live;
        current = () => live.current();
      }
      const set = (s: Parameters<MapIndex['lookup']>[0], value: string | number): boolean =>
        output === 'int' ? s.setInt(value as number) : output === 'ip' ? s.setIp(value as string) : s.setStr(value as string);
      return (s) => {
        const { index, values } = current();
        const found = index.lookup(s);
        if (found >= 0) {
          const value = values[found] as string | number;
          return match === 'regm' ? s.setStr(expandReplacement(value as string, index.groups)) : set(s, value);
        }
        return fallback === undefined ? false : set(s, fallback);
      };
    },
  };
}

const MATCHES: readonly MapMatch[] = ['str', 'beg', 'sub', 'dir', 'dom', 'end', 'reg', 'int', 'ip'];

export const MAP_CONVERTERS: readonly ConverterDefinition[] = [
  mapConverter('map', 'str', 'str'),
  ...MATCHES.map((m) => mapConverter(`map_${m}`, m, 'str')),
  mapConverter('map_regm', 'regm', 'str'),
  ...MATCHES.map((m) => mapConverter(`map_${m}_int`, m, 'int')),
  ...MATCHES.map((m) => mapConverter(`map_${m}_ip`, m, 'ip')),
];
