/**
 * `init-addr METHOD[,METHOD...]` on `server` and `default-server` (HAProxy's srv_parse_init_addr):
 * how a server given by host name gets its address at startup. Methods: `last` (the address a
 * server-state file kept: Switchyard has none, so it is always skipped), `libc` (the system
 * resolver), `none` (start without an address, in maintenance), or one IP address. At most
 * INIT_ADDR_MAX_METHODS of them; a server's own `init-addr` replaces the default-server's.
 * The startup side is src/proxy/init-addr.ts.
 */

import { isIPv4, isIPv6 } from '../address.ts';
import type { InitAddrMethod, InitAddrModel } from '../model.ts';
import type { KeywordList, ServerOption } from '../registry.ts';

/** HAProxy packs the list in 3-bit slots of an unsigned int: ten fit. */
export const INIT_ADDR_MAX_METHODS = 10;

/** HAProxy's methods when a server has no `init-addr`. */
export const DEFAULT_INIT_ADDR: InitAddrModel = { methods: ['last', 'libc'], address: undefined };

const NAMED_METHODS: ReadonlySet<string> = new Set<InitAddrMethod>(['last', 'libc', 'none']);

export type InitAddrResult = { readonly ok: true; readonly value: InitAddrModel | undefined } | { readonly ok: false; readonly message: string };

/**
 * Parses the comma-separated list. An empty value leaves HAProxy's default (undefined); an empty
 * method inside the list, which HAProxy reads as the address 0.0.0.0, is refused instead.
 */
export function parseInitAddr(text: string): InitAddrResult {
  if (text === '') return { ok: true, value: undefined };
  const methods: InitAddrMethod[] = [];
  let address: string | undefined;
  for (const part of text.split(',')) {
    let method: InitAddrMethod;
    if (NAMED_METHODS.has(part)) {
      method = part as InitAddrMethod;
    } else {
      const ip = part.startsWith('[') && part.endsWith(']') ? part.slice(1, -1) : part;
      if (!isIPv4(ip) && !isIPv6(ip)) {
        return { ok: false, message: `unknown init-addr method '${part}', supported methods are 'libc', 'last', 'none'.` };
      }
      if (address !== undefined) return { ok: false, message: `initial address already specified, cannot add '${part}'.` };
      address = ip.toLowerCase();
      method = 'ip';
    }
    if (methods.length === INIT_ADDR_MAX_METHODS) {
      return { ok: false, message: `too many init-addr methods when trying to add '${part}'.` };
    }
    methods.push(method);
  }
  return { ok: true, value: { methods, address } };
}

const initAddr: ServerOption = {
  name: 'init-addr',
  arity: 1,
  defaultServerAllowed: true,
  parse(ctx, server, value, option) {
    if (value === undefined) return;
    const parsed = parseInitAddr(value.text);
    if (parsed.ok) server.initAddr = parsed.value;
    else ctx.error(`'${option.text}' : ${parsed.message}`, value);
  },
};

export const serverInitAddrKeywords: KeywordList = { serverOptions: [initAddr] };
