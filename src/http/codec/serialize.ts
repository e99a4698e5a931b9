/**
 * Writing heads: a reusable editor that rewrites a parsed head into one new Uint8Array (kept
 * header lines are copied as runs of original bytes), and builders for generated heads.
 *
 * Values are text or bytes: a string is written as UTF-8 (ASCII in practice; text from configs
 * and rules), a Uint8Array byte for byte (e.g. head.valueBytes(i) copied from a received
 * header, which keeps obs-text exact; received values read as strings are latin1, one char per
 * byte, so write those back with latin1Bytes() or use valueBytes()). Header names must be
 * tokens; values must not contain CR, LF, NUL or other control bytes except HTAB, nor DEL
 * (no header injection from rules or configs): violations throw TypeError.
 */
import { COMMA, FIELD_VALUE, HTAB, SP, TCHAR, allocFromSlab, copyBytes, equalsLower, latin1Bytes, utf8Length, writeString } from './chars.ts';
import {
  H_CONNECTION,
  H_KEEP_ALIVE,
  H_PROXY_CONNECTION,
  H_TE,
  H_TRAILER,
  H_UPGRADE,
  type HeaderName,
  type HttpHead,
  RequestHead,
  ResponseHead,
  headerName,
} from './head.ts';
import { HttpParseError } from './errors.ts';
import { analyzeRequest, analyzeResponse } from './semantics.ts';

const COLON_SP = 2; // ": "
const CRLF = 2;

/** A header value to write: text (UTF-8) or raw bytes. */
export type FieldValue = string | Uint8Array;

/**
 * A value built from received header text (decoded latin1, one char per byte) as bytes to write
 * back unchanged: as a string it would be re-encoded as UTF-8 and bytes >= 0x80 would change.
 * ASCII stays a string (no copy); text with characters beyond latin1 (from the configuration)
 * stays a string too, written as UTF-8 as configured.
 */
export function receivedFieldValue(text: string): FieldValue {
  let high = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) return text;
    if (c >= 0x80) high = true;
  }
  return high ? latin1Bytes(text) : text;
}

/** Throws TypeError unless `value` is a valid field value (no CR/LF/NUL/controls but HTAB, no DEL). */
export function assertFieldValue(value: FieldValue): void {
  if (typeof value === 'string') {
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if ((c < 0x20 && c !== HTAB) || c === 0x7f) throw new TypeError(`invalid header value ${JSON.stringify(value)}`);
    }
  } else {
    for (let i = 0; i < value.length; i++) if (FIELD_VALUE[value[i]!] !== 1) throw new TypeError('invalid header value bytes');
  }
}

/** HAProxy's struct htx_blk: what each field costs in an HTX message beside its name and value. */
const HTX_BLOCK = 8;

function valueLength(v: FieldValue): number {
  return typeof v === 'string' ? utf8Length(v) : v.length;
}

function assertToken(s: string, what: string): void {
  if (s.length === 0) throw new TypeError(`${what} is empty`);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || TCHAR[c] !== 1) throw new TypeError(`invalid ${what} ${JSON.stringify(s)}`);
  }
}

function assertTarget(s: string): void {
  if (s.length === 0) throw new TypeError('request target is empty');
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x23) throw new TypeError(`invalid request target ${JSON.stringify(s)}`);
  }
}

function asName(name: HeaderName | string): HeaderName {
  return typeof name === 'string' ? headerName(name) : name;
}

/**
 * Rewrites a parsed head. Reuse one per connection:
 *   const bytes = editor.begin(head).removeHopByHop().set(H_X_FORWARDED_FOR, ip).build();
 * set() follows HAProxy's set-header: removes every header of that name, then appends one.
 * Appended headers go after the kept ones, in call order. build() returns head.raw itself when
 * nothing changed (no copy).
 */
export class HeadEditor {
  private head: HttpHead | undefined;
  /**
   * 0 kept, 1 removed, 2 replaced, per received header. A plain array: a typed array is a fresh
   * backing store per editor on Deno (about 1 µs, whatever its size) and on Node above 64 bytes.
   */
  private readonly removed: number[];
  private removedCount: number;
  private readonly addNames: HeaderName[];
  private readonly addValues: FieldValue[];
  /** Headers whose value is replaced in place (marked 2 in `removed`), with their new values. */
  private readonly replacedIndexes: number[];
  private readonly replacedValues: FieldValue[];
  private startLine: string | undefined;
  /** The words of a request line set by setRequestLine (startLine is its text), for buildRequestHead. */
  private lineMethod: string;
  private lineTarget: string;
  private lineVersionMinor: 0 | 1;
  /**
   * How much the head grew in HAProxy's HTX form through these edits (8 bytes of block plus
   * name and value per field added, the same taken back per field removed): what a rule's
   * rewrite takes from the buffer's reserve (src/stream/rewrite-room.ts).
   */
  htxGrowth = 0;

  constructor() {
    this.head = undefined;
    this.removed = [];
    this.removedCount = 0;
    this.addNames = [];
    this.addValues = [];
    this.replacedIndexes = [];
    this.replacedValues = [];
    this.startLine = undefined;
    this.lineMethod = '';
    this.lineTarget = '';
    this.lineVersionMinor = 1;
  }

  begin(head: HttpHead): this {
    this.head = head;
    const removed = this.removed;
    for (let i = 0; i < head.headerCount; i++) removed[i] = 0;
    this.removedCount = 0;
    this.clearEdits();
    this.startLine = undefined;
    this.htxGrowth = 0;
    return this;
  }

  /** Forgets the head (a finished transaction): an idle connection keeps no message alive. */
  end(): void {
    this.head = undefined;
    this.clearEdits();
  }

  /**
   * Empties the edit lists. Setting an array's length is a call into the runtime even when it
   * is already 0, which it nearly always is here (most messages go through unedited).
   */
  private clearEdits(): void {
    if (this.addNames.length !== 0) {
      this.addNames.length = 0;
      this.addValues.length = 0;
    }
    if (this.replacedIndexes.length !== 0) {
      this.replacedIndexes.length = 0;
      this.replacedValues.length = 0;
    }
  }

    private get current(): HttpHead {
    if (this.head === undefined) throw new Error('HeadEditor: begin(head) first');
    return this.head;
  }

  /** True when build() would differ from the original head. */
  get changed(): boolean {
    return this.removedCount > 0 || this.addNames.length > 0 || this.replacedIndexes.length > 0 || this.startLine !== undefined;
  }

  /** Removes header i (index into the original head); this undoes a replace() of it. */
  remove(i: number): this {
    if (i >= 0 && i < this.current.headerCount && this.removed[i] !== 1) {
      this.htxGrowth -= this.fieldSize(i);
      if (this.removed[i] === 2) this.forgetReplacement(i);
      this.removed[i] = 1;
      this.removedCount++;
    }
    return this;
  }

  /** Received field i's HTX size as edited: block, name, value. */
  private fieldSize(i: number): number {
    const h = this.current;
    const o = h.offsets;
    const value = this.removed[i] === 2 ? valueLength(this.replacement(i)) : (o[4 * i + 3] as number) - (o[4 * i + 2] as number);
    return HTX_BLOCK + (o[4 * i + 1] as number) - (o[4 * i] as number) + value;
  }

  /**
   * Replaces the value of header i in place: same name as received, same position (HAProxy's
   * header value rewrites, e.g. cookie persistence editing a Cookie or Set-Cookie). No effect
   * on a removed header; a second replace of the same header wins.
   */
  replace(i: number, value: FieldValue): this {
    if (i < 0 || i >= this.current.headerCount || this.removed[i] === 1) return this;
    assertFieldValue(value);
    this.htxGrowth -= this.fieldSize(i);
    if (this.removed[i] === 2) this.forgetReplacement(i);
    this.removed[i] = 2;
    this.replacedIndexes.push(i);
    this.replacedValues.push(value);
    this.htxGrowth += this.fieldSize(i);
    return this;
  }

  private forgetReplacement(i: number): void {
    const at = this.replacedIndexes.indexOf(i);
    this.replacedIndexes.splice(at, 1);
    this.replacedValues.splice(at, 1);
  }

  private replacement(i: number): FieldValue {
    return this.replacedValues[this.replacedIndexes.indexOf(i)] as FieldValue;
  }

  /** Removes every original header with this name; returns how many. */
  removeAll(name: HeaderName | Uint8Array): number {
    const h = this.current;
    let n = 0;
    for (let i = h.indexOf(name); i >= 0; i = h.indexOf(name, i + 1)) {
      if (this.removed[i] !== 1) {
        this.htxGrowth -= this.fieldSize(i);
        if (this.removed[i] === 2) this.forgetReplacement(i);
        this.removed[i] = 1;
        this.removedCount++;
        n++;
      }
    }
    return n;
  }

  /** True when header i is marked removed. */
  isRemoved(i: number): boolean {
    return this.removed[i] === 1;
  }

  /** Appends a header (HAProxy add-header). */
  append(name: HeaderName | string, value: FieldValue): this {
    assertFieldValue(value);
    const n = asName(name);
    this.addNames.push(n);
    this.addValues.push(value);
    this.htxGrowth += HTX_BLOCK + n.bytes.length + valueLength(value);
    return this;
  }

  /** Replaces every header of this name by one appended header (HAProxy set-header). */
  set(name: HeaderName | string, value: FieldValue): this {
    const n = asName(name);
    assertFieldValue(value);
    this.delete(n);
    return this.append(n, value);
  }

  /**
   * Removes every header of this name, received or appended earlier (HAProxy del-header);
   * returns how many.
   */
  delete(name: HeaderName | string): number {
    const n = asName(name);
    let count = this.removeAll(n);
    for (let i = this.addNames.length - 1; i >= 0; i--) {
      if (equalsLower(this.addNames[i]!.lower, 0, this.addNames[i]!.lower.length, n.lower)) {
        this.dropAppended(i);
        count++;
      }
    }
    return count;
  }

  // ---- the edited view, for rules that read what earlier rules wrote (HAProxy applies each
  // header action at once, so a later rule's fetch sees it) ----

  /** Value of received header i after the edits: its replacement, its own value, or undefined when removed. */
  editedValue(i: number): FieldValue | undefined {
    const mark = this.removed[i];
    if (mark === 1) return undefined;
    if (mark === 2) return this.replacement(i);
    return this.current.valueBytes(i);
  }

  /** Number of headers appended so far (add/set), in the order they will be written. */
  get appendedCount(): number {
    return this.addNames.length;
  }

  appendedName(j: number): HeaderName {
    return this.addNames[j] as HeaderName;
  }

  appendedValue(j: number): FieldValue {
    return this.addValues[j] as FieldValue;
  }

  /** Replaces the value of appended header j. */
  replaceAppended(j: number, value: FieldValue): this {
    if (j < 0 || j >= this.addValues.length) return this;
    assertFieldValue(value);
    this.htxGrowth += valueLength(value) - valueLength(this.addValues[j]!);
    this.addValues[j] = value;
    return this;
  }

  /** Drops appended header j. */
  dropAppended(j: number): this {
    if (j >= 0 && j < this.addNames.length) {
      this.htxGrowth -= HTX_BLOCK + this.addNames[j]!.bytes.length + valueLength(this.addValues[j]!);
      this.addNames.splice(j, 1);
      this.addValues.splice(j, 1);
    }
    return this;
  }

  /** The start line was replaced (a rule, or the mux's normalization). */
  get startLineChanged(): boolean {
    return this.startLine !== undefined;
  }

  /** Replaces the request line. */
  setRequestLine(method: string, target: string, versionMinor: 0 | 1 = 1): this {
    assertToken(method, 'method');
    assertTarget(target);
    this.startLine = `${method} ${target} HTTP/1.${versionMinor}`;
    this.lineMethod = method;
    this.lineTarget = target;
    this.lineVersionMinor = versionMinor;
    return this;
  }

  /** Replaces the status line. */
  setStatusLine(status: number, reason: string, versionMinor: 0 | 1 = 1): this {
    if (!Number.isInteger(status) || status < 100 || status > 999) throw new RangeError(`invalid status ${status}`);
    assertFieldValue(reason);
    this.startLine = `HTTP/1.${versionMinor} ${status} ${reason}`;
    this.lineMethod = '';
    return this;
  }

  /**
   * Removes hop-by-hop fields (RFC 9110 §7.6.1): Connection and every header it names,
   * Keep-Alive, Proxy-Connection, Trailer, and Upgrade unless keepUpgrade. Transfer-Encoding
   * stays: bodies are forwarded with their framing. The caller adds its own Connection header.
   * A TE field naming `trailers` goes on as `TE: trailers` alone, others go (HAProxy's H1 mux:
   * gRPC servers require `te: trailers` end to end).
   */
  removeHopByHop(keepUpgrade = false): this {
    const h = this.current;
    const raw = h.raw;
    const o = h.offsets;
    // headers named by Connection tokens
    for (let c = h.indexOf(H_CONNECTION); c >= 0; c = h.indexOf(H_CONNECTION, c + 1)) {
      const end = o[4 * c + 3]!;
      let p = o[4 * c + 2]!;
      while (p < end) {
        while (p < end && (raw[p] === SP || raw[p] === HTAB || raw[p] === COMMA)) p++;
        const s = p;
        while (p < end && raw[p] !== COMMA) p++;
        let e = p;
        while (e > s && (raw[e - 1] === SP || raw[e - 1] === HTAB)) e--;
        if (e === s) continue;
        for (let i = 0; i < h.headerCount; i++) {
          if (this.removed[i] === 1) continue;
          const ns = o[4 * i]!;
          if (o[4 * i + 1]! - ns !== e - s) continue;
          if (keepUpgrade && h.nameIs(i, H_UPGRADE)) continue;
          if (sameCaseless(raw, ns, raw, s, e - s)) this.remove(i);
        }
      }
    }
    this.removeAll(H_CONNECTION);
    this.removeAll(H_KEEP_ALIVE);
    this.removeAll(H_PROXY_CONNECTION);
    for (let i = h.indexOf(H_TE); i >= 0; i = h.indexOf(H_TE, i + 1)) {
      if (this.removed[i] === 1) continue;
      if (namesTrailers(raw, o[4 * i + 2]!, o[4 * i + 3]!)) this.replace(i, 'trailers');
      else this.remove(i);
    }
    this.removeAll(H_TRAILER);
    if (!keepUpgrade) this.removeAll(H_UPGRADE);
    return this;
  }

  /**
   * Writes the edited head into one new array (or returns head.raw if unchanged). The array is a
   * view into a shared slab (see allocFromSlab in chars.ts): hand it to the socket, don't keep it.
   */
  build(): Uint8Array {
    const h = this.current;
    if (!this.changed) return h.raw;
    return this.#write(undefined);
  }

  /**
   * The edited response head as the response parser would make of build()'s bytes, without
   * reading them again: the kept lines' offsets shifted, the written ones' recorded as they are
   * written, the framing facts derived by the same analysis. The unedited head itself when
   * nothing changed; undefined when the status line was rewritten (parse build()'s bytes then).
   * Throws HttpParseError where the parser would: over `maxHeaders` fields or `maxHeadSize` bytes.
   */
  buildResponseHead(maxHeaders: number, maxHeadSize: number): ResponseHead | undefined {
    const h = this.current;
    if (!(h instanceof ResponseHead) || this.startLine !== undefined) return undefined;
    if (!this.changed) return h;
    const offsets: number[] = [];
    const raw = this.#write(offsets);
    const count = fieldCount(offsets, raw, maxHeaders, maxHeadSize, true);
    const head = new ResponseHead(raw, offsets, count, h.startLineEnd, h.versionMinor);
    head.status = h.status;
    head.reason = h.reason;
    analyzeResponse(head);
    return head;
  }

  /**
   * The edited request head as the request parser would make of build()'s bytes (see
   * buildResponseHead), for a reader of the head rather than of its bytes: an HTTP/2 server's
   * stream, the balancer. A request line set by setRequestLine is written with single spaces,
   * as the parser then reads it. Undefined when this is no request head (or its target was
   * rewritten in place: parse build()'s bytes then). Throws HttpParseError where the parser would.
   */
  buildRequestHead(maxHeaders: number, maxHeadSize: number): RequestHead | undefined {
    const h = this.current;
    if (!(h instanceof RequestHead)) return undefined;
    if (!this.changed) return h;
    const line = this.startLine;
    if (line === undefined ? h.targetBuffer !== h.raw : this.lineMethod === '') return undefined;
    const offsets: number[] = [];
    const raw = this.#write(offsets);
    const count = fieldCount(offsets, raw, maxHeaders, maxHeadSize, false);
    let head: RequestHead;
    if (line === undefined) {
      // The received request line, copied as it came: the same words at the same offsets.
      head = new RequestHead(raw, offsets, count, h.startLineEnd, h.versionMinor);
      head.method = h.method;
      head.targetStart = h.targetStart;
      head.targetEnd = h.targetEnd;
      head.spacedRequestLine = h.spacedRequestLine;
      head.oddVersion = h.oddVersion;
    } else {
      head = new RequestHead(raw, offsets, count, utf8Length(line) + CRLF, this.lineVersionMinor);
      // The method is a token and the target ASCII (assertTarget): one byte a character.
      head.method = this.lineMethod;
      head.targetStart = this.lineMethod.length + 1;
      head.targetEnd = head.targetStart + this.lineTarget.length;
    }
    analyzeRequest(head);
    return head;
  }

  /** Writes the edited head; with `offsets`, records each field's as the head parser would. */
  #write(offsets: number[] | undefined): Uint8Array {
    const h = this.current;
    const raw = h.raw;
    const o = h.offsets;
    const n = h.headerCount;
    const headersEnd = raw.length - 2; // before the final CRLF
    let size = this.startLine === undefined ? h.startLineEnd : utf8Length(this.startLine) + CRLF;
    for (let i = 0; i < n; i++) {
      const mark = this.removed[i];
      if (mark === 0) size += h.lineEnd(i) - o[4 * i]!;
      else if (mark === 2) size += o[4 * i + 1]! - o[4 * i]! + COLON_SP + valueLength(this.replacement(i)) + CRLF;
    }
    const names = this.addNames;
    const values = this.addValues;
    for (let i = 0; i < names.length; i++) size += names[i]!.bytes.length + COLON_SP + valueLength(values[i]!) + CRLF;
    size += CRLF;

    const out = allocFromSlab(size);
    let pos: number;
    if (this.startLine === undefined) {
      pos = copyBytes(out, 0, raw, 0, h.startLineEnd);
    } else {
      pos = writeString(out, 0, this.startLine);
      out[pos++] = 0x0d;
      out[pos++] = 0x0a;
    }
    // copy runs of consecutive kept lines
    let runStart = -1;
    let shift = 0;
    for (let i = 0; i < n; i++) {
      const mark = this.removed[i];
      if (mark === 0) {
        if (runStart < 0) {
          runStart = o[4 * i]!;
          shift = pos - runStart;
        }
        if (offsets !== undefined) offsets.push(o[4 * i]! + shift, o[4 * i + 1]! + shift, o[4 * i + 2]! + shift, o[4 * i + 3]! + shift);
        continue;
      }
      if (runStart >= 0) {
        pos = copyBytes(out, pos, raw, runStart, o[4 * i]!);
        runStart = -1;
      }
      if (mark === 2) pos = writeField(out, pos, raw.subarray(o[4 * i]!, o[4 * i + 1]!), this.replacement(i), offsets);
    }
    if (runStart >= 0) pos = copyBytes(out, pos, raw, runStart, headersEnd);
    for (let i = 0; i < names.length; i++) pos = writeField(out, pos, names[i]!.bytes, values[i]!, offsets);
    out[pos++] = 0x0d;
    out[pos++] = 0x0a;
    return out;
  }
}

/** The number of fields #write recorded, within the parser's limits (else its error). */
function fieldCount(offsets: readonly number[], raw: Uint8Array, maxHeaders: number, maxHeadSize: number, isResponse: boolean): number {
  const count = offsets.length >> 2;
  if (count > maxHeaders) throw new HttpParseError('TOO_MANY_HEADERS', isResponse, -1);
  if (raw.length > maxHeadSize) throw new HttpParseError('HEAD_TOO_LARGE', isResponse, -1);
  return count;
}

function sameCaseless(a: Uint8Array, as: number, b: Uint8Array, bs: number, n: number): boolean {
  for (let i = 0; i < n; i++) {
    let x = a[as + i]!;
    let y = b[bs + i]!;
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}

/** Writes a field line; with `offsets`, records its offsets (the value without its blanks, as parsed). */
function writeField(out: Uint8Array, pos: number, name: Uint8Array, value: FieldValue, offsets?: number[]): number {
  const nameStart = pos;
  pos = copyBytes(out, pos, name, 0, name.length);
  const nameEnd = pos;
  out[pos++] = 0x3a;
  out[pos++] = 0x20;
  const valueStart = pos;
  pos = typeof value === 'string' ? writeString(out, pos, value) : copyBytes(out, pos, value, 0, value.length);
  if (offsets !== undefined) {
    let vs = valueStart;
    let ve = pos;
    while (vs < ve && (out[vs] === SP || out[vs] === HTAB)) vs++;
    while (ve > vs && (out[ve - 1] === SP || out[ve - 1] === HTAB)) ve--;
    offsets.push(nameStart, nameEnd, vs, ve);
  }
  out[pos++] = 0x0d;
  out[pos++] = 0x0a;
  return pos;
}

/** Header list for the builders: [name, value] pairs, names as strings or pre-encoded. */
const TRAILERS = latin1Bytes('trailers');

/**
 * HAProxy's test on a TE value (mux_h1.c, h1_process_output): its first `trailers`, compared
 * case-sensitively, ends the value or is followed by a comma (`trailers;q=0.5` does not count).
 */
function namesTrailers(raw: Uint8Array, start: number, end: number): boolean {
  const n = TRAILERS.length;
  outer: for (let p = start; p + n <= end; p++) {
    for (let k = 0; k < n; k++) if (raw[p + k] !== TRAILERS[k]) continue outer;
    return p + n === end || raw[p + n] === COMMA;
  }
  return false;
}

export type HeaderList = ReadonlyArray<readonly [HeaderName | string, FieldValue]>;

function buildHead(startLine: string, headers: HeaderList): Uint8Array {
  let size = utf8Length(startLine) + CRLF + CRLF;
  const names: HeaderName[] = [];
  for (const [name, value] of headers) {
    const n = asName(name);
    assertFieldValue(value);
    names.push(n);
    size += n.bytes.length + COLON_SP + valueLength(value) + CRLF;
  }
  const out = allocFromSlab(size);
  let pos = writeString(out, 0, startLine);
  out[pos++] = 0x0d;
  out[pos++] = 0x0a;
  for (let i = 0; i < names.length; i++) pos = writeField(out, pos, names[i]!.bytes, headers[i]![1]);
  out[pos++] = 0x0d;
  out[pos++] = 0x0a;
  return out;
}

/** `METHOD SP target SP HTTP/1.x CRLF` + headers + CRLF. */
export function buildRequestHead(method: string, target: string, headers: HeaderList = [], versionMinor: 0 | 1 = 1): Uint8Array {
  assertToken(method, 'method');
  assertTarget(target);
  return buildHead(`${method} ${target} HTTP/1.${versionMinor}`, headers);
}

/** `HTTP/1.x SP status SP reason CRLF` + headers + CRLF. The reason defaults to the standard phrase. */
export function buildResponseHead(status: number, reason: string = reasonPhrase(status), headers: HeaderList = [], versionMinor: 0 | 1 = 1): Uint8Array {
  if (!Number.isInteger(status) || status < 100 || status > 999) throw new RangeError(`invalid status ${status}`);
  assertFieldValue(reason);
  return buildHead(`HTTP/1.${versionMinor} ${status} ${reason}`, headers);
}

const REASONS: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  103: 'Early Hints',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/** RFC 9110 reason phrase for a status (empty for an unknown one). */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? '';
}

/** Pre-encoded "chunked" last-chunk + empty trailer section, for generated chunked bodies. */
export const LAST_CHUNK: Uint8Array = latin1Bytes('0\r\n\r\n');
