/**
 * The connection headers that rules (`http-response` / `http-after-response` set-header or
 * add-header) leave in a response head, as the client-side HTTP/1 mux reads them on the way
 * out (HAProxy 2.6's h1_process_mux calls h1_parse_connection_header with
 * H1_MF_CLEAN_CONN_HDR): `close` and `keep-alive` are taken out of the value, and say what the
 * mux does with the connection; other tokens stay; a header left empty is not written.
 */
import type { HeadEditor } from '../http/codec/index.ts';

/** What the tokens asked for (HAProxy's H1_MF_CONN_CLO, H1_MF_CONN_KAL, H1_MF_CONN_UPG). */
export const ConnectionToken = { close: 1, keepAlive: 2, upgrade: 4 } as const;

const CONNECTION = 'connection';

/**
 * Cleans the connection headers the rules appended and returns the ConnectionToken bits they
 * carried. Only appended headers are read: the mux removed the received ones already
 * (prepareResponseHead), and a reply the proxy builds has none of its own.
 */
export function cleanConnectionHeaders(editor: HeadEditor): number {
  let tokens = 0;
  // Backwards: dropping one leaves the indexes still to visit in place.
  for (let j = editor.appendedCount - 1; j >= 0; j--) {
    if (editor.appendedName(j).name.toLowerCase() !== CONNECTION) continue;
    const value = editor.appendedValue(j);
    const text = typeof value === 'string' ? value : latin1(value);
    const cleaned = cleanConnectionValue(text);
    tokens |= cleaned.tokens;
    if (cleaned.value.length === 0) editor.dropAppended(j);
    else if (cleaned.value !== text) editor.replaceAppended(j, cleaned.value);
  }
  return tokens;
}

/**
 * h1_parse_connection_header's rewrite, byte for byte: the value stays as written up to the
 * first token taken out; after that, the tokens kept are joined by a bare comma.
 */
export function cleanConnectionValue(value: string): { value: string; tokens: number } {
  let tokens = 0;
  let out = '';
  // True while nothing was taken out: `out` is then the value's own text up to the last comma seen.
  let verbatim = true;
  const end = value.length;
  for (let at = 0; at < end; at++) {
    if (isLws(value.charCodeAt(at))) continue;
    let next = value.indexOf(',', at);
    if (next < 0) next = end;
    let wordEnd = next;
    while (wordEnd > at && isLws(value.charCodeAt(wordEnd - 1))) wordEnd--;
    const word = value.slice(at, wordEnd).toLowerCase();
    if (word === 'keep-alive' || word === 'close') {
      tokens |= word === 'close' ? ConnectionToken.close : ConnectionToken.keepAlive;
      verbatim = false;
    } else {
      if (word === 'upgrade') tokens |= ConnectionToken.upgrade;
      if (verbatim) out = value.slice(0, next);
      else out += (out.length > 0 ? ',' : '') + value.slice(at, wordEnd);
    }
    at = next;
  }
  return { value: out, tokens };
}

function isLws(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}
