/**
 * The local address of connections to servers: `source ADDR[:PORT]` on a proxy, `source
 * ADDR[:PORT[-PORT]]` on a server (HAProxy's str2sa_range with PA_O_PORT_OK, plus
 * PA_O_PORT_RANGE on servers). Its `usesrc` (transparent proxying: a foreign source address)
 * and `interface` (SO_BINDTODEVICE) options are refused: none of Node, Bun and Deno can set them.
 */
import { isIPv4, isIPv6, parseAddress } from './address.ts';
import type { ConnectSourceModel } from './model.ts';

export type SourceResult = { readonly ok: true; readonly value: ConnectSourceModel } | { readonly ok: false; readonly message: string };

const RANGE = /^(.*):(\d+)-(\d+)$/;

/** Parses `ADDR[:PORT]` (and `ADDR:LOW-HIGH` when `rangeAllowed`). */
export function parseSourceAddress(text: string, rangeAllowed: boolean): SourceResult {
  const range = RANGE.exec(text);
  if (range !== null) {
    if (!rangeAllowed) return { ok: false, message: `port range not permitted here in '${text}'` };
    const low = Number(range[2]);
    const high = Number(range[3]);
    if (low > high || high > 65535) return { ok: false, message: `invalid port range '${range[2]}-${range[3]}'` };
    if (low === 0) return { ok: false, message: `a port range starting at 0 is not supported ('${text}')` };
    const host = hostOf(`${range[1] as string}:${low}`, text);
    if (!host.ok) return host;
    return { ok: true, value: low === high ? { address: host.address, port: low } : { address: host.address, ports: { low, high } } };
  }
  const parsed = parseAddress(text, true, { mapPorts: true });
  if (!parsed.ok) return { ok: false, message: parsed.message };
  if (parsed.value.mapPorts === true && parsed.value.port !== 0) return { ok: false, message: `port offsets are not allowed in a source address ('${text}')` };
  const host = hostOf(text, text);
  if (!host.ok) return host;
  return { ok: true, value: parsed.value.port === 0 ? { address: host.address } : { address: host.address, port: parsed.value.port } };
}

/** The address part, which must be an IP literal (or `*` / empty: any), as the connect APIs take it. */
function hostOf(text: string, whole: string): { ok: true; address: string } | { ok: false; message: string } {
  const parsed = parseAddress(text, true, { mapPorts: true });
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const host = parsed.value.host;
  if (!isIPv4(host) && !isIPv6(host)) {
    return { ok: false, message: `'${host}' is not an IP address ('${whole}'): Switchyard binds connections to a literal address only` };
  }
  return { ok: true, address: host };
}

/** The refusal for a word after the address (HAProxy's loop over `usesrc` / `interface`), without its final period. */
export function sourceOptionRefusal(word: string): string {
  if (word === 'usesrc') {
    return "'usesrc' is not supported: a foreign source address needs transparent proxying (IP_TRANSPARENT), which Node, Bun and Deno cannot set";
  }
  if (word === 'interface') return "'interface' is not supported: Node, Bun and Deno cannot bind a connection to a network interface (SO_BINDTODEVICE)";
  return "'source' only supports optional keywords 'interface' and 'usesrc'";
}
