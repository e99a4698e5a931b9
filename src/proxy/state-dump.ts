/**
 * SIGHUP in a serving process (a worker, or a process without master): HAProxy 2.6's
 * sig_dump_state. "SIGHUP received, dumping servers states." on stderr, then for each proxy in
 * declaration order (the runtime API's GLOBAL frontend first when there is a `stats socket`):
 * to its log targets only, "SIGHUP received, dumping servers states for proxy NAME."; then for
 * each server and for the proxy one line, on stderr (ha_warning) and to its log targets at
 * LOG_NOTICE. A server is UP unless stopped (DOWN or MAINT: HAProxy's SRV_ST_STOPPED).
 */
import type { Backend } from './backend.ts';
import type { Frontend } from './frontend.ts';
import type { Server } from './server.ts';
import { countUsableServers } from '../health/state-messages.ts';

/** One proxy as the dump walks them. */
export interface DumpedProxy {
  readonly name: string;
  readonly frontend: Frontend | undefined;
  readonly backend: Backend | undefined;
}

/** The CLI's GLOBAL frontend: its connections open and accepted. */
export interface CliFigures {
  readonly current: number;
  readonly total: number;
}

/** Where the lines go: `warn` to stderr, `log` to the proxy's log targets. */
export interface DumpOutput {
  warn(text: string): void;
  log(proxy: DumpedProxy, text: string): void;
}

function serverLine(proxy: string, server: Server): string {
  const up = server.status !== 'DOWN' && server.status !== 'MAINT';
  return `SIGHUP: Server ${proxy}/${server.name} is ${up ? 'UP' : 'DOWN'}. Conn: ${server.active} act, ${server.queue.length} pend, ${server.counters.stot} tot.`;
}

function proxyLine(proxy: DumpedProxy): string {
  const fe = proxy.frontend;
  const be = proxy.backend;
  const servers = be?.servers ?? [];
  let beconn = 0;
  let pending = be?.queueLength ?? 0;
  for (const s of servers) {
    beconn += s.active;
    pending += s.queue.length;
  }
  const conn = `Conn: act(FE+BE): ${fe?.counters.scur ?? 0}+${beconn}, ${pending} pend (${be?.queueLength ?? 0} unass), tot(FE+BE): ${fe?.counters.connTot ?? 0}+${be?.counters.stot ?? 0}.`;
  if (servers.length === 0) return `SIGHUP: Proxy ${proxy.name} has no servers. ${conn}`;
  const { active, backup } = countUsableServers(servers);
  if (active === 0) return `SIGHUP: Proxy ${proxy.name} ${backup > 0 ? 'is running on backup servers' : 'has no server available'} ! ${conn}`;
  return `SIGHUP: Proxy ${proxy.name} has ${active} active servers and ${backup} backup servers available. ${conn}`;
}

export function dumpServerStates(proxies: readonly DumpedProxy[], cli: CliFigures | undefined, out: DumpOutput): void {
  out.warn('SIGHUP received, dumping servers states.');
  if (cli !== undefined) {
    out.warn(`SIGHUP: Proxy GLOBAL has no servers. Conn: act(FE+BE): ${cli.current}+0, 0 pend (0 unass), tot(FE+BE): ${cli.total}+0.`);
  }
  for (const proxy of proxies) {
    out.log(proxy, `SIGHUP received, dumping servers states for proxy ${proxy.name}.`);
    for (const server of proxy.backend?.servers ?? []) {
      const line = serverLine(proxy.name, server);
      out.warn(line);
      out.log(proxy, line);
    }
    const line = proxyLine(proxy);
    out.warn(line);
    out.log(proxy, line);
  }
}
