/**
 * The default `global maxconn`, as HAProxy 2.6 derives it when the configuration sets none
 * (haproxy.c compute_ideal_maxconn): what the file descriptor limit leaves once the sockets
 * the configuration reserves are counted, two per connection, and never below 100. Frontends
 * without their own `maxconn` then take it (proxy_adjust_all_maxconn), and so does the default
 * `fullconn` of the backends they reach.
 *
 * The sockets reserved (global.maxsock before the connections): 10, one per listener (bind
 * address, `dgram-bind`, the stats sockets, the local peer of a `peers` section),
 * `stats maxconn` when a `stats` line exists, 3 per peer of a `peers` section (the local one
 * included; a section is taken to have its local peer, as one that syncs has), one per server with `check`, one per server with
 * `agent-check`, one per `port` / `agent-port` keyword read; then 3 per thread (its poller
 * and its wake-up pipe). The limit is the larger of the soft and hard RLIMIT_NOFILE, as HAProxy
 * reads them at boot (`ulimit-n` does not enter). Switchyard never splices, so no pipes are
 * counted (HAProxy counts some for proxies with `option splice-*`), nor SSL async engines.
 */
import { defaultFullconn } from '../config/fullconn.ts';
import type { ConfigModel } from '../config/model.ts';
import type { FdLimit } from './fd-limit.ts';

/** HAProxy's DEFAULT_MAXCONN: the floor of the derived value. */
const DEFAULT_MAXCONN = 100;

/** compute_ideal_maxsock's reserve for each thread: its poller fd and its wake-up pipe. */
const FDS_PER_THREAD = 3;

/** Where the process runs. */
export interface ProcessRole {
  /**
   * A worker of master-worker mode (`-W`): its master's CLI link is one more listener of the
   * stats frontend, which exists then even without a `stats` line (`stats maxconn` 10).
   */
  readonly masterWorker?: boolean | undefined;
}

/** global.maxsock once the configuration is read: the sockets that are not connections. */
export function reservedSockets(config: ConfigModel, role: ProcessRole = {}): number {
  let sockets = 10;
  if (role.masterWorker === true) sockets += 1 + (config.global.stats === undefined ? 10 : 0);
  for (const f of config.frontends) sockets += f.binds.length;
  for (const lf of config.logForwards ?? []) sockets += lf.binds.length + lf.dgramBinds.length;
  const stats = config.global.stats;
  if (stats !== undefined) sockets += stats.sockets.length + stats.maxconn;
  for (const p of config.peers ?? []) {
    if (p.disabled) continue;
    // The local peer's listener (its `bind` line or its `peer` line), then 3 per peer, itself included.
    sockets += 1 + 3 * p.peers.length;
  }
  for (const b of config.backends) {
    for (const s of b.servers) {
      if (s.check?.enabled === true) sockets += 1;
      if (s.agent !== undefined) sockets += 1;
    }
  }
  return sockets + (config.global.portKeywords ?? 0);
}

/** The file descriptors HAProxy would size itself to: the larger of the two limits, a finite one. */
function usableFds(limit: FdLimit): number | undefined {
  const most = Math.max(limit.soft, Number.isFinite(limit.hard) ? limit.hard : limit.soft);
  return Number.isFinite(most) ? most : undefined;
}

/** compute_ideal_maxconn; undefined when the limit is unknown or unlimited. */
export function idealMaxconn(config: ConfigModel, limit: FdLimit | undefined, role: ProcessRole = {}): number | undefined {
  const fds = limit === undefined ? undefined : usableFds(limit);
  if (fds === undefined) return undefined;
  const remain = fds - reservedSockets(config, role) - FDS_PER_THREAD * config.global.nbthread;
  return Math.max(Math.floor(remain / 2), DEFAULT_MAXCONN);
}

/** compute_ideal_maxsock: the sockets `maxconn` connections need besides the reserved ones (show info's Maxsock). */
export function idealMaxsock(config: ConfigModel, maxconn: number, role: ProcessRole = {}): number {
  return reservedSockets(config, role) + 2 * maxconn + FDS_PER_THREAD * config.global.nbthread;
}

/**
 * `config` with HAProxy's derived `maxconn` when it sets none, and the default `fullconn` of
 * the backends that had none for want of it, and its maxsock; as it is when the limit cannot
 * be read (then no global limit applies, as before Switchyard knew of one).
 */
export function withDefaultMaxconn(config: ConfigModel, limit: FdLimit | undefined, role: ProcessRole = {}): ConfigModel {
  if (config.global.maxconn > 0) return { ...config, global: { ...config.global, maxsock: idealMaxsock(config, config.global.maxconn, role) } };
  const maxconn = idealMaxconn(config, limit, role);
  if (maxconn === undefined) return config;
  const backends = config.backends.map((b) => {
    if (b.fullconn !== undefined) return b;
    const fullconn = defaultFullconn(b.name, config.frontends, maxconn);
    return fullconn === undefined ? b : { ...b, fullconn };
  });
  return { ...config, global: { ...config.global, maxconn, maxsock: idealMaxsock(config, maxconn, role) }, backends };
}

/** global.maxsock: as the process computed it, else (a configuration it did not load) without a role; 0 without a maxconn. */
export function maxsockOf(config: ConfigModel): number {
  const maxconn = config.global.maxconn;
  return config.global.maxsock ?? (maxconn > 0 ? idealMaxsock(config, maxconn) : 0);
}
