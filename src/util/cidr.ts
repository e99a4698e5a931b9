/**
 * IPv4/IPv6 network matching for ACL-like settings (`option forwardfor except NET`), compiled
 * once: addresses become 128-bit values as four 32-bit words, IPv4 mapped into ::ffff:0:0/96.
 */
export interface Network {
  readonly words: readonly [number, number, number, number];
  readonly prefix: number;
}

function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value >>> 0;
}

/** Parses an address into 4 words (IPv4 as ::ffff:a.b.c.d), or undefined. */
export function parseAddress(text: string): [number, number, number, number] | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return [0, 0, 0xffff, v4];
  if (!text.includes(':')) return undefined;
  let head = text;
  let tailV4: number | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIPv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0] as string);
  const right = halves.length === 2 ? groups(halves[1] as string) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  const words: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < 8; i++) {
    const g = all[i] as string;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    words[i >> 1] = ((words[i >> 1] as number) | (parseInt(g, 16) << (i % 2 === 0 ? 16 : 0))) >>> 0;
  }
  if (tailV4 !== undefined) words[3] = tailV4;
  return words;
}

/** Parses "10.0.0.0/8", "::1", "fe80::/10", "127.0.0.1" (a bare address is a /32 or /128). */
export function parseNetwork(text: string): Network | undefined {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const words = parseAddress(addressText);
  if (words === undefined) return undefined;
  const isV4 = parseIPv4(addressText) !== undefined;
  let prefix = isV4 ? 32 : 128;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > prefix) return undefined;
    prefix = Number(p);
  }
  return { words, prefix: isV4 ? prefix + 96 : prefix };
}

export function networkContains(network: Network, address: string): boolean {
  const words = parseAddress(address);
  if (words === undefined) return false;
  let bits = network.prefix;
  for (let i = 0; i < 4 && bits > 0; i++, bits -= 32) {
    const mask = bits >= 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0;
    if (((words[i] as number) & mask) >>> 0 !== ((network.words[i] as number) & mask) >>> 0) return false;
  }
  return true;
}
