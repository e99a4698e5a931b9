/**
 * `set server B/S ssl on|off` (HAProxy 2.6's cli_parse_set_server, srv_set_ssl): turns TLS to a
 * server on or off without a reload. Only a server with an SSL context can: one with `ssl`,
 * `check-ssl`, or whose default-server had `ssl` (then `no-ssl` on its line leaves the context
 * prepared but off). Later connections use the new transport; idle pooled ones are closed
 * (srv_cleanup_connections), open ones keep theirs. Not for servers `add server` made.
 */
import type { Server } from '../proxy/server.ts';
import { isDynamicServer } from './dynamic-servers.ts';
import { error, SEVERITY_NOTICE, type CliAnswer } from './output.ts';
import type { RuntimeTarget } from './target.ts';

/**
 * HAProxy's srv_set_ssl as the server-state file applies it: nothing without an SSL context;
 * otherwise TLS is on for any non-zero value (-1 included, the saved form of `no-ssl`).
 */
export function applyUseSsl(server: Server, useSsl: number): void {
  if (server.ssl !== undefined) server.sslContext = server.ssl;
  const context = server.sslContext;
  if (context === undefined) return;
  server.useSsl = useSsl === 0 ? 0 : useSsl === -1 ? -1 : 1;
  server.ssl = useSsl === 0 ? undefined : context;
}

export function setServerSsl(target: RuntimeTarget, server: Server, word: string | undefined): CliAnswer {
  if (isDynamicServer(server)) return error("'set server <srv> ssl' not supported on dynamic servers\n");
  // Committed certificates replace server.ssl: the context follows the settings in use.
  if (server.ssl !== undefined) server.sslContext = server.ssl;
  const context = server.sslContext;
  if (context === undefined) return error("'set server <srv> ssl' cannot be set.  default-server should define ssl settings\n");
  if (word === 'on') {
    server.useSsl = 1;
    server.ssl = context;
  } else if (word === 'off') {
    server.useSsl = 0;
    server.ssl = undefined;
  } else {
    return error("'set server <srv> ssl' expects 'on' or 'off'.\n");
  }
  target.closeIdleConnections?.(server);
  return { kind: 'message', severity: SEVERITY_NOTICE, text: 'server ssl setting updated.\n' };
}
