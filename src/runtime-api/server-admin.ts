/**
 * Admin state changes of a server (HAProxy's srv_adm_set_ready/drain/maint and the CLI's
 * health changes), applied through Backend.setServerStatus so balancers, queues and
 * `on-marked-down` see them as they see health checks.
 */
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import type { ServerCheck } from '../health/server-check.ts';
import { countUsableServers } from '../health/state-messages.ts';
import { LogLevel, type LogLevelValue } from '../log/logger.ts';
import { inheritsMaintenance, trackedBy, trackedLabel } from '../proxy/server-tracking.ts';
import { clearResolutionMaint, commitAdminFlags, inResolutionMaint } from '../dns/resolution-maint.ts';

/**
 * What an admin change reports, as server.c srv_update_status does: the text (ha_warning and
 * send_log at `level`), and whether it took the backend's last usable server (set_backend_down).
 */
export interface AdminChange {
  readonly text: string;
  readonly level: LogLevelValue;
  readonly lastServerLost: boolean;
  /** Also sent as an email alert (srv_update_status mails a server going DOWN, UP or into drain, not maintenance). */
  readonly mailed?: boolean | undefined;
}

function notice(text: string): AdminChange {
  return { text, level: LogLevel.notice, lastServerLost: false };
}

function anyUsable(backend: Backend): boolean {
  return backend.servers.some((s) => s.usable);
}

/**
 * Servers the CLI put in maintenance or drain (HAProxy's SRV_ADMF_FMAINT / FDRAIN), for `show
 * servers state`; 'ready' for a server the operator made ready, whose `disabled` (FMAINT) is gone.
 */
const forced = new WeakMap<Server, 'maint' | 'drain' | 'ready'>();

/** A server added at runtime starts in forced maintenance (HAProxy's SRV_ADMF_FMAINT), as `disable server` leaves it. */
export function startInForcedMaint(server: Server): void {
  forced.set(server, 'maint');
}

export function forcedAdminState(server: Server): 'maint' | 'drain' | undefined {
  const state = forced.get(server);
  return state === 'ready' ? undefined : state;
}

/** SRV_ADMF_FMAINT: set by the CLI, or by `disabled` until the operator makes the server ready. */
export function inForcedMaint(server: Server): boolean {
  const state = forced.get(server);
  return state === 'maint' || (state === undefined && server.model.disabled);
}

/**
 * The check health HAProxy keeps for servers without a check: `rise` at start, set to 0 when a
 * running server enters maintenance (and not restored when it leaves, since no check runs).
 */
const uncheckedHealth = new WeakMap<Server, number>();

/**
 * The check health `show servers state` reports; `rise` is the server's configured one. A
 * server that starts in maintenance starts at 0: `disabled` sets it so (srv_parse_disabled), and
 * so does init-addr leaving a host name without address (RMAINT entered from running).
 */
export function reportedHealth(server: Server, rise: number): number {
  const startsInMaint = server.model.disabled || server.model.resolvedAddress === false;
  return server.checkState?.health ?? uncheckedHealth.get(server) ?? (startsInMaint ? 0 : rise);
}

/** Sets a check's health as HAProxy's CLI does (the counter and the stats' copy together). */
export function setCheckHealth(server: Server, check: ServerCheck | undefined, health: number): void {
  if (check !== undefined) check.counter.health = health;
  if (server.checkState !== undefined) server.checkState.health = health;
  else uncheckedHealth.set(server, health);
}

function label(backend: Backend, server: Server): string {
  return `${server.backup ? 'Backup ' : ''}Server ${backend.name}/${server.name}`;
}

/**
 * `set server B/S state maint` / `disable server`: out of rotation, queue redistributed.
 * Returns HAProxy's message for the change (srv_update_status), or undefined when none.
 */
export function setMaint(backend: Backend, server: Server, check: ServerCheck | undefined, now: number): AdminChange | undefined {
  forced.set(server, 'maint');
  if (server.status === 'MAINT') return undefined;
  const wasDown = server.status === 'DOWN';
  const hadUsable = anyUsable(backend);
  const active = server.processActive;
  const queued = server.queue.length;
  // Maintenance resets the check's health (HAProxy: "check->health = 0").
  setCheckHealth(server, check, 0);
  backend.setServerStatus(server, 'MAINT', now);
  commitAdminFlags(server);
  if (wasDown) return notice(`${label(backend, server)} was DOWN and now enters maintenance.`);
  const { active: left, backup } = countUsableServers(backend.servers);
  const requeued = Math.max(0, queued - server.queue.length);
  return {
    text: `${label(backend, server)} is going DOWN for maintenance. ${left} active and ${backup} backup servers left. ${active} sessions active, ${requeued} requeued, ${server.queue.length} remaining in queue.`,
    // A running server going away is an alert (HAProxy: LOG_NOTICE only for a stopping one, which Switchyard has not).
    level: LogLevel.alert,
    lastServerLost: hadUsable && left + backup === 0,
  };
}

/** `set server B/S state drain`: no new traffic but persistent; leaves maintenance as HAProxy's srv_adm_set_drain. */
export function setDrain(backend: Backend, server: Server, check: ServerCheck | undefined, now: number): AdminChange | undefined {
  const hadForcedMaint = inForcedMaint(server);
  forced.set(server, 'drain');
  if (server.status === 'DOWN' || server.status === 'DRAIN') return undefined;
  if (server.status === 'MAINT' && inResolutionMaint(server)) return stillWithoutAddress(backend, server, hadForcedMaint);
  const leaving = server.status === 'MAINT';
  const hadUsable = anyUsable(backend);
  leaveMaint(server, check);
  backend.setServerStatus(server, 'DRAIN', now);
  commitAdminFlags(server);
  if (leaving) return notice(`${label(backend, server)} is UP/DRAIN (leaving forced maintenance).`);
  const { active, backup } = countUsableServers(backend.servers);
  return {
    text: `${label(backend, server)} enters drain state. ${active} active and ${backup} backup servers online. 0 sessions requeued, ${backend.queueLength} total in queue.`,
    level: LogLevel.notice,
    mailed: true,
    lastServerLost: hadUsable && active + backup === 0,
  };
}

/** Without an address (SRV_ADMF_RMAINT) a server made ready or drained stays in maintenance: only FMAINT goes. */
function stillWithoutAddress(backend: Backend, server: Server, hadForcedMaint: boolean): AdminChange | undefined {
  return hadForcedMaint ? notice(`${label(backend, server)} is leaving forced maintenance but remains in maintenance.`) : undefined;
}

/** `set server B/S state ready` / `enable server`: back in rotation (a checked server restarts at rise: UP, checked at once). */
export function setReady(backend: Backend, server: Server, check: ServerCheck | undefined, now: number): AdminChange | undefined {
  const wasForced = forced.get(server) === 'maint';
  const hadForcedMaint = inForcedMaint(server);
  forced.set(server, 'ready');
  if (server.status === 'UP' || server.status === 'DOWN') return undefined;
  if (server.status === 'MAINT' && inResolutionMaint(server)) return stillWithoutAddress(backend, server, hadForcedMaint);
  // A tracker whose tracked server is in maintenance stays there (SRV_ADMF_IMAINT).
  if (inheritsMaintenance(server)) {
    return wasForced ? notice(`${label(backend, server)} is leaving forced maintenance but remains in maintenance via ${trackedLabel(server) ?? ''}.`) : undefined;
  }
  const from = server.status;
  leaveMaint(server, check);
  // A tracker leaves maintenance in the state of the server it tracks.
  const to = from === 'MAINT' && trackedBy(server)?.server.status === 'DOWN' ? 'DOWN' : 'UP';
  backend.setServerStatus(server, to, now);
  commitAdminFlags(server);
  return notice(from === 'MAINT' ? `${label(backend, server)} is ${to}/READY (leaving forced maintenance).` : `${label(backend, server)} is UP (leaving forced drain).`);
}

/**
 * srv_clr_admin_flag(SRV_ADMF_RMAINT): an answer for its name, or `set server addr` (even one it
 * refuses), takes the server out of resolution maintenance; back in service unless a forced
 * maintenance holds it (a checked server starts at `rise` and is checked at once). `hostname`
 * is the name HAProxy prints.
 */
export function resolvesAgain(backend: Backend, server: Server, check: ServerCheck | undefined, now: number, hostname: string): readonly AdminChange[] {
  if (!inResolutionMaint(server)) return [];
  clearResolutionMaint(server);
  if (inForcedMaint(server)) return [notice(`${label(backend, server)} ('${hostname}') resolves again but remains in maintenance.`)];
  leaveMaint(server, check);
  const drain = forcedAdminState(server) === 'drain';
  backend.setServerStatus(server, drain ? 'DRAIN' : 'UP', now);
  commitAdminFlags(server);
  const back = notice(`${label(backend, server)} ('${hostname}') is UP/${drain ? 'DRAIN' : 'READY'} (resolves again).`);
  // srv_update_status then finds the forced drain kept.
  return drain ? [back, notice(`${label(backend, server)} remains in forced drain mode.`)] : [back];
}

function leaveMaint(server: Server, check: ServerCheck | undefined): void {
  // "start OK but check immediately": health = rise.
  if (server.status === 'MAINT' && server.checkState !== undefined) setCheckHealth(server, check, server.checkState.rise);
}

/**
 * `set server B/S health up|stopping|down`: the check's health to its top (or 0), then the
 * operational state as HAProxy's srv_set_running / srv_set_stopping / srv_set_stopped with the
 * reason "changed from CLI". Administrative states (maintenance, drain) win: only the health moves.
 */
export function setHealthFromCli(backend: Backend, server: Server, check: ServerCheck | undefined, verb: 'up' | 'stopping' | 'down', now: number): AdminChange | undefined {
  const cs = server.checkState;
  setCheckHealth(server, check, verb === 'down' || cs === undefined ? 0 : cs.rise + cs.fall - 1);
  return setOperationalState(backend, server, verb, now);
}

/**
 * srv_set_running / srv_set_stopping / srv_set_stopped with their reason: "changed from CLI"
 * (health and agent commands), "changed from server-state after a reload" (the state file).
 */
export function setOperationalState(
  backend: Backend,
  server: Server,
  verb: 'up' | 'stopping' | 'down',
  now: number,
  reason = 'changed from CLI',
): AdminChange | undefined {
  if (server.status === 'MAINT' || server.status === 'DRAIN') return undefined;
  const to = verb === 'down' ? 'DOWN' : verb === 'stopping' ? 'NOLB' : 'UP';
  if (server.status === to) return undefined;
  const hadUsable = anyUsable(backend);
  const wasStopping = server.status === 'NOLB';
  const active = server.processActive;
  const queued = server.queue.length;
  const waiting = backend.queueLength;
  backend.setServerStatus(server, to, now);
  const { active: left, backup } = countUsableServers(backend.servers);
  const onBackup = backup > 0 && left === 0 ? ' Running on backup.' : '';
  const lost = hadUsable && left + backup === 0;
  if (to === 'DOWN') {
    return {
      text: `${label(backend, server)} is DOWN, ${reason}. ${left} active and ${backup} backup servers left.${onBackup} ${active} sessions active, ${Math.max(0, queued - server.queue.length)} requeued, ${server.queue.length} remaining in queue.`,
      level: wasStopping ? LogLevel.notice : LogLevel.alert,
      lastServerLost: lost,
    };
  }
  // Going UP takes sessions from the backend's queue; stopping hands the server's own back.
  const requeued = to === 'UP' ? Math.max(0, waiting - backend.queueLength) : Math.max(0, queued - server.queue.length);
  return {
    text: `${label(backend, server)} is ${to === 'UP' ? 'UP' : 'stopping'}, ${reason}. ${left} active and ${backup} backup servers online.${onBackup} ${requeued} sessions requeued, ${server.queue.length} total in queue.`,
    level: LogLevel.notice,
    lastServerLost: to === 'NOLB' && lost,
  };
}
