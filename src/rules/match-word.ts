/**
 * HAProxy's match_word (pattern.c), behind `-m dir` / `-m dom` and `map_dir` / `map_dom`: the
 * pattern, stripped of the delimiters at its ends, found in the text as a whole portion between
 * delimiters (or the text's ends). `dir` delimits with '/' and '?', `dom` with '/', '?', '.' and
 * ':'.
 */

export const DIR_DELIMITERS = '/?';
export const DOM_DELIMITERS = '/?.:';

function isDelimiter(c: number, delimiters: string): boolean {
  for (let k = 0; k < delimiters.length; k++) if (delimiters.charCodeAt(k) === c) return true;
  return false;
}

/** The pattern as match_word uses it: delimiters at both ends removed (do it once, at compile time). */
export function stripDelimiters(pattern: string, delimiters: string): string {
  let a = 0;
  let b = pattern.length;
  while (a < b && isDelimiter(pattern.charCodeAt(a), delimiters)) a++;
  while (b > a && isDelimiter(pattern.charCodeAt(b - 1), delimiters)) b--;
  return pattern.slice(a, b);
}

/**
 * Whether the stripped `pattern` appears in `text` between delimiters. An empty pattern matches
 * an empty text or one ending with a delimiter, as in HAProxy (it compares the string's NUL).
 * Both are compared as given: fold the case of both beforehand for `-i`.
 */
export function matchWord(text: string, pattern: string, delimiters: string): boolean {
  const pl = pattern.length;
  if (pl > text.length) return false;
  const end = text.length - pl;
  let mayMatch = true;
  for (let c = 0; c <= end; c++) {
    if (c < text.length && isDelimiter(text.charCodeAt(c), delimiters)) {
      mayMatch = true;
      continue;
    }
    if (!mayMatch) continue;
    if (pl === 0) {
      if (c === text.length) return true;
    } else if (text.startsWith(pattern, c) && (c === end || isDelimiter(text.charCodeAt(c + pl), delimiters))) {
      return true;
    }
    mayMatch = false;
  }
  return false;
}
