/**
 * The CA and CRL files of a configuration generation as the runtime API sees them (HAProxy's
 * cafile tree, ssl_ckch.c): bind and server `ca-file`s (CA certificates) and `crl-file`s,
 * the empty ones `new ssl ca-file` / `new ssl crl-file` add, and one transaction per kind.
 * A commit goes through the certificate store, which owns the listeners and servers using them.
 */
import { pemToDers } from '../../util/x509.ts';
import type { CaKind, CertificateStore, CommitResult } from './certificate-store.ts';

/** One file: its PEM (undefined while empty, after `new ssl ...`). */
export interface CaFileEntry {
  readonly kind: CaKind;
  readonly pem: string | undefined;
}

export interface CaTransaction {
  readonly path: string;
  readonly pem: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN (?:TRUSTED )?CERTIFICATE-----[\s\S]*?-----END (?:TRUSTED )?CERTIFICATE-----/g;
const CRL_BLOCK = /-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g;

/** The PEM blocks of a payload the kind keeps (certificates for a CA file, CRLs for a CRL file); undefined when none. */
export function caPayload(kind: CaKind, payload: string): string | undefined {
  const blocks = payload.match(kind === 'ca-file' ? CERTIFICATE_BLOCK : CRL_BLOCK);
  return blocks === null ? undefined : blocks.join('\n');
}

/**
 * The certificates of a CA file, each once (X509_STORE_add_cert ignores a certificate it
 * holds), as DER.
 */
export function caCertificates(pem: string | undefined): Uint8Array[] {
  if (pem === undefined) return [];
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const der of pemToDers(pem)) {
    let key = '';
    for (const byte of der) key += String.fromCharCode(byte);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(der);
  }
  return out;
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class CaStore {
  readonly #certificates: CertificateStore;
  readonly #entries = new Map<string, CaFileEntry>();
  readonly #transactions = new Map<CaKind, CaTransaction>();

  constructor(certificates: CertificateStore) {
    this.#certificates = certificates;
    for (const kind of ['ca-file', 'crl-file'] as const) {
      for (const [path, pem] of certificates.caFiles(kind)) if (!this.#entries.has(path)) this.#entries.set(path, { kind, pem });
    }
  }

  /** The paths of one kind, sorted as HAProxy's tree. */
  paths(kind: CaKind): string[] {
    return [...this.#entries].filter(([, e]) => e.kind === kind).map(([p]) => p).sort(byPath);
  }

  /** Any entry of the path, whatever its kind (HAProxy's ssl_store_get_cafile_entry looks in one tree). */
  get(path: string): CaFileEntry | undefined {
    return this.#entries.get(path);
  }

  transaction(kind: CaKind): CaTransaction | undefined {
    return this.#transactions.get(kind);
  }

  used(kind: CaKind, path: string): boolean {
    return this.#certificates.caFileUsed(kind, path);
  }

  create(kind: CaKind, path: string): boolean {
    if (this.#entries.has(path)) return false;
    this.#entries.set(path, { kind, pem: undefined });
    return true;
  }

  delete(kind: CaKind, path: string): 'deleted' | 'missing' | 'used' {
    const entry = this.#entries.get(path);
    if (entry === undefined || entry.kind !== kind) return 'missing';
    if (this.used(kind, path)) return 'used';
    this.#entries.delete(path);
    return 'deleted';
  }

  stage(kind: CaKind, path: string, pem: string): void {
    this.#transactions.set(kind, { path, pem });
  }

  abort(kind: CaKind): void {
    this.#transactions.delete(kind);
  }

  commit(kind: CaKind): CommitResult {
    const transaction = this.#transactions.get(kind);
    if (transaction === undefined) return { ok: false, message: 'No ongoing transaction! !\n' };
    const result = this.#certificates.replaceCaFile(kind, transaction.path, transaction.pem);
    if (!result.ok) return result;
    this.#entries.set(transaction.path, { kind, pem: transaction.pem });
    this.#transactions.delete(kind);
    return result;
  }
}
