/**
 * The NetScaler Client IP insertion header (CIP) as HAProxy 2.6 reads it (connection.c
 * conn_recv_netscaler_cip; doc/netscaler-client-ip-insertion-protocol.txt): a NetScaler in front
 * sends, right after the TCP handshake, a magic number both sides agree on, a length, then the
 * IP and TCP headers of the client's last handshake packet, from which the client's and the
 * original destination's addresses and ports are taken. Two layouts: legacy (NetScaler < 10.5:
 * magic, length of the rest) and standard (magic, CIP length, type 1, header length).
 *
 * HAProxy peeks at the socket once and fails a header that is not all there ("truncated"); this
 * reader is offered the bytes received so far and waits for the rest (within `timeout client`),
 * as the PROXY header reader does: a header split over two segments is read rather than refused.
 * Every length test is HAProxy's, including those made against all the bytes (prefix included).
 */
import { formatIpv4 } from '../util/ip-address.ts';
import { clientAddressText, readU16, readU32, readWords, type ProxyHeader } from './proxy-protocol.ts';

/** HAProxy's CO_ER_CIP_* codes, with the text its log line carries (conn_err_code_str). */
export const NetscalerCipError = {
  empty: 'Connection closed while waiting for NetScaler Client IP header',
  abort: 'Connection error while waiting for NetScaler Client IP header',
  timeout: 'Timeout while waiting for a NetScaler Client IP header',
  truncated: 'Truncated NetScaler Client IP header received',
  badMagic: 'Received an invalid NetScaler Client IP magic number',
  badProtocol: 'Received an unhandled protocol in the NetScaler Client IP header',
} as const;
export type NetscalerCipErrorText = (typeof NetscalerCipError)[keyof typeof NetscalerCipError];

export type NetscalerCipResult =
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly error: NetscalerCipErrorText }
  | { readonly kind: 'header'; readonly length: number; readonly addresses: NonNullable<ProxyHeader['addresses']> };

const MISSING: NetscalerCipResult = { kind: 'missing' };
const BAD_MAGIC: NetscalerCipResult = { kind: 'invalid', error: NetscalerCipError.badMagic };
const BAD_PROTOCOL: NetscalerCipResult = { kind: 'invalid', error: NetscalerCipError.badProtocol };
const TRUNCATED: NetscalerCipResult = { kind: 'invalid', error: NetscalerCipError.truncated };
/** HAProxy peeks into its trash buffer (tune.bufsize): a longer header can never be whole there. */
const CIP_MAX = 16384;
const IPPROTO_TCP = 6;
const IPV6_HEADER = 40;

/** Reads a CIP header carrying `magic` at the start of `data` (the bytes received so far). */
export function parseNetscalerCip(data: Uint8Array, magic: number): NetscalerCipResult {
  if (data.length < 12) return MISSING;
  if (readU32(data, 0) !== magic >>> 0) return BAD_MAGIC;
  let headerLength: number;
  let ip: number;
  const marker = data[8] as number;
  if ((marker & 0xd0) === 0x40) {
    // Legacy: the IP header's version nibble (4 or 6) right after the length.
    headerLength = readU32(data, 4);
    ip = 8;
  } else if (marker === 0x00) {
    headerLength = readU16(data, 10);
    ip = 12;
  } else {
    return BAD_PROTOCOL;
  }
  if (ip + headerLength > CIP_MAX) return TRUNCATED;
  if (data.length < 20) return MISSING;
  const version = (data[ip] as number) >> 4;
  if (version === 4) {
    if (data.length < 40 || data.length < headerLength) return MISSING;
    if (data[ip + 9] !== IPPROTO_TCP) return BAD_PROTOCOL;
    const tcp = ip + ((data[ip] as number) & 0x0f) * 4;
    // HAProxy reads the ports where the IP header's length says, within its buffer: wait for them.
    if (data.length < tcp + 4) return MISSING;
    return header(ip + headerLength, formatIpv4(readU32(data, ip + 12)), formatIpv4(readU32(data, ip + 16)), data, tcp);
  }
  if (version === 6) {
    if (data.length < 60 || data.length < headerLength) return MISSING;
    if (data[ip + 6] !== IPPROTO_TCP) return BAD_PROTOCOL;
    const tcp = ip + IPV6_HEADER;
    if (data.length < tcp + 4) return MISSING;
    return header(ip + headerLength, clientAddressText(readWords(data, ip + 8)), clientAddressText(readWords(data, ip + 24)), data, tcp);
  }
  return BAD_PROTOCOL;
}

function header(length: number, source: string, destination: string, data: Uint8Array, tcp: number): NetscalerCipResult {
  // HAProxy then removes `length` bytes from the socket; it fails (an abort) when fewer are there.
  if (data.length < length) return MISSING;
  return { kind: 'header', length, addresses: { source, sourcePort: readU16(data, tcp), destination, destinationPort: readU16(data, tcp + 2) } };
}
