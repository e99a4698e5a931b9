import { parseIpv4 } from '../util/ipv4.ts';
import type { LbRequest } from './balancer.ts';
import type { HashKey } from './hash-balancer.ts';

/**
 * `balance source`: the client address, as HAProxy's get_server_sh hashes it: the XOR of its
 * big-endian 32-bit words (the address itself for IPv4, 4 words for IPv6), not the hash-type
 * function; `avalanche` still applies. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a
 * dual-stack listener reports) counts as the IPv4 address, so a client keeps its server whichever
 * listener it came through. Parsed from the text without allocating. An address that does not
 * parse (a unix socket, say) has no key: round-robin.
 */
export class SourceKey implements HashKey {
  hash(req: LbRequest): number | undefined {
    return addressHash(req.clientAddress);
  }
}

const groups = new Uint16Array(8);

/** The source hash (int32; `>>> 0` for HAProxy's value) of an IPv4 or IPv6 address in text form, or undefined when it is not one. */
export function addressHash(address: string): number | undefined {
  let start = 0;
  let end = address.length;
  if (end > 1 && address.charCodeAt(0) === 0x5b /* [ */ && address.charCodeAt(end - 1) === 0x5d /* ] */) {
    start++;
    end--;
  }
  const zone = address.indexOf('%', start);
  if (zone >= 0 && zone < end) end = zone;
  if (address.indexOf(':', start) < 0) {
    const v4 = parseIpv4(address, start, end);
    return v4 < 0 ? undefined : v4 | 0;
  }
  if (!parseIpv6(address, start, end)) return undefined;
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return (groups[6]! << 16) | groups[7]!;
  }
  let h = 0;
  for (let i = 0; i < 8; i += 2) h ^= (groups[i]! << 16) | groups[i + 1]!;
  return h;
}


function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Parses an IPv6 address (with `::` and an optional trailing dotted IPv4) into `groups`. */
function parseIpv6(s: string, start: number, end: number): boolean {
  let n = 0;
  let gap = -1;
  let i = start;
  if (end - start >= 2 && s.charCodeAt(i) === 0x3a && s.charCodeAt(i + 1) === 0x3a) {
    gap = 0;
    i += 2;
  }
  while (i < end) {
    const groupStart = i;
    let value = 0;
    let digits = 0;
    for (; i < end && digits < 5; i++, digits++) {
      const d = hexDigit(s.charCodeAt(i));
      if (d < 0) break;
      value = value * 16 + d;
    }
    if (i < end && s.charCodeAt(i) === 0x2e /* . */) {
      // Embedded IPv4: the last two groups.
      const v4 = parseIpv4(s, groupStart, end);
      if (v4 < 0 || n > 6) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (digits === 0 || digits > 4 || n === 8) return false;
    groups[n++] = value;
    if (i === end) break;
    if (s.charCodeAt(i) !== 0x3a /* : */) return false;
    i++;
    if (i < end && s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gap < 0) return n === 8;
  if (n > 7) return false;
  // Move the groups after `::` to the end and zero the gap.
  const tail = n - gap;
  for (let k = 0; k < tail; k++) groups[7 - k] = groups[n - 1 - k]!;
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  return true;
}
