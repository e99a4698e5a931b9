/**
 * OpenSSL's X509_print then PEM_write_bio_X509 of a certificate (crypto/x509/t_x509.c), as the
 * certificates of an OCSP response are printed: version, serial, algorithms, names, validity,
 * the public key (RSA and EC keys in full; others by their algorithm), the extensions, the
 * signature, then the PEM.
 */
import { asn1Time, extensionsText, nameCompat, objectName, signatureText, type ExtensionLike } from './openssl-text.ts';
import { derChildren, derName, derOid, derTlv, type DerTlv } from './x509.ts';

const CURVES: Readonly<Record<string, { readonly name: string; readonly nist?: string; readonly bits: number }>> = {
  '1.2.840.10045.3.1.7': { name: 'prime256v1', nist: 'P-256', bits: 256 },
  '1.3.132.0.34': { name: 'secp384r1', nist: 'P-384', bits: 384 },
  '1.3.132.0.35': { name: 'secp521r1', nist: 'P-521', bits: 521 },
  '1.3.132.0.10': { name: 'secp256k1', bits: 256 },
};

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** A labelled big number or octet string, 15 bytes a line, each line at `indent`. */
function hexBlock(bytes: Uint8Array, indent: number): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i % 15 === 0) out += `${i === 0 ? '' : '\n'}${' '.repeat(indent)}`;
    out += hex2(bytes[i] as number) + (i + 1 === bytes.length ? '' : ':');
  }
  return `${out}\n`;
}

function magnitude(der: Uint8Array, tlv: DerTlv): Uint8Array {
  let start = tlv.start;
  while (start < tlv.end - 1 && der[start] === 0) start++;
  return der.subarray(start, tlv.end);
}

function bitLength(bytes: Uint8Array): number {
  const first = bytes[0] ?? 0;
  return first === 0 ? 0 : (bytes.length - 1) * 8 + (32 - Math.clz32(first));
}

function bigValue(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function publicKeyText(der: Uint8Array, keyInfo: DerTlv): string {
  const [algorithm, key] = derChildren(der, keyInfo);
  if (algorithm === undefined || key === undefined) return '';
  const [id, params] = derChildren(der, algorithm);
  const oid = id !== undefined ? derOid(der, id) : '';
  let out = `            Public Key Algorithm: ${objectName(oid)}\n`;
  const bits = der.subarray(key.start + 1, key.end);
  if (oid === '1.2.840.113549.1.1.1') {
    const rsa = derTlv(bits, 0);
    const [modulus, exponent] = derChildren(bits, rsa);
    if (modulus === undefined || exponent === undefined) return out;
    const n = magnitude(bits, modulus);
    const e = bigValue(magnitude(bits, exponent));
    // The modulus is printed as a positive DER integer: a 00 before a high first byte.
    const shown = (n[0] ?? 0) >= 0x80 ? Uint8Array.of(0, ...n) : n;
    out += `                Public-Key: (${bitLength(n)} bit)\n                Modulus:\n${hexBlock(shown, 20)}`;
    out += `                Exponent: ${e} (0x${e.toString(16)})\n`;
    return out;
  }
  if (oid === '1.2.840.10045.2.1' && params !== undefined && params.tag === 0x06) {
    const curve = CURVES[derOid(der, params)];
    out += `                Public-Key: (${curve?.bits ?? 0} bit)\n                pub:\n${hexBlock(bits, 20)}`;
    out += `                ASN1 OID: ${curve?.name ?? derOid(der, params)}\n`;
    if (curve?.nist !== undefined) out += `                NIST CURVE: ${curve.nist}\n`;
    return out;
  }
  return out;
}

function serialText(content: Uint8Array): string {
  const negative = (content[0] ?? 0) >= 0x80;
  let mag = content;
  while (mag.length > 1 && mag[0] === 0) mag = mag.subarray(1);
  const value = bigValue(mag);
  // Values that fit a signed long are printed in decimal and hex; others byte by byte.
  if (!negative && mag.length <= 8 && value < 1n << 63n) return ` ${value} (0x${value.toString(16)})\n`;
  return `\n            ${negative ? ' (Negative)' : ''}${[...mag].map(hex2).join(':')}\n`;
}

function pem(der: Uint8Array, base64: (der: Uint8Array) => string): string {
  const text = base64(der);
  let out = '-----BEGIN CERTIFICATE-----\n';
  for (let i = 0; i < text.length; i += 64) out += `${text.slice(i, i + 64)}\n`;
  return `${out}-----END CERTIFICATE-----\n`;
}

function extensionsOf(der: Uint8Array, tlv: DerTlv | undefined): ExtensionLike[] {
  if (tlv === undefined) return [];
  const list = derChildren(der, tlv)[0];
  if (list === undefined) return [];
  return derChildren(der, list).map((ext) => {
    const parts = derChildren(der, ext);
    const value = parts[parts.length - 1] as DerTlv;
    return { oid: derOid(der, parts[0] as DerTlv), critical: parts.length === 3 && der[(parts[1] as DerTlv).start] !== 0, value: der.slice(value.start, value.end) };
  });
}

/** X509_print and the PEM of a DER certificate; empty when it cannot be read. */
export function certificateText(der: Uint8Array, base64: (der: Uint8Array) => string): string {
  try {
    const certificate = derTlv(der, 0);
    const [tbs, signatureAlgorithm, signature] = derChildren(der, certificate);
    if (tbs === undefined || signatureAlgorithm === undefined || signature === undefined) return '';
    const fields = derChildren(der, tbs);
    let version = 0;
    let i = 0;
    if (fields[0]?.tag === 0xa0) {
      const v = derChildren(der, fields[0])[0];
      if (v !== undefined) version = der[v.end - 1] as number;
      i = 1;
    }
    const serial = fields[i] as DerTlv;
    const innerAlgorithm = derChildren(der, fields[i + 1] as DerTlv)[0] as DerTlv;
    const [notBefore, notAfter] = derChildren(der, fields[i + 3] as DerTlv);
    const timeOf = (t: DerTlv | undefined): string => (t === undefined ? '' : asn1Time(String.fromCharCode(...der.subarray(t.start, t.end))));
    let out = 'Certificate:\n    Data:\n';
    out += `        Version: ${version + 1} (0x${version.toString(16)})\n`;
    out += `        Serial Number:${serialText(der.subarray(serial.start, serial.end))}`;
    out += `        Signature Algorithm: ${objectName(derOid(der, innerAlgorithm))}\n`;
    out += `        Issuer: ${nameCompat(derName(der, fields[i + 2] as DerTlv))}\n`;
    out += `        Validity\n            Not Before: ${timeOf(notBefore)}\n            Not After : ${timeOf(notAfter)}\n`;
    out += `        Subject: ${nameCompat(derName(der, fields[i + 4] as DerTlv))}\n`;
    out += `        Subject Public Key Info:\n${publicKeyText(der, fields[i + 5] as DerTlv)}`;
    out += extensionsText('X509v3 extensions', extensionsOf(der, fields.slice(i + 6).find((f) => f.tag === 0xa3)), 8, derName);
    const sigOid = derChildren(der, signatureAlgorithm)[0] as DerTlv;
    out += signatureText(derOid(der, sigOid), der.subarray(signature.start + 1, signature.end));
    return out + pem(der, base64);
  } catch {
    return '';
  }
}
