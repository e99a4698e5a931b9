/**
 * The runtime seam's digest() on node:crypto, which Node, Bun and Deno all implement
 * (OpenSSL's, BoringSSL's and Rust's hashes respectively, all giving the standard digests).
 */
import { nodeCrypto } from './node-builtins.ts';
import type { DigestAlgorithm } from '../../src/runtime.ts';

export function digestNode(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
  return nodeCrypto().createHash(algorithm).update(data).digest();
}
