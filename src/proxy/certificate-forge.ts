/**
 * The certificate HAProxy 2.6 forges for `generate-certificates` (ssl_sock_do_create_cert):
 * X509v3, a serial from a process-wide counter, valid from a day ago for a year, the public
 * key of the bind's default certificate, issued by the `ca-sign-file` CA (its subject as the
 * issuer), the CA's subject plus a CN of the server name as the subject, the extensions
 * basicConstraints CA:FALSE, nsComment "\"OpenSSL Generated Certificate\"" (quotes kept), subjectKeyIdentifier
 * hash, authorityKeyIdentifier keyid,issuer:always, keyUsage nonRepudiation,digitalSignature,
 * keyEncipherment and a subjectAltName DNS:<name>, signed by the CA's key with SHA-256.
 */
import type { DigestAlgorithm, PrivateKey } from '../runtime.ts';
import { derChildren, derOid as readOid, derTlv, type DerTlv } from '../util/x509.ts';
import {
  derBitString,
  derConcat,
  derExplicit,
  derIa5String,
  derImplicitPrimitive,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derTag,
  derTime,
  derUtf8String,
} from '../util/der-writer.ts';

/** What the forged certificates take from the `ca-sign-file` certificate, read once. */
export interface SigningCa {
  readonly key: PrivateKey;
  /** The CA's subject Name (DER): the forged certificates' issuer, and their subject's start. */
  readonly subject: Uint8Array;
  /** The CA's own issuer Name and serial INTEGER (DER), for authorityKeyIdentifier's issuer:always. */
  readonly issuer: Uint8Array;
  readonly serial: Uint8Array;
  /** The CA's subjectKeyIdentifier, for authorityKeyIdentifier's keyid (none without one). */
  readonly keyId: Uint8Array | undefined;
}

const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

function whole(der: Uint8Array, tlv: DerTlv): Uint8Array {
  // A TLV's header is at most 6 bytes before its value: find where it starts.
  for (let at = Math.max(0, tlv.start - 6); at < tlv.start; at++) {
    try {
      const head = derTlv(der, at);
      if (head.start === tlv.start && head.end === tlv.end && head.tag === tlv.tag) return der.slice(at, tlv.end);
    } catch {
      // Not a header here.
    }
  }
  throw new Error('not a TLV of this DER');
}

function subjectKeyIdentifier(der: Uint8Array, extensions: DerTlv | undefined): Uint8Array | undefined {
  if (extensions === undefined) return undefined;
  const list = derChildren(der, extensions)[0];
  if (list === undefined) return undefined;
  for (const extension of derChildren(der, list)) {
    const parts = derChildren(der, extension);
    const id = parts[0];
    const value = parts[parts.length - 1];
    if (id === undefined || value === undefined) continue;
    if (readOid(der, id) !== SUBJECT_KEY_IDENTIFIER) continue;
    const inner = derTlv(der, value.start);
    return der.slice(inner.start, inner.end);
  }
  return undefined;
}

/** Reads the CA certificate's fields the forged certificates use; throws on a certificate it cannot read. */
export function signingCa(caDer: Uint8Array, key: PrivateKey): SigningCa {
  const certificate = derTlv(caDer, 0);
  const tbs = derChildren(caDer, certificate)[0];
  if (tbs === undefined) throw new Error('not a certificate');
  const fields = derChildren(caDer, tbs);
  const i = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = fields[i];
  const issuer = fields[i + 2];
  const subject = fields[i + 4];
  if (serial === undefined || issuer === undefined || subject === undefined) throw new Error('not a certificate');
  return {
    key,
    subject: whole(caDer, subject),
    issuer: whole(caDer, issuer),
    serial: whole(caDer, serial),
    keyId: subjectKeyIdentifier(
      caDer,
      fields.slice(i + 6).find((f) => f.tag === 0xa3),
    ),
  };
}

function extension(oid: string, value: Uint8Array): Uint8Array {
  return derSequence(derOid(oid), derOctetString(value));
}

/** The BIT STRING's bits of a SubjectPublicKeyInfo (what subjectKeyIdentifier "hash" digests). */
function publicKeyBits(spki: Uint8Array): Uint8Array {
  const [, bits] = derChildren(spki, derTlv(spki, 0));
  if (bits === undefined) throw new Error('not a SubjectPublicKeyInfo');
  return spki.slice(bits.start + 1, bits.end);
}

/** The Name `ca` with one more RDN, CN=`name` (X509_NAME_add_entry_by_txt at the end). */
function subjectWithCn(ca: Uint8Array, name: string): Uint8Array {
  const outer = derTlv(ca, 0);
  const cn = derSet(derSequence(derOid('2.5.4.3'), derUtf8String(name)));
  return derTag(0x30, derConcat([ca.subarray(outer.start, outer.end), cn]));
}

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ForgeInput {
  readonly serverName: string;
  readonly serial: number;
  readonly nowMs: number;
  /** The SubjectPublicKeyInfo (DER) of the bind's default certificate's key. */
  readonly publicKeyInfo: Uint8Array;
}

/** The forged certificate, DER. `digest` is the runtime's (SHA-1 for the subject key identifier). */
export function forgeCertificate(ca: SigningCa, input: ForgeInput, digest: (algorithm: DigestAlgorithm, data: Uint8Array) => Uint8Array): Uint8Array {
  // ecdsa-with-SHA256 (no parameters) or sha256WithRSAEncryption (NULL parameters).
  const signatureAlgorithm = ca.key.type === 'ec' ? derSequence(derOid('1.2.840.10045.4.3.2')) : derSequence(derOid('1.2.840.113549.1.1.11'), derNull());
  const authorityKeyId = derSequence(
    ...(ca.keyId !== undefined ? [derImplicitPrimitive(0, ca.keyId)] : []),
    derTag(0xa1, derExplicit(4, ca.issuer)),
    derImplicitPrimitive(2, ca.serial.subarray(derTlv(ca.serial, 0).start)),
  );
  const extensions = derSequence(
    extension('2.5.29.19', derSequence()),
    // HAProxy's value is written with its quotes, which OpenSSL keeps.
    extension('2.16.840.1.113730.1.13', derIa5String('"OpenSSL Generated Certificate"')),
    extension(SUBJECT_KEY_IDENTIFIER, derOctetString(digest('sha1', publicKeyBits(input.publicKeyInfo)))),
    extension('2.5.29.35', authorityKeyId),
    // nonRepudiation, digitalSignature, keyEncipherment: bits 0-2, 5 unused.
    extension('2.5.29.15', derBitString(Uint8Array.of(0xe0), 5)),
    extension('2.5.29.17', derSequence(derImplicitPrimitive(2, new TextEncoder().encode(input.serverName)))),
  );
  const tbs = derSequence(
    derExplicit(0, derInteger(2)),
    derInteger(input.serial),
    signatureAlgorithm,
    ca.subject,
    derSequence(derTime(input.nowMs - DAY_MS), derTime(input.nowMs + 365 * DAY_MS)),
    subjectWithCn(ca.subject, input.serverName),
    input.publicKeyInfo,
    derExplicit(3, extensions),
  );
  const signature = ca.key.sign('sha256', tbs);
  return derSequence(tbs, signatureAlgorithm, derBitString(signature));
}
