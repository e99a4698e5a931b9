/**
 * A syslog message as a `log-forward` section receives it, read as HAProxy 2.6 reads it
 * (src/log.c parse_log_message): the PRI, then an RFC 5424 header (`1 TIMESTAMP HOST TAG PID
 * MSGID SD `) or an RFC 3164 one (`Mmm dd hh:mm:ss HOST TAG[PID]: `). A header that does not
 * read keeps only its PRI, and the message is then everything after it.
 */

/** The header fields a message brought; '' where absent or NILVALUE (`-`). Latin-1 strings, one char per byte. */
export interface SyslogMetadata {
  /** The `<PRI>` text as received ('' without one). */
  readonly prio: string;
  readonly time: string;
  readonly host: string;
  readonly tag: string;
  readonly pid: string;
  readonly msgid: string;
  readonly structuredData: string;
}

export interface ParsedSyslogMessage {
  /** -1 without a PRI (each target then uses its own facility, and its minimum level). */
  readonly facility: number;
  readonly level: number;
  readonly metadata: SyslogMetadata;
  /** What follows the header. */
  readonly message: Uint8Array;
}

/** LOG_LEGACYTIME_LEN: `Mmm dd hh:mm:ss`. */
export const LEGACY_TIME_LENGTH = 15;
/** LOG_ISOTIME_MINLEN: `YYYY-MM-DDThh:mm:ssZ`. */
export const ISO_TIME_MIN_LENGTH = 20;

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const SPACE = 0x20;
const EMPTY: SyslogMetadata = { prio: '', time: '', host: '', tag: '', pid: '', msgid: '', structuredData: '' };

function text(buf: Uint8Array, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += String.fromCharCode(buf[i] as number);
  return out;
}

/** A header word as HAProxy keeps it: NILVALUE is no value. */
function field(buf: Uint8Array, from: number, to: number): string {
  return to - from === 1 && buf[from] === 0x2d /* - */ ? '' : text(buf, from, to);
}

/** HAProxy's parse_log_message on one received message (its trailing LF or CR LF already removed). */
export function parseSyslogMessage(buf: Uint8Array): ParsedSyslogMessage {
  const len = buf.length;
  if (len < 2 || buf[0] !== 0x3c /* < */) return { facility: -1, level: -1, metadata: EMPTY, message: buf };
  let p = 1;
  let pri = 0;
  while (buf[p] !== 0x3e /* > */) {
    const c = buf[p];
    if (c === undefined || c < 0x30 || c > 0x39) return { facility: -1, level: -1, metadata: EMPTY, message: buf };
    pri = 10 * pri + (c - 0x30);
    p++;
  }
  p++;
  const facility = pri >> 3;
  const level = pri & 7;
  const prio = text(buf, 0, p);
  const start = p;
  const bad = (): ParsedSyslogMessage => ({ facility, level, metadata: { ...EMPTY, prio }, message: buf.subarray(start) });
  const rest = len - start;
  if (rest > 2 && buf[p] === 0x31 /* 1 */ && buf[p + 1] === SPACE) {
    const nil = buf[p + 2] === 0x2d && buf[p + 3] === SPACE;
    return nil || rest > ISO_TIME_MIN_LENGTH ? rfc5424(buf, p + 2, facility, level, prio, bad) : bad();
  }
  if (rest > LEGACY_TIME_LENGTH) return rfc3164(buf, p, facility, level, prio, bad);
  return bad();
}

/** Reads one space-ended word from `p`: its end, or -1 when the buffer ends first or it is empty. */
function wordEnd(buf: Uint8Array, p: number): number {
  if (p >= buf.length || buf[p] === SPACE) return -1;
  while (buf[p] !== SPACE) {
    p++;
    if (p >= buf.length) return -1;
  }
  return p;
}

function rfc5424(buf: Uint8Array, p: number, facility: number, level: number, prio: string, bad: () => ParsedSyslogMessage): ParsedSyslogMessage {
  const len = buf.length;
  let time: string;
  if (buf[p] === 0x2d && buf[p + 1] === SPACE) {
    time = '-';
    p++;
  } else {
    const from = p;
    p += 19;
    if (p >= len) return bad();
    if (buf[p] === 0x2e /* . */) {
      p++;
      if (p >= len) return bad();
      while (buf[p] !== 0x5a && buf[p] !== 0x2b && buf[p] !== 0x2d) {
        const c = buf[p] as number;
        if (c < 0x30 || c > 0x39) return bad();
        p++;
        if (p >= len) return bad();
      }
    }
    p += buf[p] === 0x5a /* Z */ ? 1 : 6;
    if (p >= len || buf[p] !== SPACE) return bad();
    time = text(buf, from, p);
  }
  p++;
  const words: string[] = [];
  for (let i = 0; i < 4; i++) {
    const end = wordEnd(buf, p);
    if (end < 0) return bad();
    words.push(field(buf, p, end));
    p = end + 1;
  }
  if (p >= len || buf[p] === SPACE) return bad();
  const sdFrom = p;
  if (buf[p] === 0x5b /* [ */) {
    let element = false;
    for (;;) {
      const c = buf[p];
      if (element) {
        // A ']' escaped in a parameter value does not end the element.
        if (c === 0x5d && buf[p - 1] !== 0x5c) element = false;
      } else if (c === 0x5b) element = true;
      else if (c === SPACE) break;
      else return bad();
      p++;
      if (p >= len) return bad();
    }
  } else if (buf[p] === 0x2d) {
    p++;
    if (p >= len || buf[p] !== SPACE) return bad();
  } else return bad();
  const structuredData = field(buf, sdFrom, p);
  const [host, tag, pid, msgid] = words as [string, string, string, string];
  return { facility, level, metadata: { prio, time, host, tag, pid, msgid, structuredData }, message: buf.subarray(p + 1) };
}

function rfc3164(buf: Uint8Array, p: number, facility: number, level: number, prio: string, bad: () => ParsedSyslogMessage): ParsedSyslogMessage {
  const len = buf.length;
  const month = text(buf, p, p + 3);
  if (!(MONTHS as readonly string[]).includes(month)) return bad();
  const time = text(buf, p, p + LEGACY_TIME_LENGTH);
  p += LEGACY_TIME_LENGTH;
  if (p >= len || buf[p] !== SPACE) return bad();
  p++;
  const hostEnd = wordEnd(buf, p);
  if (hostEnd < 0) return bad();
  const host = text(buf, p, hostEnd);
  // The tag is optional: without `TAG: ` what follows the host name is the message.
  const from = hostEnd + 1;
  const found = { facility, level, metadata: { ...EMPTY, prio, time, host }, message: buf.subarray(Math.min(from, len)) };
  let q = from;
  while (q < len && buf[q] !== SPACE && buf[q] !== 0x3a /* : */) q++;
  if (q >= len || buf[q] !== 0x3a || q + 1 >= len || buf[q + 1] !== SPACE) return found;
  let tagEnd = -1;
  let pidFrom = -1;
  let pidEnd = -1;
  for (let i = from; i < q; i++) {
    const c = buf[i];
    if (c === 0x5b /* [ */) {
      tagEnd = i;
      pidFrom = i + 1;
    } else if (c === 0x5d /* ] */ && pidFrom >= 0) {
      if (buf[i + 1] !== 0x3a) return found;
      pidEnd = i;
    }
  }
  // HAProxy keeps a tag cut at '[' (its length set) even when no ']' closes the pid.
  const tag = text(buf, from, tagEnd >= 0 ? tagEnd : q);
  const pid = pidEnd >= 0 ? text(buf, pidFrom, pidEnd) : '';
  return { facility, level, metadata: { ...EMPTY, prio, time, host, tag, pid }, message: buf.subarray(q + 2) };
}
