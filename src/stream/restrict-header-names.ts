/**
 * `option http-restrict-req-hdr-names delete|reject` (HAProxy's http_req_restrict_header_names):
 * after a proxy's `http-request` rules, a request header whose name holds a character other
 * than a letter, a digit or '-' (an underscore, a dot...) is removed, or the whole request is
 * refused with a 403. Names some servers (CGI, FastCGI) fold into one variable name could
 * otherwise smuggle a value past a rule that checked the other spelling.
 *
 * Every header is checked, adjacent odd ones included (HAProxy 2.6.12; 2.6.0's loop skipped
 * the header after a removed one).
 */
import type { RequestHead } from '../http/codec/head.ts';
import type { HeadEditor } from '../http/codec/serialize.ts';

/** Whether a name is made of [0-9A-Za-z-] only. */
function plainName(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    if (!((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x2d)) return false;
  }
  return true;
}

/** Applies the policy to the request as edited; false when it must be refused (reject). */
export function restrictHeaderNames(head: RequestHead, editor: HeadEditor, mode: 'delete' | 'reject'): boolean {
  const raw = head.raw;
  const offsets = head.offsets;
  for (let i = 0; i < head.headerCount; i++) {
    if (editor.isRemoved(i) || plainName(raw, offsets[4 * i] as number, offsets[4 * i + 1] as number)) continue;
    if (mode === 'reject') return false;
    editor.remove(i);
  }
  for (let j = editor.appendedCount - 1; j >= 0; j--) {
    const name = editor.appendedName(j).bytes;
    if (plainName(name, 0, name.byteLength)) continue;
    if (mode === 'reject') return false;
    editor.dropAppended(j);
  }
  return true;
}
