/**
 * What `set ssl cert <name> <<payload` changes (HAProxy's cert_exts table and the loaders of
 * ssl_ckch.c): a name ending in `.key` loads only the private key, `.crt` or any other name a
 * PEM certificate (its chain after it, a key if there is one). The extension is removed to find
 * the certificate file (`common.key` updates `common`, or `common.crt` with
 * `ssl-load-extra-del-ext`).
 */
import { readPemBlocks } from '../../config/certificates.ts';
import { base64Decode } from '../../rules/converters/encoding.ts';
import type { CertificateData } from './certificate-store.ts';

/** The payload loaders; `sctl` and `issuer` are HAProxy's SCT and OCSP issuer files, not loaded here. */
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
    return { ok: true, data: { certPem: current.certPem, keyPem: key, ...(current.ocspResponse !== undefined ? { ocspResponse: current.ocspResponse } : {}) } };
  }
  if (target.kind === 'ocsp') {
    // ssl_sock_load_ocsp_response_from_file with a buffer: base64 once \r and \n are removed.
    const decoded = base64Decode(payload.replace(/[\r\n]/g, ''));
    if (decoded === undefined) return { ok: false, message: 'Error reading OCSP response in base64 format' };
    const ocspResponse = new Uint8Array(decoded.length);
    for (let i = 0; i < decoded.length; i++) ocspResponse[i] = decoded.charCodeAt(i);
    return { ok: true, data: { ...current, ocspResponse } };
  }
  if (target.kind !== 'pem') return { ok: false, message: `'.${target.kind}' payloads are not supported by Switchyard (no SCT; the OCSP issuer comes from the chain or the configuration's '.issuer' file).\n` };
  if (blocks.certificates.length === 0) return { ok: false, message: `unable to load certificate from file '${target.path}'.\n` };
  // The entry's OCSP response stays (HAProxy's duplicated ckch keeps it).
  return {
    ok: true,
    data: {
      certPem: blocks.certificates.join('\n'),
      keyPem: blocks.keys[0],
      ...(blocks.dh !== undefined ? { dhPem: blocks.dh } : {}),
      ...(current.ocspResponse !== undefined ? { ocspResponse: current.ocspResponse } : {}),
    },
  };
}
