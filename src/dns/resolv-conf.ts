/**
 * `parse-resolv-conf`: the `nameserver ADDRESS` lines of /etc/resolv.conf, as HAProxy's
 * parse_resolve_conf reads them: each named by its address, port 53; lines whose address is
 * not an IP literal are left out, as are repeated addresses.
 */
import { isIPv4, isIPv6 } from '../config/address.ts';
import type { NameserverModel } from '../config/model.ts';

export function nameserversFromResolvConf(text: string): NameserverModel[] {
  const found: NameserverModel[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const words = (lines[i] as string).trim().split(/[ \t]+/);
    if (words[0] !== 'nameserver' || words[1] === undefined) continue;
    // A scoped IPv6 address (fe80::1%eth0) keeps its scope out of the literal check.
    const address = words[1].split('%')[0] as string;
    const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
    if (family === undefined || found.some((n) => n.name === words[1])) continue;
    found.push({ name: words[1], host: address.toLowerCase(), port: 53, family, source: { file: '/etc/resolv.conf', line: i + 1 } });
  }
  return found;
}
