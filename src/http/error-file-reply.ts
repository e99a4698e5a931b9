/**
 * An errorfile sent as HAProxy 2.6 sends one. HAProxy keeps the file as an HTX message and its
 * H1 mux serialises that message like any response, so the wire bytes are not the file's:
 *
 * - the status line is `HTTP/1.1 CODE REASON` for a file in HTTP/1.1 or above, the file's own
 *   version otherwise (`HTTP/1.0 503 Service Unavailable`), code and reason as written;
 * - header names are lower-cased, values trimmed, in file order; `keep-alive` and `close` are
 *   removed from a Connection header (dropped when nothing is left), and both decide the
 *   connection's fate: `close` or a payload without Content-Length closes it;
 * - then, as for every reply, a last `connection: close` when the connection ends (HTTP/1.1
 *   files only: an HTTP/1.0 message means close by itself) or `connection: keep-alive` when it
 *   stays open and either side is HTTP/1.0 — none when `Connection: upgrade` was written;
 * - an empty file sends nothing at all, and the connection closes.
 *
 *   file (errorfile 503)                       wire, keep-alive HTTP/1.1 client
 *   HTTP/1.0 503 Service Unavailable\r\n        HTTP/1.0 503 Service Unavailable\r\n
 *   Cache-Control: no-cache\r\n                 cache-control: no-cache\r\n
 *   Connection: close\r\n                       content-type: text/html\r\n
 *   Content-Type: text/html\r\n                 content-length: 6\r\n
 *   Content-Length: 6\r\n                       \r\n
 *   \r\n                                        sorry\n      (then the connection closes)
 *   sorry\n
 */
import type { ErrorMessage } from './error-message.ts';
import { LocalReply, ReplyConnection, replyBytes } from './local-reply.ts';

const EMPTY = new Uint8Array(0);

interface ConnectionTokens {
  /** What is left of the value once `close` and `keep-alive` are removed. */
  readonly value: string;
  readonly close: boolean;
  readonly upgrade: boolean;
}

/** HAProxy's h1_parse_connection_header with H1_MF_CLEAN_CONN_HDR (the H1 mux's output side). */
function cleanConnection(original: string): ConnectionTokens {
  let out = '';
  let close = false;
  let upgrade = false;
  // `kept` is where the last word taken or skipped ended (HAProxy's `p`).
  let kept = 0;
  let i = 0;
  while (i < original.length) {
    const c = original.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) {
      i++;
      continue;
    }
    const end = elementEnd(original, i);
    let last = end;
    while (last > i && ' \t\r\n'.includes(original[last - 1] as string)) last--;
    const word = original.slice(i, last);
    const lower = word.toLowerCase();
    if (lower === 'keep-alive' || lower === 'close') {
      if (lower === 'close') close = true;
    } else {
      if (lower === 'upgrade') upgrade = true;
      // Untouched so far: keep the original text up to this element; else append it.
      if (out.length === kept) out = original.slice(0, end);
      else out = out.length > 0 ? `${out},${word}` : word;
    }
    kept = end;
    i = end + 1;
  }
  return { value: out, close, upgrade };
}

/** Where a comma-separated element ends (commas in a quoted string do not count). */
function elementEnd(s: string, from: number): number {
  let quoted = false;
  let pair = false;
  let i = from;
  for (; i < s.length; i++) {
    const c = s[i];
    if (pair) pair = false;
    else if (quoted) {
      if (c === '\\') pair = true;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') return i;
  }
  return i;
}

/** HAProxy keeps a `te` header only as `trailers`. */
function teValue(value: string): string | undefined {
  const at = value.indexOf('trailers');
  if (at < 0) return undefined;
  const rest = value.slice(at);
  if (rest.length > 8 && rest[8] !== ',') return undefined;
  return 'trailers';
}

export class ErrorFileReply extends LocalReply {
  /** undefined: an empty file. */
  readonly #message: ErrorMessage | undefined;
  readonly #head: string;
  readonly #closes: boolean;
  /** No connection header is ever added (an interim status, or `Connection: upgrade`). */
  readonly #noConnectionHeader: boolean;
  readonly #encoded: (Uint8Array | undefined)[] = [undefined, undefined, undefined, undefined];

  /** `status` is the status the reply stands for (logs, counters), whatever the file says. */
  constructor(status: number, message: ErrorMessage | undefined) {
    super(status, [], message?.body ?? EMPTY, message?.reason);
    this.#message = message;
    if (message === undefined) {
      this.#head = '';
      this.#closes = true;
      this.#noConnectionHeader = true;
      return;
    }
    const interim = message.status < 200;
    const noLengthHeaders = interim || message.status === 204;
    let head = `${message.version11 ? 'HTTP/1.1' : message.version} ${message.code} ${message.reason}\r\n`;
    let close = false;
    let upgrade = false;
    for (const [name, value] of message.headers) {
      let sent: string | undefined = value;
      if (name.startsWith(':')) sent = undefined;
      else if (name === 'transfer-encoding' || name === 'content-length') {
        if (noLengthHeaders) sent = undefined;
      } else if (name === 'connection') {
        const tokens = cleanConnection(value);
        close ||= tokens.close;
        upgrade ||= tokens.upgrade;
        sent = tokens.value === '' ? undefined : tokens.value;
      } else if (name === 'te') {
        sent = teValue(value);
      }
      if (sent !== undefined) head += `${name}: ${sent}\r\n`;
    }
    this.#head = head;
    this.#closes = !message.hasLength || close;
    this.#noConnectionHeader = interim || upgrade;
  }

  override get closes(): boolean {
    return this.#closes;
  }

  override connectionValue(connection: ReplyConnection): string | undefined {
    const message = this.#message;
    if (message === undefined || this.#noConnectionHeader || connection === ReplyConnection.omitted) return undefined;
    if (connection === ReplyConnection.close) return message.version11 ? 'close' : undefined;
    return connection === ReplyConnection.keepAlive || !message.version11 ? 'keep-alive' : undefined;
  }

  override encode(connection: ReplyConnection): Uint8Array {
    const message = this.#message;
    if (message === undefined) return EMPTY;
    const cached = this.#encoded[connection];
    if (cached !== undefined) return cached;
    const out = replyBytes(this.#head, this.connectionValue(connection), message.body);
    this.#encoded[connection] = out;
    return out;
  }
}
