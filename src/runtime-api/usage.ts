/**
 * HAProxy's cli_gen_usage_msg: `help [words]` and the answer to an unknown command — the
 * commands matching the words given, or the closest ones by word fingerprint, sorted, then the
 * three built-in lines.
 */
import type { CliCommand } from './command.ts';

const PREFIX_WORDS = 5;
const MAX_MATCHES = 5;

const BUILTIN_LINES =
  '  help [<command>]                        : list matching or all commands\n' +
  '  prompt                                  : toggle interactive mode with prompt\n' +
  '  quit                                    : disconnect\n';

/** tools.c update_word_fingerprint: letter-pair counts of a word into a 32x32 table. */
function addFingerprint(fp: Uint8Array, word: string): void {
  let from = 28;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i) | 0x20;
    const code = word.charCodeAt(i);
    let to: number;
    if (c >= 0x61 && c <= 0x7a && ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a))) to = c - 0x61 + 1;
    else if (code >= 0x30 && code <= 0x39) to = 27;
    else to = 28;
    fp[to] = 1;
    fp[32 * from + to] = ((fp[32 * from + to] as number) + 1) & 0xff;
    from = to;
  }
  fp[32 * from + 28] = ((fp[32 * from + 28] as number) + 1) & 0xff;
}

function distance(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < 1024; i++) d += Math.abs((a[i] as number) - (b[i] as number));
  return d;
}

/** Number of leading words of `words` equal to `args`' (stops at the first empty argument). */
function matchedWords(words: readonly string[], args: readonly string[], limit: number): number {
  let n = 0;
  while (n < limit && n < words.length && n < args.length && args[n] !== '' && words[n] === args[n]) n++;
  return n;
}

/** Byte-wise comparison as C's strcmp (the usage lines are ASCII). */
function strcmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function usageMessage(commands: readonly CliCommand[], argsIn: readonly string[]): string {
  let args = argsIn;
  const isHelp = args[0] === 'help';
  if (isHelp) args = args.slice(1);
  let length = 0;
  for (const kw of commands) {
    for (let idx = 0; idx < PREFIX_WORDS; idx++) {
      const word = kw.words[idx];
      if (word === undefined || args[idx] === undefined || args[idx] === '' || word !== args[idx]) break;
      if (idx + 1 > length) length = idx + 1;
    }
  }
  let text: string;
  if (isHelp) text = 'The following commands are valid at this level:\n';
  else if (length === 0 && (args[0] === undefined || args[0] === '')) text = 'Unknown command. Please enter one of the following commands only:\n';
  else text = 'Unknown command, but maybe one of the following ones is a better match:\n';

  const entries: CliCommand[] = [];
  const matches: { kw: CliCommand; dist: number }[] = [];
  const next = args[length];
  if (next !== undefined && next !== '') {
    const wordSig = new Uint8Array(1024);
    let argLen = 0;
    for (let i = length; i < PREFIX_WORDS && args[i] !== undefined && args[i] !== ''; i++) {
      addFingerprint(wordSig, args[i] as string);
      argLen += (args[i] as string).length;
    }
    for (const kw of commands) {
      if (kw.usage === undefined || matchedWords(kw.words, args, length) !== length) continue;
      const listSig = new Uint8Array(1024);
      let total = argLen;
      for (let i = length; i < PREFIX_WORDS && kw.words[i] !== undefined; i++) {
        addFingerprint(listSig, kw.words[i] as string);
        total += (kw.words[i] as string).length;
      }
      const dist = distance(wordSig, listSig);
      const worst = matches.length < MAX_MATCHES ? Number.MAX_SAFE_INTEGER : (matches[MAX_MATCHES - 1] as { dist: number }).dist;
      if (dist < Math.floor((5 * total) / 2) && dist < worst) {
        // Inserted after the entries at the same distance, as HAProxy's insertion keeps them.
        let at = matches.length;
        while (at > 0 && (matches[at - 1] as { dist: number }).dist > dist) at--;
        matches.splice(at, 0, { kw, dist });
        if (matches.length > MAX_MATCHES) matches.pop();
      }
    }
  }
  if (matches.length > 0) {
    const best = (matches[0] as { dist: number }).dist;
    for (const m of matches) {
      if (m.dist > Math.floor((5 * best) / 2)) break;
      entries.push(m.kw);
    }
  } else {
    for (const kw of commands) {
      if (kw.usage !== undefined && matchedWords(kw.words, args, length) === length) entries.push(kw);
    }
  }
  entries.sort((a, b) => strcmp(a.usage ?? '', b.usage ?? ''));
  for (const kw of entries) text += `  ${kw.usage}\n`;
  return text + BUILTIN_LINES;
}
