import type { LbRequest } from './balancer.ts';
import type { HashKey } from './hash-balancer.ts';
import type { HashFunction } from './hash-functions.ts';

const COMMA = 0x2c;
const DOT = 0x2e;
const SP = 0x20;
const HTAB = 0x09;

/**
 * `balance hdr(NAME) [use_domain_only]`: hashes the first value of the first NAME header (up to
 * a comma, as HAProxy's http_find_header), from the head's bytes. With `use_domain_only` only
 * the domain label before the top-level domain is hashed ("www.example.com" and
 * "mail.example.com" both hash "example"), HAProxy's get_server_hh walk. A missing or empty
 * header, or no head (tcp mode): no key, round-robin.
 */
export class HeaderKey implements HashKey {
  readonly #name: Uint8Array;
  readonly #domainOnly: boolean;
  readonly #fn: HashFunction;

  constructor(name: string, useDomainOnly: boolean, fn: HashFunction) {
    if (name.length === 0) throw new Error('balance hdr(): the header name is empty');
    const lower = name.toLowerCase();
    this.#name = new Uint8Array(lower.length);
    for (let i = 0; i < lower.length; i++) this.#name[i] = lower.charCodeAt(i) & 0xff;
    this.#domainOnly = useDomainOnly;
    this.#fn = fn;
  }

  hash(req: LbRequest): number | undefined {
    const head = req.lbHead;
    if (head === undefined) return undefined;
    const i = head.indexOf(this.#name);
    if (i < 0) return undefined;
    const raw = head.raw;
    const start = head.offsets[4 * i + 2]!;
    let end = head.offsets[4 * i + 3]!;
    const comma = raw.indexOf(COMMA, start);
    if (comma >= 0 && comma < end) {
      end = comma;
      while (end > start && (raw[end - 1] === SP || raw[end - 1] === HTAB)) end--;
    }
    if (end === start) return undefined;
    if (!this.#domainOnly) return this.#fn(raw, start, end);
    return this.#domainHash(raw, start, end);
  }

  /** From the right: the hash ends at the last dot, starts after the dot before it (or at the start). */
  #domainHash(raw: Uint8Array, start: number, end: number): number {
    let p = end;
    let stop = end;
    let inDomain = false;
    for (let len = end - start; len > 0; len--) {
      if (inDomain) {
        if (raw[p - 1] === DOT) break;
      } else if (p < end && raw[p] === DOT) {
        stop = p;
        inDomain = true;
      }
      p--;
    }
    return this.#fn(raw, p, stop);
  }
}
