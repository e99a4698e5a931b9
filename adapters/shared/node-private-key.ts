/**
 * The runtime seam's privateKey() on node:crypto (loaded at first use: node-builtins.ts), which Node, Bun and Deno all implement: the
 * key is parsed once (createPrivateKey), each sign() hashes and signs with crypto.sign, whose
 * ECDSA signatures are DER as X.509 wants them.
 */
import type { KeyObject } from 'node:crypto';
import { nodeCrypto } from './node-builtins.ts';
import type { PrivateKey, SignatureDigest } from '../../src/runtime.ts';

class NodePrivateKey implements PrivateKey {
  readonly type: 'rsa' | 'ec';
  readonly publicKeyInfo: Uint8Array;
  readonly #key: KeyObject;

  constructor(key: KeyObject, type: 'rsa' | 'ec') {
    this.#key = key;
    this.type = type;
    this.publicKeyInfo = new Uint8Array(nodeCrypto().createPublicKey(key).export({ type: 'spki', format: 'der' }));
  }

  sign(digest: SignatureDigest, data: Uint8Array): Uint8Array {
    return new Uint8Array(nodeCrypto().sign(digest, data, this.#key));
  }
}

export function privateKeyNode(pem: string, passphrase?: string): PrivateKey | undefined {
  try {
    const key = nodeCrypto().createPrivateKey({ key: pem, format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
    const type = key.asymmetricKeyType;
    return type === 'rsa' || type === 'ec' ? new NodePrivateKey(key, type) : undefined;
  } catch {
    return undefined;
  }
}
