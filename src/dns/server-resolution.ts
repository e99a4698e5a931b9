/**
 * A server kept resolved by a `resolvers` section, HAProxy 2.6's server.c side of DNS
 * (snr_resolution_cb, snr_update_srv_status, snr_resolution_error_cb, srv_update_addr):
 *
 *  - a valid answer: the address the server dials is chosen among the A/AAAA records
 *    (resolv_get_ip_from_response's scores: the preferred family, then an address no other
 *    server of the backend uses, then the current one); a new one is logged as
 *    "B/S changed its IP from OLD to NEW by RESOLVERS/NAMESERVER" (or "by DNS cache" for a
 *    server that shared another's resolution); an answer without any address puts the server
 *    in maintenance "(No IP for server )", and the first usable answer brings it back;
 *  - a failed resolution puts it in maintenance once the `hold` period of that failure
 *    (nx, timeout, refused, other) has passed since the last valid answer, and forgets its
 *    address.
 *
 * That maintenance is HAProxy's SRV_ADMF_RMAINT: `show servers state` reports admin state 0x20
 * (resolution-maint.ts), and a server also in forced or configured maintenance stays there.
 */
import { LogLevel } from '../log/logger.ts';
import type { HealthLog } from '../health/health-log.ts';
import type { ServerCheck } from '../health/server-check.ts';
import { countUsableServers, noServerAlertMessage, noServerLogMessage } from '../health/state-messages.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import { resolvesAgain, setCheckHealth } from '../runtime-api/server-admin.ts';
import type { Runtime } from '../runtime.ts';
import type { ResolversModel } from '../config/model.ts';
import { DNS_TYPE_A, DNS_TYPE_AAAA } from './wire.ts';
import type { Resolution, ResolutionRequester } from './resolvers.ts';
import type { NameserverCounters } from './resolvers.ts';
import { commitAdminFlags, inResolutionMaint, setResolutionMaint } from './resolution-maint.ts';
import { networkContains, type Network } from '../util/cidr.ts';

export interface ServerResolutionOptions {
  readonly runtime: Runtime;
  readonly backend: Backend;
  readonly server: Server;
  /** The host name as configured (an IP address for a server given by address: nothing resolved until `set server fqdn`). */
  readonly hostname: string;
  readonly preferIPv4: boolean;
  readonly resolvers: ResolversModel;
  readonly log: HealthLog;
  /** The server's health check, if any (maintenance pauses it; leaving restarts it at `rise`). */
  readonly check: () => ServerCheck | undefined;
  /** How HAProxy names the backend in "has no server available!". */
  readonly proxyType: 'backend' | 'listen';
  /** `resolve-opts allow-dup-ip`: an address another server of the backend took may be taken too. */
  readonly allowDupIp?: boolean | undefined;
  /** `resolve-net`: addresses in these networks are preferred (after the family). */
  readonly preferredNetworks?: readonly PreferredNetwork[] | undefined;
}

/** One `resolve-net` network and the record type it applies to (HAProxy compares only the same family). */
export interface PreferredNetwork {
  readonly type: typeof DNS_TYPE_A | typeof DNS_TYPE_AAAA;
  readonly network: Network;
}

export class ServerResolution implements ResolutionRequester {
  readonly #o: ServerResolutionOptions;
  /** The address in use; undefined when the server has none (init-addr none, or dropped by a failure). */
  #address: string | undefined;
  /** The name resolved: the configured one until `set server fqdn` changes it. */
  #hostname: string;

  get group(): object {
    return this.#o.backend;
  }

  constructor(options: ServerResolutionOptions, address: string | undefined) {
    this.#o = options;
    this.#address = address;
    this.#hostname = options.hostname;
    if (address === undefined) setResolutionMaint(options.server);
  }

  get address(): string | undefined {
    return this.#address;
  }

  get hostname(): string {
    return this.#hostname;
  }

  /** `set server fqdn`: the name its next answers are for (the address stays until one comes). */
  rename(hostname: string): void {
    this.#hostname = hostname;
  }

  onAnswer(resolution: Resolution, nameserver: string | undefined, counters?: NameserverCounters): void {
    const chosen = this.#pick(resolution);
    if (chosen === undefined) {
      this.#detach(resolution);
      this.enterMaint('No IP for server ');
      return;
    }
    this.#detach(resolution);
    const owners = resolution.attached.get(chosen.address);
    if (owners === undefined) resolution.attached.set(chosen.address, [this]);
    else owners.push(this);
    if (!chosen.current) {
      // snr_resolution_cb counts an address change on the nameserver that answered.
      if (counters !== undefined) counters.update++;
      this.setAddress(chosen.address, nameserver ?? 'DNS cache');
    }
    this.leaveMaint(true);
  }

  #detach(resolution: Resolution): void {
    for (const [address, owners] of resolution.attached) {
      const i = owners.indexOf(this);
      if (i < 0) continue;
      owners.splice(i, 1);
      if (owners.length === 0) resolution.attached.delete(address);
    }
  }

  onFailure(resolution: Resolution): void {
    const { hold } = this.#o.resolvers;
    const now = this.#o.runtime.now();
    let period: number;
    let cause: string;
    switch (resolution.status) {
      case 'nx':
        [period, cause] = [hold.nx, 'DNS NX status'];
        break;
      case 'timeout':
        [period, cause] = [hold.timeout, 'DNS timeout status'];
        break;
      case 'refused':
        [period, cause] = [hold.refused, 'DNS refused status'];
        break;
      default:
        [period, cause] = [hold.other, 'unspecified DNS error'];
    }
    // The last valid answer is trusted for the hold period of this failure.
    if (now < resolution.lastValid + period) return;
    this.#detach(resolution);
    this.enterMaint(cause);
  }

  /** resolv_get_ip_from_response: the best-scored address, and whether it is the current one. */
  #pick(resolution: Resolution): { address: string; current: boolean } | undefined {
    const answers = resolution.response?.answers ?? [];
    // Still attached to an address of the answer: keep it.
    if (this.#address !== undefined && resolution.attached.get(this.#address)?.includes(this) === true) return { address: this.#address, current: true };
    const preferred = this.#o.preferIPv4 ? DNS_TYPE_A : DNS_TYPE_AAAA;
    let best = -1;
    let ip4: string | undefined;
    let ip6: string | undefined;
    let current = false;
    const networks = this.#o.preferredNetworks ?? [];
    for (const record of answers) {
      if (record.type !== DNS_TYPE_A && record.type !== DNS_TYPE_AAAA) continue;
      let score = record.type === preferred ? 8 : 0;
      if (networks.some((n) => n.type === record.type && networkContains(n.network, record.address))) score += 4;
      // An address another server took is skipped, or only not favoured with `allow-dup-ip`.
      if (resolution.attached.get(record.address)?.some((o) => o !== this && o.group === this.group) === true) {
        if (this.#o.allowDupIp !== true) continue;
      } else {
        score += 2;
      }
      const isCurrent = record.address === this.#address;
      if (isCurrent) score++;
      if (score > best) {
        if (record.type === DNS_TYPE_A) ip4 = record.address;
        else ip6 = record.address;
        current = isCurrent;
        best = score;
      }
    }
    const address = this.#o.preferIPv4 ? (ip4 ?? ip6) : (ip6 ?? ip4);
    return address === undefined ? undefined : { address, current };
  }

  /** srv_update_addr: the new address, logged as HAProxy does ("by dns/ns1", "by DNS cache", "by DNS additional record"). */
  setAddress(address: string, updater: string): void {
    const { backend, server, log } = this.#o;
    if (address === this.#address) return;
    log.serverState(LogLevel.notice, `${backend.name}/${server.name} changed its IP from ${this.#address ?? '(none)'} to ${address} by ${updater}.`);
    this.#address = address;
    server.host = address;
    // With several threads (`nbthread`), they dial the new address too.
    backend.stateObserver?.(server);
  }

  /** srv_set_admin_flag(SRV_ADMF_RMAINT, cause) and the address forgotten. */
  enterMaint(cause: string): void {
    const { backend, server, log, runtime } = this.#o;
    this.#address = undefined;
    // HAProxy clears the address (`show servers state` prints "-"); nothing dials a server in maintenance.
    server.host = this.#hostname;
    if (inResolutionMaint(server)) return;
    setResolutionMaint(server);
    const label = `${server.backup ? 'Backup ' : ''}Server ${backend.name}/${server.name}`;
    if (server.status === 'MAINT') return; // already in (forced or configured) maintenance: nothing to report
    const check = this.#o.check();
    const wasDown = server.status === 'DOWN';
    const active = server.processActive;
    const queued = server.queue.length;
    const before = countUsableServers(backend.servers);
    setCheckHealth(server, check, 0);
    backend.setServerStatus(server, 'MAINT', runtime.now());
    commitAdminFlags(server);
    if (wasDown) {
      log.serverState(LogLevel.notice, `${label} was DOWN and now enters maintenance (${cause}).`);
      return;
    }
    const { active: left, backup } = countUsableServers(backend.servers);
    const requeued = Math.max(0, queued - server.queue.length);
    log.serverState(
      LogLevel.alert,
      `${label} is going DOWN for maintenance (${cause}). ${left} active and ${backup} backup servers left. ${active} sessions active, ${requeued} requeued, ${server.queue.length} remaining in queue.`,
    );
    if (before.active + before.backup > 0 && left + backup === 0) {
      const type = this.#o.proxyType;
      log.backendDown(noServerAlertMessage(type, backend.name), noServerLogMessage(type, backend.name));
    }
  }

  /**
   * srv_clr_admin_flag(SRV_ADMF_RMAINT): back in service unless another maintenance holds it.
   * `fromResolution`: snr_update_srv_status's "administratively READY" line follows (not for an
   * address taken from an SRV answer's additional record).
   */
  leaveMaint(fromResolution: boolean): void {
    const { backend, server, log, runtime } = this.#o;
    if (!inResolutionMaint(server)) return;
    for (const change of resolvesAgain(backend, server, this.#o.check(), runtime.now(), this.#hostname)) log.serverState(change.level, change.text);
    if (!fromResolution) return;
    const text = `Server ${backend.name}/${server.name} administratively READY thanks to valid DNS answer.`;
    log.serverState(LogLevel.notice, text);
  }
}
