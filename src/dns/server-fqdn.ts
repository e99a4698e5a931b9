/**
 * A server's link to the resolution of its name, which `set server B/S fqdn NAME` moves
 * (HAProxy 2.6's srv_set_fqdn): the server leaves the resolution of its old name and joins
 * that of the new one, which is resolved at once; its address stays until an answer for the
 * new name changes it. A server given by address with `resolvers` has the link too, resolving
 * nothing until it is given a name.
 */
import type { Server } from '../proxy/server.ts';
import type { DnsResolvers, Resolution } from './resolvers.ts';
import type { ServerResolution } from './server-resolution.ts';

/**
 * resolv_str_to_dn_label's verdict and the name as resolutions compare names (lower case, no
 * trailing dot); undefined when a label is empty ("a..b", ".a", ".").
 */
export function dnName(fqdn: string): string | undefined {
  const name = fqdn.endsWith('.') ? fqdn.slice(0, -1) : fqdn;
  if (name === '' || name.split('.').some((label) => label === '')) return undefined;
  return name.toLowerCase();
}

export class ServerFqdn {
  readonly server: Server;
  readonly #resolvers: DnsResolvers;
  readonly #preferIPv4: boolean;
  readonly #requester: ServerResolution;
  #resolution: Resolution | undefined;

  constructor(server: Server, resolvers: DnsResolvers, preferIPv4: boolean, requester: ServerResolution, resolution: Resolution | undefined) {
    this.server = server;
    this.#resolvers = resolvers;
    this.#preferIPv4 = preferIPv4;
    this.#requester = requester;
    this.#resolution = resolution;
  }

  /**
   * srv_set_fqdn: false when `fqdn` is no DNS name. A name whose resolution is the current
   * one (the same but for case or a trailing dot) changes nothing, not even the server's
   * hostname, as in HAProxy.
   */
  set(fqdn: string): boolean {
    const name = dnName(fqdn);
    if (name === undefined) return false;
    if (this.#resolution !== undefined && this.#resolution.hostname === name) return true;
    if (this.#resolution !== undefined) this.#resolvers.unsubscribe(this.#resolution, this.#requester);
    this.server.hostname = fqdn;
    this.#requester.rename(fqdn);
    this.#resolution = this.#resolvers.subscribe(fqdn, this.#preferIPv4, this.#requester);
    return true;
  }
}
