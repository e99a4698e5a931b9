/**
 * The texts HAProxy 2.6 prints when health checks change a server's state (server.c
 * srv_update_status + srv_append_status, backend.c set_backend_down), e.g.
 *
 *   Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused",
 *     check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued,
 *     0 remaining in queue.
 *   Server be/s1 is UP, reason: Layer7 check passed, code: 200, check duration: 2ms.
 *     2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.
 *   backend be has no server available!
 *
 * (each on one line). The trailing "." is part of the text, as HAProxy appends it.
 */
import type { Server } from '../proxy/server.ts';
import { checkPassed, checkStatusDescription, checkStatusShowsCode, type CheckOutcome } from './check-status.ts';

/** The check that caused a change, as srv_append_status reports it. */
export interface CheckReport extends CheckOutcome {
  readonly duration: number;
}

/** UP servers of the backend after the change, split as HAProxy's srv_act / srv_bck. */
export interface ServerCounts {
  readonly active: number;
  readonly backup: number;
}

export function countUsableServers(servers: readonly Server[]): ServerCounts {
  let active = 0;
  let backup = 0;
  for (const s of servers) {
    if (!s.usable) continue;
    if (s.backup) backup++;
    else active++;
  }
  return { active, backup };
}

/** `Server be/s1 is DOWN, reason: ... . N active and M backup servers left. ...` */
export function serverDownMessage(
  backendName: string,
  server: Server,
  check: CheckReport | undefined,
  counts: ServerCounts,
  requeued: number,
): string {
  return (
    `${server.backup ? 'Backup ' : ''}Server ${backendName}/${server.name} is DOWN${checkDetails(check)}` +
    `. ${counts.active} active and ${counts.backup} backup servers left.${runningOnBackup(counts)}` +
    ` ${server.processActive} sessions active, ${requeued} requeued, ${server.queue.length} remaining in queue.`
  );
}

/** `Server be/s1 is UP, reason: ... . N active and M backup servers online. ...` (or `is stopping`: NOLB). */
export function serverUpMessage(
  backendName: string,
  server: Server,
  check: CheckReport | undefined,
  counts: ServerCounts,
  requeued: number,
  state: 'UP' | 'stopping' = 'UP',
): string {
  return (
    `${server.backup ? 'Backup ' : ''}Server ${backendName}/${server.name} is ${state}${checkDetails(check)}` +
    `. ${counts.active} active and ${counts.backup} backup servers online.${runningOnBackup(counts)}` +
    ` ${requeued} sessions requeued, ${server.queue.length} total in queue.`
  );
}

/** The log form (send_log): `backend be has no server available!` (`listen` for listen sections). */
export function noServerLogMessage(proxyType: 'backend' | 'listen', backendName: string): string {
  return `${proxyType} ${backendName} has no server available!`;
}

/** The console form (ha_alert): `backend 'be' has no server available!`. */
export function noServerAlertMessage(proxyType: 'backend' | 'listen', backendName: string): string {
  return `${proxyType} '${backendName}' has no server available!`;
}

function runningOnBackup(counts: ServerCounts): string {
  return counts.backup > 0 && counts.active === 0 ? ' Running on backup.' : '';
}

/** srv_append_status; no check (undefined) when `option log-health-checks` already reported it. */
export function checkDetails(check: CheckReport | undefined): string {
  if (check === undefined) return '';
  let text = `, reason: ${checkStatusDescription(check.status)}`;
  if (checkStatusShowsCode(check.status) && check.code !== undefined) text += `, code: ${check.code}`;
  if (check.desc !== '') text += `, info: "${asciiEncode(check.desc)}"`;
  if (check.duration >= 0) text += `, check duration: ${Math.floor(check.duration)}ms`;
  return text;
}

/** HAProxy's chunk_asciiencode with '"' as the quote: escapes the quote, backslash and non-printables. */
export function asciiEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) out += text[i];
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x1b) out += '\\e';
    else if (c === 0x22 || c === 0x5c) out += `\\${text[i]}`;
    else out += `\\x${(c & 0xff).toString(16).padStart(2, '0')}`;
  }
  return out;
}

/**
 * The `option log-health-checks` line (check.c set_server_check_status), without HAProxy's
 * trailing ".": `Health check for server be/s1 succeeded, reason: ..., status: 1/1 UP`
 * (`Agent check for ...` for an agent's results).
 */
export function checkResultMessage(
  backendName: string,
  server: Server,
  check: CheckReport,
  health: { readonly health: number; readonly rise: number; readonly fall: number },
  kind: 'Health' | 'Agent' = 'Health',
): string {
  const passed = checkPassed(check.status);
  const up = health.health >= health.rise;
  const shown = up ? `${health.health - health.rise + 1}/${health.fall} ${server.userWeight > 0 ? 'UP' : 'DRAIN'}` : `${health.health}/${health.rise} DOWN`;
  return (
    `${kind} check for ${server.backup ? 'backup ' : ''}server ${backendName}/${server.name} ` +
    `${check.status === 'L7OKC' ? 'conditionally ' : ''}${passed ? 'succeeded' : 'failed'}${checkDetails(check)}, status: ${shown}`
  );
}
