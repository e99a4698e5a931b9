/**
 * The PROXY protocol (v1 text, v2 binary) as HAProxy 2.6 reads it (connection.c
 * conn_recv_proxy) and writes it (make_proxy_line_v1/v2). Reading is incremental: the caller
 * offers the bytes received so far and learns whether a header is complete, still missing
 * bytes, or invalid (the connection is then closed, with HAProxy's error text in the log).
 */
import { formatIpv4, formatIpv6, inetPton6, v4ToV6, v6ToV4, type Ipv6Words } from '../util/ip-address.ts';

/** The longest v1 line: "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n". */
export const PROXY_V1_MAX = 107;
/** HAProxy reads the header with one recv into its trash buffer (tune.bufsize, 16 KiB). */
export const PROXY_V2_MAX = 16384;
/** PP2_AUTHORITY_MAX and UNIQUEID_LEN. */
const AUTHORITY_MAX = 255;
const UNIQUE_ID_MAX = 128;

const V2_SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a] as const;
const V2_HEADER_LEN = 16;
const V1_PREFIX = 'PROXY ';

const TYPE_ALPN = 0x01;
const TYPE_AUTHORITY = 0x02;
const TYPE_CRC32C = 0x03;
const TYPE_UNIQUE_ID = 0x05;
const TYPE_SSL = 0x20;
const SUBTYPE_SSL_VERSION = 0x21;
const SUBTYPE_SSL_CIPHER = 0x23;
const CLIENT_SSL = 0x01;

/** HAProxy's CO_ER_PRX_* codes, with the text its log line carries (conn_err_code_str). */
export const ProxyHeaderError = {
  empty: 'Connection closed while waiting for PROXY protocol header',
  abort: 'Connection error while waiting for PROXY protocol header',
  timeout: 'Timeout while waiting for PROXY protocol header',
  truncated: 'Truncated PROXY protocol header received',
  notHeader: 'Received something which does not look like a PROXY protocol header',
  badHeader: 'Received an invalid PROXY protocol header',
  badProtocol: 'Received an unhandled protocol in the PROXY protocol header',
} as const;
export type ProxyHeaderErrorText = (typeof ProxyHeaderError)[keyof typeof ProxyHeaderError];

/** What a header says about the connection it precedes. */
export interface ProxyHeader {
  /** Undefined for LOCAL (v2) or UNKNOWN (v1): the connection's own addresses stay. */
  readonly addresses:
    | { readonly source: string; readonly sourcePort: number; readonly destination: string; readonly destinationPort: number }
    | undefined;
  /** PP2_TYPE_AUTHORITY (latin1), `fc_pp_authority`. */
  readonly authority: string | undefined;
  /** PP2_TYPE_UNIQUE_ID (latin1), `fc_pp_unique_id`. */
  readonly uniqueId: string | undefined;
}

export type ProxyHeaderResult =
  | { readonly kind: 'missing' }
  | {
      readonly kind: 'invalid';
      readonly error: ProxyHeaderErrorText;
      /** A v2 header whose addresses were read before a bad TLV: HAProxy keeps (and logs) them. */
      readonly addresses?: ProxyHeader['addresses'];
    }
  | { readonly kind: 'header'; readonly length: number; readonly header: ProxyHeader };

const MISSING: ProxyHeaderResult = { kind: 'missing' };
const invalid = (error: ProxyHeaderErrorText): ProxyHeaderResult => ({ kind: 'invalid', error });

/** Reads a header at the start of `data` (the bytes received so far). */
export function parseProxyHeader(data: Uint8Array): ProxyHeaderResult {
  if (data.length === 0) return MISSING;
  if (data[0] === 0x50 /* P */) return parseV1(data);
  if (data[0] === 0x0d) return parseV2(data);
  return invalid(ProxyHeaderError.notHeader);
}

// ---- v1 ----------------------------------------------------------------------------------------

function parseV1(data: Uint8Array): ProxyHeaderResult {
  const prefix = Math.min(data.length, V1_PREFIX.length);
  for (let i = 0; i < prefix; i++) if (data[i] !== V1_PREFIX.charCodeAt(i)) return invalid(ProxyHeaderError.notHeader);
  // The line ends at the first CRLF; none within HAProxy's longest line is a bad header.
  let lf = -1;
  const limit = Math.min(data.length, PROXY_V1_MAX);
  for (let i = V1_PREFIX.length; i < limit; i++) {
    if (data[i] === 0x0a) {
      lf = i;
      break;
    }
  }
  if (lf < 0) return data.length >= PROXY_V1_MAX ? invalid(ProxyHeaderError.badHeader) : MISSING;
  if (data[lf - 1] !== 0x0d) return invalid(ProxyHeaderError.badHeader);
  let line = '';
  for (let i = V1_PREFIX.length; i < lf - 1; i++) line += String.fromCharCode(data[i] as number);
  const length = lf + 1;
  if (line === 'UNKNOWN' || line.startsWith('UNKNOWN ')) return { kind: 'header', length, header: NO_ADDRESSES };
  const tcp4 = line.startsWith('TCP4 ');
  if (!tcp4 && !line.startsWith('TCP6 ')) return invalid(ProxyHeaderError.badProtocol);
  const fields = line.slice(5).split(' ');
  if (fields.length !== 4) return invalid(ProxyHeaderError.badHeader);
  const [src, dst, sport, dport] = fields as [string, string, string, string];
  const sourcePort = readPort(sport);
  const destinationPort = readPort(dport);
  if (sourcePort < 0 || destinationPort < 0) return invalid(ProxyHeaderError.badHeader);
  let source: string | undefined;
  let destination: string | undefined;
  if (tcp4) {
    source = ipv4Text(src);
    destination = ipv4Text(dst);
  } else {
    source = ipv6Text(src);
    destination = ipv6Text(dst);
  }
  if (source === undefined || destination === undefined) return invalid(ProxyHeaderError.badHeader);
  return { kind: 'header', length, header: { addresses: { source, sourcePort, destination, destinationPort }, authority: undefined, uniqueId: undefined } };
}

const NO_ADDRESSES: ProxyHeader = { addresses: undefined, authority: undefined, uniqueId: undefined };

/** HAProxy's read_uint then htons: decimal digits, the value kept modulo 2^16. */
function readPort(text: string): number {
  if (text === '') return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    value = (value * 10 + d) % 0x1_0000_0000;
  }
  return value & 0xffff;
}

function ipv4Text(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (part === '' || part.length > 3 || !/^[0-9]+$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return formatIpv4(value);
}

function ipv6Text(text: string): string | undefined {
  const words = inetPton6(text);
  return words === undefined ? undefined : clientAddressText(words);
}

/** An IPv4-mapped address reads as the IPv4 one, as the runtimes report such clients. */
export function clientAddressText(words: Ipv6Words): string {
  const v4 = v6ToV4(words);
  return v4 >= 0 ? `::ffff:${formatIpv4(v4)}` : formatIpv6(words);
}

// ---- v2 ----------------------------------------------------------------------------------------

function parseV2(data: Uint8Array): ProxyHeaderResult {
  const prefix = Math.min(data.length, V2_SIGNATURE.length);
  for (let i = 0; i < prefix; i++) if (data[i] !== V2_SIGNATURE[i]) return invalid(ProxyHeaderError.notHeader);
  if (data.length < V2_HEADER_LEN) return MISSING;
  const verCmd = data[12] as number;
  if ((verCmd & 0xf0) !== 0x20) return invalid(ProxyHeaderError.notHeader);
  const bodyLength = ((data[14] as number) << 8) | (data[15] as number);
  const total = V2_HEADER_LEN + bodyLength;
  if (total > PROXY_V2_MAX) return invalid(ProxyHeaderError.badHeader);
  if (data.length < total) return MISSING;
  const command = verCmd & 0x0f;
  if (command === 0x00) return { kind: 'header', length: total, header: NO_ADDRESSES }; // LOCAL
  if (command !== 0x01) return invalid(ProxyHeaderError.badHeader);
  const family = data[13] as number;
  let addresses: ProxyHeader['addresses'];
  let offset = V2_HEADER_LEN;
  if (family === 0x11) {
    if (bodyLength < 12) return invalid(ProxyHeaderError.badHeader);
    addresses = {
      source: formatIpv4(readU32(data, 16)),
      destination: formatIpv4(readU32(data, 20)),
      sourcePort: readU16(data, 24),
      destinationPort: readU16(data, 26),
    };
    offset += 12;
  } else if (family === 0x21) {
    if (bodyLength < 36) return invalid(ProxyHeaderError.badHeader);
    addresses = {
      source: clientAddressText(readWords(data, 16)),
      destination: clientAddressText(readWords(data, 32)),
      sourcePort: readU16(data, 48),
      destinationPort: readU16(data, 50),
    };
    offset += 36;
  }
  // Other families (UNSPEC, UNIX, UDP): the connection's own addresses stay, TLVs are not read.
  if (addresses === undefined) return { kind: 'header', length: total, header: NO_ADDRESSES };
  let authority: string | undefined;
  let uniqueId: string | undefined;
  while (offset < total) {
    if (offset + 3 > total) return { kind: 'invalid', error: ProxyHeaderError.badHeader, addresses };
    const type = data[offset] as number;
    const length = readU16(data, offset + 1);
    const value = offset + 3;
    offset = value + length;
    if (offset > total) return { kind: 'invalid', error: ProxyHeaderError.badHeader, addresses };
    switch (type) {
      case TYPE_CRC32C:
        if (length !== 4 || crc32cWithZeroedField(data, total, value) !== readU32(data, value)) return { kind: 'invalid', error: ProxyHeaderError.badHeader, addresses };
        break;
      case TYPE_AUTHORITY:
        if (length > AUTHORITY_MAX) return { kind: 'invalid', error: ProxyHeaderError.badHeader, addresses };
        authority = latin1(data, value, offset);
        break;
      case TYPE_UNIQUE_ID:
        if (length > UNIQUE_ID_MAX) return { kind: 'invalid', error: ProxyHeaderError.badHeader, addresses };
        uniqueId = latin1(data, value, offset);
        break;
      default:
        break;
    }
  }
  return { kind: 'header', length: total, header: { addresses, authority, uniqueId } };
}

/** Big-endian readers, shared with the NetScaler CIP header (netscaler-cip.ts). */
export function readU16(data: Uint8Array, at: number): number {
  return ((data[at] as number) << 8) | (data[at + 1] as number);
}

export function readU32(data: Uint8Array, at: number): number {
  return (((data[at] as number) << 24) | ((data[at + 1] as number) << 16) | ((data[at + 2] as number) << 8) | (data[at + 3] as number)) >>> 0;
}

export function readWords(data: Uint8Array, at: number): Ipv6Words {
  return [readU32(data, at), readU32(data, at + 4), readU32(data, at + 8), readU32(data, at + 12)];
}

function latin1(data: Uint8Array, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += String.fromCharCode(data[i] as number);
  return out;
}

// ---- CRC32C (Castagnoli), for the PP2_TYPE_CRC32C TLV --------------------------------------------

let crcTable: Uint32Array | undefined;

function crc32cTable(): Uint32Array {
  if (crcTable !== undefined) return crcTable;
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  crcTable = table;
  return table;
}

/** CRC32C of data[0, total) with the 4 bytes at `field` read as zero (how the checksum is computed). */
function crc32cWithZeroedField(data: Uint8Array, total: number, field: number): number {
  const table = crc32cTable();
  let crc = 0xffffffff;
  for (let i = 0; i < total; i++) {
    const byte = i >= field && i < field + 4 ? 0 : (data[i] as number);
    crc = (table[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// ---- writing -----------------------------------------------------------------------------------

/** The addresses a header written to a server carries: the client's connection as the proxy sees it. */
export interface ProxyHeaderSource {
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly localAddress: string;
  readonly localPort: number;
}

/** `proxy-v2-options` HAProxy 2.6 knows. */
export interface ProxyV2Options {
  readonly crc32c?: boolean;
  readonly authority?: boolean;
  readonly uniqueId?: boolean;
  readonly ssl?: boolean;
  readonly sslCipher?: boolean;
}

const encoder = new TextEncoder();

/** make_proxy_line_v1: TCP4 when both ends are IPv4, else TCP6 with IPv4 ends mapped. */
export function proxyLineV1(from: ProxyHeaderSource | undefined): Uint8Array {
  if (from === undefined) return encoder.encode('PROXY UNKNOWN\r\n');
  const src = addressWords(from.clientAddress);
  const dst = addressWords(from.localAddress);
  if (src === undefined || dst === undefined) return encoder.encode('PROXY UNKNOWN\r\n');
  const line =
    typeof src === 'number' && typeof dst === 'number'
      ? `PROXY TCP4 ${formatIpv4(src)} ${formatIpv4(dst)} ${from.clientPort} ${from.localPort}\r\n`
      : `PROXY TCP6 ${formatIpv6(asV6(src))} ${formatIpv6(asV6(dst))} ${from.clientPort} ${from.localPort}\r\n`;
  return encoder.encode(line);
}

/** What v2's TLVs carry beside the addresses. */
export interface ProxyV2Extras {
  readonly alpn?: string | undefined;
  readonly authority?: string | undefined;
  readonly uniqueId?: string | undefined;
  /** The client connection's TLS facts (`ssl` options); undefined on plain TCP. */
  readonly tls?: { readonly version: string | undefined; readonly cipher: string | undefined } | undefined;
}

/** make_proxy_line_v2; `from` undefined writes a LOCAL header (health checks). */
export function proxyHeaderV2(from: ProxyHeaderSource | undefined, options: ProxyV2Options, extras: ProxyV2Extras): Uint8Array {
  const out: number[] = [...V2_SIGNATURE, 0, 0, 0, 0];
  const src = from === undefined ? undefined : addressWords(from.clientAddress);
  const dst = from === undefined ? undefined : addressWords(from.localAddress);
  if (from === undefined || src === undefined || dst === undefined) {
    out[12] = 0x20; // LOCAL
    out[13] = 0x00;
  } else if (typeof src === 'number' && typeof dst === 'number') {
    out[12] = 0x21;
    out[13] = 0x11;
    pushU32(out, src);
    pushU32(out, dst);
    pushU16(out, from.clientPort);
    pushU16(out, from.localPort);
  } else {
    out[12] = 0x21;
    out[13] = 0x21;
    for (const w of asV6(src)) pushU32(out, w);
    for (const w of asV6(dst)) pushU32(out, w);
    pushU16(out, from.clientPort);
    pushU16(out, from.localPort);
  }
  let crcAt = -1;
  if (options.crc32c) {
    crcAt = out.length + 3;
    pushTlv(out, TYPE_CRC32C, [0, 0, 0, 0]);
  }
  if (extras.alpn !== undefined) pushTlv(out, TYPE_ALPN, latin1Bytes(extras.alpn));
  if (options.authority && extras.authority !== undefined) pushTlv(out, TYPE_AUTHORITY, latin1Bytes(extras.authority));
  if (options.uniqueId && extras.uniqueId !== undefined) pushTlv(out, TYPE_UNIQUE_ID, latin1Bytes(extras.uniqueId));
  if (options.ssl) {
    const sub: number[] = [];
    const tls = extras.tls;
    sub.push(tls === undefined ? 0 : CLIENT_SSL);
    pushU32(sub, 0); // verify: no client certificate checked
    if (tls !== undefined) {
      if (tls.version !== undefined) pushTlv(sub, SUBTYPE_SSL_VERSION, latin1Bytes(tls.version));
      if (options.sslCipher && tls.cipher !== undefined) pushTlv(sub, SUBTYPE_SSL_CIPHER, latin1Bytes(tls.cipher));
    }
    pushTlv(out, TYPE_SSL, sub);
  }
  const bodyLength = out.length - V2_HEADER_LEN;
  out[14] = (bodyLength >>> 8) & 0xff;
  out[15] = bodyLength & 0xff;
  const bytes = Uint8Array.from(out);
  if (crcAt >= 0) {
    const crc = crc32cWithZeroedField(bytes, bytes.length, crcAt);
    bytes[crcAt] = crc >>> 24;
    bytes[crcAt + 1] = (crc >>> 16) & 0xff;
    bytes[crcAt + 2] = (crc >>> 8) & 0xff;
    bytes[crcAt + 3] = crc & 0xff;
  }
  return bytes;
}

/** An IPv4 address as a number, an IPv6 one as words (mapped IPv4 reads as IPv4), or undefined. */
function addressWords(text: string): number | Ipv6Words | undefined {
  const v4 = ipv4Text(text);
  if (v4 !== undefined) {
    const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
    return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  }
  const words = inetPton6(text);
  if (words === undefined) return undefined;
  const mapped = v6ToV4(words);
  return mapped >= 0 ? mapped : words;
}

function asV6(address: number | Ipv6Words): Ipv6Words {
  return typeof address === 'number' ? v4ToV6(address) : address;
}

function pushU16(out: number[], v: number): void {
  out.push((v >>> 8) & 0xff, v & 0xff);
}

function pushU32(out: number[], v: number): void {
  out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

function pushTlv(out: number[], type: number, value: readonly number[]): void {
  out.push(type);
  pushU16(out, value.length);
  for (const b of value) out.push(b);
}

function latin1Bytes(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i) & 0xff);
  return out;
}
