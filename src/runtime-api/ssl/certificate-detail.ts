/**
 * HAProxy's show_cert_detail (ssl_ckch.c): the lines `show ssl cert FILE` and
 * `show ssl ca-file FILE` print for one certificate and the chain after it, read from the
 * certificate itself (util/x509.ts).
 */
import { formatAsn1Time, formatDnOneline, readX509 } from '../../util/x509.ts';

export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).toUpperCase().padStart(2, '0');
  return out;
}

/** The detail lines of `leaf` (DER) and `chain`; undefined when it cannot be read. */
export function certificateDetail(leaf: Uint8Array, chain: readonly Uint8Array[], sha1: (der: Uint8Array) => Uint8Array): string | undefined {
  const facts = readX509(leaf);
  if (facts === undefined) return undefined;
  let out = `Serial: ${hex(facts.serial)}\n`;
  out += `notBefore: ${formatAsn1Time(facts.notBefore)}\n`;
  out += `notAfter: ${formatAsn1Time(facts.notAfter)}\n`;
  out += `Subject Alternative Name: ${facts.subjectAltNames.map((n) => n ?? '').join(', ')}\n`;
  if (facts.keyDescription === undefined) return out;
  out += `Algorithm: ${facts.keyDescription}\n`;
  out += `SHA1 FingerPrint: ${hex(sha1(leaf))}\n`;
  out += `Subject: ${formatDnOneline(facts.subject)}\n`;
  out += `Issuer: ${formatDnOneline(facts.issuer)}\n`;
  for (const der of chain) {
    const ca = readX509(der);
    if (ca === undefined) continue;
    out += `Chain Subject: ${formatDnOneline(ca.subject)}\nChain Issuer: ${formatDnOneline(ca.issuer)}\n`;
  }
  return out;
}
