/**
 * The OCSP responses stapled to handshakes, by OCSP CertID (HAProxy's cert_ocsp_tree, ssl_sock.c
 * ssl_sock_load_ocsp / ssl_sock_load_ocsp_response / ssl_sock_ocsp_stapling_cbk):
 *
 * - a certificate with a `.ocsp` file gets an entry keyed by the CertID of the certificate and
 *   its issuer (the chain's certificate that issued it, else its `.issuer` file); HAProxy
 *   refuses a `.ocsp` without an issuer. The file's response is checked as HAProxy does (status
 *   successful, one single response, good or revoked, a next update, still valid, the same
 *   CertID): a failed check is a warning and the entry stays without a response;
 * - `set ssl ocsp-response` checks a new response the same way (but finds its entry by the
 *   response's own CertID) and replaces the entry's response: the next handshakes staple it;
 * - a response is stapled until its next update (less HAProxy's 5 minutes of skew).
 *
 * One store per process, as HAProxy's tree: certificates sharing a CertID share an entry.
 */
import type { OcspStaple, Runtime } from '../runtime.ts';
import { checkOcspResponse, issuedBy, ocspCertIdOf, type OcspCertId } from '../util/ocsp-response.ts';
import { pemToDers } from '../util/x509.ts';

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export class OcspEntry implements OcspStaple {
  readonly certId: OcspCertId;
  /** The DER response, undefined when none was accepted. */
  response: Uint8Array | undefined;
  /** When it stops being stapled (epoch ms): its next update less the skew. */
  expire = 0;
  readonly #clock: () => number;

  constructor(certId: OcspCertId, clock: () => number) {
    this.certId = certId;
    this.#clock = clock;
  }

  get key(): string {
    return hex(this.certId.der);
  }

  current(): Uint8Array | undefined {
    if (this.response === undefined || this.expire < this.#clock()) return undefined;
    return this.response;
  }
}

export class OcspResponses {
  readonly #entries = new Map<string, OcspEntry>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /**
   * A certificate's `.ocsp` response (ssl_sock_load_ocsp), loaded again each time a listener
   * takes the certificate (as HAProxy's SSL_CTX, at start and at `commit ssl cert`): its entry,
   * undefined without an issuer (the configuration loader refused that already, and warned of
   * a response that fails the checks: the entry then has none).
   */
  load(certPem: string, issuerPem: string | undefined, response: Uint8Array): OcspEntry | undefined {
    const [leaf, ...chain] = pemToDers(certPem);
    const issuers = [...chain, ...(issuerPem !== undefined ? pemToDers(issuerPem) : [])];
    const issuer = leaf !== undefined ? issuers.find((c) => issuedBy(leaf, c)) : undefined;
    const certId = leaf !== undefined && issuer !== undefined ? ocspCertIdOf(leaf, issuer) : undefined;
    if (certId === undefined) return undefined;
    const key = hex(certId.der);
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = new OcspEntry(certId, this.#clock);
      this.#entries.set(key, entry);
    }
    const check = checkOcspResponse(response, certId, this.#clock());
    if (!check.ok) return entry;
    entry.response = response;
    entry.expire = check.expire;
    return entry;
  }

  /** `set ssl ocsp-response`: HAProxy's error message, or undefined once replaced. */
  update(response: Uint8Array): string | undefined {
    const check = checkOcspResponse(response, undefined, this.#clock());
    if (!check.ok) return check.message;
    const entry = this.#entries.get(hex(check.certId.der));
    if (entry === undefined) return 'OCSP single response: Certificate ID does not match any certificate or issuer';
    entry.response = response;
    entry.expire = check.expire;
    return undefined;
  }

  /** Every entry, in the order of HAProxy's tree (by key bytes, padded to the same length). */
  entries(): OcspEntry[] {
    const padded = (e: OcspEntry): string => e.key.padEnd(256, '0');
    return [...this.#entries.values()].sort((a, b) => (padded(a) < padded(b) ? -1 : padded(a) > padded(b) ? 1 : 0));
  }

  get(key: string): OcspEntry | undefined {
    return this.#entries.get(key);
  }
}

const stores = new WeakMap<Runtime, OcspResponses>();

/** The process's store (one per runtime: per process, or per thread with `nbthread`). */
export function ocspResponsesOf(runtime: Runtime): OcspResponses {
  let store = stores.get(runtime);
  if (store === undefined) {
    store = new OcspResponses(() => runtime.wallClock());
    stores.set(runtime, store);
  }
  return store;
}
