/**
 * IPv4 and IPv6 addresses as HAProxy reads and prints them for samples: inet_pton's strict
 * forms, HAProxy's lenient buf2ip (digits and dots, trailing text ignored), and glibc's
 * inet_ntop text (lower-case hex, the longest run of zero groups as "::", IPv4-mapped and
 * -compatible addresses in dotted form). An IPv6 address is four 32-bit words, most
 * significant first.
 */
import { parseAddress } from './cidr.ts';

export type Ipv6Words = readonly [number, number, number, number];

/** inet_pton(AF_INET): four decimal octets, no leading zero, nothing else; -1 when invalid. */
export function inetPton4(text: string): number {
  let value = 0;
  let octets = 0;
  let octet = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 0x2e : text.charCodeAt(i);
    if (c === 0x2e /* . */) {
      if (octet < 0 || ++octets > 4) return -1;
      value = value * 256 + octet;
      octet = -1;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9 || octet === 0) return -1;
    octet = octet < 0 ? d : octet * 10 + d;
    if (octet > 255) return -1;
  }
  return octets === 4 ? value : -1;
}

/**
 * HAProxy's buf2ip: four dot-separated decimal octets at the start of `text`, stopping at the
 * first character that is neither a digit nor a dot (so "1.2.3.4:80" reads as 1.2.3.4); -1
 * when invalid.
 */
export function bufToIpv4(text: string): number {
  let value = 0;
  let octets = 0;
  let octet = 0;
  let sawDigit = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const d = c - 0x30;
    if ((d < 0 || d > 9) && c !== 0x2e) break;
    if (d >= 0 && d <= 9) {
      octet = octet * 10 + d;
      if (octet > 255) return -1;
      if (!sawDigit) {
        if (++octets > 4) return -1;
        sawDigit = true;
      }
    } else if (sawDigit) {
      if (octets === 4) return -1;
      value = value * 256 + octet;
      octet = 0;
      sawDigit = false;
    } else {
      return -1;
    }
  }
  // A '.' after the fourth octet failed above, so the fourth one is complete here.
  return octets < 4 ? -1 : value * 256 + octet;
}

/** inet_pton(AF_INET6), or undefined. */
export function inetPton6(text: string): Ipv6Words | undefined {
  if (!text.includes(':')) return undefined;
  return parseAddress(text);
}

export function formatIpv4(value: number): string {
  return `${(value >>> 24) & 0xff}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** glibc's inet_ntop(AF_INET6). */
export function formatIpv6(words: Ipv6Words): string {
  const groups: number[] = [];
  for (const w of words) groups.push((w >>> 16) & 0xffff, w & 0xffff);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // An encapsulated IPv4 address (::a.b.c.d or ::ffff:a.b.c.d).
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff))) {
      out += formatIpv4(words[3] >>> 0);
      break;
    }
    out += (groups[i] as number).toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** The IPv4 address an IPv4-mapped IPv6 one (::ffff:a.b.c.d) carries, or -1 (HAProxy's v6tov4). */
export function v6ToV4(words: Ipv6Words): number {
  return words[0] === 0 && words[1] === 0 && words[2] >>> 0 === 0xffff ? words[3] >>> 0 : -1;
}

/** ::ffff:a.b.c.d (HAProxy's v4tov6). */
export function v4ToV6(value: number): Ipv6Words {
  return [0, 0, 0xffff, value >>> 0];
}

/**
 * HAProxy's str2ip2() without name resolution, printed as inet_ntop would: an IPv6 or IPv4
 * address, bracketed or not ("[::1]", "[1.2.3.4]"), "*" for the IPv4 any address; undefined
 * for anything else (host names included).
 */
export function literalAddress(text: string): string | undefined {
  let body = text;
  if (body.startsWith('[')) {
    // At least "[::]", at most what fits HAProxy's 48-byte copy.
    if (body.length < 4 || body.length >= 48 || !body.endsWith(']')) return undefined;
    body = body.slice(1, -1);
  }
  if (body === '::') return '::';
  if (body === '' || body === '*') return '0.0.0.0';
  const v6 = inetPton6(body);
  if (v6 !== undefined) return formatIpv6(v6);
  const v4 = inetPton4(body);
  return v4 < 0 ? undefined : formatIpv4(v4);
}
