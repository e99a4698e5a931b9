/**
 * Servers in maintenance because their name does not resolve (HAProxy's SRV_ADMF_RMAINT):
 * `show servers state` reports them with admin state 0x20, and leaving it is the resolver's
 * decision alone.
 */
import type { Server } from '../proxy/server.ts';

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
 * Servers whose FQDN an SRV answer set (HAProxy's SRV_ADMF_HMAINT, 0x40 in `show servers
 * state`): srv_update_fqdn sets it, and nothing clears it.
 */
const fqdnFromSrv = new WeakSet<Server>();

export function setFqdnFromSrv(server: Server): void {
  fqdnFromSrv.add(server);
}

export function hasFqdnFromSrv(server: Server): boolean {
  return fqdnFromSrv.has(server);
}
