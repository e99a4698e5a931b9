/**
 * `h1-case-adjust` at work: the HTTP/1 muxes write some header names with the case a bogus
 * peer expects (HAProxy's h1_adjust_case_outgoing_hdr, mux_h1.c). A response to the client of
 * a frontend with `option h1-case-adjust-bogus-client`, a request to a server of a backend with
 * `option h1-case-adjust-bogus-server`; never on HTTP/2.
 *
 * HAProxy looks a name up as its HTX form holds it, lowercased, and compares it byte for byte
 * with the configured <from>: an entry whose <from> has capitals never matches. Names not in
 * the map go out as they would without the option.
 */

import type { HeaderCasePair } from '../config/model.ts';

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SP = 0x20;
const HTAB = 0x09;

function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/**
 * The map, indexed by name length so that a lookup compares only names that could match,
 * without building a string per header. Since <to> has <from>'s length, a name is rewritten in
 * place in the head's bytes.
 */
export class HeaderCaseMap {
  /** By length: the <from> bytes, then the <to> bytes, alternately. */
  readonly #byLength: Array<Uint8Array[] | undefined> = [];

  constructor(pairs: readonly HeaderCasePair[]) {
    for (const { from, to } of pairs) {
      const bucket = (this.#byLength[from.length] ??= []);
      bucket.push(asciiBytes(from), asciiBytes(to));
    }
  }

  /** The <to> spelling of the name at `bytes[start, end)`, or undefined when not in the map. */
  lookup(bytes: Uint8Array, start: number, end: number): Uint8Array | undefined {
    const bucket = this.#byLength[end - start];
    if (bucket === undefined) return undefined;
    outer: for (let k = 0; k < bucket.length; k += 2) {
      const from = bucket[k] as Uint8Array;
      for (let i = 0; i < from.length; i++) {
        let c = bytes[start + i] as number;
        if (c >= 0x41 && c <= 0x5a) c |= 0x20;
        if (c !== from[i]) continue outer;
      }
      return bucket[k + 1];
    }
    return undefined;
  }

  /**
   * The HTTP/1 head `head` (start line, header lines, empty line; lines may end with a bare LF)
   * with the names in the map spelled their configured way. Returns `head` itself when no name
   * changes, otherwise a copy (`head` may be the received bytes, which the rules still read).
   */
  adjust(head: Uint8Array): Uint8Array {
    let out: Uint8Array | undefined;
    const end = head.length;
    let p = head.indexOf(LF) + 1; // past the start line
    while (p > 0 && p < end) {
      const first = head[p] as number;
      if (first === CR || first === LF) break; // the empty line
      const lineEnd = head.indexOf(LF, p);
      const stop = lineEnd < 0 ? end : lineEnd;
      // A continuation line (obs-fold) has no name.
      if (first !== SP && first !== HTAB) {
        let colon = p;
        while (colon < stop && head[colon] !== COLON) colon++;
        const to = this.lookup(head, p, colon);
        if (to !== undefined) {
          out ??= head.slice();
          out.set(to, p);
        }
      }
      p = lineEnd + 1;
    }
    return out ?? head;
  }
}
