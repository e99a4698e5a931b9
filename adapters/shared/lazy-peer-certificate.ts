/**
 * TlsInfo whose peer certificate is read only when a fetch asks for it: getPeerCertificate()
 * builds a whole JavaScript object of the certificate, too much to pay on every TLS connection
 * for the few configurations that read `ssl_s_*` / `ssl_c_*`.
 */
import type { TlsInfo } from '../../src/runtime.ts';

/** A certificate as node:tls's getPeerCertificate(true) describes it: raw DER and its issuer. */
interface DetailedCertificate {
  readonly raw?: Uint8Array;
  readonly issuerCertificate?: DetailedCertificate;
}

/** A certificate as getPeerX509Certificate() gives it (node:crypto's X509Certificate). */
interface X509Link {
  readonly raw: Uint8Array;
  readonly issuerCertificate?: X509Link | undefined;
}

/** What the socket offers: node:tls and Bun sockets both have getPeerCertificate(). */
export interface PeerCertificateSource {
  getPeerCertificate(detailed?: boolean): { raw?: Uint8Array } | null | undefined | object;
  getPeerX509Certificate?(): X509Link | undefined;
}

/**
 * How the certificates the peer sent (OpenSSL's SSL_get_peer_cert_chain, HAProxy's
 * `ssl_*_chain_der`) are read on this socket, since no runtime has one call for them:
 * - 'x509': getPeerX509Certificate()'s issuerCertificate links follow the chain as sent, in
 *   order (Node). It must be called once only: Node 20 takes the certificates
 *   out of the connection's list as it builds the links.
 * - 'detailed': getPeerCertificate(true)'s issuerCertificate links (Deno, whose X509 links
 *   drop certificates). Node's own detailed form is not the sent chain: it re-orders it by
 *   issuer and adds the issuers it finds in the trust store.
 * - 'none': the runtime does not tell (Bun: its native sockets give the leaf only, and its
 *   node:tls adds the CA it verified with to both forms, so a chain sent without its CA cannot
 *   be told from one sent with it).
 */
export type PeerChainReader = 'x509' | 'detailed' | 'none';

/** The node:tls chain reader of the runtime this adapter runs on. */
export const NODE_TLS_CHAIN_READER: PeerChainReader = 'Bun' in globalThis ? 'none' : 'Deno' in globalThis ? 'detailed' : 'x509';

/** Links past this many are a loop (a self-signed certificate may point at itself). */
const MAX_CHAIN = 16;

function readChain(source: PeerCertificateSource, reader: PeerChainReader): Uint8Array[] | undefined {
  const chain: Uint8Array[] = [];
  if (reader === 'x509') {
    let link = source.getPeerX509Certificate?.();
    while (link !== undefined && chain.length < MAX_CHAIN) {
      chain.push(new Uint8Array(link.raw));
      const next: X509Link | undefined = link.issuerCertificate;
      if (next === link) break;
      link = next;
    }
  } else if (reader === 'detailed') {
    let link = source.getPeerCertificate(true) as DetailedCertificate | null | undefined;
    while (link?.raw !== undefined && link.raw.byteLength > 0 && chain.length < MAX_CHAIN) {
      chain.push(new Uint8Array(link.raw));
      const next: DetailedCertificate | undefined = link.issuerCertificate;
      if (next === link) break;
      link = next;
    }
  } else {
    return undefined;
  }
  return chain.length > 0 ? chain : undefined;
}

export class LazyPeerTlsInfo implements TlsInfo {
  readonly sni: string | undefined;
  readonly alpn: string | undefined;
  readonly protocol: string | undefined;
  readonly cipher: string | undefined;
  readonly sessionReused: boolean | undefined;
  readonly localCertificatePem: string | undefined;
  readonly peerVerifyError: string | undefined;
  readonly peerVerifyResult: string | undefined;
  #source: PeerCertificateSource | undefined;
  #chainSource: PeerCertificateSource | undefined;
  readonly #chainReader: PeerChainReader;
  #peer: Uint8Array | undefined = undefined;
  #chain: readonly Uint8Array[] | undefined = undefined;

  /**
   * `chainSource`: where the sent chain is read (the socket), when `source` only answers for
   * the leaf (a listener reads the client's leaf at once to decide on it).
   */
  constructor(
    facts: Pick<TlsInfo, 'sni' | 'alpn' | 'protocol' | 'cipher' | 'sessionReused' | 'localCertificatePem' | 'peerVerifyError'> & Pick<TlsInfo, 'peerVerifyResult'>,
    source: PeerCertificateSource,
    chainReader: PeerChainReader = 'none',
    chainSource: PeerCertificateSource = source,
  ) {
    this.sni = facts.sni;
    this.alpn = facts.alpn;
    this.protocol = facts.protocol;
    this.cipher = facts.cipher;
    this.sessionReused = facts.sessionReused;
    this.localCertificatePem = facts.localCertificatePem;
    this.peerVerifyError = facts.peerVerifyError;
    this.peerVerifyResult = facts.peerVerifyResult;
    this.#source = source;
    this.#chainSource = chainSource;
    this.#chainReader = chainReader;
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

  /** Every certificate the peer sent, its own first. */
  get peerCertificateChain(): readonly Uint8Array[] | undefined {
    const source = this.#chainSource;
    if (source !== undefined) {
      this.#chainSource = undefined;
      this.#chain = readChain(source, this.#chainReader);
      // Node 20 no longer has the leaf in the connection's list once the X509 links were
      // built: when the leaf was not read yet from that same socket, it is the chain's first.
      if (this.#source === source && this.#chainReader === 'x509') {
        this.#source = undefined;
        this.#peer = this.#chain?.[0];
      }
    }
    return this.#chain;
  }
}
