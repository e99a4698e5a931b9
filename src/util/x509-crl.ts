/**
 * Just enough of an X.509 CRL DER reader (RFC 5280 §5.1) for HAProxy's `show ssl crl-file`
 * (show_crl_detail): version, signature algorithm, issuer, update times, revoked serials and
 * their dates, printed as OpenSSL prints them.
 */
import { derChildren, derName, derOid, derText, derTlv, formatAsn1Time, formatDnOneline, type DerTlv, type X509NameEntry } from './x509.ts';
import { asn1IntegerHex, objectName } from './openssl-text.ts';

export interface CrlFacts {
  /** 1 or 2 (X509_CRL_get_version + 1). */
  readonly version: number;
  /** The signature algorithm's OID. */
  readonly signatureOid: string;
  readonly issuer: readonly X509NameEntry[];
  /** ASN.1 times as written. */
  readonly lastUpdate: string;
  readonly nextUpdate: string | undefined;
  readonly revoked: readonly { readonly serial: Uint8Array; readonly date: string }[];
}

const TIME_TAGS = new Set([0x17, 0x18]);

export function readCrl(der: Uint8Array): CrlFacts | undefined {
  try {
    const [tbs] = derChildren(der, derTlv(der, 0));
    if (tbs === undefined) return undefined;
    const fields = derChildren(der, tbs);
    let i = 0;
    let version = 1;
    if (fields[0]?.tag === 0x02) {
      version = (der[(fields[0] as DerTlv).end - 1] as number) + 1;
      i = 1;
    }
    const signature = fields[i] as DerTlv;
    const issuer = fields[i + 1] as DerTlv;
    const lastUpdate = fields[i + 2] as DerTlv;
    let at = i + 3;
    let nextUpdate: string | undefined;
    if (fields[at] !== undefined && TIME_TAGS.has((fields[at] as DerTlv).tag)) nextUpdate = derText(der, fields[at++] as DerTlv);
    const revoked: { serial: Uint8Array; date: string }[] = [];
    const list = fields[at];
    if (list !== undefined && list.tag === 0x30) {
      for (const entry of derChildren(der, list)) {
        const [serial, date] = derChildren(der, entry);
        if (serial === undefined || date === undefined) continue;
        // The magnitude, as OpenSSL's ASN1_INTEGER data (without DER's sign-padding zero).
        const start = serial.end - serial.start > 1 && der[serial.start] === 0 ? serial.start + 1 : serial.start;
        revoked.push({ serial: der.slice(start, serial.end), date: derText(der, date) });
      }
    }
    const algorithm = derChildren(der, signature)[0];
    return {
      version,
      signatureOid: algorithm === undefined ? '' : derOid(der, algorithm),
      issuer: derName(der, issuer),
      lastUpdate: derText(der, lastUpdate),
      nextUpdate,
      revoked,
    };
  } catch {
    return undefined;
  }
}

/** HAProxy's show_crl_detail lines for one CRL. */
export function formatCrlDetail(crl: CrlFacts): string {
  let out = `Version ${crl.version}\n`;
  out += `Signature Algorithm: ${objectName(crl.signatureOid)}\n`;
  out += `Issuer: ${formatDnOneline(crl.issuer)}\n`;
  out += `Last Update: ${formatAsn1Time(crl.lastUpdate)}\n`;
  // ASN1_TIME_print fails on a missing time: HAProxy stops there.
  if (crl.nextUpdate === undefined) return `${out}Next Update: `;
  out += `Next Update: ${formatAsn1Time(crl.nextUpdate)}\n`;
  out += crl.revoked.length > 0 ? 'Revoked Certificates:\n' : 'No Revoked Certificates.\n';
  for (const entry of crl.revoked) out += `    Serial Number: ${asn1IntegerHex(entry.serial)}\n        Revocation Date: ${formatAsn1Time(entry.date)}\n`;
  return out;
}

/** Every CRL of a PEM text, as DER. */
export function pemCrlsToDers(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const match of pem.matchAll(/-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/g)) out.push(base64Bytes(match[1] as string));
  return out;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64Bytes(text: string): Uint8Array {
  const b64 = text.replace(/[^A-Za-z0-9+/]/g, '');
  const bytes = new Uint8Array(Math.floor((b64.length * 3) / 4));
  let bits = 0;
  let count = 0;
  let n = 0;
  for (let i = 0; i < b64.length; i++) {
    bits = ((bits << 6) | BASE64.indexOf(b64[i] as string)) & 0xffffff;
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes[n++] = (bits >> count) & 0xff;
    }
  }
  return bytes.subarray(0, n);
}
