/**
 * When HAProxy 2.6 compresses a response, to the letter of flt_http_comp.c:
 * select_compression_request_header (the algorithm, from Accept-Encoding, after the request
 * rules) and select_compression_response_header (the response as the server sent it, before
 * the response rules).
 */
import type { CompressionAlgo, CompressionModel } from '../../config/model.ts';
import { latin1Bytes, TCHAR } from '../codec/chars.ts';
import type { RequestHead, ResponseHead } from '../codec/head.ts';
import type { HeadEditor } from '../codec/serialize.ts';
import { collectHeaderValues } from '../../rules/header-view.ts';

/** The compression of one frontend/backend pair, as HAProxy reads it from `strm_fe(s)->comp` and `s->be->comp`. */
export interface CompressionSettings {
  /** The backend's algorithms if it has any, else the frontend's; HAProxy's list order. */
  readonly algos: readonly CompressionAlgo[];
  /** Likewise for the types. */
  readonly types: readonly string[];
  /** Either proxy's `compression offload`. */
  readonly offload: boolean;
}

export function compressionSettings(frontend: CompressionModel | undefined, backend: CompressionModel | undefined): CompressionSettings | undefined {
  if (frontend === undefined && backend === undefined) return undefined;
  const algos = backend !== undefined && backend.algos.length > 0 ? backend.algos : (frontend?.algos ?? []);
  const types = backend !== undefined && backend.types.length > 0 ? backend.types : (frontend?.types ?? []);
  return { algos, types, offload: backend?.offload === true || frontend?.offload === true };
}

/** The name an algorithm has in Accept-Encoding and Content-Encoding (HAProxy's ua_name). */
export function codingName(algo: CompressionAlgo): string {
  return algo === 'raw-deflate' ? 'deflate' : algo;
}

const USER_AGENT = latin1Bytes('user-agent');
const ACCEPT_ENCODING = latin1Bytes('accept-encoding');
const CONTENT_ENCODING = latin1Bytes('content-encoding');
const CACHE_CONTROL = latin1Bytes('cache-control');
const CONTENT_TYPE = latin1Bytes('content-type');
const ETAG = latin1Bytes('etag');

/**
 * The algorithm for this request (undefined: none), read from the request as the rules left it.
 * HAProxy: old "Mozilla/4" agents get nothing (unless MSIE 6 SP2 or later); the Accept-Encoding
 * element with the highest q-value (first wins a tie) that names one of the algorithms, or `*`
 * (then the first algorithm of the list); else `identity` when it is in the list.
 */
export function selectRequestAlgo(settings: CompressionSettings, req: RequestHead, editor: HeadEditor | undefined): CompressionAlgo | undefined {
  const values: string[] = [];
  collectHeaderValues(req, editor, USER_AGENT, false, values);
  const ua = values[0];
  if (ua !== undefined && oldMozilla(ua)) return undefined;
  let chosen: CompressionAlgo | undefined;
  const algos = settings.algos;
  if (algos.length > 0) {
    values.length = 0;
    collectHeaderValues(req, editor, ACCEPT_ENCODING, true, values);
    let bestQ = 0;
    for (const value of values) {
      let tokenLength = 0;
      while (tokenLength < value.length && TCHAR[value.charCodeAt(tokenLength)] === 1) tokenLength++;
      const q = qValueOf(value, tokenLength);
      if (q <= bestQ) continue;
      for (const algo of algos) {
        if (value.charCodeAt(0) === 0x2a /* * */ || wordMatch(value, tokenLength, codingName(algo))) {
          chosen = algo;
          bestQ = q;
          break;
        }
      }
    }
  }
  if (chosen !== undefined) return chosen;
  // identity is implicit and requires no header.
  return algos.includes('identity') ? 'identity' : undefined;
}

/** HAProxy's test for user agents known to mishandle compression. */
function oldMozilla(ua: string): boolean {
  if (ua.length < 9 || !ua.startsWith('Mozilla/4')) return false;
  if (ua.length < 31 || ua.slice(25, 30) !== 'MSIE ') return true;
  const major = ua.charCodeAt(30);
  if (major < 0x36 /* 6 */) return true;
  return major === 0x36 && (ua.length < 54 || ua.slice(51, 54) !== 'SV1');
}

function isLws(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** The element's first `q=` parameter after its token, as HAProxy finds it; 1000 when none. */
function qValueOf(value: string, tokenLength: number): number {
  const end = value.length;
  let p = tokenLength;
  for (;;) {
    while (p < end && isLws(value.charCodeAt(p))) p++;
    if (p >= end || value.charCodeAt(p) !== 0x3b /* ; */) return 1000;
    p++;
    while (p < end && isLws(value.charCodeAt(p))) p++;
    if (p >= end) return 1000;
    // strncmp(qval, "q=", MIN(left, 2))
    const left = Math.min(end - p, 2);
    if ('q='.slice(0, left) === value.slice(p, p + left)) return parseQValue(value, p + 2);
    while (p < end && value.charCodeAt(p) !== 0x3b) p++;
  }
}

/** HAProxy's http_parse_qvalue: "d[.ddd]" in thousandths, at most 1000. */
export function parseQValue(value: string, at: number): number {
  const digit = (i: number): number => {
    const c = value.charCodeAt(i);
    return c >= 0x30 && c <= 0x39 ? c - 0x30 : -1;
  };
  let q = 1000;
  let p = at;
  if (digit(p) < 0) return q;
  q = digit(p++) * 1000;
  if (value.charCodeAt(p++) !== 0x2e /* . */) return Math.min(q, 1000);
  for (const weight of [100, 10, 1]) {
    if (digit(p) < 0) return Math.min(q, 1000);
    q += digit(p++) * weight;
  }
  return Math.min(q, 1000);
}

/** HAProxy's word_match: the first `length` characters are `word`, ASCII case aside, then only spaces. */
function wordMatch(sample: string, length: number, word: string): boolean {
  if (length < word.length) return false;
  for (let i = 0; i < word.length; i++) {
    const x = sample.charCodeAt(i) ^ word.charCodeAt(i);
    if (x !== 0 && x !== 0x20) return false;
  }
  for (let i = word.length; i < length; i++) {
    const c = sample.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/**
 * Whether the server's response may be compressed (the request having chosen an algorithm):
 * HTTP/1.1 on both sides, not HEAD, status 200-203, a known length (Content-Length or chunked),
 * no Content-Encoding, no `Cache-Control: no-transform`, at most one valid ETag, a Content-Type
 * that is not multipart and starts with one of `compression type` when the list is not empty
 * (no Content-Type then refuses).
 */
export function responseCompressible(settings: CompressionSettings, req: RequestHead, res: ResponseHead): boolean {
  if (res.versionMinor !== 1 || (req.versionMinor !== 1 && !req.http2)) return false;
  if (req.method === 'HEAD' || req.method === 'CONNECT') return false;
  const status = res.status;
  if (status < 200 || status > 203) return false;
  if (!res.chunked && res.contentLength === undefined) return false;
  if (res.has(CONTENT_ENCODING)) return false;
  const values: string[] = [];
  collectHeaderValues(res, undefined, CACHE_CONTROL, true, values);
  for (const v of values) if (wordMatch(v, v.length, 'no-transform')) return false;
  const etag = res.indexOf(ETAG);
  if (etag >= 0) {
    if (etagType(res.valueAt(etag)) === 'invalid') return false;
    if (res.indexOf(ETAG, etag + 1) >= 0) return false;
  }
  const typeAt = res.indexOf(CONTENT_TYPE);
  if (typeAt >= 0) {
    const type = res.valueAt(typeAt);
    if (type.length >= 9 && type.slice(0, 9).toLowerCase() === 'multipart') return false;
    const types = settings.types;
    if (types.length > 0) {
      const lower = type.toLowerCase();
      if (!types.some((t) => lower.startsWith(t.toLowerCase()))) return false;
    }
  } else if (settings.types.length > 0) {
    return false;
  }
  return true;
}

/** HAProxy's http_get_etag_type. */
export function etagType(value: string): 'strong' | 'weak' | 'invalid' {
  if (value.length < 2 || value.charCodeAt(value.length - 1) !== 0x22) return 'invalid';
  if (value.charCodeAt(0) === 0x22) return 'strong';
  return value.startsWith('W/"') ? 'weak' : 'invalid';
}
