/**
 * TlsInfo whose peer certificate is read only when a fetch asks for it: getPeerCertificate()
 * builds a whole JavaScript object of the certificate, too much to pay on every TLS connection
 * for the few configurations that read `ssl_s_*` / `ssl_c_*`.
 */
import type { TlsInfo } from '../../src/runtime.ts';

/** What the socket offers: node:tls and Bun sockets both have getPeerCertificate(). */
export interface PeerCertificateSource {
  getPeerCertificate(): { raw?: Uint8Array } | null | undefined | object;
}

export class LazyPeerTlsInfo implements TlsInfo {
  readonly sni: string | undefined;
  readonly alpn: string | undefined;
  readonly protocol: string | undefined;
  readonly cipher: string | undefined;
  readonly sessionReused: boolean | undefined;
  readonly localCertificatePem: string | undefined;
  readonly peerVerifyError: string | undefined;
  #source: PeerCertificateSource | undefined;
  #peer: Uint8Array | undefined = undefined;

  constructor(
    facts: Pick<TlsInfo, 'sni' | 'alpn' | 'protocol' | 'cipher' | 'sessionReused' | 'localCertificatePem' | 'peerVerifyError'>,
    source: PeerCertificateSource,
  ) {
    this.sni = facts.sni;
    this.alpn = facts.alpn;
    this.protocol = facts.protocol;
    this.cipher = facts.cipher;
    this.sessionReused = facts.sessionReused;
    this.localCertificatePem = facts.localCertificatePem;
    this.peerVerifyError = facts.peerVerifyError;
    this.#source = source;
  }

  get peerCertificate(): Uint8Array | undefined {
    const source = this.#source;
    if (source !== undefined) {
      // Read once; the socket is not kept alive by this record afterwards.
      this.#source = undefined;
      const raw = (source.getPeerCertificate() as { raw?: Uint8Array } | null | undefined)?.raw;
      if (raw !== undefined && raw.byteLength > 0) this.#peer = new Uint8Array(raw);
    }
    return this.#peer;
  }
}
