/**
 * Splits one haproxy.cfg line into words, the way HAProxy 2.x's parse_line() does:
 *
 * - words are separated by unquoted, unescaped blanks (space, tab, vertical tab, form feed);
 * - `#` outside quotes starts a comment, even in the middle of a word;
 * - double quotes are weak: blanks, `'` and `#` lose their meaning, but backslash escapes and
 *   environment variables (`$NAME`, `${NAME}`, `${NAME-default}`, `${NAME[*]}`) are interpreted;
 * - single quotes are strong: nothing inside them is interpreted;
 * - outside single quotes a backslash escapes ` `, `\`, `#`, `'`, `"` (and `$` inside double
 *   quotes), and produces CR, LF, TAB for `\r`, `\n`, `\t` and one byte for `\xHH`; any other
 *   backslash is kept as written (so regexes like `\d` survive);
 * - quoted and unquoted parts touching each other form one word (`"a b"'c'd` is `a bcd`).
 *
 * HAProxy has no line continuation: a trailing backslash does not join lines.
 */

export interface Token {
  /** The word after unquoting, unescaping and variable expansion. */
  readonly text: string;
  /** 1-based column (in UTF-16 code units, a tab counts as one) where the word starts in the line. */
  readonly column: number;
}

/** Looks up an environment variable; undefined when it is not set. */
export type EnvLookup = (name: string) => string | undefined;

export interface TokenizeOptions {
  readonly env: EnvLookup;
  /**
   * HAProxy's pseudo-variables `.LINE`, `.FILE`, `.SECTION` (name given without the dot).
   * Undefined result = unknown pseudo-variable (an error, as in HAProxy).
   */
  readonly pseudoVariable?: ((name: string) => string | undefined) | undefined;
}

export type TokenizeResult =
  | { readonly ok: true; readonly tokens: Token[] }
  | { readonly ok: false; readonly message: string; readonly column: number };

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\v' || c === '\f';
}

/** The characters the tokenizer looks at one by one (quotes, escapes, blanks, comments, variables, line ends). */
const SPECIAL = new Uint8Array(128);
for (const c of ' \t\v\f\n\r#"\'\\$') SPECIAL[c.charCodeAt(0)] = 1;

function isPlain(code: number): boolean {
  return code >= 128 || SPECIAL[code] === 0;
}

function isHexDigit(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

function isVariableStart(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z_.]$/.test(c);
}

function isVariableChar(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z0-9_]$/.test(c);
}

export function tokenizeLine(line: string, options: TokenizeOptions): TokenizeResult {
  const tokens: Token[] = [];
  let word = '';
  // Column where the current word began; 0 while between words.
  let wordColumn = 0;
  let singleQuoted = false;
  let doubleQuoted = false;
  let quoteColumn = 0;

  const startWord = (index: number): void => {
    if (wordColumn === 0) wordColumn = index + 1;
  };
  const endWord = (): void => {
    if (wordColumn !== 0) tokens.push({ text: word, column: wordColumn });
    word = '';
    wordColumn = 0;
  };

  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i] as string;
    if (c === '\n' || c === '\r') break;
    if (c === '#' && !singleQuoted && !doubleQuoted) break;

    if (c === '"' && !singleQuoted) {
      startWord(i);
      doubleQuoted = !doubleQuoted;
      quoteColumn = i + 1;
      i++;
      continue;
    }
    if (c === "'" && !doubleQuoted) {
      startWord(i);
      singleQuoted = !singleQuoted;
      quoteColumn = i + 1;
      i++;
      continue;
    }
    if (c === '\\' && !singleQuoted) {
      startWord(i);
      const next = line[i + 1];
      switch (next) {
        case ' ':
        case '\\':
        case '#':
        case "'":
        case '"':
          word += next;
          i += 2;
          continue;
        case 't':
          word += '\t';
          i += 2;
          continue;
        case 'n':
          word += '\n';
          i += 2;
          continue;
        case 'r':
          word += '\r';
          i += 2;
          continue;
        case '$':
          // `\$` only means a literal dollar inside double quotes; elsewhere both are kept.
          if (doubleQuoted) {
            word += '$';
            i += 2;
          } else {
            word += '\\';
            i += 1;
          }
          continue;
        case 'x': {
          const h1 = line[i + 2];
          const h2 = line[i + 3];
          if (!isHexDigit(h1) || !isHexDigit(h2)) {
            return { ok: false, message: 'truncated or invalid hexadecimal sequence', column: i + 1 };
          }
          word += String.fromCharCode(Number.parseInt(`${h1}${h2}`, 16));
          i += 4;
          continue;
        }
        default:
          // Not an escape sequence: the backslash is kept as is.
          word += '\\';
          i += 1;
          continue;
      }
    }
    if (isBlank(c) && !singleQuoted && !doubleQuoted) {
      endWord();
      while (i < n && isBlank(line[i] as string)) i++;
      continue;
    }
    if (c === '$' && doubleQuoted) {
      startWord(i);
      const dollarColumn = i + 1;
      i++;
      let braceColumn = 0;
      if (line[i] === '{') {
        braceColumn = i + 1;
        i++;
      }
      if (!isVariableStart(line[i])) {
        return { ok: false, message: 'forbidden first char in environment variable name', column: i + 1 };
      }
      const nameStart = i;
      if (line[i] === '.') i++;
      while (isVariableChar(line[i])) i++;
      const name = line.slice(nameStart, i);
      let value: string | undefined;
      if (name.startsWith('.')) {
        value = options.pseudoVariable?.(name.slice(1));
        if (value === undefined) {
          return { ok: false, message: `unknown pseudo-variable '${name}'`, column: nameStart + 1 };
        }
      } else {
        value = options.env(name);
      }
      let expandWords = false;
      if (braceColumn !== 0 && line[i] === '[') {
        if (line[i + 1] !== '*' || line[i + 2] !== ']') {
          return { ok: false, message: 'truncated or invalid word expansion sequence', column: i + 1 };
        }
        expandWords = true;
        i += 3;
      }
      if (braceColumn !== 0) {
        if (line[i] === '-') {
          const close = line.indexOf('}', i);
          if (close < 0) {
            return { ok: false, message: 'unmatched brace in environment variable name', column: braceColumn };
          }
          // The default replaces only an unset variable, not an empty one (HAProxy semantics).
          if (value === undefined) value = line.slice(i + 1, close);
          i = close;
        }
        if (line[i] !== '}') {
          return { ok: false, message: 'unmatched brace in environment variable name', column: braceColumn };
        }
        i++;
      }
      if (value !== undefined) {
        if (!expandWords) {
          word += value;
        } else {
          // `"${LIST[*]}"`: each blank-separated part of the value becomes its own word.
          let j = 0;
          while (j < value.length) {
            const v = value[j] as string;
            if (isBlank(v) || v === '\n' || v === '\r') {
              tokens.push({ text: word, column: wordColumn });
              word = '';
              wordColumn = dollarColumn;
              while (j < value.length && /\s/.test(value[j] as string)) j++;
            } else {
              word += v;
              j++;
            }
          }
        }
      }
      continue;
    }
    // This character is part of the word, and so is the run of plain ones after it: one slice,
    // not one concatenation per character (a 1,000-server file has some 50,000 of them).
    startWord(i);
    let end = i + 1;
    while (end < n && isPlain(line.charCodeAt(end))) end++;
    word += end === i + 1 ? c : line.slice(i, end);
    i = end;
  }

  if (singleQuoted || doubleQuoted) {
    return { ok: false, message: 'unmatched quote', column: quoteColumn };
  }
  // Like HAProxy, an empty last word (e.g. a trailing `""`) is not an argument.
  if (wordColumn !== 0 && word !== '') tokens.push({ text: word, column: wordColumn });
  return { ok: true, tokens };
}

/** Splits a file into lines. HAProxy ends a line at LF; a CR before it is dropped. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  // A final newline does not start another line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
