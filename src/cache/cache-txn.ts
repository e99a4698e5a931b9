/**
 * One transaction's dealings with the caches (HAProxy's txn cache fields and the cache filter's
 * per-stream context): `http-request cache-use` computes the request's key and looks it up;
 * `http-response cache-store` decides whether the response is stored and starts the entry; the
 * cache filter (cache-filter.ts, on the stream's response filter seam) then hands the response's
 * payload over (data(), framing removed) and its end (end()), after which the entry serves hits.
 * One object per client connection, reset for each transaction.
 */
import { readResponseHead, type RequestHead, type ResponseHead } from '../http/codec/index.ts';
import { latin1Bytes, latin1String } from '../http/codec/chars.ts';
import type { HeadEditor } from '../http/codec/serialize.ts';
import { CacheFlag, lastModifiedOf, maxAgeOf, methodFlags, requestCacheability, responseCacheability } from './cacheability.ts';
import { notModified } from './conditional.ts';
import { HeaderReader } from './header-reader.ts';
import { CacheEntry, type HttpCache } from './http-cache.ts';
import { reduceKey, responseEncodingBitmap, secondaryKey, varySignature, type SecondaryKey } from './vary.ts';

/** HAProxy's CACHE_ENTRY_MAX_AGE. */
const MAX_AGE = 2147483648;
const UNSAFE_EXCEPT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
/** Fields of the received head the stored copy leaves out: this hop's, and `Age` (sent recomputed). */
const NOT_STORED = new Set(['connection', 'keep-alive', 'proxy-connection', 'age']);
const AGE = /^\d+$/;
/** A stored head's fields (at most tune.http.maxhdr), its Content-Length and Age. */
const HIT_MAX_HEADERS = 104;

/** What `cache-use` did: no lookup (the request may not use the cache), a miss or a hit. */
export const Lookup = { none: 0, miss: 1, hit: 2 } as const;
export type Lookup = (typeof Lookup)[keyof typeof Lookup];

/** What a hit sends: the head (shared between hits: never modified) and the payload, already framed. */
export interface CachedResponse {
  readonly head: ResponseHead;
  readonly body: readonly Uint8Array[];
  readonly status: number;
}

export class CacheTxn {
  readonly #reader = new HeaderReader();
  /** The transaction has been seen by a cache rule (the fields below belong to it). */
  #started = false;
  #flags = 0;
  /** The request's primary key (sha1_hosturi's input), undefined when it has none. */
  key: string | undefined = undefined;
  #secondary: SecondaryKey | undefined = undefined;
  /** The entry `cache-use` found, and the cache it belongs to. */
  hit: CacheEntry | undefined = undefined;
  hitCache: HttpCache | undefined = undefined;
  #notModified = false;
  /** The entry being filled by the response's payload. */
  #storing: CacheEntry | undefined = undefined;
  #storeCache: HttpCache | undefined = undefined;

  /** The next transaction: an entry whose payload did not arrive whole is dropped. */
  reset(): void {
    if (this.#storing !== undefined) this.#abandon();
    this.#started = false;
    this.#flags = 0;
    this.key = undefined;
    this.#secondary = undefined;
    this.hit = undefined;
    this.hitCache = undefined;
    this.#notModified = false;
  }

  /** Whether the response payload is wanted (a `cache-store` started an entry). */
  get storing(): boolean {
    return this.#storing !== undefined;
  }

  /**
   * http_action_req_cache_use: whether the cache was looked up, and found the response (the
   * stream then answers from `hit`).
   */
  use(cache: HttpCache, req: RequestHead, edits: HeadEditor | undefined, now: number): Lookup {
    if (!this.#started) {
      this.#started = true;
      this.#flags = methodFlags(req.method);
    }
    const reader = this.#reader.reset(req, edits);
    if (req.versionMinor !== 1 || (req.method !== 'GET' && req.method !== 'HEAD')) this.#flags |= CacheFlag.ignore;
    this.#flags = requestCacheability(this.#flags, reader);
    // Computed for every method: a successful unsafe one invalidates the entry (RFC 7234 §4.4).
    this.key = primaryKey(req, reader);
    if (this.key === undefined || (this.#flags & CacheFlag.ignore) !== 0) return Lookup.none;
    cache.lookups++;
    const entry = cache.lookup(this.key, now, (signature) => (this.#secondary = secondaryKey(reader, signature)));
    if (entry !== undefined && entry.complete) {
      cache.touch(entry);
      cache.hits++;
      this.hit = entry;
      this.hitCache = cache;
      this.#notModified = notModified(reader, entry.etag, entry.lastModified);
      return Lookup.hit;
    }
    // The response will tell which headers it varies on: keep them all for now.
    if (entry === undefined && this.#secondary === undefined && cache.settings.processVary) this.#secondary = secondaryKey(reader);
    return Lookup.miss;
  }

  /** http_action_store_cache, on the response head as the rules before it edited it. */
  store(cache: HttpCache, req: RequestHead, res: ResponseHead, editor: HeadEditor, status: number, now: number): void {
    // A response the cache itself sent, or one already being stored, is not stored (again).
    if (this.hit !== undefined || this.#storing !== undefined) return;
    if (req.versionMinor !== 1) return;
    const key = this.key;
    if (req.method !== 'GET') {
      if (key !== undefined && status >= 200 && status < 400 && !UNSAFE_EXCEPT.has(req.method)) cache.invalidate(key, now);
      return;
    }
    if (key === undefined || status !== 200) return;
    const reader = this.#reader.reset(res, editor);
    if (res.contentLength !== undefined && !res.chunked && res.raw.byteLength + res.contentLength > cache.settings.maxObjectSize) return;
    let signature = 0;
    let secondary: SecondaryKey | undefined;
    if (cache.settings.processVary) {
      const vary = varySignature(reader);
      if (vary === undefined) return;
      signature = vary;
      if (signature !== 0) {
        if (this.#secondary === undefined) return;
        secondary = reduceKey(this.#secondary, signature);
      }
    } else if (reader.values('vary', true).length > 0) {
      return;
    }
    const flags = responseCacheability(this.#flags, status, reader);
    if ((flags & CacheFlag.cacheable) === 0 || (flags & CacheFlag.cookie) === 0 || (flags & CacheFlag.ignore) !== 0) return;
    const old = cache.existing(key, now, secondary);
    if (old !== undefined) {
      // Another response for this key is being stored: this one would waste room.
      if (!old.complete) return;
      cache.remove(old);
    }
    const entry = new CacheEntry(key, signature, secondary, now);
    if (!cache.insert(entry, now)) return;
    const maxAge = maxAgeOf(reader, cache.settings.maxAge, now) ?? { effective: -1, declared: 0 };
    const ageValue = reader.values('age', true)[0];
    if (ageValue !== undefined) {
      const age = AGE.test(ageValue) ? Math.min(Number(ageValue), MAX_AGE) : 0;
      // An unreadable Age, or one past the response's own max age: stale, not stored.
      if (age <= 0 || age > maxAge.declared) return cache.remove(entry);
      entry.age = age;
      editor.delete('age');
    }
    entry.lastModified = lastModifiedOf(reader, now);
    if (signature !== 0) {
      const encoding = responseEncodingBitmap(reader);
      if (encoding === undefined) return cache.remove(entry);
      (secondary as SecondaryKey)[0] = encoding;
    }
    const head = storedHead(res, editor, status);
    if (!cache.reserve(entry, head.text.length)) return cache.remove(entry);
    entry.head = head.text;
    entry.etag = head.etag;
    entry.chunked = res.chunked;
    entry.latestValidation = now;
    entry.expire = now + maxAge.effective;
    this.#storing = entry;
    this.#storeCache = cache;
  }

  /** Response payload bytes (framing removed), copied: the caller's memory may be reused. */
  data(payload: Uint8Array): void {
    const entry = this.#storing;
    if (entry === undefined || payload.byteLength === 0) return;
    if (!(this.#storeCache as HttpCache).reserve(entry, payload.byteLength)) return this.#abandon();
    entry.payload.push(payload.slice());
    entry.payloadBytes += payload.byteLength;
  }

  /** The response ended: the entry is complete and serves hits from now on. */
  end(): void {
    const entry = this.#storing;
    if (entry === undefined) return;
    // A close-delimited body ends with the connection: what came is the payload.
    entry.complete = true;
    this.#storing = undefined;
    this.#storeCache = undefined;
  }

  #abandon(): void {
    const entry = this.#storing as CacheEntry;
    this.#storeCache?.remove(entry);
    this.#storing = undefined;
    this.#storeCache = undefined;
  }

  /** What the hit sends (http_cache_io_handler): the stored head with its Age, a 304 or the payload. */
  response(now: number, head: boolean): CachedResponse {
    const entry = this.hit as CacheEntry;
    const age = Math.min(Math.max(0, now - entry.latestValidation) + entry.age, MAX_AGE);
    const status = this.#notModified ? 304 : 200;
    const text = hitHead(entry, this.#notModified, age);
    if (head || this.#notModified) return { head: text, body: [], status };
    if (!entry.chunked) return { head: text, body: entry.payload, status };
    // HAProxy's H1 mux frames the stored payload as one chunk (uppercase hexadecimal size).
    const body: Uint8Array[] = [];
    if (entry.payloadBytes > 0) body.push(latin1Bytes(`${entry.payloadBytes.toString(16).toUpperCase()}\r\n`), ...entry.payload, latin1Bytes('\r\n'));
    body.push(latin1Bytes('0\r\n\r\n'));
    return { head: text, body, status };
  }
}

/** The head a hit sends (the stored one with its length and Age, or a 304's), read once per second of age. */
function hitHead(entry: CacheEntry, notModified: boolean, age: number): ResponseHead {
  const variant = notModified ? 1 : 0;
  const last = entry.hitHeads[variant];
  if (last !== undefined && last.age === age && last.stored === entry.head) return last.head;
  const eol = entry.head.indexOf('\r\n');
  const statusLine = notModified ? 'HTTP/1.1 304 Not Modified' : entry.head.slice(0, eol);
  const lengthField = !entry.chunked && entry.head.indexOf('\r\ncontent-length:') < 0 ? `content-length: ${entry.payloadBytes}\r\n` : '';
  const head = readResponseHead(latin1Bytes(`${statusLine}${entry.head.slice(eol)}${lengthField}age: ${age}\r\n\r\n`), HIT_MAX_HEADERS);
  entry.hitHeads[variant] = { stored: entry.head, age, head };
  return head;
}

/**
 * sha1_hosturi's input: the absolute URI when the request carries one, else "https://" + the
 * first Host + the URI (so HTTP/1 and HTTP/2 requests share entries). No key without a URI or Host.
 */
function primaryKey(req: RequestHead, reader: HeaderReader): string | undefined {
  const uri = req.target;
  if (uri === '') return undefined;
  if (!uri.startsWith('/') && uri !== '*' && /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(uri)) return uri;
  const host = reader.values('host', true)[0];
  return host === undefined ? undefined : `https://${host}${uri}`;
}

function fieldText(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : latin1String(value, 0, value.byteLength);
}

/** The response head as the cache keeps it: its status line, then its fields as edited, names lowercased (HTX's form). */
function storedHead(res: ResponseHead, editor: HeadEditor, status: number): { text: string; etag: string | undefined } {
  let etag: string | undefined;
  // HAProxy's H1 mux writes every response as HTTP/1.1, with the reason phrase it received.
  let text = `HTTP/1.1 ${status} ${latin1String(res.raw, 13, res.startLineEnd - 2)}`;
  const add = (name: string, value: string): void => {
    if (NOT_STORED.has(name)) return;
    if (name === 'etag') etag = value;
    text += `\r\n${name}: ${value}`;
  };
  for (let i = 0; i < res.headerCount; i++) {
    const value = editor.editedValue(i);
    if (value !== undefined) add(res.nameAt(i).toLowerCase(), fieldText(value).trim());
  }
  for (let j = 0; j < editor.appendedCount; j++) add(editor.appendedName(j).name.toLowerCase(), fieldText(editor.appendedValue(j)));
  return { text: `${text}\r\n`, etag };
}

