/** crypt(3)'s base-64 (`./0-9A-Za-z`, least significant 6 bits first), for $1$, $5$ and $6$. */
export const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Drepper's b64_from_24bit: `chars` characters of the 24-bit number b2:b1:b0. */
export function b64From24(b2: number, b1: number, b0: number, chars: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < chars; i++) {
    out += CRYPT_ALPHABET[w & 0x3f];
    w >>>= 6;
  }
  return out;
}

/** Encodes `digest` taking its bytes three at a time in the order `triples` gives, then the tail. */
export function encodeDigest(digest: Uint8Array, triples: readonly number[], tail: readonly number[]): string {
  let out = '';
  for (let i = 0; i < triples.length; i += 3) out += b64From24(digest[triples[i]!]!, digest[triples[i + 1]!]!, digest[triples[i + 2]!]!, 4);
  // The tail is one or two bytes: 2 or 3 characters.
  if (tail.length === 1) out += b64From24(0, 0, digest[tail[0]!]!, 2);
  else out += b64From24(0, digest[tail[0]!]!, digest[tail[1]!]!, 3);
  return out;
}
