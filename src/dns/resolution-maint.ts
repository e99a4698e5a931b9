/**
 * Servers in maintenance because their name does not resolve (HAProxy's SRV_ADMF_RMAINT):
 * `show servers state` reports them with admin state 0x20, and leaving it is the resolver's
 * decision alone.
 */
import type { Server } from '../proxy/server.ts';
import { isIPv4, isIPv6 } from '../config/address.ts';

const resolutionMaint = new WeakSet<Server>();

export function setResolutionMaint(server: Server): void {
  resolutionMaint.add(server);
}

export function clearResolutionMaint(server: Server): void {
  resolutionMaint.delete(server);
}

export function inResolutionMaint(server: Server): boolean {
  return resolutionMaint.has(server);
}

/**
 * A server without address (HAProxy's AF_UNSPEC): one in resolution maintenance, or a host name
 * server that left it without one (`set server addr` clears RMAINT even when it refuses the
 * address). `show servers state` and `show servers conn` print "-", `show stat` an empty addr,
 * and no connection to it can be made.
 */
export function withoutAddress(server: Server): boolean {
  // On every connection: servers given by address answer before any address is parsed.
  if (server.unix || (server.hostname === undefined && !inResolutionMaint(server))) return false;
  return !isIPv4(server.host) && !isIPv6(server.host);
}

/**
 * Servers whose FQDN an SRV answer set (HAProxy's SRV_ADMF_HMAINT, 0x40 in `show servers
 * state`): srv_update_fqdn sets it, and nothing clears it.
 */
const fqdnFromSrv = new WeakSet<Server>();

export function setFqdnFromSrv(server: Server): void {
  fqdnFromSrv.add(server);
}


/**
 * Servers whose FQDN `set server fqdn` set (HAProxy's SRV_ADMF_HMAINT too). HAProxy sets the
 * flag in next_admin only, so `show servers state` shows it once the server's next admin
 * change (maintenance or drain entered or left) commits it.
 */
const fqdnFromCli = new WeakMap<Server, 'pending' | 'committed'>();

export function setFqdnFromCli(server: Server): void {
  if (fqdnFromCli.get(server) !== 'committed') fqdnFromCli.set(server, 'pending');
}

/** An admin change of the server commits what was pending (srv_update_status's cur_admin = next_admin). */
export function commitAdminFlags(server: Server): void {
  if (fqdnFromCli.get(server) === 'pending') fqdnFromCli.set(server, 'committed');
}

/** SRV_ADMF_HMAINT in the server's current admin state: its FQDN came from an SRV answer or, committed, from the CLI. */
export function showsFqdnFlag(server: Server): boolean {
  return fqdnFromSrv.has(server) || fqdnFromCli.get(server) === 'committed';
}
