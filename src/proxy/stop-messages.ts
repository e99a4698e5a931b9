/**
 * "Proxy NAME stopped (cumulated conns: FE: N, BE: M)." — what HAProxy 2.6.12 says of each proxy
 * whose listeners a soft stop (SIGUSR1) or `shutdown frontend` closed (stop_proxy): on stderr
 * and at LOG_WARNING to the proxy's log targets. FE counts the connections the frontend
 * accepted, BE the sessions the backend took. A soft stop names the proxies with a frontend
 * first, then the backends, as HAProxy's listeners stop before its backends.
 */
import type { DumpedProxy } from './state-dump.ts';

export function proxyStoppedLine(proxy: DumpedProxy): string {
  return `Proxy ${proxy.name} stopped (cumulated conns: FE: ${proxy.frontend?.counters.connTot ?? 0}, BE: ${proxy.backend?.counters.stot ?? 0}).`;
}

/** The soft stop's order: proxies with a frontend, then backends, each in declaration order. */
export function softStopOrder<P extends DumpedProxy>(proxies: readonly P[]): P[] {
  return [...proxies.filter((p) => p.frontend !== undefined), ...proxies.filter((p) => p.frontend === undefined)];
}
