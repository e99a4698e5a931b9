import { CR, HTAB, LF, SP, TCHAR } from '../http/codec/chars.ts';
import type { LbRequest } from './balancer.ts';
import type { HashKey } from './hash-balancer.ts';
import type { HashFunction } from './hash-functions.ts';

const AMP = 0x26;
const EQUALS = 0x3d;
const QUESTION = 0x3f;

/** A body's value that is not URL-encoded: the body holds no parameters, no key (round robin). */
const NOT_ENCODED = -1;

/**
 * `balance url_param NAME [check_post]`: hashes the value of the first `NAME=` parameter of the
 * query string (up to the next `&`; an empty value is still a key), scanning the head's bytes in
 * place as HAProxy's get_server_ph. When the query string has none and the method is POST, the
 * request payload held at that moment is scanned the same way (get_server_ph_post): what came
 * with the head, or the whole body after `option http-buffer-request`. HAProxy 2.6 does this
 * with or without `check_post`, which it parses and forgets. No parameter, or no head (tcp
 * mode): no key, round-robin.
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
    const p = raw.indexOf(QUESTION, head.targetStart);
    if (p >= 0 && p < end) {
      const hash = this.#scan(raw, p + 1, end, false);
      if (hash !== undefined) return hash;
    }
    if (head.method !== 'POST' || req.requestBody === undefined) return undefined;
    const payload = req.requestBody.payload();
    const hash = this.#scan(payload, 0, payload.byteLength, true);
    return hash === NOT_ENCODED ? undefined : hash;
  }

  /**
   * The hash of the first `NAME=` value in raw[p, end), or undefined. `body`: HAProxy's POST
   * variant, which checks the value's first byte (its loop never moves the pointer it checks):
   * a non-token byte ends the value there when it is white space (an empty value), else means
   * the payload is not URL-encoded (NOT_ENCODED).
   */
  #scan(raw: Uint8Array, p: number, end: number, body: boolean): number | undefined {
    const name = this.#name;
    const plen = name.length;
    while (end - p > plen) {
      if (raw[p + plen] === EQUALS && this.#nameAt(raw, p)) {
        const start = p + plen + 1;
        let stop = start;
        if (body && stop < end && raw[stop] !== AMP && TCHAR[raw[start] as number] === 0) {
          const first = raw[start] as number;
          if (first !== SP && first !== HTAB && first !== CR && first !== LF) return NOT_ENCODED;
        } else {
          while (stop < end && raw[stop] !== AMP) stop++;
        }
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
