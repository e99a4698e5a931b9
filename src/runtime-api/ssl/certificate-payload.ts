/**
 * What `set ssl cert <name> <<payload` changes (HAProxy's cert_exts table and the loaders of
 * ssl_ckch.c): a name ending in `.key` loads only the private key, `.crt` or any other name a
 * PEM certificate (its chain after it, a key if there is one). The extension is removed to find
 * the certificate file (`common.key` updates `common`, or `common.crt` with
 * `ssl-load-extra-del-ext`).
 */
import { readPemBlocks } from '../../config/certificates.ts';
import type { CertificateData } from './certificate-store.ts';

/** The payload loaders; `ocsp`, `sctl` and `issuer` are HAProxy's OCSP stapling and SCT files, which are not served here. */
export type PayloadKind = 'pem' | 'key' | 'ocsp' | 'sctl' | 'issuer';

/** HAProxy's cert_exts, in its order (the first extension that matches wins). */
const EXTENSIONS: readonly (readonly [string, PayloadKind])[] = [
  ['crt', 'pem'],
  ['key', 'key'],
  ['ocsp', 'ocsp'],
  ['sctl', 'sctl'],
  ['issuer', 'issuer'],
];

export interface PayloadTarget {
  /** The name without the extension that chose the loader. */
  readonly path: string;
  readonly kind: PayloadKind;
  /** Whether an extension was removed (only then is `.crt` tried with `ssl-load-extra-del-ext`). */
  readonly stripped: boolean;
}

export function payloadTarget(name: string): PayloadTarget {
  const dot = name.lastIndexOf('.');
  if (dot >= 0) {
    const ext = name.slice(dot + 1);
    for (const [known, kind] of EXTENSIONS) if (ext === known) return { path: name.slice(0, dot), kind, stripped: true };
  }
  return { path: name, kind: 'pem', stripped: false };
}

export type PayloadResult = { readonly ok: true; readonly data: CertificateData } | { readonly ok: false; readonly message: string };

/**
 * The entry once the payload is loaded into a copy of `current`. A PEM payload replaces the
 * certificate, its chain and the key (none when the payload has no key, as OpenSSL's SWAP
 * does); a key payload replaces the key only.
 */
export function loadPayload(target: PayloadTarget, payload: string, current: CertificateData): PayloadResult {
  const blocks = readPemBlocks(payload);
  if (target.kind === 'key') {
    const key = blocks.keys[0];
    if (key === undefined) return { ok: false, message: `unable to load private key from file '${target.path}'.\n` };
    return { ok: true, data: { certPem: current.certPem, keyPem: key } };
  }
  if (target.kind !== 'pem') return { ok: false, message: `'.${target.kind}' payloads are not supported by Switchyard (no OCSP stapling nor SCT).\n` };
  if (blocks.certificates.length === 0) return { ok: false, message: `unable to load certificate from file '${target.path}'.\n` };
  return { ok: true, data: { certPem: blocks.certificates.join('\n'), keyPem: blocks.keys[0], ...(blocks.dh !== undefined ? { dhPem: blocks.dh } : {}) } };
}
