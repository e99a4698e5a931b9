/**
 * Just enough of an X.509 DER reader for HAProxy's certificate fetches (`ssl_c_*`, `ssl_f_*`,
 * `ssl_s_*`): version, serial, issuer and subject names, validity times as written, signature
 * and key algorithms. The core gets certificates as bytes from the runtime (TlsInfo) and reads
 * them here, so every runtime answers the same.
 */

export interface X509NameEntry {
  /** OpenSSL's short name ("CN", "O", "emailAddress"...), or the dotted OID when unknown. */
  readonly name: string;
  readonly value: string;
}

export interface X509Facts {
  /** 1..3 (X509_get_version + 1). */
  readonly version: number;
  readonly serial: Uint8Array;
  readonly issuer: readonly X509NameEntry[];
  readonly subject: readonly X509NameEntry[];
  /** The ASN.1 time text, as HAProxy returns it ("180116230238Z"). */
  readonly notBefore: string;
  readonly notAfter: string;
  /** OpenSSL's short name of the signature algorithm ("RSA-SHA256"). */
  readonly signatureAlgorithm: string;
  /** OpenSSL's short name of the public key algorithm ("rsaEncryption"). */
  readonly keyAlgorithm: string;
  /** HAProxy's cert_get_pkey_algo: "RSA2048", "EC256", "DSA2048"; undefined for other keys. */
  readonly keyDescription: string | undefined;
  /** subjectAltName entries: DNS names as "DNS:name", other kinds as undefined (HAProxy prints nothing for them). */
  readonly subjectAltNames: readonly (string | undefined)[];
}

const EC_CURVE_BITS: Readonly<Record<string, number>> = {
  '1.2.840.10045.3.1.7': 256,
  '1.3.132.0.34': 384,
  '1.3.132.0.35': 521,
  '1.3.132.0.10': 256,
  '1.2.840.10045.3.1.1': 192,
  '1.3.132.0.33': 224,
};

/** Bits of a DER INTEGER's magnitude. */
function integerBits(der: Uint8Array, tlv: Tlv): number {
  let start = tlv.start;
  while (start < tlv.end - 1 && der[start] === 0) start++;
  const first = der[start] as number;
  return (tlv.end - start - 1) * 8 + (first === 0 ? 0 : 32 - Math.clz32(first));
}

/** HAProxy's "RSA2048" / "EC256" / "DSA2048" for a SubjectPublicKeyInfo. */
function keyDescription(der: Uint8Array, keyInfo: Tlv): string | undefined {
  const [algorithm, key] = children(der, keyInfo);
  if (algorithm === undefined || key === undefined) return undefined;
  const [id, params] = children(der, algorithm);
  if (id === undefined) return undefined;
  const name = oid(der, id);
  if (name === '1.2.840.113549.1.1.1') {
    // BIT STRING: one unused-bits byte, then RSAPublicKey { modulus, exponent }.
    const inner = readTlv(der, key.start + 1);
    const modulus = children(der, inner)[0];
    return modulus === undefined ? undefined : `RSA${integerBits(der, modulus)}`;
  }
  if (name === '1.2.840.10045.2.1') {
    const bits = params !== undefined && params.tag === 0x06 ? EC_CURVE_BITS[oid(der, params)] : undefined;
    return bits === undefined ? undefined : `EC${bits}`;
  }
  if (name === '1.2.840.10040.4.1') {
    const p = params === undefined ? undefined : children(der, params)[0];
    return p === undefined ? undefined : `DSA${integerBits(der, p)}`;
  }
  return undefined;
}

/** The subjectAltName extension's entries, in order. */
function subjectAltNames(der: Uint8Array, extensionsWrapper: Tlv | undefined): (string | undefined)[] {
  if (extensionsWrapper === undefined) return [];
  const list = children(der, extensionsWrapper)[0];
  if (list === undefined) return [];
  for (const extension of children(der, list)) {
    const parts = children(der, extension);
    const id = parts[0];
    const value = parts[parts.length - 1];
    if (id === undefined || value === undefined || oid(der, id) !== '2.5.29.17') continue;
    const names = readTlv(der, value.start);
    return children(der, names).map((name) => (name.tag === 0x82 ? `DNS:${text(der, name)}` : undefined));
  }
  return [];
}

const NAME_OIDS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.17': 'postalCode',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.46': 'dnQualifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
};

const ALGORITHM_OIDS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.1': 'rsaEncryption',
  '1.2.840.113549.1.1.4': 'RSA-MD5',
  '1.2.840.113549.1.1.5': 'RSA-SHA1',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.113549.1.1.11': 'RSA-SHA256',
  '1.2.840.113549.1.1.12': 'RSA-SHA384',
  '1.2.840.113549.1.1.13': 'RSA-SHA512',
  '1.2.840.113549.1.1.14': 'RSA-SHA224',
  '1.2.840.10045.2.1': 'id-ecPublicKey',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.1': 'DSA',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

interface Tlv {
  readonly tag: number;
  /** Start of the value. */
  readonly start: number;
  /** End of the value (exclusive). */
  readonly end: number;
}

function readTlv(der: Uint8Array, at: number): Tlv {
  const tag = der[at] as number;
  let length = der[at + 1] as number;
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] as number);
    start += count;
  }
  const end = start + length;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, start, end };
}

/** The TLVs directly inside a constructed value. */
function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let at = parent.start;
  while (at < parent.end) {
    const tlv = readTlv(der, at);
    out.push(tlv);
    at = tlv.end;
  }
  return out;
}

function oid(der: Uint8Array, tlv: Tlv): string {
  const parts: number[] = [];
  const first = der[tlv.start] as number;
  parts.push(Math.floor(first / 40), first % 40);
  let value = 0;
  for (let i = tlv.start + 1; i < tlv.end; i++) {
    const byte = der[i] as number;
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

const utf8 = new TextDecoder();

function text(der: Uint8Array, tlv: Tlv): string {
  const bytes = der.subarray(tlv.start, tlv.end);
  // BMPString: UTF-16BE.
  if (tlv.tag === 0x1e) {
    let s = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
    return s;
  }
  return utf8.decode(bytes);
}

function name(der: Uint8Array, tlv: Tlv): X509NameEntry[] {
  const entries: X509NameEntry[] = [];
  for (const set of children(der, tlv)) {
    for (const attribute of children(der, set)) {
      const [type, value] = children(der, attribute);
      if (type === undefined || value === undefined) continue;
      const id = oid(der, type);
      entries.push({ name: NAME_OIDS[id] ?? id, value: text(der, value) });
    }
  }
  return entries;
}

function algorithm(der: Uint8Array, tlv: Tlv): string {
  const first = children(der, tlv)[0];
  if (first === undefined) return '';
  const id = oid(der, first);
  return ALGORITHM_OIDS[id] ?? id;
}

/** Reads a DER certificate; undefined when it is not one this reader understands. */
export function readX509(der: Uint8Array): X509Facts | undefined {
  try {
    const certificate = readTlv(der, 0);
    const [tbs, signatureAlgorithm] = children(der, certificate);
    if (tbs === undefined || signatureAlgorithm === undefined) return undefined;
    const fields = children(der, tbs);
    let i = 0;
    let version = 1;
    if (fields[0]?.tag === 0xa0) {
      const inner = children(der, fields[0])[0];
      if (inner !== undefined) version = (der[inner.end - 1] as number) + 1;
      i = 1;
    }
    const serial = fields[i] as Tlv;
    const issuer = fields[i + 2] as Tlv;
    const validity = fields[i + 3] as Tlv;
    const subject = fields[i + 4] as Tlv;
    const keyInfo = fields[i + 5] as Tlv;
    const [notBefore, notAfter] = children(der, validity);
    const keyAlgorithm = children(der, keyInfo)[0];
    const extensions = fields.slice(i + 6).find((f) => f.tag === 0xa3);
    if (notBefore === undefined || notAfter === undefined || keyAlgorithm === undefined) return undefined;
    return {
      version,
      // The magnitude, as OpenSSL's ASN1_INTEGER data (without DER's sign-padding zero).
      serial: der.slice(serial.end - serial.start > 1 && der[serial.start] === 0 ? serial.start + 1 : serial.start, serial.end),
      issuer: name(der, issuer),
      subject: name(der, subject),
      notBefore: text(der, notBefore),
      notAfter: text(der, notAfter),
      signatureAlgorithm: algorithm(der, signatureAlgorithm),
      keyAlgorithm: algorithm(der, keyAlgorithm),
      keyDescription: keyDescription(der, keyInfo),
      subjectAltNames: subjectAltNames(der, extensions),
    };
  } catch {
    return undefined;
  }
}

/** HAProxy's default DN format (X509_NAME_oneline-like): "/C=FR/O=Example/CN=www". */
export function formatDnOneline(entries: readonly X509NameEntry[]): string {
  let out = '';
  for (const entry of entries) out += `/${entry.name}=${entry.value}`;
  return out;
}

/** HAProxy's "LDAP" DN format: entries reversed, comma-separated: "CN=www,O=Example,C=FR". */
export function formatDnLdap(entries: readonly X509NameEntry[]): string {
  const parts: string[] = [];
  for (let i = entries.length - 1; i >= 0; i--) parts.push(`${(entries[i] as X509NameEntry).name}=${(entries[i] as X509NameEntry).value}`);
  return parts.join(',');
}

/**
 * One entry of a DN by name (`ssl_c_s_dn(CN)`): the `occ`th occurrence from the start (1 =
 * first), or from the end when negative (-1 = last), as HAProxy's ssl_sock_get_dn_entry.
 */
export function dnEntry(entries: readonly X509NameEntry[], entryName: string, occ: number): string | undefined {
  const matches = entries.filter((e) => e.name === entryName);
  const index = occ > 0 ? occ - 1 : matches.length + occ;
  return matches[index]?.value;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * OpenSSL's ASN1_TIME_print for an ASN.1 time as written ("180116230238Z", or a
 * GeneralizedTime "20500116230238Z"): "Jan 16 23:02:38 2018 GMT".
 */
export function formatAsn1Time(time: string): string {
  const generalized = time.length >= 15;
  const yearText = generalized ? time.slice(0, 4) : time.slice(0, 2);
  const rest = generalized ? time.slice(4) : time.slice(2);
  let year = Number(yearText);
  if (!generalized) year += year < 50 ? 2000 : 1900;
  const month = MONTHS[Number(rest.slice(0, 2)) - 1] ?? '???';
  const day = String(Number(rest.slice(2, 4))).padStart(2, ' ');
  return `${month} ${day} ${rest.slice(4, 6)}:${rest.slice(6, 8)}:${rest.slice(8, 10)} ${year} GMT`;
}

/** Every certificate of a PEM text, as DER. */
export function pemToDers(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const match of pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)) {
    const der = pemToDer(match[0]);
    if (der !== undefined) out.push(der);
  }
  return out;
}

/** The DER bytes of the first certificate of a PEM text. */
export function pemToDer(pem: string): Uint8Array | undefined {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (match === null) return undefined;
  const b64 = (match[1] as string).replace(/[^A-Za-z0-9+/]/g, '');
  const bytes = new Uint8Array(Math.floor((b64.length * 3) / 4));
  let bits = 0;
  let count = 0;
  let n = 0;
  for (let i = 0; i < b64.length; i++) {
    bits = (bits << 6) | BASE64.indexOf(b64[i] as string);
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes[n++] = (bits >> count) & 0xff;
    }
  }
  return bytes.subarray(0, n);
}

/** The DER reading helpers, for the other X.509 structures read in util/ (x509-crl.ts). */
export { readTlv as derTlv, children as derChildren, oid as derOid, text as derText, name as derName, type Tlv as DerTlv };
