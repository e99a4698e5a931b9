/**
 * The state labels of the exporter's `status`-like metrics (service-prometheus.c): one sample
 * per possible state, 1 for the object's current one.
 */
import type { Server } from '../../proxy/server.ts';
import { checkStatusShowsCode, type CheckStatus } from '../../health/check-status.ts';

/** promex_front_st / promex_back_st. */
export const PROXY_STATES = ['DOWN', 'UP'] as const;

/** promex_srv_st. */
export const SERVER_STATES = ['DOWN', 'UP', 'MAINT', 'DRAIN', 'NOLB'] as const;
export type ServerState = (typeof SERVER_STATES)[number];

/**
 * The finished-check statuses HAProxy labels samples with (get_check_status_result >=
 * CHK_RES_FAILED), in its enum order; Switchyard's checks produce a subset of them.
 */
export const CHECK_STATES = [
  'HANA', 'SOCKERR', 'L4OK', 'L4TOUT', 'L4CON', 'L6OK', 'L6TOUT', 'L6RSP', 'L7TOUT', 'L7RSP', 'L7OK', 'L7OKC', 'L7STS',
  'PROCERR', 'PROCTOUT', 'PROCOK',
] as const;

/**
 * promex_srv_status: MAINT wins, then DRAIN (only while running), UP, DOWN, NOLB (a server
 * a conditional check pass set stopping, as `http-check disable-on-404`).
 */
export function serverState(server: Server): ServerState {
  return server.status;
}

/** HAProxy exports a server's check metrics only while its check runs (configured, not paused by maintenance). */
export function checkRunning(server: Server): boolean {
  return server.checkState !== undefined && server.status !== 'MAINT';
}

/** A check has finished at least once (HCHK_STATUS_CHECKED and beyond). */
export function checkFinished(status: string): boolean {
  return status !== 'INI';
}

/** check_code: the L7 code for statuses that carry one, else 0. */
export function checkCode(server: Server): number {
  const state = server.checkState;
  if (state === undefined || state.status === 'INI') return 0;
  return checkStatusShowsCode(state.status as CheckStatus) ? (state.code ?? 0) : 0;
}
