/**
 * Startup name resolution, as HAProxy's srv_init_addr(): when a configuration is loaded (also by
 * `-c`), every server given by host name gets its address once, by its `init-addr` methods in
 * order (default `last,libc`):
 *
 *  - `last`: the address the server-state file kept for the server (`load-server-state-from-file`,
 *    src/proxy/server-state-file.ts); skipped when it has none;
 *  - `libc`: the system resolver (Runtime.lookup, getaddrinfo); the first address it returns;
 *  - `none`: no address: the server starts in maintenance (HAProxy's "MAINT (resolution)");
 *  - an IP address: that one.
 *
 * A list that ends without an address refuses the configuration. `-dr` appends `none` to every
 * list, so a name that does not resolve only disables its server. Connections then dial the
 * address; nothing is resolved per connection.
 */

import { DEFAULT_INIT_ADDR, INIT_ADDR_MAX_METHODS } from '../config/keywords/server-init-addr.ts';
import { isIPv4, isIPv6 } from '../config/address.ts';
import { srvRecordOf } from '../dns/srv-name.ts';
import type { BackendModel, ConfigModel, InitAddrMethod, InitAddrModel, ServerModel } from '../config/model.ts';

/** The resolver: Runtime.lookup. */
export type AddressLookup = (host: string, family?: 4 | 6) => Promise<string[]>;

export interface InitAddrOptions {
  /** `-dr`: a name that does not resolve disables its server instead of refusing to start. */
  readonly dontFail?: boolean;
  /** The address a server-state file kept for a server (`init-addr last`). */
  readonly lastAddress?: (backend: string, server: string) => string | undefined;
}

export interface InitAddrOutcome {
  /** The configuration with `resolvedAddress` set on every server given by host name. */
  readonly config: ConfigModel;
  /** HAProxy's warnings, each `[FILE:LINE] : 'server B/S' : ...` (print them after `config : `). */
  readonly warnings: readonly string[];
  /** Not empty: the configuration cannot start ("Failed to initialize server(s) addr."). */
  readonly alerts: readonly string[];
}

/** What the methods decided for one server. */
export interface InitAddrDecision {
  /** The address to dial, or false for none (maintenance); undefined when the list found none. */
  readonly address: string | false | undefined;
  /** HAProxy's message: a warning beside an address or `false`, an alert beside undefined. */
  readonly message: string | undefined;
}

/** The methods tried for a server: its own, else `last,libc`; `-dr` appends `none` where it fits. */
export function initAddrMethods(initAddr: InitAddrModel | undefined, dontFail: boolean): readonly InitAddrMethod[] {
  const methods = (initAddr ?? DEFAULT_INIT_ADDR).methods;
  return dontFail && methods.length < INIT_ADDR_MAX_METHODS ? [...methods, 'none'] : methods;
}

/**
 * HAProxy's srv_iterate_initaddr: walks the methods with what the resolver found for the name
 * (`resolved`: its addresses, or undefined when it did not resolve or was not asked).
 */
export function decideInitAddr(
  name: string,
  methods: readonly InitAddrMethod[],
  configured: string | undefined,
  resolved: readonly string[] | undefined,
  last?: string,
): InitAddrDecision {
  let failed = false;
  for (const method of methods) {
    switch (method) {
      case 'last':
        // srv_apply_lastaddr: only an IP address is taken.
        if (last !== undefined && (isIPv4(last) || isIPv6(last))) return { address: last, message: undefined };
        continue;
      case 'libc': {
        const first = resolved?.[0];
        if (first !== undefined) return { address: first, message: undefined };
        failed = true;
        continue;
      }
      case 'none':
        return { address: false, message: failed ? `could not resolve address '${name}', disabling server.` : undefined };
      case 'ip':
        return {
          address: configured,
          message: failed ? `could not resolve address '${name}', falling back to configured address.` : undefined,
        };
    }
  }
  return {
    address: undefined,
    message: failed ? `could not resolve address '${name}'.` : `no method found to resolve address '${name}'.`,
  };
}

/** Whether the walk reaches `libc`: the first method that is not `last` (always skipped) is it. */
function asksResolver(methods: readonly InitAddrMethod[]): boolean {
  return methods.find((m) => m !== 'last') === 'libc';
}

/** A server given by host name (not an IP literal, not a UNIX socket path). */
function isHostName(server: ServerModel): boolean {
  return server.unix !== true && !isIPv4(server.host) && !isIPv6(server.host);
}

/** A server filled from an SRV record starts without address: its resolvers give it one (src/dns/srv-request.ts). */
function fromSrvRecord(server: ServerModel): boolean {
  return srvRecordOf(server) !== undefined;
}

function where(backend: BackendModel, server: ServerModel): string {
  const { file, line } = server.source;
  const place = line > 0 ? `[${file}:${line}]` : file;
  return `${place} : 'server ${backend.name}/${server.name}' : `;
}

/** Resolves every server host name of `config` (backends that are `disabled` are left alone, as in HAProxy). */
export async function resolveServerAddresses(
  config: ConfigModel,
  lookup: AddressLookup,
  options: InitAddrOptions = {},
): Promise<InitAddrOutcome> {
  const dontFail = options.dontFail ?? false;
  // Every name is asked once, all at once; the answers are then applied in configuration order.
  const answers = new Map<string, Promise<string[] | undefined>>();
  const keyOf = (server: ServerModel) => (server.family === undefined ? server.host : `${server.host}/${server.family}`);
  for (const backend of config.backends) {
    if (backend.disabled) continue;
    for (const server of backend.servers) {
      if (!isHostName(server) || fromSrvRecord(server) || !asksResolver(initAddrMethods(server.initAddr, dontFail))) continue;
      const key = keyOf(server);
      if (!answers.has(key)) answers.set(key, lookup(server.host, server.family).then(nonEmpty, () => undefined));
    }
  }

  const warnings: string[] = [];
  const alerts: string[] = [];
  const backends: BackendModel[] = [];
  for (const backend of config.backends) {
    if (backend.disabled || !backend.servers.some((s) => isHostName(s))) {
      backends.push(backend);
      continue;
    }
    const servers: ServerModel[] = [];
    for (const server of backend.servers) {
      if (!isHostName(server)) {
        servers.push(server);
        continue;
      }
      if (fromSrvRecord(server)) {
        servers.push({ ...server, resolvedAddress: false });
        continue;
      }
      const methods = initAddrMethods(server.initAddr, dontFail);
      const resolved = asksResolver(methods) ? await answers.get(keyOf(server)) : undefined;
      const decision = decideInitAddr(server.host, methods, server.initAddr?.address, resolved, options.lastAddress?.(backend.name, server.name));
      if (decision.message !== undefined) {
        (decision.address === undefined ? alerts : warnings).push(where(backend, server) + decision.message);
      }
      servers.push({ ...server, resolvedAddress: decision.address ?? false });
    }
    backends.push({ ...backend, servers });
  }
  return { config: { ...config, backends }, warnings, alerts };
}

function nonEmpty(addresses: string[]): string[] | undefined {
  return addresses.length > 0 ? addresses : undefined;
}
