/**
 * The runtime seam's publicKey() on node:crypto, which Node, Bun and Deno all implement: the
 * key is parsed once (createPublicKey), each verify() hashes and checks with crypto.verify,
 * which reads ECDSA signatures as DER by default, as OpenSSL's EVP_DigestVerifyFinal does.
 */
import type { KeyObject } from 'node:crypto';
import { nodeCrypto } from './node-builtins.ts';
import type { PublicKey, SignatureDigest } from '../../src/runtime.ts';

class NodePublicKey implements PublicKey {
  readonly #key: KeyObject;

  constructor(key: KeyObject) {
    this.#key = key;
  }

  verify(digest: SignatureDigest, data: Uint8Array, signature: Uint8Array): boolean {
    try {
      return nodeCrypto().verify(digest, data, this.#key, signature);
    } catch {
      // A signature that is not even well-formed (bad DER) does not verify.
      return false;
    }
  }
}

export function publicKeyNode(pem: string): PublicKey | undefined {
  try {
    const key = nodeCrypto().createPublicKey({ key: pem, format: 'pem' });
    return key.type === 'public' ? new NodePublicKey(key) : undefined;
  } catch {
    return undefined;
  }
}
