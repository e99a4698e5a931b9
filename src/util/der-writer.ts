/**
 * DER encoding of the few ASN.1 types an X.509 certificate is built from (the reading side is
 * util/x509.ts). Values are built once per forged certificate, never per request.
 */

function lengthBytes(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** A TLV: `tag`, DER length, `content`. */
export function derTag(tag: number, content: Uint8Array): Uint8Array {
  const head = lengthBytes(content.length);
  const out = new Uint8Array(1 + head.length + content.length);
  out[0] = tag;
  out.set(head, 1);
  out.set(content, 1 + head.length);
  return out;
}

export function derConcat(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function derSequence(...parts: Uint8Array[]): Uint8Array {
  return derTag(0x30, derConcat(parts));
}

export function derSet(...parts: Uint8Array[]): Uint8Array {
  return derTag(0x31, derConcat(parts));
}

/** A non-negative INTEGER. */
export function derInteger(value: number): Uint8Array {
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  if (bytes.length === 0) bytes.push(0);
  // A set high bit would read as negative.
  if ((bytes[0] as number) & 0x80) bytes.unshift(0);
  return derTag(0x02, Uint8Array.from(bytes));
}

export function derBoolean(value: boolean): Uint8Array {
  return derTag(0x01, Uint8Array.of(value ? 0xff : 0));
}

export function derNull(): Uint8Array {
  return Uint8Array.of(0x05, 0x00);
}

/** An OBJECT IDENTIFIER from its dotted form ("1.2.840.10045.4.3.2"). */
export function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [40 * (arcs[0] as number) + (arcs[1] as number)];
  for (const arc of arcs.slice(2)) {
    const groups: number[] = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) groups.unshift(0x80 | (n & 0x7f));
    bytes.push(...groups);
  }
  return derTag(0x06, Uint8Array.from(bytes));
}

export function derOctetString(bytes: Uint8Array): Uint8Array {
  return derTag(0x04, bytes);
}

/** A BIT STRING of whole bytes, `unusedBits` of the last one unused. */
export function derBitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  const content = new Uint8Array(bytes.length + 1);
  content[0] = unusedBits;
  content.set(bytes, 1);
  return derTag(0x03, content);
}

const ascii = new TextEncoder();

export function derIa5String(text: string): Uint8Array {
  return derTag(0x16, ascii.encode(text));
}

export function derUtf8String(text: string): Uint8Array {
  return derTag(0x0c, ascii.encode(text));
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** RFC 5280's Time: UTCTime through 2049, GeneralizedTime after. */
export function derTime(epochMs: number): Uint8Array {
  const d = new Date(epochMs);
  const year = d.getUTCFullYear();
  const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  if (year < 2050) return derTag(0x17, ascii.encode(`${two(year % 100)}${rest}`));
  return derTag(0x18, ascii.encode(`${year}${rest}`));
}

/** `[n]` EXPLICIT (constructed, context-specific). */
export function derExplicit(n: number, content: Uint8Array): Uint8Array {
  return derTag(0xa0 | n, content);
}

/** `[n]` IMPLICIT of a primitive type (its content bytes). */
export function derImplicitPrimitive(n: number, content: Uint8Array): Uint8Array {
  return derTag(0x80 | n, content);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += BASE64[(n >> 18) & 63];
    out += BASE64[(n >> 12) & 63];
    out += b === undefined ? '=' : BASE64[(n >> 6) & 63];
    out += c === undefined ? '=' : BASE64[n & 63];
  }
  return out;
}

/** DER bytes as a PEM block of `label` ("CERTIFICATE"), lines of 64 characters. */
export function derToPem(der: Uint8Array, label: string): string {
  const text = base64(der);
  let body = '';
  for (let i = 0; i < text.length; i += 64) body += `${text.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}
