import type { LbRequest } from './balancer.ts';
import type { HashKey } from './hash-balancer.ts';
import type { HashFunction } from './hash-functions.ts';

const AMP = 0x26;
const EQUALS = 0x3d;
const QUESTION = 0x3f;

/**
 * `balance url_param NAME`: hashes the value of the first `NAME=` parameter of the query string
 * (up to the next `&`; an empty value is still a key), scanning the head's bytes in place as
 * HAProxy's get_server_ph. No such parameter, no query string, or no head (tcp mode): no key,
 * round-robin. (`check_post`, which would look into the body, is not supported.)
 */
export class UrlParamKey implements HashKey {
  readonly #name: Uint8Array;
  readonly #fn: HashFunction;

  constructor(name: string, fn: HashFunction) {
    if (name.length === 0) throw new Error('balance url_param: the parameter name is empty');
    this.#name = new Uint8Array(name.length);
    for (let i = 0; i < name.length; i++) this.#name[i] = name.charCodeAt(i) & 0xff;
    this.#fn = fn;
  }

  hash(req: LbRequest): number | undefined {
    const head = req.lbHead;
    if (head === undefined) return undefined;
    // The target as the rules left it (set-query...): HAProxy balances on the edited request.
    const raw = head.targetBuffer;
    const end = head.targetEnd;
    let p = raw.indexOf(QUESTION, head.targetStart);
    if (p < 0 || p >= end) return undefined;
    p++;
    const name = this.#name;
    const plen = name.length;
    while (end - p > plen) {
      if (raw[p + plen] === EQUALS && this.#nameAt(raw, p)) {
        const start = p + plen + 1;
        let stop = start;
        while (stop < end && raw[stop] !== AMP) stop++;
        return this.#fn(raw, start, stop);
      }
      const amp = raw.indexOf(AMP, p);
      if (amp < 0 || amp >= end) return undefined;
      p = amp + 1;
    }
    return undefined;
  }

  #nameAt(raw: Uint8Array, p: number): boolean {
    const name = this.#name;
    for (let i = 0; i < name.length; i++) if (raw[p + i] !== name[i]) return false;
    return true;
  }
}
