/**
 * `server ... track [<proxy>/]<server>` at run time (HAProxy 2.6's srv->track / srv->trackers):
 * a tracker's operational state follows the tracked server's (DOWN and UP "via B/S"), and the
 * tracked server's maintenance is inherited (SRV_ADMF_IMAINT): trackers go DOWN for maintenance
 * with it and leave it with it, unless the CLI forced them into maintenance themselves. Chains
 * propagate step by step; each server's trackers are told newest first, as HAProxy walks its
 * list.
 *
 * A tracked server's change is reported by whoever made it (a check, the CLI) before its
 * trackers': the changes are queued when Backend.setServerStatus reports them and applied once
 * the current task is done, in the order they happened.
 */
import { countUsableServers } from '../health/state-messages.ts';
import { LogLevel } from '../log/logger.ts';
import type { AdminChange } from '../runtime-api/server-admin.ts';
import { forcedAdminState } from '../runtime-api/server-admin.ts';
import type { Backend } from './backend.ts';
import type { Server, ServerStatus } from './server.ts';

interface TrackLink {
  readonly tracked: Server;
  readonly trackedBackend: Backend;
  readonly backend: Backend;
}

/** Tracker -> what it tracks; tracked -> its trackers, newest first. */
const links = new WeakMap<Server, TrackLink>();
const trackers = new WeakMap<Server, Server[]>();
/** Trackers in maintenance because the server they track is (SRV_ADMF_IMAINT). */
const inheritedMaint = new WeakSet<Server>();

/** The server `server` tracks, and its backend; undefined when it tracks none. */
export function trackedBy(server: Server): { readonly server: Server; readonly backend: Backend } | undefined {
  const link = links.get(server);
  return link === undefined ? undefined : { server: link.tracked, backend: link.trackedBackend };
}

/** Some server tracks `server` (HAProxy then refuses to delete it). */
export function isTracked(server: Server): boolean {
  return (trackers.get(server)?.length ?? 0) > 0;
}

/** In maintenance because the server it tracks is. */
export function inheritsMaintenance(server: Server): boolean {
  return inheritedMaint.has(server);
}

/** `B/S` of the tracked server, for the " via B/S" of HAProxy's messages. */
export function trackedLabel(server: Server): string | undefined {
  const link = links.get(server);
  return link === undefined ? undefined : `${link.trackedBackend.name}/${link.tracked.name}`;
}

function label(backend: Backend, server: Server): string {
  return `${server.backup ? 'Backup ' : ''}Server ${backend.name}/${server.name}`;
}

/** What a tracker does when the server it tracks reaches `status`; undefined when nothing changes. */
function follow(link: TrackLink, tracker: Server, status: ServerStatus, now: number): AdminChange | undefined {
  const backend = link.backend;
  const via = `via ${link.trackedBackend.name}/${link.tracked.name}`;
  const hadUsable = backend.servers.some((s) => s.usable);
  if (status === 'MAINT') {
    if (inheritedMaint.has(tracker)) return undefined;
    inheritedMaint.add(tracker);
    // Already in (forced) maintenance: the inherited flag is only remembered.
    if (tracker.status === 'MAINT') return undefined;
    const wasDown = tracker.status === 'DOWN';
    const active = tracker.processActive;
    const queued = tracker.queue.length;
    backend.setServerStatus(tracker, 'MAINT', now);
    if (wasDown) return { text: `${label(backend, tracker)} was DOWN and now enters maintenance ${via}.`, level: LogLevel.notice, lastServerLost: false };
    const left = countUsableServers(backend.servers);
    const requeued = Math.max(0, queued - tracker.queue.length);
    return {
      text: `${label(backend, tracker)} is going DOWN for maintenance ${via}. ${left.active} active and ${left.backup} backup servers left. ${active} sessions active, ${requeued} requeued, ${tracker.queue.length} remaining in queue.`,
      level: LogLevel.alert,
      lastServerLost: hadUsable && left.active + left.backup === 0,
    };
  }
  const running = status !== 'DOWN';
  if (inheritedMaint.delete(tracker)) {
    if (forcedAdminState(tracker) === 'maint') return { text: `${label(backend, tracker)} remains in forced maintenance.`, level: LogLevel.notice, lastServerLost: false };
    backend.setServerStatus(tracker, running ? 'UP' : 'DOWN', now);
    return { text: `${label(backend, tracker)} is ${running ? 'UP' : 'DOWN'}/READY (leaving maintenance).`, level: LogLevel.notice, lastServerLost: false };
  }
  if (tracker.status === 'MAINT') return undefined;
  if (!running && tracker.status !== 'DOWN') {
    // HAProxy does not alert for a server that was already stopping (srv_update_status).
    const wasStopping = tracker.status === 'NOLB' || tracker.status === 'DRAIN';
    const active = tracker.processActive;
    const queued = tracker.queue.length;
    backend.setServerStatus(tracker, 'DOWN', now);
    const left = countUsableServers(backend.servers);
    const requeued = Math.max(0, queued - tracker.queue.length);
    return {
      text: `${label(backend, tracker)} is DOWN ${via}. ${left.active} active and ${left.backup} backup servers left. ${active} sessions active, ${requeued} requeued, ${tracker.queue.length} remaining in queue.`,
      level: wasStopping ? LogLevel.notice : LogLevel.alert,
      lastServerLost: hadUsable && left.active + left.backup === 0,
      mailed: true,
    };
  }
  // A stopping (NOLB) tracked server makes its trackers stop too, and its return to UP restarts them (srv_set_stopping/srv_set_running).
  const to = status === 'NOLB' ? 'NOLB' : 'UP';
  if (running && (tracker.status === 'DOWN' || (tracker.status === 'UP' && to === 'NOLB') || (tracker.status === 'NOLB' && status === 'UP'))) {
    const waiting = backend.queueLength;
    const queued = tracker.queue.length;
    backend.setServerStatus(tracker, to, now);
    const online = countUsableServers(backend.servers);
    // Going UP takes sessions from the backend's queue; stopping hands the server's own queue back.
    const requeued = to === 'UP' ? Math.max(0, waiting - backend.queueLength) : Math.max(0, queued - tracker.queue.length);
    return {
      text: `${label(backend, tracker)} is ${to === 'NOLB' ? 'stopping' : 'UP'} ${via}. ${online.active} active and ${online.backup} backup servers online. ${requeued} sessions requeued, ${tracker.queue.length} total in queue.`,
      level: LogLevel.notice,
      lastServerLost: to === 'NOLB' && hadUsable && online.active + online.backup === 0,
      // srv_update_status mails a server coming UP, not one stopping.
      mailed: to === 'UP',
    };
  }
  return undefined;
}

/** One generation's tracking links: made from the configuration, and by `add server ... track`. */
export class ServerTracking {
  readonly #report: (backend: Backend, change: AdminChange) => void;
  readonly #now: () => number;
  readonly #pending: { server: Server; status: ServerStatus }[] = [];
  readonly #observed = new WeakSet<Backend>();
  #scheduled = false;

  constructor(backends: ReadonlyMap<string, Backend>, now: () => number, report: (backend: Backend, change: AdminChange) => void) {
    this.#now = now;
    this.#report = report;
    for (const backend of backends.values()) {
      for (const server of backend.servers) {
        const track = server.model.track;
        const trackedBackend = track === undefined ? undefined : backends.get(track.backend);
        const tracked = trackedBackend?.server(track?.server ?? '');
        if (trackedBackend !== undefined && tracked !== undefined) this.link(backend, server, trackedBackend, tracked);
      }
    }
  }

  /** `tracker` (of `backend`) follows `tracked` from now on, starting from its current state. */
  link(backend: Backend, tracker: Server, trackedBackend: Backend, tracked: Server): void {
    links.set(tracker, { tracked, trackedBackend, backend });
    const list = trackers.get(tracked);
    if (list === undefined) trackers.set(tracked, [tracker]);
    else list.unshift(tracker);
    this.#observe(trackedBackend);
    // HAProxy applies the tracked server's state to its tracker when it links them, without a message.
    if (tracked.status === 'MAINT') {
      inheritedMaint.add(tracker);
      if (tracker.status !== 'MAINT') backend.setServerStatus(tracker, 'MAINT', this.#now());
    } else if (tracked.status === 'DOWN' && tracker.status !== 'MAINT') {
      backend.setServerStatus(tracker, 'DOWN', this.#now());
    }
  }

  /** A deleted tracker leaves its tracked server's list (srv_detach / `del server`). */
  unlink(tracker: Server): void {
    const link = links.get(tracker);
    if (link === undefined) return;
    links.delete(tracker);
    inheritedMaint.delete(tracker);
    const list = trackers.get(link.tracked);
    const at = list?.indexOf(tracker) ?? -1;
    if (list !== undefined && at >= 0) list.splice(at, 1);
  }

  #observe(backend: Backend): void {
    if (this.#observed.has(backend)) return;
    this.#observed.add(backend);
    backend.statusObserver = (server, status) => {
      if (!isTracked(server)) return;
      this.#pending.push({ server, status });
      if (this.#scheduled) return;
      this.#scheduled = true;
      void Promise.resolve().then(() => this.#drain());
    };
  }

  #drain(): void {
    // Trackers' own changes queue behind, so a chain is walked in order.
    for (let i = 0; i < this.#pending.length; i++) {
      const { server, status } = this.#pending[i] as { server: Server; status: ServerStatus };
      for (const tracker of [...(trackers.get(server) ?? [])]) {
        const link = links.get(tracker);
        if (link === undefined) continue;
        const change = follow(link, tracker, status, this.#now());
        if (change !== undefined) this.#report(link.backend, change);
      }
    }
    this.#pending.length = 0;
    this.#scheduled = false;
  }
}
