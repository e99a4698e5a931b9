/**
 * HAProxy's URL hash fetches (http_fetch.c): `base32` (the Host header's first value then the
 * path up to '?', hashed) and `url32` (the whole Host value then the path with its query), both
 * through sdbm's loop and full_hash's avalanche; `base32+src` / `url32+src` append the client
 * address to the hash as binary (the hash in network order, then the 4 or 16 address bytes), a
 * key for stick tables per client and page.
 */
import { fullHash } from '../balance/hash-functions.ts';
import { latin1Bytes } from '../http/codec/chars.ts';
import type { RequestHead } from '../http/codec/head.ts';
import { uriPathStart } from '../http/codec/request-target.ts';
import { parseAddress } from '../util/cidr.ts';
import { collectHeaderValues } from './header-view.ts';
import type { SampleContext } from './sample-context.ts';
import type { FetchFactory } from './sample-fetch.ts';

const HOST = latin1Bytes('host');
/** Reused scratch for header values (fetches run one at a time). */
const VALUES: string[] = [];

/** sdbm's step over `text[from, to)`, continuing `hash` (unsigned 32-bit). */
function sdbm(hash: number, text: string, from: number, to: number): number {
  let h = hash;
  for (let i = from; i < to; i++) h = (text.charCodeAt(i) + (h << 6) + (h << 16) - h) >>> 0;
  return h;
}

/** The hash of `base32` (query dropped) or `url32` (query kept), or undefined without a request. */
function urlHash(ctx: SampleContext, withQuery: boolean): number | undefined {
  const head: RequestHead | undefined = ctx.lbHead;
  if (head === undefined) return undefined;
  let hash = 0;
  VALUES.length = 0;
  // base32 reads the first comma-separated value of Host, url32 the whole first header.
  if (collectHeaderValues(head, ctx.requestEdits, HOST, !withQuery, VALUES) > 0) {
    const host = VALUES[0] as string;
    hash = sdbm(hash, host, 0, host.length);
  }
  const target = head.target;
  const start = uriPathStart(target);
  if (start >= 0 && target.charCodeAt(start) === 0x2f /* / */) {
    let end = target.length;
    if (!withQuery) {
      const q = target.indexOf('?', start);
      if (q >= 0) end = q;
    }
    hash = sdbm(hash, target, start, end);
  }
  return fullHash(hash) >>> 0;
}

function hashFetch(withQuery: boolean): FetchFactory {
  return (name, args) =>
    args.length > 0
      ? `fetch method '${name}' takes no argument`
      : {
          scope: 'request',
          type: 'int',
          sample(ctx, out) {
            const hash = urlHash(ctx, withQuery);
            return hash === undefined ? false : out.setInt(hash);
          },
        };
}

/** The 4 (IPv4) or 16 (IPv6) bytes of the client address, as a binary string. */
function addressBytes(address: string): string | undefined {
  const words = parseAddress(address);
  if (words === undefined) return undefined;
  const v4 = words[0] === 0 && words[1] === 0 && words[2] >>> 0 === 0xffff && !address.includes(':');
  let out = '';
  for (let w = v4 ? 3 : 0; w < 4; w++) {
    const word = words[w] as number;
    out += String.fromCharCode((word >>> 24) & 0xff, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff);
  }
  return out;
}

function hashSrcFetch(withQuery: boolean): FetchFactory {
  return (name, args) =>
    args.length > 0
      ? `fetch method '${name}' takes no argument`
      : {
          scope: 'request',
          type: 'bin',
          sample(ctx, out) {
            const hash = urlHash(ctx, withQuery);
            const address = addressBytes(ctx.clientAddress);
            if (hash === undefined || address === undefined) return false;
            return out.setBin(String.fromCharCode(hash >>> 24, (hash >>> 16) & 0xff, (hash >>> 8) & 0xff, hash & 0xff) + address);
          },
        };
}

export const URL_HASH_FETCHES: readonly (readonly [string, FetchFactory])[] = [
  ['base32', hashFetch(false)],
  ['url32', hashFetch(true)],
  ['base32+src', hashSrcFetch(false)],
  ['url32+src', hashSrcFetch(true)],
];
