/**
 * Admin state changes of a server (HAProxy's srv_adm_set_ready/drain/maint and the CLI's
 * health changes), applied through Backend.setServerStatus so balancers, queues and
 * `on-marked-down` see them as they see health checks.
 */
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import type { ServerCheck } from '../health/server-check.ts';

/** Servers the CLI put in maintenance or drain (HAProxy's SRV_ADMF_FMAINT / FDRAIN), for `show servers state`. */
const forced = new WeakMap<Server, 'maint' | 'drain'>();

export function forcedAdminState(server: Server): 'maint' | 'drain' | undefined {
  return forced.get(server);
}

/** Sets a check's health as HAProxy's CLI does (the counter and the stats' copy together). */
export function setCheckHealth(server: Server, check: ServerCheck | undefined, health: number): void {
  if (check !== undefined) check.counter.health = health;
  if (server.checkState !== undefined) server.checkState.health = health;
}

/** `set server B/S state maint` / `disable server`: out of rotation, queue redistributed. */
export function setMaint(backend: Backend, server: Server, check: ServerCheck | undefined, now: number): void {
  forced.set(server, 'maint');
  if (server.status === 'MAINT') return;
  // Maintenance resets the check's health (HAProxy: "check->health = 0").
  setCheckHealth(server, check, 0);
  backend.setServerStatus(server, 'MAINT', now);
}

/** `set server B/S state drain`: no new traffic but persistent; leaves maintenance as HAProxy's srv_adm_set_drain. */
export function setDrain(backend: Backend, server: Server, check: ServerCheck | undefined, now: number): void {
  forced.set(server, 'drain');
  if (server.status === 'DOWN') return;
  leaveMaint(server, check);
  backend.setServerStatus(server, 'DRAIN', now);
}

/** `set server B/S state ready` / `enable server`: back in rotation (a checked server restarts at rise: UP, checked at once). */
export function setReady(backend: Backend, server: Server, check: ServerCheck | undefined, now: number): void {
  forced.delete(server);
  if (server.status === 'UP' || server.status === 'DOWN') return;
  leaveMaint(server, check);
  backend.setServerStatus(server, 'UP', now);
}

function leaveMaint(server: Server, check: ServerCheck | undefined): void {
  // "start OK but check immediately": health = rise.
  if (server.status === 'MAINT' && server.checkState !== undefined) setCheckHealth(server, check, server.checkState.rise);
}
