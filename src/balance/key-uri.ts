import type { LbRequest } from './balancer.ts';
import type { HashKey } from './hash-balancer.ts';
import type { HashFunction } from './hash-functions.ts';

const SLASH = 0x2f;
const QUESTION = 0x3f;

/** `balance uri` options (see BalanceModel). */
export interface UriKeyOptions {
  /** Hash at most the first `len` characters (0 = all). */
  readonly len: number;
  /** Hash only the first `depth` directories (0 = all). */
  readonly depth: number;
  /** Include the query string. */
  readonly whole: boolean;
  /** Drop scheme and authority of an absolute-form target first. */
  readonly pathOnly: boolean;
}

/**
 * `balance uri [len N] [depth N] [whole] [path-only]`: hashes the request target exactly as
 * HAProxy's get_server_uh, straight from the head's bytes (no string): up to the `?` unless
 * `whole`, cut to `len` characters, and stopped before the (depth+1)-th `/`. Requests without a
 * head (tcp mode) have no key.
 */
export class UriKey implements HashKey {
  readonly #len: number;
  /** The slash the hash stops at (HAProxy stores depth + 1); 0 = none. */
  readonly #stopSlash: number;
  readonly #whole: boolean;
  readonly #pathOnly: boolean;
  readonly #fn: HashFunction;

  constructor(options: UriKeyOptions, fn: HashFunction) {
    this.#len = options.len;
    this.#stopSlash = options.depth > 0 ? options.depth + 1 : 0;
    this.#whole = options.whole;
    this.#pathOnly = options.pathOnly;
    this.#fn = fn;
  }

  hash(req: LbRequest): number | undefined {
    const head = req.lbHead;
    if (head === undefined) return undefined;
    // The target as the rules left it (set-path...): HAProxy balances on the edited request.
    const raw = head.targetBuffer;
    let start = head.targetStart;
    let end = head.targetEnd;
    if (this.#pathOnly) start = pathStart(raw, start, end);
    if (this.#len > 0 && end - start > this.#len) end = start + this.#len;
    let p = start;
    let slashes = 0;
    for (; p < end; p++) {
      const c = raw[p];
      if (c === SLASH) {
        if (++slashes === this.#stopSlash) break;
      } else if (c === QUESTION && !this.#whole) {
        break;
      }
    }
    return this.#fn(raw, start, p);
  }
}

function isAlpha(c: number): boolean {
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

/**
 * Where the path starts in raw[start, end) (HAProxy's http_get_path): after `scheme://authority`
 * of an absolute-form target; `end` (an empty path) for `*`, an authority-form target or an
 * absolute one without a path.
 */
export function pathStart(raw: Uint8Array, start: number, end: number): number {
  let p = start;
  if (p >= end || raw[p] === 0x2a /* * */) return end;
  if (isAlpha(raw[p]!)) {
    p++;
    while (p < end) {
      const c = raw[p]!;
      if (!(isAlpha(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)) break;
      p++;
    }
    if (p >= end || raw[p++] !== 0x3a /* : */) return end;
    if (p >= end || raw[p++] !== SLASH) return end;
    if (p >= end || raw[p++] !== SLASH) return end;
  }
  while (p < end && raw[p] !== SLASH) p++;
  return p;
}
