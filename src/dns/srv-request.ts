/**
 * Servers filled from an SRV record (`server-template NAME N _service._proto.name resolvers R`),
 * HAProxy 2.6's resolv_srvrq and resolv_check_response:
 *
 *  - the servers of a backend naming the same SRV record share one SRV resolution; they wait in
 *    a free list, in configuration order, in maintenance (RMAINT) without address;
 *  - each SRV answer item (target and port; its weight may change in place) takes the server
 *    already attached to it, else the first free one: the server takes the target as its FQDN,
 *    the item's port, and the weight (item weight + 255) / 256 unless `resolve-opts ignore-weight`;
 *    its address comes from an additional record for the target ("by DNS additional record"),
 *    or else from a resolution of the target's A/AAAA records of its own (server-resolution.ts);
 *  - an item gone from the answer (`hold obsolete` after it was last seen), or every item once a
 *    failure outlasted its `hold` period, frees its server: maintenance "(entry removed from SRV
 *    record)", no FQDN, no address, port 0, back at the end of the free list.
 */
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import type { Runtime } from '../runtime.ts';
import { DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_SRV, type DnsRecord } from './wire.ts';
import type { DnsResolvers, Resolution, ResolutionRequester } from './resolvers.ts';
import type { ServerResolution } from './server-resolution.ts';
import { setFqdnFromSrv, setResolutionMaint } from './resolution-maint.ts';

/** One server of the SRV record's pool. */
export interface SrvSlotSettings {
  readonly server: Server;
  /** `resolve-prefer ipv4` (the target's own resolution asks A first). */
  readonly preferIPv4: boolean;
  /** `resolve-opts ignore-weight`. */
  readonly ignoreWeight: boolean;
  /**
   * A requester keeping `server` at an address of `hostname` (undefined address: none yet); the
   * SRV request subscribes it to the target's resolution when no additional record gives one.
   */
  resolutionFor(hostname: string, address: string | undefined): ServerResolution;
}

export interface SrvRequestOptions {
  readonly runtime: Runtime;
  readonly backend: Backend;
  readonly resolvers: DnsResolvers;
  /** The SRV name as configured. */
  readonly name: string;
  /** Balancing algorithms with static weights refuse a weight other than 0 or the initial one. */
  readonly staticWeights: boolean;
}

const SRV_REMOVED = 'entry removed from SRV record';

interface Slot {
  readonly settings: SrvSlotSettings;
  /** The requester for the current target (undefined while free). */
  requester: ServerResolution | undefined;
  /** The target's own A/AAAA resolution, when no additional record gave the address. */
  linked: Resolution | undefined;
}

interface Item {
  readonly target: string;
  readonly port: number;
  weight: number;
  lastSeen: number;
  /** The address of the additional record naming the target, if the last answer had one. */
  additional: string | undefined;
  slot: Slot | undefined;
}

/** The first additional A/AAAA record of each target (HAProxy attaches one to each SRV item). */
function additionalByTarget(records: readonly DnsRecord[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of records) {
    if ((r.type === DNS_TYPE_A || r.type === DNS_TYPE_AAAA) && !out.has(r.name)) out.set(r.name, r.address);
  }
  return out;
}

export class SrvRequest implements ResolutionRequester {
  readonly #o: SrvRequestOptions;
  /** srvrq->attached_servers: the servers free to take a new item, first come first served. */
  readonly #free: Slot[];
  /** The answer items by `target:port`, in the order they first came. */
  readonly #items = new Map<string, Item>();

  get group(): object {
    return this.#o.backend;
  }

  constructor(options: SrvRequestOptions, slots: readonly SrvSlotSettings[]) {
    this.#o = options;
    this.#free = slots.map((settings) => ({ settings, requester: undefined, linked: undefined }));
    // They start without address nor FQDN, in resolution maintenance (HAProxy's RMAINT).
    for (const slot of slots) {
      slot.server.hostname = undefined;
      setResolutionMaint(slot.server);
    }
  }

  /** Subscribes the SRV name to its resolvers section. */
  start(): void {
    this.#o.resolvers.subscribeType(this.#o.name, DNS_TYPE_SRV, this);
  }

  onAnswer(resolution: Resolution): void {
    const now = this.#o.runtime.now();
    const response = resolution.response;
    if (response === undefined) return;
    const additional = additionalByTarget(response.additional);
    for (const record of response.answers) {
      if (record.type !== DNS_TYPE_SRV) continue;
      const key = `${record.target}:${record.port}`;
      const item = this.#items.get(key);
      const address = additional.get(record.target);
      if (item === undefined) {
        this.#items.set(key, { target: record.target, port: record.port, weight: record.weight, lastSeen: now, additional: address, slot: undefined });
      } else {
        item.weight = record.weight;
        item.lastSeen = now;
        item.additional = address;
      }
    }
    const obsolete = this.#o.resolvers.model.hold.obsolete;
    for (const [key, item] of this.#items) {
      if (item.lastSeen + obsolete >= now) continue;
      this.#items.delete(key);
      if (item.slot !== undefined) this.#release(item.slot);
    }
    for (const item of this.#items.values()) this.#fill(item);
  }

  /** srvrq_resolution_error_cb: past the `hold` period of the failure, every item goes. */
  onFailure(resolution: Resolution): void {
    const { hold } = this.#o.resolvers.model;
    const period = resolution.status === 'nx' ? hold.nx : resolution.status === 'timeout' ? hold.timeout : resolution.status === 'refused' ? hold.refused : hold.other;
    if (this.#o.runtime.now() < resolution.lastValid + period) return;
    for (const item of this.#items.values()) if (item.slot !== undefined) this.#release(item.slot);
    this.#items.clear();
  }

  /** The srv_found branch of resolv_check_response. */
  #fill(item: Item): void {
    let slot = item.slot;
    if (slot === undefined) {
      slot = this.#free.shift();
      if (slot === undefined) return;
      item.slot = slot;
    }
    const { server } = slot.settings;
    // The port first: the state change below tells the other threads (`nbthread`) about it too.
    server.port = item.port;
    slot.requester ??= slot.settings.resolutionFor(item.target, undefined);
    const requester = slot.requester;
    if (item.additional !== undefined) {
      // The answer named the address: no resolution of the target of its own.
      this.#unlink(slot);
      requester.setAddress(item.additional, 'DNS additional record');
    }
    if (server.hostname === undefined) {
      server.hostname = item.target;
      setFqdnFromSrv(server);
    }
    if (item.additional === undefined && slot.linked === undefined) {
      slot.linked = this.#o.resolvers.subscribeType(item.target, slot.settings.preferIPv4 ? DNS_TYPE_A : DNS_TYPE_AAAA, requester);
    }
    // srvrq_update_srv_status: an address brings it back, none keeps (or puts) it in maintenance.
    if (requester.address !== undefined) requester.leaveMaint(false);
    else requester.enterMaint(SRV_REMOVED);
    if (!slot.settings.ignoreWeight) this.#setWeight(server, Math.floor((item.weight + 255) / 256));
  }

  /** server_parse_weight_change_request with an absolute weight. */
  #setWeight(server: Server, weight: number): void {
    if (this.#o.staticWeights && weight !== 0 && weight !== server.initialWeight) return;
    server.userWeight = weight;
    this.#o.backend.setServerWeight(server, weight);
  }

  /** resolv_srvrq_cleanup_srv. */
  #release(slot: Slot): void {
    this.#unlink(slot);
    const { server } = slot.settings;
    const requester = slot.requester ?? slot.settings.resolutionFor(this.#o.name, undefined);
    server.hostname = undefined;
    server.port = 0;
    requester.enterMaint(SRV_REMOVED);
    server.host = this.#o.name;
    slot.requester = undefined;
    this.#free.push(slot);
  }

  #unlink(slot: Slot): void {
    if (slot.linked === undefined || slot.requester === undefined) return;
    this.#o.resolvers.unsubscribe(slot.linked, slot.requester);
    slot.linked = undefined;
  }
}
