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

/** Picks the certificate index for a server name; exact names win over wildcards. */
export class SniCertificateMap<T> {
  readonly #exact = new Map<string, T>();
  readonly #wildcard = new Map<string, T>();
  readonly #fallback: T;

  readonly #strict: boolean;
  /** Per name, the certificates a `!name` filter keeps from answering it. */
  readonly #excluded = new Map<string, T[]>();

  /**
   * `strict`: no fallback; select() answers undefined for names no certificate carries
   * (HAProxy's strict-sni).
   */
  constructor(certificates: readonly TlsCertificate[], build: (cert: TlsCertificate) => T, strict = false) {
    if (certificates.length === 0) throw new Error('TLS listener needs at least one certificate');
    this.#strict = strict;
    let fallback: T | undefined;
    for (const cert of certificates) {
      const value = build(cert);
      fallback ??= value;
      const excluded = excludedNamesOf(cert);
      for (const name of excluded) {
        const list = this.#excluded.get(name) ?? [];
        list.push(value);
        this.#excluded.set(name, list);
      }
      for (const name of namesOf(cert)) {
        if (excluded.includes(name)) continue;
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

  select(servername: string | undefined): T | undefined {
    if (!servername) return this.#strict ? undefined : this.#fallback;
    const name = servername.toLowerCase();
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const wild = this.#wildcard.get(name.slice(dot + 1));
      if (wild !== undefined && !(this.#excluded.get(name)?.includes(wild) ?? false)) return wild;
    }
    return this.#strict ? undefined : this.#fallback;
  }
}
