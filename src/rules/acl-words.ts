/**
 * Reads the words of an ACL — `CRITERION [-i] [-m METHOD] [-n] [-u ID] [--] PATTERN...` — into
 * an AclModel and checks it compiles (criterion, method, patterns: a bad regex or integer is a
 * configuration error at its line, never a runtime surprise). Shared by the `acl` keyword,
 * anonymous `{ ... }` ACLs and defineConfig.
 */
import type { AclMatchMethod, AclModel, SourceLocation } from '../config/model.ts';
import { compileAcl } from './acl.ts';
import { MATCH_METHODS } from './pattern-match.ts';

export type AclWordsParse =
  | { readonly ok: true; readonly acl: AclModel; readonly warning: string | undefined }
  /** `word`: index of the offending word in `words`. */
  | { readonly ok: false; readonly message: string; readonly word: number };

const UNSUPPORTED_FLAGS: Readonly<Record<string, string>> = {
  '-f': "'-f' (patterns from a file) is not supported by Switchyard yet",
  '-M': "'-M' (map files) is not supported by Switchyard yet",
};

export function parseAclWords(name: string, words: readonly string[], source: SourceLocation): AclWordsParse {
  const criterion = words[0];
  if (criterion === undefined) return { ok: false, message: 'missing ACL criterion', word: 0 };
  let method: AclMatchMethod | undefined;
  let ignoreCase = false;
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
    } else if (word === '-m') {
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
    } else if (UNSUPPORTED_FLAGS[word] !== undefined) {
      return { ok: false, message: UNSUPPORTED_FLAGS[word], word: i };
    } else {
      return { ok: false, message: `'${word}' is not a valid ACL option (use '--' before a pattern starting with '-')`, word: i };
    }
  }
  const acl: AclModel = { name, criterion, method, ignoreCase, patterns: words.slice(i), source };
  const compiled = compileAcl(acl, 'request');
  if (!compiled.ok) return { ok: false, message: compiled.message, word: 0 };
  return { ok: true, acl, warning: compiled.warning };
}
