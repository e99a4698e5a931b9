/**
 * `option NAME` / `no option NAME` / `default option NAME` entries (HAProxy's cfg_opts table).
 * Each supported option is one row here; the `option` keyword in proxy.ts dispatches to it.
 */

import type { ProxyDraft, ProxyOptionsDraft } from '../draft.ts';
import type { KeywordList, ProxyOption } from '../registry.ts';
import { noExtraArgs } from './args.ts';

/** An on/off option stored in ProxyDraft.options, taking no argument. */
function flag(name: string, field: keyof ProxyOptionsDraft, capability: ProxyOption['capability']): ProxyOption {
  return {
    name,
    capability,
    builtinDefault: false,
    read: (proxy: ProxyDraft) => proxy.options[field],
    apply(ctx, proxy, enabled, args) {
      if (!noExtraArgs(ctx, args, 2, 2)) return;
      proxy.options[field] = enabled;
    },
  };
}

export const optionKeywords: KeywordList = {
  options: [
    flag('tcplog', 'tcplog', 'frontend'),
    flag('dontlognull', 'dontlognull', 'frontend'),
    flag('redispatch', 'redispatch', 'backend'),
  ],
  unsupported: {
    options: [
      'httplog', 'httpslog', 'forwardfor', 'forwarded', 'originalto', 'httpclose', 'http-server-close',
      'http-keep-alive', 'http-tunnel', 'abortonclose', 'allbackups', 'checkcache', 'clitcpka', 'srvtcpka',
      'tcpka', 'contstats', 'dontlog-normal', 'http-buffer-request', 'http-ignore-probes', 'http-no-delay',
      'http-pretend-keepalive', 'http-use-proxy-header', 'http-drop-request-trailers',
      'http-drop-response-trailers', 'httpchk', 'http_proxy', 'independent-streams', 'ldap-check',
      'external-check', 'log-health-checks', 'log-separate-errors', 'logasap', 'mysql-check', 'nolinger',
      'persist', 'pgsql-check', 'prefer-last-server', 'redis-check', 'smtpchk', 'socket-stats', 'splice-auto',
      'splice-request', 'splice-response', 'spop-check', 'ssl-hello-chk', 'tcp-check', 'tcp-smart-accept',
      'tcp-smart-connect', 'transparent', 'accept-invalid-http-request', 'accept-invalid-http-response',
      'accept-unsafe-violations-in-http-request', 'accept-unsafe-violations-in-http-response',
      'h1-case-adjust-bogus-client', 'h1-case-adjust-bogus-server', 'disable-h2-upgrade',
      'idle-close-on-response', 'http-restrict-req-hdr-names', 'use-small-buffers', 'host-header-strict',
    ],
  },
};
