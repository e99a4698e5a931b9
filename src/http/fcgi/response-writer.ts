/**
 * A FastCGI application's STDOUT (a CGI response: header lines, an empty line, the body) written
 * as the HTTP/1 response the stream reads from a server, as HAProxy 2.6 turns it into HTX and
 * its FCGI filter and H1 mux then write it (h1_postparse_res_hdrs without a start line,
 * fcgi_flt_http_headers, h1_format_htx_*):
 *
 * - the status comes from a `Status: NNN reason` header, else `302 Moved Temporarily` with a
 *   `Location` header, else `200 OK` (the last such header wins); the version is the request's;
 * - header names go lowercase (HTX stores them so), `Status` is removed, and the hop-by-hop
 *   `Connection`/`Keep-Alive` ones are dropped (the H1 mux cleans them);
 * - a `date` header is appended when the application sent none;
 * - without Content-Length or Transfer-Encoding, a body read whole by the time its head is
 *   analysed gets a `content-length`, else the body goes chunked (`transfer-encoding: chunked`).
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Largest header block accepted from the application (HAProxy's buffer, rounded up). */
const MAX_HEAD = 65536;

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** strftime "%a, %d %b %Y %T %Z" on gmtime, as HAProxy's FCGI filter writes Date. */
export function imfDate(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`;
}

function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function latin1Text(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function isToken(c: number): boolean {
  return c > 0x20 && c < 0x7f && '()<>@,;:\\"/[]?={}'.indexOf(String.fromCharCode(c)) < 0;
}

/** The application's response is not a valid CGI response (the stream answers 502). */
export class FcgiResponseError extends Error {}

/** Where the header block ends (the index after its empty line), or -1. */
function headEnd(bytes: Uint8Array, length: number): number {
  for (let i = 0; i < length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (i === 0) return 1;
    if (i + 1 < length && bytes[i + 1] === 0x0a) return i + 2;
    if (i + 2 < length && bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
    if (i === 1 && bytes[0] === 0x0d) return 2;
  }
  return -1;
}

type Framing = 'none' | 'pass' | 'chunk';

export class FcgiResponseWriter {
  #method = 'GET';
  #minor: 0 | 1 = 1;
  /** Header bytes gathered until the empty line. */
  #head = new Uint8Array(0);
  #headLength = 0;
  /** Parsed head, waiting for the end of the read to choose its framing. */
  #status = 0;
  #reason = '';
  #fields: [string, string][] | undefined;
  #emitted = false;
  #framing: Framing = 'none';
  readonly #body: Uint8Array[] = [];
  #bodyBytes = 0;
  #done = false;
  /** Wall clock for Date (tests pass a fixed one). */
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  begin(): void {
    this.#headLength = 0;
    this.#fields = undefined;
    this.#emitted = false;
    this.#framing = 'none';
    this.#body.length = 0;
    this.#bodyBytes = 0;
    this.#done = false;
  }

  requestMethod(method: string, minor: 0 | 1): void {
    this.#method = method;
    this.#minor = minor;
  }

  /** The response was written whole (head, body and its end). */
  get complete(): boolean {
    return this.#done;
  }

  /** STDOUT content. Throws FcgiResponseError. */
  stdout(content: Uint8Array): void {
    if (this.#fields !== undefined) {
      this.#body.push(content.slice());
      this.#bodyBytes += content.byteLength;
      return;
    }
    const need = this.#headLength + content.byteLength;
    if (need > this.#head.byteLength) {
      if (need > MAX_HEAD + 65535) throw new FcgiResponseError('response header block too large');
      const next = new Uint8Array(Math.max(need, this.#head.byteLength * 2, 1024));
      next.set(this.#head.subarray(0, this.#headLength));
      this.#head = next;
    }
    this.#head.set(content, this.#headLength);
    this.#headLength = need;
    const end = headEnd(this.#head, this.#headLength);
    if (end < 0) {
      if (this.#headLength > MAX_HEAD) throw new FcgiResponseError('response header block too large');
      return;
    }
    this.#parseHead(end);
    if (end < this.#headLength) {
      this.#body.push(this.#head.slice(end, this.#headLength));
      this.#bodyBytes += this.#headLength - end;
    }
  }

  #parseHead(end: number): void {
    const bytes = this.#head;
    const fields: [string, string][] = [];
    let status = 0;
    let reason = '';
    let at = 0;
    while (at < end) {
      let eol = bytes.indexOf(0x0a, at);
      if (eol < 0 || eol >= end) eol = end;
      const lineEnd = eol > at && bytes[eol - 1] === 0x0d ? eol - 1 : eol;
      if (lineEnd === at) break; // the empty line
      let colon = at;
      while (colon < lineEnd && isToken(bytes[colon]!)) colon++;
      if (colon === at || bytes[colon] !== 0x3a) throw new FcgiResponseError('invalid header line in the response');
      const name = latin1Text(bytes, at, colon).toLowerCase();
      let vs = colon + 1;
      let ve = lineEnd;
      while (vs < ve && (bytes[vs] === 0x20 || bytes[vs] === 0x09)) vs++;
      while (ve > vs && (bytes[ve - 1] === 0x20 || bytes[ve - 1] === 0x09)) ve--;
      for (let i = vs; i < ve; i++) if (bytes[i] === 0 || bytes[i] === 0x0d) throw new FcgiResponseError('invalid header value in the response');
      const value = latin1Text(bytes, vs, ve);
      at = eol + 1;
      if (name === 'status') {
        // http_parse_status_val: a token, spaces, the rest is the reason.
        let p = 0;
        while (p < value.length && isToken(value.charCodeAt(p))) p++;
        const code = value.slice(0, p);
        status = /^\d+$/.test(code) ? Number(code) % 65536 : 0;
        reason = value.slice(p).replace(/^[ \t]+/, '');
        continue;
      }
      if (name === 'location') {
        status = 302;
        reason = 'Moved Temporarily';
      }
      if (name === 'connection' || name === 'keep-alive') continue;
      fields.push([name, value]);
    }
    if (status === 0) {
      status = 200;
      reason = 'OK';
    }
    this.#status = status;
    this.#reason = reason;
    this.#fields = fields;
  }

  /**
   * What the stream gets from this read: the head (once its framing is known), the body bytes,
   * and, with `ended` (END_REQUEST came), the end of the body.
   */
  flush(ended: boolean): Uint8Array | undefined {
    const fields = this.#fields;
    if (fields === undefined || this.#done) return undefined;
    const parts: Uint8Array[] = [];
    if (!this.#emitted) parts.push(this.#headBytes(fields, ended));
    for (const part of this.#body) {
      if (this.#framing === 'none') continue;
      if (this.#framing === 'pass') parts.push(part);
      else if (part.byteLength > 0) parts.push(latin1(`${part.byteLength.toString(16)}\r\n`), part, latin1('\r\n'));
    }
    this.#body.length = 0;
    this.#bodyBytes = 0;
    if (ended) {
      if (this.#framing === 'chunk') parts.push(latin1('0\r\n\r\n'));
      this.#done = true;
    }
    if (parts.length === 1) return parts[0];
    let total = 0;
    for (const p of parts) total += p.byteLength;
    if (total === 0) return undefined;
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }

  #headBytes(fields: readonly [string, string][], ended: boolean): Uint8Array {
    this.#emitted = true;
    const status = this.#status;
    let text = `HTTP/1.${this.#minor} ${status} ${this.#reason}\r\n`;
    let date = false;
    let length = false;
    let chunked = false;
    for (const [name, value] of fields) {
      if (name === 'date') date = true;
      else if (name === 'content-length') length = true;
      else if (name === 'transfer-encoding') chunked = true;
      text += `${name}: ${value}\r\n`;
    }
    if (!date) text += `date: ${imfDate(this.#now())}\r\n`;
    const bodyless = this.#method === 'HEAD' || status < 200 || status === 204 || status === 304;
    if (bodyless) this.#framing = 'none';
    else if (length || chunked) this.#framing = 'pass';
    else if (ended) {
      text += `content-length: ${this.#bodyBytes}\r\n`;
      this.#framing = 'pass';
    } else {
      text += 'transfer-encoding: chunked\r\n';
      this.#framing = 'chunk';
    }
    return latin1(`${text}\r\n`);
  }
}
