import { compileSampleFetch, type SampleFetch } from '../rules/sample-fetch.ts';
import type { LbRequest } from './balancer.ts';
import type { HashKey } from './hash-balancer.ts';
import type { HashFunction } from './hash-functions.ts';

/**
 * `balance hash EXPR`: hashes the sample EXPR fetches (e.g. `req.hdr(host)`, `src`,
 * `url_param(id)`), compiled once. The sample is a string (latin1 characters are hashed as the
 * bytes they came from), copied into a reused buffer before hashing. No sample (absent header,
 * L7 fetch in tcp mode): no key, round-robin. The only hash key that allocates per pick: the
 * sample string itself.
 */
export class ExpressionKey implements HashKey {
  readonly #fetch: SampleFetch;
  readonly #fn: HashFunction;
  /** An empty sample is no key (`balance rdp-cookie`). */
  readonly #emptyIsNone: boolean;
  #buf = new Uint8Array(256);

  constructor(expression: string, fn: HashFunction, emptyIsNone = false) {
    const compiled = compileSampleFetch(expression);
    if (!compiled.ok) throw new Error(`balance hash: ${compiled.message}`);
    this.#fetch = compiled.fetch;
    this.#fn = fn;
    this.#emptyIsNone = emptyIsNone;
  }

  hash(req: LbRequest): number | undefined {
    const sample = this.#fetch.fetch(req);
    if (sample === undefined || (this.#emptyIsNone && sample === '')) return undefined;
    const n = sample.length;
    if (n > this.#buf.length) this.#buf = new Uint8Array(Math.max(n, this.#buf.length * 2));
    const buf = this.#buf;
    for (let i = 0; i < n; i++) buf[i] = sample.charCodeAt(i);
    return this.#fn(buf, 0, n);
  }
}
