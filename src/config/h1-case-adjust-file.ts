/**
 * `h1-case-adjust-file FILE`: read once the configuration is parsed, after every
 * `h1-case-adjust` line (HAProxy's cfg_h1_headers_case_adjust_postparser), its entries join
 * theirs. The first bad line stops the reading and refuses the configuration; the messages are
 * HAProxy's, reported at the keyword's line.
 */

import type { GlobalDraft } from './draft.ts';
import type { DiagnosticList } from './errors.ts';
import type { HeaderCasePair } from './model.ts';
import { addHeaderCasePair } from './keywords/h1-case-adjust.ts';

/** Where a line of the file went wrong, and why. */
export interface CaseAdjustFileError {
  readonly message: string;
  readonly line: number;
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/**
 * Adds the entries of a file's text to `pairs`. A line holds <from>, blanks, then <to> up to
 * the end of the line (trailing blanks dropped); blank lines and lines starting with `#` (after
 * blanks) are skipped.
 */
export function readCaseAdjustFile(text: string, pairs: HeaderCasePair[]): CaseAdjustFileError | undefined {
  const lines = text.split('\n');
  // fgets() sees no line after a final newline.
  if (lines[lines.length - 1] === '') lines.pop();
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    let p = 0;
    while (isBlank(line[p])) p++;
    const first = line[p];
    if (first === undefined || first === '#' || first === '\r') continue;
    const keyStart = p;
    while (p < line.length && !isBlank(line[p]) && line[p] !== '\r') p++;
    const from = line.slice(keyStart, p);
    while (isBlank(line[p])) p++;
    const valueStart = p;
    while (p < line.length && line[p] !== '\r') p++;
    let valueEnd = p;
    while (valueEnd > valueStart && isBlank(line[valueEnd - 1])) valueEnd--;
    const error = addHeaderCasePair(pairs, from, line.slice(valueStart, valueEnd));
    if (error !== undefined) return { message: error, line: n + 1 };
  }
  return undefined;
}

/** Reads the global `h1-case-adjust-file`, if any, into the draft's map; its errors go to `diagnostics`. */
export async function loadCaseAdjustFile(
  global: GlobalDraft,
  readTextFile: ((path: string) => Promise<string>) | undefined,
  diagnostics: DiagnosticList,
): Promise<void> {
  const named = global.h1CaseAdjustFile;
  if (named === undefined) return;
  const report = (message: string): void =>
    diagnostics.error({ file: named.place.file, line: named.place.line, column: named.place.column, keyword: 'h1-case-adjust-file', message });
  let text: string;
  try {
    if (readTextFile === undefined) throw new Error('no file access');
    text = await readTextFile(named.path);
  } catch {
    report(`h1-headers-case-adjust-file '${named.path}': failed to open file.`);
    return;
  }
  const error = readCaseAdjustFile(text, (global.h1CaseAdjust ??= []));
  if (error !== undefined) report(`h1-headers-case-adjust-file '${named.path}' : ${error.message} at line ${error.line}.`);
}
