/**
 * `bind ... ssl generate-certificates ca-sign-file F`: a handshake whose SNI matches no
 * certificate of the bind is served a certificate forged for that name (certificate-forge.ts),
 * signed by the CA of F, carrying the key of the bind's default certificate and followed by
 * the CA's chain, as HAProxy 2.6's ssl_sock_generate_certificate. Forged certificates are kept
 * in an LRU of `tune.ssl.ssl-ctx-cache-size` entries (HAProxy's ssl_ctx_lru_tree), so a name
 * is forged once while it stays in the cache.
 */
import type { BindModel } from '../config/model.ts';
import type { Runtime, TlsCertificate } from '../runtime.ts';
import { pemToDer } from '../util/x509.ts';
import { derToPem } from '../util/der-writer.ts';
import { forgeCertificate, signingCa, type SigningCa } from './certificate-forge.ts';

/** X509_NAME_add_entry_by_txt refuses a CN longer than ub_common_name: HAProxy then forges nothing. */
const MAX_COMMON_NAME = 64;

/** HAProxy's ssl_ctx_serial: one counter for the process, started at the clock (now_ms). */
let serial = 0;

function nextSerial(nowMs: number): number {
  if (serial === 0) serial = Math.floor(nowMs) % 0x7fffffff;
  serial = (serial + 1) % 0x7fffffff || 1;
  return serial;
}

export class CertificateGenerator {
  readonly #ca: SigningCa;
  readonly #chainPem: string;
  readonly #keyPem: string;
  readonly #publicKeyInfo: Uint8Array;
  readonly #runtime: Pick<Runtime, 'digest' | 'wallClock'>;
  readonly #capacity: number;
  /** Insertion order is recency: a hit is moved to the end, the first is the least recent. */
  readonly #cache = new Map<string, TlsCertificate | undefined>();

  constructor(ca: SigningCa, chainPem: string, keyPem: string, publicKeyInfo: Uint8Array, runtime: Pick<Runtime, 'digest' | 'wallClock'>, capacity: number) {
    this.#ca = ca;
    this.#chainPem = chainPem;
    this.#keyPem = keyPem;
    this.#publicKeyInfo = publicKeyInfo;
    this.#runtime = runtime;
    this.#capacity = capacity;
  }

  /** The certificate served for `serverName`, forged on first use. */
  certificateFor(serverName: string): TlsCertificate | undefined {
    // HAProxy hashes the name as the client sent it.
    const cached = this.#cache.get(serverName);
    if (cached !== undefined || this.#cache.has(serverName)) {
      this.#cache.delete(serverName);
      this.#cache.set(serverName, cached);
      return cached;
    }
    const forged = this.#forge(serverName);
    // Without a cache every handshake forges its own (HAProxy's ctx_cache 0).
    if (this.#capacity > 0) {
      if (this.#cache.size >= this.#capacity) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(serverName, forged);
    }
    return forged;
  }

  #forge(serverName: string): TlsCertificate | undefined {
    if (serverName.length > MAX_COMMON_NAME) return undefined;
    const nowMs = this.#runtime.wallClock();
    const der = forgeCertificate(this.#ca, { serverName, serial: nextSerial(nowMs), nowMs, publicKeyInfo: this.#publicKeyInfo }, (algorithm, data) =>
      this.#runtime.digest(algorithm, data),
    );
    return { certPem: derToPem(der, 'CERTIFICATE') + this.#chainPem, keyPem: this.#keyPem, source: `generated for '${serverName}'` };
  }
}

/**
 * The generator of a bind with `generate-certificates`, undefined for other binds. Throws when
 * the CA's key or the default certificate's key cannot sign here (the bind then fails to open).
 */
export function certificateGenerator(bind: BindModel, runtime: Runtime): CertificateGenerator | undefined {
  const generation = bind.ssl?.generateCertificates;
  const first = bind.ssl?.certificates[0];
  if (generation === undefined || first === undefined) return undefined;
  const privateKey = runtime.privateKey;
  if (privateKey === undefined) throw new Error(`'generate-certificates' needs private-key signing, which the ${runtime.name} runtime does not offer`);
  const caKey = privateKey(generation.caKeyPem, generation.caPass);
  if (caKey === undefined) throw new Error(`'ca-sign-file' '${generation.caFile}': its private key cannot be read or is neither RSA nor EC`);
  const caDer = pemToDer(generation.caCertPem);
  if (caDer === undefined) throw new Error(`'ca-sign-file' '${generation.caFile}': no certificate`);
  const ownKey = privateKey(first.keyPem);
  if (ownKey === undefined) throw new Error(`'generate-certificates': the key of '${first.path}' cannot be read or is neither RSA nor EC`);
  return new CertificateGenerator(signingCa(caDer, caKey), generation.caCertPem, first.keyPem, ownKey.publicKeyInfo, runtime, generation.cacheSize);
}
