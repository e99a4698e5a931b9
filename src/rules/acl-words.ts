/**
 * Reads the words of an ACL — `CRITERION [-i] [-m METHOD] [-n] [-u ID] [-f FILE] [-M] [--]
 * PATTERN...` — into an AclModel and checks it compiles (criterion, method, patterns: a bad
 * regex or integer is a configuration error at its line, never a runtime surprise). Shared by
 * the `acl` keyword, anonymous `{ ... }` ACLs and defineConfig.
 *
 * `-f FILE` adds the patterns of a file (one per line, read with the configuration: see
 * pattern-files.ts), `-M` reads the next files as maps (their keys are the patterns); the model
 * carries the patterns themselves, so nothing is read again when the rules compile.
 */
import type { AclMatchMethod, AclModel, AclPatternFileModel, SourceLocation } from '../config/model.ts';
import { compileAcl } from './acl.ts';
import { compilingAcl } from './implicit-proxy-args.ts';
import { readPatternFile, readPatternLines } from './pattern-files.ts';
import { MATCH_METHODS } from './pattern-match.ts';

export type AclWordsParse =
  | { readonly ok: true; readonly acl: AclModel; readonly warning: string | undefined }
  /** `word`: index of the offending word in `words`. */
  | { readonly ok: false; readonly message: string; readonly word: number };

/** A pattern read from a file, for messages naming its line. */
interface FilePattern {
  readonly pattern: string;
  readonly file: string;
  readonly line: number;
}

export function parseAclWords(name: string, words: readonly string[], source: SourceLocation): AclWordsParse {
  const criterion = words[0];
  if (criterion === undefined) return { ok: false, message: 'missing ACL criterion', word: 0 };
  let method: AclMatchMethod | undefined;
  let ignoreCase = false;
  let asMap = false;
  let loaded = false;
  const fromFiles: FilePattern[] = [];
  const files: AclPatternFileModel[] = [];
  let i = 1;
  for (; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--') {
      i++;
      break;
    }
    if (!word.startsWith('-') || /^-\d/.test(word)) break;
    if (word === '-i') {
      ignoreCase = true;
    } else if (word === '-n') {
      // No DNS resolution of patterns: Switchyard never resolves them anyway.
    } else if (word === '-u') {
      if (words[i + 1] === undefined) return { ok: false, message: "'-u' expects a unique id", word: i };
      i++;
    } else if (word === '-M') {
      asMap = true;
    } else if (word === '-f') {
      // A missing name reads as an empty one, which cannot be opened (HAProxy's message).
      const path = words[i + 1] ?? '';
      const text = readPatternFile(path);
      if (typeof text === 'object') return { ok: false, message: text.error, word: i + 1 };
      // 'pending': the loader's first pass, which only learns the file names.
      const before = fromFiles.length;
      if (text !== 'pending') for (const l of readPatternLines(text, asMap)) fromFiles.push({ pattern: l.key, file: path, line: l.line });
      files.push({ path, map: asMap, count: fromFiles.length - before });
      loaded = true;
      i++;
    } else if (word === '-m') {
      if (loaded) return { ok: false, message: "'-m' must only be specified before patterns and files in parsing ACL expression", word: i };
      const value = words[i + 1];
      const found = MATCH_METHODS.find((m) => m === value);
      if (found === undefined) {
        return {
          ok: false,
          message: value === undefined ? "'-m' expects a match method" : `unknown match method '${value}' (supported: ${MATCH_METHODS.join(', ')})`,
          word: i + 1,
        };
      }
      method = found;
      i++;
    } else {
      return { ok: false, message: `'${word}' is not a valid ACL option (use '--' before a pattern starting with '-')`, word: i };
    }
  }
  const patterns = [...fromFiles.map((p) => p.pattern), ...words.slice(i)];
  const acl: AclModel = files.length > 0 ? { name, criterion, method, ignoreCase, patterns, files, source } : { name, criterion, method, ignoreCase, patterns, source };
  const compiled = compilingAcl(false, () => compileAcl(acl, 'request'));
  if (!compiled.ok) return { ok: false, message: withFileLine(acl, fromFiles, compiled.message), word: 0 };
  return { ok: true, acl, warning: compiled.warning };
}

/** HAProxy names the file and line of a bad pattern read from a file. */
function withFileLine(acl: AclModel, fromFiles: readonly FilePattern[], message: string): string {
  for (const p of fromFiles) {
    const alone = compileAcl({ ...acl, files: undefined, patterns: [p.pattern] }, 'request');
    if (!alone.ok) return `${alone.message} at line ${p.line} of file '${p.file}'`;
  }
  return message;
}
