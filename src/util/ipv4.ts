/**
 * Dotted-quad IPv4 text in text[start, end) as an unsigned 32-bit value, or -1 when it is not
 * exactly four decimal octets (0..255, at most three digits each). No allocation: balancing
 * (`balance source`) and stick-table keys parse client addresses per connection.
 */
export function parseIpv4(s: string, start = 0, end = s.length): number {
  let value = 0;
  let octets = 0;
  let i = start;
  while (octets < 4) {
    let octet = 0;
    let digits = 0;
    while (i < end) {
      const d = s.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      octet = octet * 10 + d;
      if (++digits > 3 || octet > 255) return -1;
      i++;
    }
    if (digits === 0) return -1;
    value = value * 256 + octet;
    if (++octets < 4) {
      if (i >= end || s.charCodeAt(i) !== 0x2e /* . */) return -1;
      i++;
    }
  }
  return i === end ? value : -1;
}
