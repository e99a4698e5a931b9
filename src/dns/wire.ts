/**
 * DNS wire format (RFC 1035, RFC 2782, RFC 6891) as HAProxy 2.6's resolvers speak it
 * (resolv_build_query, resolv_read_name, resolv_validate_dns_response): one question per query,
 * recursion desired, an EDNS0 OPT record announcing `accepted_payload_size`; responses are
 * checked the way HAProxy checks them and reduced to the records a server needs (A, AAAA,
 * CNAME, SRV and the additional A/AAAA of SRV targets).
 *
 * Parsing never throws and never loops without bound: every read is checked against the end of
 * the packet, compression pointers must point backwards and are followed at most
 * MAX_POINTER_DEPTH times, and a name is at most 255 bytes.
 */

import { formatIpv6 } from '../util/ip-address.ts';

export const DNS_TYPE_A = 1;
export const DNS_TYPE_CNAME = 5;
export const DNS_TYPE_AAAA = 28;
export const DNS_TYPE_SRV = 33;
export const DNS_TYPE_OPT = 41;

export type DnsQueryType = typeof DNS_TYPE_A | typeof DNS_TYPE_AAAA | typeof DNS_TYPE_SRV;

const CLASS_IN = 1;
const HEADER_SIZE = 12;
/** HAProxy's DNS_MIN_RECORD_SIZE: the smallest answer record (a pointer name and an A record). */
const MIN_RECORD_SIZE = 16;
const MAX_NAME_SIZE = 255;
/** HAProxy's resolv_read_name gives up past 100 nested pointers. */
const MAX_POINTER_DEPTH = 100;

const RCODE_NX_DOMAIN = 3;
const RCODE_REFUSED = 5;
const FLAG_TRUNCATED = 0x0200;

/** One record of an answer, names in dotted lower-case text without the final dot. */
export type DnsRecord =
  | { readonly type: typeof DNS_TYPE_A; readonly name: string; readonly ttl: number; readonly address: string }
  | { readonly type: typeof DNS_TYPE_AAAA; readonly name: string; readonly ttl: number; readonly address: string }
  | { readonly type: typeof DNS_TYPE_CNAME; readonly name: string; readonly ttl: number; readonly target: string }
  | {
      readonly type: typeof DNS_TYPE_SRV;
      readonly name: string;
      readonly ttl: number;
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    };

/**
 * What a response means, HAProxy's RSLV_RESP_* codes: `valid`, or why not. `invalid` is a
 * malformed packet (or one announcing more records than fit `accepted_payload_size`).
 */
export type DnsResponseStatus =
  | 'valid'
  | 'invalid'
  | 'nx'
  | 'refused'
  | 'error'
  | 'query-count'
  | 'wrong-name'
  | 'ancount-zero'
  | 'cname-error'
  | 'truncated';

export interface DnsResponse {
  readonly id: number;
  readonly status: DnsResponseStatus;
  /** The answer section's A/AAAA/SRV/CNAME records (empty unless `valid`). */
  readonly answers: readonly DnsRecord[];
  /** The additional section's A/AAAA records (SRV targets' addresses). */
  readonly additional: readonly DnsRecord[];
}

/** `www.example.com` as labels; undefined when a label is empty or longer than 63 bytes, or the name longer than 255. */
export function encodeName(name: string): Uint8Array | undefined {
  const text = name.endsWith('.') ? name.slice(0, -1) : name;
  if (text === '') return Uint8Array.of(0);
  const labels = text.split('.');
  const out: number[] = [];
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return undefined;
    out.push(label.length);
    for (let i = 0; i < label.length; i++) {
      const c = label.charCodeAt(i);
      if (c > 0x7e || c <= 0x20) return undefined;
      out.push(c);
    }
  }
  out.push(0);
  return out.length > MAX_NAME_SIZE ? undefined : Uint8Array.from(out);
}

/**
 * HAProxy's resolv_build_query: header (RD set, one question, one additional record), the
 * question of class IN, and an OPT record with `payloadSize` (no flags, no options).
 */
export function buildQuery(id: number, name: Uint8Array, type: DnsQueryType, payloadSize: number): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + name.length + 4 + 11);
  const view = new DataView(out.buffer);
  view.setUint16(0, id & 0xffff);
  view.setUint16(2, 0x0100);
  view.setUint16(4, 1);
  view.setUint16(10, 1);
  out.set(name, HEADER_SIZE);
  let at = HEADER_SIZE + name.length;
  view.setUint16(at, type);
  view.setUint16(at + 2, CLASS_IN);
  at += 4;
  // OPT: root name (0), type, UDP payload size in the class field, TTL 0, no data.
  out[at] = 0;
  view.setUint16(at + 1, DNS_TYPE_OPT);
  view.setUint16(at + 3, payloadSize);
  return out;
}

/** A name read from a packet: its text and where the bytes after it start. */
interface NameRead {
  readonly text: string;
  readonly next: number;
}

/** resolv_read_name: a (possibly compressed) name at `at`; undefined when malformed. */
export function readName(packet: Uint8Array, at: number): NameRead | undefined {
  let text = '';
  let size = 0;
  let reader = at;
  let next = -1;
  let depth = 0;
  for (;;) {
    if (reader >= packet.length) return undefined;
    const len = packet[reader]!;
    if ((len & 0xc0) === 0xc0) {
      if (reader + 1 >= packet.length) return undefined;
      const target = ((len & 0x3f) << 8) | packet[reader + 1]!;
      // Only backwards, as HAProxy requires: a pointer can never loop.
      if (target >= reader || ++depth > MAX_POINTER_DEPTH) return undefined;
      if (next < 0) next = reader + 2;
      reader = target;
      continue;
    }
    if ((len & 0xc0) !== 0) return undefined;
    if (len === 0) {
      if (next < 0) next = reader + 1;
      return { text, next };
    }
    if (reader + len >= packet.length) return undefined;
    size += len + 1;
    if (size >= MAX_NAME_SIZE) return undefined;
    if (text !== '') text += '.';
    for (let i = 1; i <= len; i++) {
      const c = packet[reader + i]!;
      text += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
    }
    reader += len + 1;
  }
}

function u16(packet: Uint8Array, at: number): number {
  return (packet[at]! << 8) | packet[at + 1]!;
}

function u32(packet: Uint8Array, at: number): number {
  return ((packet[at]! << 24) >>> 0) + (packet[at + 1]! << 16) + (packet[at + 2]! << 8) + packet[at + 3]!;
}

function ipv4(packet: Uint8Array, at: number): string {
  return `${packet[at]}.${packet[at + 1]}.${packet[at + 2]}.${packet[at + 3]}`;
}

/** The address as HAProxy prints it (glibc's inet_ntop), so log lines name it alike. */
export function ipv6(packet: Uint8Array, at: number): string {
  return formatIpv6([u32(packet, at), u32(packet, at + 4), u32(packet, at + 8), u32(packet, at + 12)]);
}

function failure(id: number, status: DnsResponseStatus): DnsResponse {
  return { id, status, answers: [], additional: [] };
}

/** One resource record: its owner name, type, TTL and where its data is; undefined when malformed. */
interface RecordHead {
  readonly name: string;
  readonly type: number;
  readonly ttl: number;
  readonly data: number;
  readonly dataLength: number;
}

function readRecordHead(packet: Uint8Array, at: number): RecordHead | undefined {
  const owner = readName(packet, at);
  if (owner === undefined) return undefined;
  const p = owner.next;
  if (p + 10 > packet.length) return undefined;
  const dataLength = u16(packet, p + 8);
  if (p + 10 + dataLength > packet.length) return undefined;
  return { name: owner.text, type: u16(packet, p), ttl: u32(packet, p + 4), data: p + 10, dataLength };
}

/** The record's data as a DnsRecord; null when its type is none of ours, undefined when malformed. */
function readRecordData(packet: Uint8Array, head: RecordHead): DnsRecord | null | undefined {
  const { name, ttl, data, dataLength } = head;
  switch (head.type) {
    case DNS_TYPE_A:
      return dataLength === 4 ? { type: DNS_TYPE_A, name, ttl, address: ipv4(packet, data) } : undefined;
    case DNS_TYPE_AAAA:
      return dataLength === 16 ? { type: DNS_TYPE_AAAA, name, ttl, address: ipv6(packet, data) } : undefined;
    case DNS_TYPE_CNAME: {
      const target = readName(packet, data);
      return target === undefined ? undefined : { type: DNS_TYPE_CNAME, name, ttl, target: target.text };
    }
    case DNS_TYPE_SRV: {
      if (dataLength <= 6) return undefined;
      const target = readName(packet, data + 6);
      if (target === undefined) return undefined;
      return {
        type: DNS_TYPE_SRV,
        name,
        ttl,
        priority: u16(packet, data),
        weight: u16(packet, data + 2),
        port: u16(packet, data + 4),
        target: target.text,
      };
    }
    default:
      return null;
  }
}

/**
 * HAProxy's resolv_validate_dns_response for a query of `queryName` (dotted, lower case):
 * the rcode, one question naming what was asked, a non-empty answer section whose records
 * follow the CNAME chain from the asked name (SRV answers are taken as they come), truncation
 * refused except for SRV, at most (payloadSize - 12) / 16 answers.
 */
export function parseResponse(packet: Uint8Array, queryName: string, payloadSize: number): DnsResponse {
  if (packet.length < HEADER_SIZE + 1) return failure(packet.length >= 2 ? u16(packet, 0) : 0, 'invalid');
  const id = u16(packet, 0);
  const flags = u16(packet, 2);
  const rcode = flags & 0x000f;
  if (rcode !== 0) return failure(id, rcode === RCODE_NX_DOMAIN ? 'nx' : rcode === RCODE_REFUSED ? 'refused' : 'error');
  if (u16(packet, 4) !== 1) return failure(id, 'query-count');
  const ancount = u16(packet, 6);
  if (ancount === 0) return failure(id, 'ancount-zero');
  if (ancount > Math.floor((payloadSize - HEADER_SIZE) / MIN_RECORD_SIZE)) return failure(id, 'invalid');
  const nscount = u16(packet, 8);
  const arcount = u16(packet, 10);

  const question = readName(packet, HEADER_SIZE);
  if (question === undefined) return failure(id, 'invalid');
  if (question.text !== queryName) return failure(id, 'wrong-name');
  if (question.next + 4 > packet.length) return failure(id, 'invalid');
  const queryType = u16(packet, question.next);
  if (queryType !== DNS_TYPE_SRV && (flags & FLAG_TRUNCATED) !== 0) return failure(id, 'truncated');

  let at = question.next + 4;
  let expected = queryName;
  const answers: DnsRecord[] = [];
  for (let i = 0; i < ancount; i++) {
    const head = readRecordHead(packet, at);
    if (head === undefined) return failure(id, 'invalid');
    if (queryType !== DNS_TYPE_SRV && head.name !== expected) return failure(id, i === 0 ? 'invalid' : 'cname-error');
    const record = readRecordData(packet, head);
    if (record === undefined) return failure(id, 'invalid');
    if (record?.type === DNS_TYPE_CNAME) {
      // A chain that ends on a CNAME gave no address (a wrong query type, says HAProxy).
      if (i + 1 === ancount) return failure(id, 'cname-error');
      expected = record.target;
    }
    if (record !== null) answers.push(record);
    at = head.data + head.dataLength;
  }
  // Authority records are skipped; additional A/AAAA records carry SRV targets' addresses.
  for (let i = 0; i < nscount; i++) {
    const head = readRecordHead(packet, at);
    if (head === undefined) return { id, status: 'valid', answers, additional: [] };
    at = head.data + head.dataLength;
  }
  const additional: DnsRecord[] = [];
  for (let i = 0; i < arcount; i++) {
    const head = readRecordHead(packet, at);
    if (head === undefined) break;
    const record = head.type === DNS_TYPE_A || head.type === DNS_TYPE_AAAA ? readRecordData(packet, head) : null;
    if (record !== null && record !== undefined) additional.push(record);
    at = head.data + head.dataLength;
  }
  return { id, status: 'valid', answers, additional };
}
