/**
 * Pattern files — map files (`map(FILE)` converters) and ACL pattern files (`acl ... -f FILE`) —
 * are read when the configuration loads, never while traffic flows, as HAProxy reads them while
 * parsing. Compilation is synchronous and expressions are strings nested deep in rule models,
 * so the files reach the compilers through a scope set around a compilation by whoever owns the
 * files: the configuration loader (first to learn which files are named, then with their text),
 * and the rules engine (with the texts a proxy model carries, `patternFiles`).
 *
 * Parsed forms (map indexes, ACL patterns) are cached per set of texts, so one configuration
 * generation parses each file once per match kind however many rules use it.
 */

import { resolveFrom } from '../config/default-path.ts';
import { PatternRefs, type PatternRef } from './pattern-ref.ts';

/** File texts by path, as the configuration loader read them. */
export type PatternFileTexts = Readonly<Record<string, string>>;

/** What a compilation may ask of the pattern files. */
export interface PatternFileSource {
  /**
   * The text of `path`; `pending` while the loader is only collecting the names of the files to
   * read; `{ error }` when the file could not be read.
   */
  read(path: string): string | 'pending' | { readonly error: string };
  /** Cache for parsed forms, keyed by the parser's own key (path and kind). */
  readonly parsed: Map<string, unknown>;
  /** The generation's live references (pattern-ref.ts); absent while the loader only validates. */
  readonly refs?: PatternRefs;
}

let current: PatternFileSource | undefined;
/** The `default-path` directory of the configuration line being parsed ('' = the process's). */
let lineDirectory = '';

/**
 * Runs `parse` (one configuration line) with `directory` as where its relative pattern file
 * names are read from. The name stays the file's key (and its reference's name, as HAProxy's
 * pat_ref): the first line naming it decides which file is read, as HAProxy reuses a reference
 * of the same name without reading again.
 */
export function withPatternDirectory<T>(directory: string, parse: () => T): T {
  const previous = lineDirectory;
  lineDirectory = directory;
  try {
    return parse();
  } finally {
    lineDirectory = previous;
  }
}

/** Runs `compile` with `source` as the pattern files it sees. */
export function withPatternFiles<T>(source: PatternFileSource | undefined, compile: () => T): T {
  const previous = current;
  current = source;
  try {
    return compile();
  } finally {
    current = previous;
  }
}

/** The pattern file `path` for the compilation in progress. */
export function readPatternFile(path: string): string | 'pending' | { readonly error: string } {
  if (current === undefined) return { error: `pattern file <${path}> was not loaded with the configuration` };
  return current.read(path);
}

/**
 * The live reference of `path` for the compilation in progress: undefined when the source
 * keeps none (the compiler then uses the file's text as read), 'pending' in the loader's first
 * pass, an error text when the file cannot be used.
 */
export function patternRef(path: string, withValues: boolean, user: 'map' | 'acl'): PatternRef | 'pending' | string | undefined {
  const refs = current?.refs;
  if (refs === undefined) return undefined;
  const text = readPatternFile(path);
  if (text === 'pending') return 'pending';
  if (typeof text !== 'string') return text.error;
  return refs.obtain(path, text, withValues, user, readPatternLines);
}

/** The live references of the compilation in progress (rule actions look theirs up when they run). */
export function currentPatternRefs(): PatternRefs | undefined {
  return current?.refs;
}

/** A parsed form of a pattern file, computed once per source (`key` names the file and the parse). */
export function parsedPatternFile<T>(key: string, parse: () => T): T {
  const cache = current?.parsed;
  if (cache === undefined) return parse();
  if (cache.has(key)) return cache.get(key) as T;
  const value = parse();
  cache.set(key, value);
  return value;
}

/** The loader's first pass: records every file named, reads none. */
export class PatternFileCollector implements PatternFileSource {
  /** Each name, with where the file is read from (the directory of the first line naming it). */
  readonly paths = new Map<string, string>();
  readonly parsed = new Map<string, unknown>();

  read(path: string): 'pending' {
    if (!this.paths.has(path)) this.paths.set(path, resolveFrom(lineDirectory, path));
    return 'pending';
  }
}

/** Files as read by the loader: texts, and why the others could not be read. */
export class LoadedPatternFiles implements PatternFileSource {
  readonly parsed = new Map<string, unknown>();
  readonly refs = new PatternRefs();
  readonly #texts: PatternFileTexts;
  readonly #errors: ReadonlyMap<string, string>;

  constructor(texts: PatternFileTexts, errors: ReadonlyMap<string, string> = new Map()) {
    this.#texts = texts;
    this.#errors = errors;
  }

  get texts(): PatternFileTexts {
    return this.#texts;
  }

  read(path: string): string | { readonly error: string } {
    const text = this.#texts[path];
    if (text !== undefined) return text;
    return { error: this.#errors.get(path) ?? `failed to open pattern file <${path}>` };
  }
}

const sources = new WeakMap<PatternFileTexts, LoadedPatternFiles>();

/** The source for the texts a model carries; one per texts object, so its parsed forms are shared. */
export function patternFilesOf(texts: PatternFileTexts | undefined): PatternFileSource | undefined {
  if (texts === undefined) return undefined;
  let source = sources.get(texts);
  if (source === undefined) {
    source = new LoadedPatternFiles(texts);
    sources.set(texts, source);
  }
  return source;
}

/** The live references of the generation whose models carry `texts`. */
export function patternRefsOf(texts: PatternFileTexts | undefined): PatternRefs | undefined {
  return patternFilesOf(texts)?.refs;
}

/**
 * HAProxy's two pattern file formats, line by line: a line starting with '#' is a comment;
 * leading spaces and tabs are skipped; empty lines are ignored. A map line is a key (up to the
 * first space or tab) and a value (the rest of the line, without its trailing spaces and tabs);
 * an ACL pattern line is the whole rest of the line, spaces included.
 */
export interface PatternLine {
  readonly key: string;
  /** Map files only. */
  readonly value: string;
  /** 1-based line number, for messages. */
  readonly line: number;
}

export function readPatternLines(text: string, withValues: boolean): PatternLine[] {
  const lines: PatternLine[] = [];
  let lineNo = 0;
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const raw = text.slice(at, end);
    at = end + 1;
    lineNo++;
    if (raw.startsWith('#')) continue;
    let i = 0;
    while (raw[i] === ' ' || raw[i] === '\t') i++;
    // The line stops at the first CR (fgets keeps it; HAProxy cuts there).
    let stop = raw.indexOf('\r', i);
    if (stop < 0) stop = raw.length;
    if (i >= stop) continue;
    if (!withValues) {
      lines.push({ key: raw.slice(i, stop), value: '', line: lineNo });
      continue;
    }
    let k = i;
    while (k < stop && raw[k] !== ' ' && raw[k] !== '\t') k++;
    let v = k;
    while (v < stop && (raw[v] === ' ' || raw[v] === '\t')) v++;
    let ve = stop;
    while (ve > v && (raw[ve - 1] === ' ' || raw[ve - 1] === '\t')) ve--;
    lines.push({ key: raw.slice(i, k), value: raw.slice(v, ve), line: lineNo });
  }
  return lines;
}
