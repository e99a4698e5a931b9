/**
 * Per-listener counters (`option socket-stats`, HAProxy's listener->counters): one record per
 * bind of a frontend that asks for them, named by its `name` or `sock-N` (N its listener id):
 * current, highest and cumulated connections, those refused by `tcp-request connection` /
 * `session` rules, and the frontend counters HAProxy also counts per listener (bytes, denied
 * and failed requests, denied responses, failed rewrites, internal errors). Without the
 * option nothing is allocated and no connection carries a record.
 */
import type { BindModel, FrontendModel } from '../config/model.ts';
import { listenerIdOf } from './auto-ids.ts';

export interface ListenerCounters {
  /** Connections open on the listener (HAProxy's l->nbconn). */
  scur: number;
  /** Highest scur (conn_max). */
  smax: number;
  /** Connections accepted (cum_conn). */
  stot: number;
  /** Refused by `tcp-request connection` rules (denied_conn). */
  deniedConnections: number;
  /** Refused by `tcp-request session` rules (denied_sess). */
  deniedSessions: number;
  /** Bytes from and to the clients (bytes_in, bytes_out). */
  bin: number;
  bout: number;
  /** Denied requests and responses, failed requests (denied_req, denied_resp, failed_req). */
  dreq: number;
  dresp: number;
  ereq: number;
  /** failed_rewrites, internal_errors. */
  failedRewrites: number;
  internalErrors: number;
}

/** The frontend counters a listener shares (HAProxy counts them on both where the listener has counters). */
export type ListenerShared = 'bin' | 'bout' | 'dreq' | 'dresp' | 'ereq' | 'failedRewrites' | 'internalErrors';

/** Adds to the accepting listener's share of a frontend counter; nothing without `option socket-stats`. */
export function addToListener(c: ListenerCounters | undefined, field: ListenerShared, n = 1): void {
  if (c !== undefined) c[field] += n;
}

export interface ListenerStats {
  readonly name: string;
  /** HAProxy's listener id (luid): its `id`, or numbered around the others' (auto-ids.ts). */
  readonly id: number;
  readonly bind: BindModel;
  readonly counters: ListenerCounters;
}

/** The listener records of a frontend with `option socket-stats`, by bind; undefined without it. */
export function listenerStatsOf(model: FrontendModel): ReadonlyMap<BindModel, ListenerStats> | undefined {
  if (model.options.socketStats !== true) return undefined;
  const byBind = new Map<BindModel, ListenerStats>();
  for (const bind of model.binds) {
    const id = listenerIdOf(model.binds, bind);
    byBind.set(bind, {
      name: bind.name ?? `sock-${id}`,
      id,
      bind,
      counters: { scur: 0, smax: 0, stot: 0, deniedConnections: 0, deniedSessions: 0, bin: 0, bout: 0, dreq: 0, dresp: 0, ereq: 0, failedRewrites: 0, internalErrors: 0 },
    });
  }
  return byBind;
}

export function listenerConnectionOpened(c: ListenerCounters): void {
  c.stot++;
  c.scur++;
  if (c.scur > c.smax) c.smax = c.scur;
}
