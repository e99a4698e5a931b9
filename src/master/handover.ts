/**
 * `-sf PID...` / `-st PID...` (HAProxy's classic handover without a master): once this process
 * listens, the processes it replaces are told to stop, softly (SIGUSR1: stop accepting, finish
 * the connections) or at once (SIGTERM). `-x SOCKET` (take the old process's listening sockets
 * over its stats socket) cannot be done: no runtime here receives descriptors on a UNIX socket,
 * so listeners are opened with reusePort beside the old process's instead (where the runtime's
 * listenerHandover is 'reuse-port'); elsewhere the old processes must close theirs first.
 */
import { isAbstractSocketPath } from '../config/address.ts';
import type { ConfigModel } from '../config/model.ts';
import type { Runtime, SignalName } from '../runtime.ts';

export interface Handover {
  readonly pids: readonly number[];
  /** SIGUSR1 for `-sf`, SIGTERM for `-st`. */
  readonly signal: Extract<SignalName, 'SIGUSR1' | 'SIGTERM'>;
}

/** Whether this process can listen beside the old ones, and so signal them only once it listens. */
export function listensBesideOldProcesses(runtime: Runtime): boolean {
  return runtime.listenerHandover === 'reuse-port';
}

/**
 * Whether the configuration binds an abstract socket (`abns@`, a bind or a `stats socket`). Such a name can be bound once
 * only (no SO_REUSEPORT, no file to rename over), so the old processes must release it first,
 * as HAProxy's do when the new one cannot take their sockets over (they unbind their abstract
 * listeners when paused): new connections are refused until the new process listens.
 */
export function bindsAbstractSockets(config: ConfigModel): boolean {
  const statsSocket = config.global.stats?.sockets.some((s) => s.address.kind === 'unix' && isAbstractSocketPath(s.address.path)) ?? false;
  return statsSocket || config.frontends.some((f) => f.binds.some((b) => b.unix === true && isAbstractSocketPath(b.host)));
}

/**
 * Whether the old processes must release the configuration's addresses before a new one binds
 * them: abstract sockets, or every listener under `noreuseport` (no SO_REUSEPORT, so a second
 * bind of the same address fails while the first is open).
 */
export function bindsExclusively(config: ConfigModel): boolean {
  return config.global.noReusePort === true || bindsAbstractSockets(config);
}

/**
 * The listening sockets the configuration takes as inherited descriptors (`fd@N` binds, stats
 * sockets and peers binds): a master hands them on to its workers, as HAProxy's workers inherit them.
 */
export function inheritedDescriptors(config: ConfigModel): number[] {
  const fds = new Set<number>();
  for (const socket of config.global.stats?.sockets ?? []) if (socket.address.kind === 'fd') fds.add(socket.address.fd);
  for (const frontend of config.frontends) for (const bind of frontend.binds) if (bind.fd !== undefined) fds.add(bind.fd);
  for (const section of config.peers ?? []) if (section.bind?.fd !== undefined) fds.add(section.bind.fd);
  return [...fds];
}

/** Signals every old process; returns the PIDs that could not be signalled. */
export function stopOldProcesses(runtime: Runtime, handover: Handover): number[] {
  const missed: number[] = [];
  for (const pid of handover.pids) {
    if (runtime.signalProcess?.(pid, handover.signal) !== true) missed.push(pid);
  }
  return missed;
}
