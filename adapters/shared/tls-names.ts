/**
 * SNI certificate selection, shared by the adapters (all three runtimes implement node:crypto's
 * X509Certificate). HAProxy indexes every `crt` by its subject CN and its subjectAltName DNS
 * entries; the first certificate of a bind line is the default for clients without a match.
 */
import { nodeCrypto } from './node-builtins.ts';
import type { TlsCertificate } from '../../src/runtime.ts';
import type { ClientKeyKinds } from '../../src/rules/tls-client-hello.ts';

/** Lower-cased DNS names a certificate answers for: SAN DNS entries, else the subject CN. */
export function certificateNames(certPem: string): string[] {
  const cert = new (nodeCrypto().X509Certificate)(certPem);
  const names: string[] = [];
  const san = cert.subjectAltName;
  if (san) {
    for (const entry of san.split(',')) {
      const trimmed = entry.trim();
      if (trimmed.startsWith('DNS:')) names.push(trimmed.slice(4).toLowerCase());
    }
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject);
  if (cn?.[1] && !names.includes(cn[1].toLowerCase())) names.push(cn[1].toLowerCase());
  return names;
}

/**
 * The names a certificate is selected by: its `crt-list` filters when it has positive ones,
 * else its own names; `!name` filters take names out (HAProxy's crtlist filters).
 */
function namesOf(cert: TlsCertificate): string[] {
  const filters = cert.serverNames ?? [];
  const positive = filters.filter((f) => !f.startsWith('!')).map((f) => f.toLowerCase());
  return positive.length > 0 ? positive : certificateNames(cert.certPem);
}

/** A certificate's `!name` filters: names it must not answer, even through a wildcard. */
function excludedNamesOf(cert: TlsCertificate): string[] {
  return (cert.serverNames ?? []).filter((f) => f.startsWith('!')).map((f) => f.slice(1).toLowerCase());
}

/** HAProxy's key signature kinds, in its order of preference (ECDSA > RSA > others). */
type KeyKind = 'ecdsa' | 'rsa' | 'other';

function keyKindOf(certPem: string): KeyKind {
  const type = new (nodeCrypto().X509Certificate)(certPem).publicKey.asymmetricKeyType;
  return type === 'ec' ? 'ecdsa' : type === 'rsa' || type === 'rsa-pss' ? 'rsa' : 'other';
}

/**
 * Picks what answers a server name, as HAProxy 2.6's ssl_sock_switchctx_cbk: the certificates
 * carrying the exact name, then those whose wildcard matches it (unless a `!name` filter of
 * the same crt-list line excludes it), the first of each key kind. HAProxy then serves the
 * ECDSA one to clients that can use it, else the RSA one: given what the client's ClientHello
 * accepts (a listener that read it), the same one; else both go into one context (`build`
 * gets them, ECDSA first) for the TLS library to choose, where it can.
 */
export class SniCertificateMap<T> {
  readonly #certificates: readonly TlsCertificate[];
  readonly #kinds: readonly KeyKind[];
  /** Certificate indexes per exact name and per wildcard suffix, in bind line order. */
  readonly #exact = new Map<string, number[]>();
  readonly #wildcard = new Map<string, number[]>();
  /** Per certificate, the names its `!name` filters exclude. */
  readonly #excluded: ReadonlyArray<readonly string[]>;
  readonly #built = new Map<string, T>();
  readonly #build: (certs: readonly TlsCertificate[]) => T;
  readonly #fallback: T;
  readonly #strict: boolean;

  /**
   * `strict`: no fallback; select() answers undefined for names no certificate carries
   * (HAProxy's strict-sni).
   */
  constructor(certificates: readonly TlsCertificate[], build: (certs: readonly TlsCertificate[]) => T, strict = false) {
    if (certificates.length === 0) throw new Error('TLS listener needs at least one certificate');
    this.#certificates = certificates;
    this.#build = build;
    this.#strict = strict;
    this.#kinds = certificates.map((cert) => keyKindOf(cert.certPem));
    this.#excluded = certificates.map(excludedNamesOf);
    for (const [index, cert] of certificates.entries()) {
      const excluded = this.#excluded[index] as readonly string[];
      for (const name of namesOf(cert)) {
        if (excluded.includes(name)) continue;
        const [map, key] = name.startsWith('*.') ? [this.#wildcard, name.slice(2)] : [this.#exact, name];
        const list = map.get(key);
        if (list === undefined) map.set(key, [index]);
        else if (!list.includes(index)) list.push(index);
      }
    }
    this.#fallback = this.#combination([0]);
  }

  get fallback(): T {
    return this.#fallback;
  }

  /** Whether both ECDSA and RSA certificates are served: only then does the client's ClientHello choose. */
  get mixedKeyKinds(): boolean {
    return this.#kinds.includes('ecdsa') && this.#kinds.includes('rsa');
  }

  select(servername: string | undefined, client?: ClientKeyKinds): T | undefined {
    if (!servername) return this.#strict ? undefined : this.#fallback;
    return this.match(servername, client) ?? (this.#strict ? undefined : this.#fallback);
  }

  /**
   * What the certificates carrying `servername` build; undefined when none carries it. With
   * what the client's ClientHello accepts (`client`), the one certificate HAProxy would switch
   * to: ECDSA if the client takes it, else RSA, else another kind, else what there is.
   */
  match(servername: string, client?: ClientKeyKinds): T | undefined {
    const name = servername.toLowerCase();
    let ecdsa = -1;
    let rsa = -1;
    let other = -1;
    const consider = (indexes: readonly number[] | undefined, wildcard: boolean): void => {
      for (const index of indexes ?? []) {
        if (wildcard && (this.#excluded[index] as readonly string[]).includes(name)) continue;
        const kind = this.#kinds[index];
        if (kind === 'ecdsa') ecdsa = ecdsa < 0 ? index : ecdsa;
        else if (kind === 'rsa') rsa = rsa < 0 ? index : rsa;
        else other = other < 0 ? index : other;
      }
    };
    consider(this.#exact.get(name), false);
    const dot = name.indexOf('.');
    if (dot > 0) consider(this.#wildcard.get(name.slice(dot + 1)), true);
    if (client !== undefined) {
      const one = client.ecdsa && ecdsa >= 0 ? ecdsa : client.rsa && rsa >= 0 ? rsa : other >= 0 ? other : ecdsa >= 0 ? ecdsa : rsa;
      return one < 0 ? undefined : this.#combination([one]);
    }
    const chosen = ecdsa >= 0 || rsa >= 0 ? [ecdsa, rsa].filter((i) => i >= 0) : other >= 0 ? [other] : [];
    if (chosen.length === 0) return undefined;
    return this.#combination(chosen);
  }

  /** The value built for these certificates, built once. */
  #combination(indexes: readonly number[]): T {
    const key = indexes.join(',');
    let value = this.#built.get(key);
    if (value === undefined) {
      value = this.#build(indexes.map((i) => this.#certificates[i] as TlsCertificate));
      this.#built.set(key, value);
    }
    return value;
  }
}
