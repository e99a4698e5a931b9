/**
 * An OCSP response (RFC 6960) read from its DER, and the OCSP CertID of a certificate: what
 * HAProxy's stapling needs of them (ssl_sock.c ssl_sock_load_ocsp_response: the status, the one
 * single response, its CertID, its status and its update times) and what `show ssl
 * ocsp-response` prints (OpenSSL's OCSP_RESPONSE_print, util/ocsp-text.ts).
 */
import { sha1 } from './sha1.ts';
import { derChildren, derName, derOid, derTlv, type DerTlv, type X509NameEntry } from './x509.ts';

/** CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber }. */
export interface OcspCertId {
  /** Its DER (HAProxy's key of the response, printed in hex). */
  readonly der: Uint8Array;
  readonly hashAlgorithm: string;
  readonly issuerNameHash: Uint8Array;
  readonly issuerKeyHash: Uint8Array;
  /** The serial number's content octets (two's complement, as in the DER). */
  readonly serial: Uint8Array;
}

export interface OcspExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue's content octets. */
  readonly value: Uint8Array;
}

export interface OcspSingleResponse {
  readonly certId: OcspCertId;
  readonly status: 'good' | 'revoked' | 'unknown';
  /** GeneralizedTime texts as written ("20210610085504Z"). */
  readonly revocationTime?: string | undefined;
  readonly revocationReason?: number | undefined;
  readonly thisUpdate: string;
  readonly nextUpdate?: string | undefined;
  readonly extensions: readonly OcspExtension[];
}

export interface OcspBasicResponse {
  /** 0 for v1. */
  readonly version: number;
  readonly responderName?: readonly X509NameEntry[] | undefined;
  readonly responderKeyHash?: Uint8Array | undefined;
  readonly producedAt: string;
  readonly responses: readonly OcspSingleResponse[];
  readonly extensions: readonly OcspExtension[];
  readonly signatureAlgorithm: string;
  /** The signature's bits (the BIT STRING without its unused-bits byte). */
  readonly signature: Uint8Array;
  /** The certificates the responder included, DER. */
  readonly certificates: readonly Uint8Array[];
}

export interface OcspResponse {
  /** responseStatus: 0 successful, 1 malformedRequest, 2 internalError, 3 tryLater, 5 sigRequired, 6 unauthorized. */
  readonly status: number;
  /** responseType's OID, when the response has bytes. */
  readonly responseType?: string | undefined;
  /** The basic response (id-pkix-ocsp-basic). */
  readonly basic?: OcspBasicResponse | undefined;
}

export const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const SHA1 = '1.3.14.3.2.26';

function bytes(der: Uint8Array, tlv: DerTlv): Uint8Array {
  return der.slice(tlv.start, tlv.end);
}

function integer(der: Uint8Array, tlv: DerTlv): number {
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) value = value * 256 + (der[i] as number);
  return value;
}

function latin1(der: Uint8Array, tlv: DerTlv): string {
  let s = '';
  for (let i = tlv.start; i < tlv.end; i++) s += String.fromCharCode(der[i] as number);
  return s;
}

/** Where a value's TLV begins: its one-byte tag and its DER (minimal) length octets precede it. */
function headerStart(tlv: DerTlv): number {
  const length = tlv.end - tlv.start;
  let lengthOctets = 1;
  if (length >= 0x80) for (let l = length; l > 0; l = Math.floor(l / 256)) lengthOctets++;
  return tlv.start - lengthOctets - 1;
}

function certId(der: Uint8Array, tlv: DerTlv): OcspCertId {
  const [algorithm, nameHash, keyHash, serial] = derChildren(der, tlv);
  if (algorithm === undefined || nameHash === undefined || keyHash === undefined || serial === undefined) throw new Error('bad CertID');
  const oid = derChildren(der, algorithm)[0];
  if (oid === undefined) throw new Error('bad CertID');
  return {
    der: der.slice(headerStart(tlv), tlv.end),
    hashAlgorithm: derOid(der, oid),
    issuerNameHash: bytes(der, nameHash),
    issuerKeyHash: bytes(der, keyHash),
    serial: bytes(der, serial),
  };
}

function extensions(der: Uint8Array, tlv: DerTlv | undefined): OcspExtension[] {
  if (tlv === undefined) return [];
  const list = derChildren(der, tlv)[0];
  if (list === undefined) return [];
  return derChildren(der, list).map((ext) => {
    const parts = derChildren(der, ext);
    const oid = parts[0] as DerTlv;
    const critical = parts.length === 3 && der[(parts[1] as DerTlv).start] !== 0;
    const value = parts[parts.length - 1] as DerTlv;
    return { oid: derOid(der, oid), critical, value: bytes(der, value) };
  });
}

function single(der: Uint8Array, tlv: DerTlv): OcspSingleResponse {
  const parts = derChildren(der, tlv);
  const [id, status, thisUpdate] = parts;
  if (id === undefined || status === undefined || thisUpdate === undefined) throw new Error('bad SingleResponse');
  let revocationTime: string | undefined;
  let revocationReason: number | undefined;
  const kind = status.tag & 0x1f;
  if (kind === 1) {
    const [time, reason] = derChildren(der, status);
    if (time !== undefined) revocationTime = latin1(der, time);
    const enumerated = reason !== undefined ? derChildren(der, reason)[0] : undefined;
    if (enumerated !== undefined) revocationReason = integer(der, enumerated);
  }
  const next = parts.find((p, i) => i > 2 && p.tag === 0xa0);
  const nextTime = next !== undefined ? derChildren(der, next)[0] : undefined;
  return {
    certId: certId(der, id),
    status: kind === 0 ? 'good' : kind === 1 ? 'revoked' : 'unknown',
    revocationTime,
    revocationReason,
    thisUpdate: latin1(der, thisUpdate),
    nextUpdate: nextTime !== undefined ? latin1(der, nextTime) : undefined,
    extensions: extensions(der, parts.find((p, i) => i > 2 && p.tag === 0xa1)),
  };
}

function basic(der: Uint8Array): OcspBasicResponse {
  const top = derTlv(der, 0);
  const [data, signatureAlgorithm, signature, certs] = derChildren(der, top);
  if (data === undefined || signatureAlgorithm === undefined || signature === undefined) throw new Error('bad BasicOCSPResponse');
  const fields = derChildren(der, data);
  let i = 0;
  let version = 0;
  if (fields[0]?.tag === 0xa0) {
    const v = derChildren(der, fields[0])[0];
    if (v !== undefined) version = integer(der, v);
    i = 1;
  }
  const responder = fields[i];
  const producedAt = fields[i + 1];
  const responses = fields[i + 2];
  if (responder === undefined || producedAt === undefined || responses === undefined) throw new Error('bad ResponseData');
  const responderValue = derChildren(der, responder)[0];
  const certificates: Uint8Array[] = [];
  const certList = certs !== undefined ? derChildren(der, certs)[0] : undefined;
  if (certList !== undefined) for (const cert of derChildren(der, certList)) certificates.push(der.slice(headerStart(cert), cert.end));
  const sigOid = derChildren(der, signatureAlgorithm)[0];
  return {
    version,
    responderName: responder.tag === 0xa1 && responderValue !== undefined ? derName(der, responderValue) : undefined,
    responderKeyHash: responder.tag === 0xa2 && responderValue !== undefined ? bytes(der, responderValue) : undefined,
    producedAt: latin1(der, producedAt),
    responses: derChildren(der, responses).map((r) => single(der, r)),
    extensions: extensions(der, fields.slice(i + 3).find((f) => f.tag === 0xa1)),
    signatureAlgorithm: sigOid !== undefined ? derOid(der, sigOid) : '',
    signature: der.slice(signature.start + 1, signature.end),
    certificates,
  };
}

/** Reads a DER OCSP response; undefined when it is not one (HAProxy's d2i_OCSP_RESPONSE failing). */
export function readOcspResponse(der: Uint8Array): OcspResponse | undefined {
  try {
    const top = derTlv(der, 0);
    if (top.tag !== 0x30 || top.end !== der.length) return undefined;
    const [status, responseBytes] = derChildren(der, top);
    if (status === undefined || status.tag !== 0x0a) return undefined;
    if (responseBytes === undefined) return { status: integer(der, status) };
    const inner = derChildren(der, responseBytes)[0];
    const [type, octets] = inner !== undefined ? derChildren(der, inner) : [];
    if (type === undefined || octets === undefined) return undefined;
    const responseType = derOid(der, type);
    return {
      status: integer(der, status),
      responseType,
      basic: responseType === OCSP_BASIC ? basic(bytes(der, octets)) : undefined,
    };
  } catch {
    return undefined;
  }
}

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const out: number[] = [];
  for (let l = length; l > 0; l = Math.floor(l / 256)) out.unshift(l & 0xff);
  return [0x80 | out.length, ...out];
}

function tlv(tag: number, content: Uint8Array): Uint8Array {
  const header = [tag, ...derLength(content.length)];
  const out = new Uint8Array(header.length + content.length);
  out.set(header);
  out.set(content, header.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * OpenSSL's OCSP_cert_to_id(NULL, cert, issuer): SHA-1 of the issuer's name (as written in the
 * certificate) and of its public key's bits, and the certificate's serial. Undefined when a
 * certificate cannot be read.
 */
export function ocspCertIdOf(certificate: Uint8Array, issuer: Uint8Array): OcspCertId | undefined {
  try {
    const tbs = (c: Uint8Array): DerTlv[] => {
      const fields = derChildren(c, derChildren(c, derTlv(c, 0))[0] as DerTlv);
      return fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
    };
    const leaf = tbs(certificate);
    const serial = leaf[0] as DerTlv;
    const issuerName = leaf[2] as DerTlv;
    const issuerFields = tbs(issuer);
    const keyInfo = issuerFields[5] as DerTlv;
    const key = derChildren(issuer, keyInfo)[1] as DerTlv;
    const nameHash = sha1(certificate.slice(headerStart(issuerName), issuerName.end));
    const keyHash = sha1(issuer.slice(key.start + 1, key.end));
    const algorithm = tlv(0x30, concat([tlv(0x06, Uint8Array.of(0x2b, 0x0e, 0x03, 0x02, 0x1a)), Uint8Array.of(0x05, 0x00)]));
    const serialBytes = bytes(certificate, serial);
    const der = tlv(0x30, concat([algorithm, tlv(0x04, nameHash), tlv(0x04, keyHash), tlv(0x02, serialBytes)]));
    return { der, hashAlgorithm: SHA1, issuerNameHash: nameHash, issuerKeyHash: keyHash, serial: serialBytes };
  } catch {
    return undefined;
  }
}

/** Whether `issuer` issued `certificate`: its subject is the certificate's issuer name (the check X509_check_issued starts with). */
export function issuedBy(certificate: Uint8Array, issuer: Uint8Array): boolean {
  try {
    const tbs = (c: Uint8Array): DerTlv[] => {
      const fields = derChildren(c, derChildren(c, derTlv(c, 0))[0] as DerTlv);
      return fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
    };
    const a = tbs(certificate)[2] as DerTlv;
    const b = tbs(issuer)[4] as DerTlv;
    const left = certificate.subarray(a.start, a.end);
    const right = issuer.subarray(b.start, b.end);
    return left.length === right.length && left.every((v, i) => v === right[i]);
  } catch {
    return false;
  }
}

/** OpenSSL's OCSP_id_cmp: same hash algorithm, hashes and serial. */
export function sameCertId(a: OcspCertId, b: OcspCertId): boolean {
  return a.der.length === b.der.length && a.der.every((v, i) => v === b.der[i]);
}

/** A GeneralizedTime ("20350217085504Z") as ms since the epoch; NaN when unreadable. */
export function generalizedTimeMs(time: string): number {
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.\d+)?Z$/.exec(time);
  if (m === null) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** OpenSSL's OCSP_MAX_RESPONSE_TIME_SKEW: 5 minutes. */
const MAX_SKEW_MS = 300_000;

export type OcspCheck = { readonly ok: true; readonly certId: OcspCertId; readonly expire: number } | { readonly ok: false; readonly message: string };

/**
 * HAProxy's ssl_sock_load_ocsp_response checks, with its messages: `expected` is the CertID the
 * response must be about (loading a file), undefined for `set ssl ocsp-response`.
 */
export function checkOcspResponse(der: Uint8Array, expected: OcspCertId | undefined, now: number): OcspCheck {
  const response = readOcspResponse(der);
  if (response === undefined) return { ok: false, message: 'Unable to parse OCSP response' };
  if (response.status !== 0) return { ok: false, message: 'OCSP response status not successful' };
  const basic = response.basic;
  if (basic === undefined) return { ok: false, message: 'Failed to get basic response from OCSP Response' };
  if (basic.responses.length > 1) return { ok: false, message: `OCSP response ignored because contains multiple single responses (${basic.responses.length})` };
  const single = basic.responses[0];
  if (single === undefined) return { ok: false, message: 'Failed to get OCSP single response' };
  if (single.status === 'unknown') return { ok: false, message: 'OCSP single response: certificate status is unknown' };
  if (single.nextUpdate === undefined) return { ok: false, message: 'OCSP single response: missing nextupdate' };
  const thisUpdate = generalizedTimeMs(single.thisUpdate);
  const nextUpdate = generalizedTimeMs(single.nextUpdate);
  // OCSP_check_validity(thisupd, nextupd, skew, -1).
  if (!(thisUpdate <= now + MAX_SKEW_MS) || !(nextUpdate >= now - MAX_SKEW_MS) || nextUpdate < thisUpdate) return { ok: false, message: 'OCSP single response: no longer valid.' };
  if (expected !== undefined && !sameCertId(single.certId, expected)) return { ok: false, message: 'OCSP single response: Certificate ID does not match certificate and issuer' };
  return { ok: true, certId: single.certId, expire: nextUpdate - MAX_SKEW_MS };
}

