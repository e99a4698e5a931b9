/**
 * OpenSSL's text forms of DER values (crypto/asn1 a_int.c, a_print.c, t_x509.c, v3_prn.c), as
 * `openssl x509 -text` and OCSP_RESPONSE_print write them: hex strings, integers, times, names,
 * extensions and signatures. OpenSSL 3.0's wording, which HAProxy 2.6 on Debian 12 prints.
 */
import { derChildren, derOid, derTlv, formatAsn1Time, type DerTlv, type X509NameEntry } from './x509.ts';

/** Long names of the algorithms and objects printed (OBJ_obj2txt with names). */
const OBJECT_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.1': 'rsaEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.2.1': 'id-ecPublicKey',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '1.3.6.1.5.5.7.48.1.1': 'Basic OCSP Response',
  '1.3.6.1.5.5.7.48.1.2': 'OCSP Nonce',
  '1.3.6.1.5.5.7.48.1.3': 'OCSP CRL ID',
  '1.3.6.1.5.5.7.48.1.4': 'Acceptable OCSP Responses',
  '1.3.6.1.5.5.7.48.1.5': 'OCSP No Check',
  '1.3.6.1.5.5.7.48.1.6': 'OCSP Archive Cutoff',
  '1.3.6.1.5.5.7.48.1.7': 'OCSP Service Locator',
  '2.5.29.14': 'X509v3 Subject Key Identifier',
  '2.5.29.15': 'X509v3 Key Usage',
  '2.5.29.17': 'X509v3 Subject Alternative Name',
  '2.5.29.18': 'X509v3 Issuer Alternative Name',
  '2.5.29.19': 'X509v3 Basic Constraints',
  '2.5.29.31': 'X509v3 CRL Distribution Points',
  '2.5.29.32': 'X509v3 Certificate Policies',
  '2.5.29.35': 'X509v3 Authority Key Identifier',
  '2.5.29.37': 'X509v3 Extended Key Usage',
  '1.3.6.1.5.5.7.1.1': 'Authority Information Access',
};

export function objectName(oid: string): string {
  return OBJECT_NAMES[oid] ?? oid;
}

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** i2a_ASN1_STRING: upper-case hex, a `\` line break every 35 bytes; `0` when empty. */
export function asn1StringHex(bytes: Uint8Array): string {
  if (bytes.length === 0) return '0';
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i !== 0 && i % 35 === 0) out += '\\\n';
    out += hex2(bytes[i] as number).toUpperCase();
  }
  return out;
}

/** An INTEGER's magnitude (ASN1_INTEGER data): the DER content without its sign-padding zero. */
export function integerMagnitude(content: Uint8Array): Uint8Array {
  return content.length > 1 && content[0] === 0 ? content.subarray(1) : content;
}

/** i2a_ASN1_INTEGER: the magnitude in upper-case hex, `00` for zero. */
export function asn1IntegerHex(content: Uint8Array): string {
  const magnitude = integerMagnitude(content);
  if (magnitude.length === 0) return '00';
  return asn1StringHex(magnitude);
}

/** Upper-case hex with colons (i2s_ASN1_OCTET_STRING). */
function colonHex(bytes: Uint8Array, upper: boolean): string {
  const parts: string[] = [];
  for (const b of bytes) parts.push(upper ? hex2(b).toUpperCase() : hex2(b));
  return parts.join(':');
}

/** ASN1_STRING_print: printable bytes as they are, others as `.`. */
function stringPrint(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (b >= 0x20 && b <= 0x7e) || b === 0x0a || b === 0x0d ? String.fromCharCode(b) : '.';
  return out;
}

/** ASN1_TIME_print / ASN1_GENERALIZEDTIME_print. */
export function asn1Time(time: string): string {
  return formatAsn1Time(time);
}

/** X509_NAME_print_ex with XN_FLAG_ONELINE: `C = FR, O = Example, CN = www`. */
export function nameOneline(entries: readonly X509NameEntry[]): string {
  return entries.map((e) => `${e.name} = ${e.value}`).join(', ');
}

/** X509_NAME_print (the compat form X509_print uses): `C=FR, O=Example, CN=www`. */
export function nameCompat(entries: readonly X509NameEntry[]): string {
  return entries.map((e) => `${e.name}=${e.value}`).join(', ');
}

/** X509_signature_print: the algorithm, then the signature, 18 bytes a line. */
export function signatureText(algorithm: string, signature: Uint8Array | undefined): string {
  let out = `    Signature Algorithm: ${objectName(algorithm)}\n`;
  if (signature === undefined) return out;
  out += '    Signature Value:';
  for (let i = 0; i < signature.length; i++) {
    if (i % 18 === 0) out += '\n        ';
    out += hex2(signature[i] as number) + (i + 1 === signature.length ? '' : ':');
  }
  return `${out}\n`;
}

const KEY_USAGE = ['Digital Signature', 'Non Repudiation', 'Key Encipherment', 'Data Encipherment', 'Key Agreement', 'Certificate Sign', 'CRL Sign', 'Encipher Only', 'Decipher Only'];

const KEY_PURPOSES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'TLS Web Server Authentication',
  '1.3.6.1.5.5.7.3.2': 'TLS Web Client Authentication',
  '1.3.6.1.5.5.7.3.3': 'Code Signing',
  '1.3.6.1.5.5.7.3.4': 'E-mail Protection',
  '1.3.6.1.5.5.7.3.8': 'Time Stamping',
  '1.3.6.1.5.5.7.3.9': 'OCSP Signing',
};

function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length !== 16) return '<invalid>';
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16).toUpperCase());
  return groups.join(':');
}

/** One GENERAL_NAME as i2v_GENERAL_NAME writes it. */
function generalName(der: Uint8Array, tlv: DerTlv, nameOf: (der: Uint8Array, tlv: DerTlv) => X509NameEntry[]): string {
  const value = der.subarray(tlv.start, tlv.end);
  switch (tlv.tag & 0x1f) {
    case 1:
      return `email:${stringPrint(value)}`;
    case 2:
      return `DNS:${stringPrint(value)}`;
    case 4: {
      const inner = derChildren(der, tlv)[0];
      return `DirName:${inner !== undefined ? nameOf(der, inner).map((e) => `/${e.name}=${e.value}`).join('') : ''}`;
    }
    case 6:
      return `URI:${stringPrint(value)}`;
    case 7:
      return `IP Address:${ipText(value)}`;
    default:
      return 'othername:<unsupported>';
  }
}

/**
 * An extension's value as X509V3_EXT_print writes it at `indent` (the values of extensions
 * OpenSSL knows in one line, or one a line); undefined for those printed raw.
 */
function extensionValue(oid: string, value: Uint8Array, indent: number, nameOf: (der: Uint8Array, tlv: DerTlv) => X509NameEntry[]): string | undefined {
  const pad = ' '.repeat(indent);
  try {
    switch (oid) {
      case '1.3.6.1.5.5.7.48.1.2':
        return pad + asn1StringHex(value);
      case '2.5.29.19': {
        const fields = derChildren(value, derTlv(value, 0));
        const ca = fields[0]?.tag === 0x01 && value[fields[0].start] !== 0;
        const pathlen = fields.find((f) => f.tag === 0x02);
        let out = `${pad}CA:${ca ? 'TRUE' : 'FALSE'}`;
        if (pathlen !== undefined) {
          let n = 0;
          for (let i = pathlen.start; i < pathlen.end; i++) n = n * 256 + (value[i] as number);
          out += `, pathlen:${n}`;
        }
        return out;
      }
      case '2.5.29.14': {
        const tlv = derTlv(value, 0);
        return pad + colonHex(value.subarray(tlv.start, tlv.end), true);
      }
      case '2.5.29.15': {
        const tlv = derTlv(value, 0);
        const names: string[] = [];
        for (let bit = 0; bit < KEY_USAGE.length; bit++) {
          const byte = value[tlv.start + 1 + (bit >> 3)];
          if (byte !== undefined && tlv.start + 1 + (bit >> 3) < tlv.end && (byte & (0x80 >> (bit & 7))) !== 0) names.push(KEY_USAGE[bit] as string);
        }
        return pad + names.join(', ');
      }
      case '2.5.29.37':
        return pad + derChildren(value, derTlv(value, 0)).map((t) => KEY_PURPOSES[derOid(value, t)] ?? derOid(value, t)).join(', ');
      case '2.5.29.17':
      case '2.5.29.18':
        return pad + derChildren(value, derTlv(value, 0)).map((t) => generalName(value, t, nameOf)).join(', ');
      case '2.5.29.35': {
        const parts = derChildren(value, derTlv(value, 0));
        const lines: string[] = [];
        const keyId = parts.find((p) => p.tag === 0x80);
        const issuer = parts.find((p) => p.tag === 0xa1);
        const serial = parts.find((p) => p.tag === 0x82);
        if (keyId !== undefined) lines.push(`${issuer !== undefined || serial !== undefined ? 'keyid:' : ''}${colonHex(value.subarray(keyId.start, keyId.end), true)}`);
        if (issuer !== undefined) for (const name of derChildren(value, issuer)) lines.push(generalName(value, name, nameOf));
        if (serial !== undefined) lines.push(`serial:${colonHex(value.subarray(serial.start, serial.end), true)}`);
        return lines.map((l) => pad + l).join('\n');
      }
      case '1.3.6.1.5.5.7.48.1.5':
        return pad;
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

export interface ExtensionLike {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** X509V3_extensions_print: the title at `indent`, each extension 4 further, its value 4 more. */
export function extensionsText(title: string, extensions: readonly ExtensionLike[], indent: number, nameOf: (der: Uint8Array, tlv: DerTlv) => X509NameEntry[]): string {
  if (extensions.length === 0) return '';
  let out = `${' '.repeat(indent)}${title}:\n`;
  const at = indent + 4;
  for (const ext of extensions) {
    out += `${' '.repeat(at)}${objectName(ext.oid)}: ${ext.critical ? 'critical' : ''}\n`;
    out += extensionValue(ext.oid, ext.value, at + 4, nameOf) ?? `${' '.repeat(at + 4)}${stringPrint(ext.value)}`;
    out += '\n';
  }
  return out;
}

