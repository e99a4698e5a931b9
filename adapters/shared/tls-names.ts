/**
 * SNI certificate selection, shared by the adapters (all three runtimes implement node:crypto's
 * X509Certificate). HAProxy indexes every `crt` by its subject CN and its subjectAltName DNS
 * entries; the first certificate of a bind line is the default for clients without a match.
 */
import { X509Certificate } from 'node:crypto';
import type { TlsCertificate } from '../../src/runtime.ts';

/** Lower-cased DNS names a certificate answers for: SAN DNS entries, else the subject CN. */
export function certificateNames(certPem: string): string[] {
  const cert = new X509Certificate(certPem);
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

/** Picks the certificate index for a server name; exact names win over wildcards. */
export class SniCertificateMap<T> {
  readonly #exact = new Map<string, T>();
  readonly #wildcard = new Map<string, T>();
  readonly #fallback: T;

  constructor(certificates: readonly TlsCertificate[], build: (cert: TlsCertificate) => T) {
    if (certificates.length === 0) throw new Error('TLS listener needs at least one certificate');
    let fallback: T | undefined;
    for (const cert of certificates) {
      const value = build(cert);
      fallback ??= value;
      for (const name of certificateNames(cert.certPem)) {
        if (name.startsWith('*.')) {
          if (!this.#wildcard.has(name.slice(2))) this.#wildcard.set(name.slice(2), value);
        } else if (!this.#exact.has(name)) {
          this.#exact.set(name, value);
        }
      }
    }
    this.#fallback = fallback as T;
  }

  get fallback(): T {
    return this.#fallback;
  }

  select(servername: string | undefined): T {
    if (!servername) return this.#fallback;
    const name = servername.toLowerCase();
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const wild = this.#wildcard.get(name.slice(dot + 1));
      if (wild !== undefined) return wild;
    }
    return this.#fallback;
  }
}
