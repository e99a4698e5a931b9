/**
 * The text of `show errors` (HAProxy 2.6's cli_io_handler_show_errors, proxy.c, with mux_h1.c's
 * h1_show_error_snapshot and tools.c's dump_text_line), byte for byte.
 */
import type { StoredCapture } from '../proxy/error-captures.ts';
import { h1StateName } from '../http/h1-error-state.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** HAProxy's date of `show errors`, local time ("05/Dec/2026:09:20:38.267"). */
export function errorsDate(wallMs: number): string {
  const d = new Date(wallMs);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/**
 * One line of a captured buffer from `ptr` (dump_text_line): its offset, ' ' at a line's start
 * or '+' where a long line goes on, then its bytes escaped, at most 80 columns; a line ends
 * after an LF. Returns the line and the offset it stopped at.
 */
export function dumpTextLine(buf: Uint8Array, len: number, lineStart: number, ptr: number): { text: string; next: number; lineStart: number } {
  const end = 80;
  let out = `  ${String(ptr).padStart(5, '0')}${ptr === lineStart ? ' ' : '+'} `;
  while (ptr < len) {
    const c = buf[ptr] as number;
    if (c >= 0x20 && c < 0x7f && c !== 0x5c) {
      if (out.length > end - 2) break;
      out += String.fromCharCode(c);
    } else if (c === 0x09 || c === 0x0a || c === 0x0d || c === 0x1b || c === 0x5c) {
      if (out.length > end - 3) break;
      out += c === 0x09 ? '\\t' : c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x1b ? '\\e' : '\\\\';
    } else {
      if (out.length > end - 5) break;
      out += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    ptr++;
    if (c === 0x0a) return { text: `${out}\n`, next: ptr, lineStart: ptr };
  }
  return { text: `${out}\n`, next: ptr, lineStart };
}

/** One capture's block: its header lines, its H1 context, then its bytes. */
export function captureBlock(c: StoredCapture, proxyId: number, otherEndId: number, bufsize: number): string {
  let text = ` \n[${errorsDate(c.when)}]`;
  if (c.response) {
    text += ` backend ${c.proxy} (#${proxyId}): invalid response\n  frontend ${c.otherEnd ?? '<NONE>'} (#${c.otherEnd === undefined ? -1 : otherEndId})`;
  } else {
    text += ` frontend ${c.proxy} (#${proxyId}): invalid request\n  backend ${c.otherEnd ?? '<NONE>'} (#${c.otherEnd === undefined ? -1 : otherEndId})`;
  }
  const len = c.bytes.byteLength;
  text += `, server ${c.server ?? '<NONE>'} (#${c.server === undefined ? -1 : c.serverId}), event #${c.eventId}, src ${c.sourceAddress}:${c.sourcePort}\n`;
  text += `  buffer starts at 0 (including 0 out), ${(bufsize - len) >>> 0} free,\n`;
  text += `  len ${len}, wraps at ${c.wrapsAt}, error at position ${c.errorAt}\n`;
  const h1 = c.h1;
  text += `  H1 connection flags ${hex(h1.connFlags)}, H1 stream flags ${hex(h1.streamFlags)}\n`;
  text += `  H1 msg state ${h1StateName(h1.state)}(${h1.state}), H1 msg flags ${hex(h1.msgFlags)}\n`;
  text += `  H1 chunk len ${h1.chunkLen} bytes, H1 body len ${h1.bodyLen} bytes :\n`;
  text += '  \n';
  const limit = Math.min(len, bufsize);
  let ptr = 0;
  let lineStart = 0;
  while (ptr < limit) {
    const line = dumpTextLine(c.bytes, limit, lineStart, ptr);
    text += line.text;
    ptr = line.next;
    lineStart = line.lineStart;
  }
  return text;
}

/** A proxy as `show errors` walks them: declaration order, with its uuid. */
export interface DumpedProxy {
  readonly name: string;
  readonly id: number;
  readonly request: StoredCapture | undefined;
  readonly response: StoredCapture | undefined;
}

export interface ErrorsFilter {
  /** A proxy uuid (`show errors <px>`), or -1 for all. */
  readonly proxyId: number;
  readonly requests: boolean;
  readonly responses: boolean;
}

/**
 * The whole answer: the header line with the number of captures ever taken, then each proxy's
 * request and response captures that pass the filter (a proxy matches by its own id or the
 * capture's other side's).
 */
export function showErrorsText(proxies: readonly DumpedProxy[], total: number, now: number, filter: ErrorsFilter, bufsize: number): string {
  let text = `Total events captured on [${errorsDate(now)}] : ${total}\n`;
  const ids = new Map(proxies.map((p) => [p.name, p.id]));
  for (const p of proxies) {
    for (const capture of [filter.requests ? p.request : undefined, filter.responses ? p.response : undefined]) {
      if (capture === undefined) continue;
      const otherEndId = capture.otherEnd === undefined ? -1 : (ids.get(capture.otherEnd) ?? -1);
      if (filter.proxyId >= 0 && p.id !== filter.proxyId && otherEndId !== filter.proxyId) continue;
      text += captureBlock(capture, p.id, otherEndId, bufsize);
    }
  }
  return text;
}
