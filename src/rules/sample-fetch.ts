/**
 * Sample fetches (HAProxy's "fetch" half of a sample expression), compiled once per config
 * generation into closures that read a session's request. This is the subset that balancing
 * (`balance hash EXPR`) and stick rules (`stick on EXPR`) need; the rules issue grows it (and
 * adds converters) behind the same interface.
 *
 * Supported: src, method, path, url, query, base, req.hdr(NAME[,OCC]) / hdr(NAME[,OCC]),
 * url_param(NAME) / urlp(NAME), req.cookie(NAME) / cook(NAME) / cookie(NAME).
 * Header and cookie fetches return the last occurrence by default, as HAProxy's do.
 */

import type { LbRequest } from '../balance/balancer.ts';
import { latin1String } from '../http/codec/chars.ts';
import type { RequestHead } from '../http/codec/head.ts';

export interface SampleFetch {
  /** The expression as written. */
  readonly expression: string;
  /** Reads the HTTP request: yields nothing in tcp mode. */
  readonly l7: boolean;
  /** The sample as text, or undefined when absent (no such header, tcp mode...). */
  fetch(req: LbRequest): string | undefined;
}

export type CompiledFetch = { readonly ok: true; readonly fetch: SampleFetch } | { readonly ok: false; readonly message: string };

/** Names this module knows, for error messages. */
export const SAMPLE_FETCHES = [
  'src', 'method', 'path', 'url', 'query', 'base', 'req.hdr', 'hdr', 'url_param', 'urlp', 'req.cookie', 'cook', 'cookie',
] as const;

const CALL = /^([a-z][a-z0-9._]*)(?:\(([^()]*)\))?$/;

/** Compiles `expression` (e.g. `req.hdr(host)`, `src`, `url_param(id)`), or explains why not. */
export function compileSampleFetch(expression: string): CompiledFetch {
  const m = CALL.exec(expression.trim());
  if (m === null) return { ok: false, message: `invalid sample expression '${expression}'` };
  const name = m[1] as string;
  const args = m[2] === undefined ? [] : m[2].split(',').map((a) => a.trim());
  const make = (l7: boolean, fetch: (req: LbRequest) => string | undefined): CompiledFetch => ({
    ok: true,
    fetch: { expression, l7, fetch },
  });
  const noArgs = (): string | undefined => (args.length > 0 ? `fetch method '${name}' takes no argument` : undefined);
  switch (name) {
    case 'src': {
      const e = noArgs();
      return e ? { ok: false, message: e } : make(false, (req) => req.clientAddress);
    }
    case 'method': {
      const e = noArgs();
      return e ? { ok: false, message: e } : make(true, (req) => req.lbHead?.method);
    }
    case 'path':
    case 'url':
    case 'query':
    case 'base': {
      const e = noArgs();
      if (e) return { ok: false, message: e };
      const part = name;
      return make(true, (req) => (req.lbHead === undefined ? undefined : targetPart(req.lbHead, part)));
    }
    case 'req.hdr':
    case 'hdr': {
      const header = args[0];
      if (header === undefined || header === '') return { ok: false, message: `fetch method '${name}' expects a header name` };
      const occ = args[1] === undefined ? -1 : Number(args[1]);
      if (!Number.isInteger(occ) || occ === 0 || args.length > 2) {
        return { ok: false, message: `fetch method '${name}': invalid occurrence '${args[1] ?? ''}'` };
      }
      const lower = new TextEncoder().encode(header.toLowerCase());
      return make(true, (req) => (req.lbHead === undefined ? undefined : headerOccurrence(req.lbHead, lower, occ)));
    }
    case 'url_param':
    case 'urlp': {
      const param = args[0];
      if (param === undefined || param === '' || args.length > 2) {
        return { ok: false, message: `fetch method '${name}' expects a parameter name` };
      }
      const delimiter = args[1] ?? '&';
      return make(true, (req) => (req.lbHead === undefined ? undefined : urlParam(req.lbHead.target, param, delimiter)));
    }
    case 'req.cookie':
    case 'cook':
    case 'cookie': {
      const cookie = args[0];
      if (cookie === undefined || cookie === '' || args.length > 1) {
        return { ok: false, message: `fetch method '${name}' expects a cookie name` };
      }
      return make(true, (req) => (req.lbHead === undefined ? undefined : requestCookie(req.lbHead, cookie)));
    }
    default:
      return {
        ok: false,
        message: `unknown fetch method '${name}' (supported: ${SAMPLE_FETCHES.join(', ')})`,
      };
  }
}

/** Start of the path in an origin-form or absolute-form target (after scheme://authority). */
export function pathStart(target: string): number {
  if (target.charCodeAt(0) === 0x2f /* / */) return 0;
  const scheme = target.indexOf('://');
  if (scheme < 0) return 0;
  const slash = target.indexOf('/', scheme + 3);
  return slash < 0 ? target.length : slash;
}

function targetPart(head: RequestHead, part: 'path' | 'url' | 'query' | 'base'): string | undefined {
  const target = head.target;
  if (part === 'url') return target;
  const q = target.indexOf('?');
  if (part === 'query') return q < 0 ? undefined : target.slice(q + 1);
  const path = target.slice(pathStart(target), q < 0 ? target.length : q);
  if (part === 'path') return path;
  const host = head.host;
  return host === undefined ? path : host + path;
}

function headerOccurrence(head: RequestHead, lower: Uint8Array, occ: number): string | undefined {
  const values: number[] = [];
  for (let i = head.indexOf(lower); i >= 0; i = head.indexOf(lower, i + 1)) values.push(i);
  const index = occ > 0 ? values[occ - 1] : values[values.length + occ];
  return index === undefined ? undefined : head.valueAt(index);
}

/** Value of the first `name=` parameter of the target's query string, or undefined. */
export function urlParam(target: string, name: string, delimiter = '&'): string | undefined {
  const q = target.indexOf('?');
  if (q < 0) return undefined;
  let start = q + 1;
  while (start <= target.length) {
    let end = target.indexOf(delimiter, start);
    if (end < 0) end = target.length;
    if (end - start > name.length && target.charCodeAt(start + name.length) === 0x3d /* = */ && target.startsWith(name, start)) {
      return target.slice(start + name.length + 1, end);
    }
    start = end + 1;
  }
  return undefined;
}

const COOKIE = new TextEncoder().encode('cookie');
const SP = 0x20;
const HTAB = 0x09;
const SEMI = 0x3b;
const EQ = 0x3d;

/**
 * Value of the last cookie called `name` in the request's Cookie headers, or undefined. Scans the
 * head's bytes in place: only the value found is turned into a string.
 */
export function requestCookie(head: RequestHead, name: string): string | undefined {
  const raw = head.raw;
  const o = head.offsets;
  let foundStart = -1;
  let foundEnd = -1;
  for (let i = head.indexOf(COOKIE); i >= 0; i = head.indexOf(COOKIE, i + 1)) {
    const end = o[4 * i + 3]!;
    let p = o[4 * i + 2]!;
    while (p < end) {
      while (p < end && (raw[p] === SP || raw[p] === HTAB || raw[p] === SEMI)) p++;
      const nameStart = p;
      while (p < end && raw[p] !== EQ && raw[p] !== SEMI) p++;
      if (p >= end || raw[p] !== EQ) continue;
      let nameEnd = p;
      while (nameEnd > nameStart && (raw[nameEnd - 1] === SP || raw[nameEnd - 1] === HTAB)) nameEnd--;
      let valueStart = ++p;
      while (p < end && raw[p] !== SEMI) p++;
      let valueEnd = p;
      while (valueStart < valueEnd && (raw[valueStart] === SP || raw[valueStart] === HTAB)) valueStart++;
      while (valueEnd > valueStart && (raw[valueEnd - 1] === SP || raw[valueEnd - 1] === HTAB)) valueEnd--;
      if (sameName(raw, nameStart, nameEnd, name)) {
        foundStart = valueStart;
        foundEnd = valueEnd;
      }
    }
  }
  return foundStart < 0 ? undefined : latin1String(raw, foundStart, foundEnd);
}

function sameName(raw: Uint8Array, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (raw[start + k] !== name.charCodeAt(k)) return false;
  return true;
}
