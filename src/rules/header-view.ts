/**
 * Header reads for sample fetches, as HAProxy's http_find_header sees them: either whole
 * field values (`req.fhdr`) or the comma-separated values inside them (`req.hdr`, honouring
 * double-quoted strings), of the head *as edited so far* when an editor is given — HAProxy
 * applies each header action at once, so `set-header X-A foo` followed by
 * `set-header X-B %[req.hdr(x-a)]` gives X-B: foo.
 */
import { equalsLower, latin1String } from '../http/codec/chars.ts';
import type { HttpHead } from '../http/codec/head.ts';
import type { FieldValue, HeadEditor } from '../http/codec/serialize.ts';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function fieldText(value: FieldValue): string {
  return typeof value === 'string' ? value : latin1String(value, 0, value.length);
}

/**
 * Appends to `out` the values of the headers named `lower` (lowercase bytes), in order: received
 * headers (minus removed ones, with replaced values) then appended ones. With `split`, each
 * comma-separated element is one value, trimmed of spaces and tabs. Returns the new length of
 * `out`. `out` is the caller's reused scratch array.
 */
export function collectHeaderValues(head: HttpHead, edits: HeadEditor | undefined, lower: Uint8Array, split: boolean, out: string[]): number {
  for (let i = head.indexOf(lower); i >= 0; i = head.indexOf(lower, i + 1)) {
    if (edits === undefined) {
      const o = head.offsets;
      if (split) splitInto(head.raw, o[4 * i + 2] as number, o[4 * i + 3] as number, out);
      else out.push(head.valueAt(i));
      continue;
    }
    const value = edits.editedValue(i);
    if (value === undefined) continue;
    pushValue(value, split, out);
  }
  if (edits !== undefined) {
    for (let j = 0; j < edits.appendedCount; j++) {
      const name = edits.appendedName(j).lower;
      if (name.length === lower.length && equalsLower(name, 0, name.length, lower)) pushValue(edits.appendedValue(j), split, out);
    }
  }
  return out.length;
}

function pushValue(value: FieldValue, split: boolean, out: string[]): void {
  if (!split) {
    // A value a rule wrote reads back without its surrounding spaces, as a received one
    // (HAProxy's http_find_header trims them: `set-header X "a "` then `%[res.fhdr(x)]b` gives `ab`).
    out.push(trimSpaces(fieldText(value)));
    return;
  }
  if (typeof value === 'string') {
    // Rule-written values are UTF-8 text; split them through their bytes like received ones.
    const bytes = encoder.encode(value);
    splitInto(bytes, 0, bytes.length, out, true);
  } else {
    splitInto(value, 0, value.length, out);
  }
}

/** Splits buf[start, end) on commas outside double quotes; pushes trimmed elements (empty ones too, as HAProxy). */
function splitInto(buf: Uint8Array, start: number, end: number, out: string[], utf8 = false): void {
  let s = start;
  let quoted = false;
  for (let p = start; p <= end; p++) {
    const c = p < end ? buf[p] : 0x2c;
    // An unterminated quoted string runs to the end of the value (http_find_hdr_value_end).
    if (quoted && p < end) {
      if (c === 0x5c /* \ */ && p + 1 < end) p++;
      else if (c === 0x22 /* " */) quoted = false;
      continue;
    }
    if (c === 0x22) {
      quoted = true;
      continue;
    }
    if (c !== 0x2c) continue;
    let a = s;
    let b = p;
    while (a < b && (buf[a] === 0x20 || buf[a] === 0x09)) a++;
    while (b > a && (buf[b - 1] === 0x20 || buf[b - 1] === 0x09)) b--;
    out.push(utf8 ? decoder.decode(buf.subarray(a, b)) : latin1String(buf, a, b));
    s = p + 1;
  }
}

/** HAProxy's occurrence argument: 1 = first, -1 = last (the default), -2 = the one before... */
export function pickOccurrence(values: readonly string[], count: number, occ: number): string | undefined {
  return occ > 0 ? values[occ - 1] : count + occ >= 0 ? values[count + occ] : undefined;
}

function trimSpaces(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && (text.charCodeAt(a) === 0x20 || text.charCodeAt(a) === 0x09)) a++;
  while (b > a && (text.charCodeAt(b - 1) === 0x20 || text.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === text.length ? text : text.slice(a, b);
}
