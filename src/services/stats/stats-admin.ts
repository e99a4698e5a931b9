/**
 * The admin form's POST (HAProxy's stats_process_http_post): `b=#IID` (or a backend name),
 * `action=ready|drain|maint|shutdown`, and one `s=SERVER` per checked server; the outcome is
 * one of HAProxy's status codes (DONE, NONE, PART, ERRP) for the 303 redirect's `;st=`. The
 * state changes go through server-admin.ts, as the runtime API's.
 */
import type { Backend } from '../../proxy/backend.ts';
import type { ConfigModel } from '../../config/model.ts';
import type { ServiceTarget } from '../service.ts';
import { forcedAdminState, setDrain, setMaint, setReady, type AdminChange } from '../../runtime-api/server-admin.ts';

/** Whether a proxy's stats page has `stats admin` (its "Kill Sessions" needs the servers' sessions tracked). */
export function servesStatsAdmin(config: ConfigModel): boolean {
  return config.frontends.some((f) => (f.stats?.admin.length ?? 0) > 0) || config.backends.some((b) => (b.stats?.admin.length ?? 0) > 0);
}

export type AdminStatus = 'DONE' | 'NONE' | 'PART' | 'ERRP';

const ACTIONS = new Set(['ready', 'drain', 'maint', 'shutdown', 'disable', 'enable']);

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function backendOf(target: ServiceTarget, value: string): Backend | undefined {
  if (value.startsWith('#')) {
    const id = Number(value.slice(1));
    return target.proxies.find((p) => p.id === id)?.backend;
  }
  return target.backend(value);
}

export function applyAdminPost(target: ServiceTarget, body: string): AdminStatus {
  let backend: Backend | undefined;
  let action: string | undefined;
  const servers: string[] = [];
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1));
    if (key === undefined || value === undefined) return 'ERRP';
    if (key === 'b' && backend === undefined) {
      backend = backendOf(target, value);
      if (backend === undefined) return 'ERRP';
    } else if (key === 'action' && action === undefined) {
      if (!ACTIONS.has(value)) return 'ERRP';
      action = value;
    } else if (key === 's') servers.push(value);
  }
  if (backend === undefined || action === undefined) return 'ERRP';
  const now = target.runtime.now();
  // HAProxy's counts: ready/drain/maint/shutdown always alter a known server, disable/enable
  // only when they change its forced maintenance; an unknown server counts as not altered.
  let altered = 0;
  // The stats page's admin actions are reported as the CLI's (srv_update_status).
  const report = (change: AdminChange | undefined): void => {
    if (change !== undefined) target.reportAdminChange(backend, change);
  };
  let total = 0;
  for (const name of servers) {
    total++;
    const server = backend.server(name);
    if (server === undefined) continue;
    const check = target.healthCheck(server);
    const forced = forcedAdminState(server);
    switch (action) {
      case 'ready':
        report(setReady(backend, server, check, now));
        break;
      case 'drain':
        report(setDrain(backend, server, check, now));
        break;
      case 'maint':
        report(setMaint(backend, server, check, now));
        break;
      case 'disable':
        if (forced === 'maint') continue;
        report(setMaint(backend, server, check, now));
        break;
      case 'enable':
        if (forced !== 'maint') continue;
        report(setReady(backend, server, check, now));
        break;
      case 'shutdown':
        if (server.sessions !== undefined) for (const s of [...server.sessions]) s.kill('K');
        break;
    }
    altered++;
  }
  if (total === 0) return 'NONE';
  if (altered === 0) return 'ERRP';
  return altered === total ? 'DONE' : 'PART';
}
