/**
 * `option NAME` / `no option NAME` / `default option NAME` entries (HAProxy's cfg_opts table).
 * Each supported option is one row here; the `option` keyword in proxy.ts dispatches to it.
 * The HTTP options (connection modes, forwardfor) live in http.ts.
 */

import type { ProxyDraft, ProxyOptionsDraft } from '../draft.ts';
import type { KeywordContext, KeywordList, ProxyOption } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
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

/**
 * Turns a log format on: `option tcplog` and `option httplog` replace each other (the last one
 * wins), and in a `defaults` section HAProxy warns when one overrides another.
 */
function setLogFormat(ctx: KeywordContext, proxy: ProxyDraft, format: 'tcplog' | 'httplog', nameToken: Token | undefined): void {
  const previous = proxy.options.httplog ? 'httplog' : proxy.options.tcplog ? 'tcplog' : undefined;
  if (previous !== undefined && proxy.kind === 'defaults') {
    ctx.warning(`'option ${format}' overrides previous 'option ${previous}' in 'defaults' section.`, nameToken, `option ${format}`);
  }
  proxy.options.tcplog = format === 'tcplog';
  proxy.options.httplog = format === 'httplog';
  proxy.logFormatPlace = ctx.place(nameToken);
}

/**
 * `option tcplog` / `option httplog [clf]`. `no option X` turns the format off (HAProxy refuses
 * the prefix for these two; Switchyard accepts it so that an inherited format can be dropped).
 */
function logFormat(format: 'tcplog' | 'httplog'): ProxyOption {
  return {
    name: format,
    capability: 'frontend',
    builtinDefault: false,
    read: (proxy) => proxy.options[format],
    apply(ctx, proxy, enabled, args) {
      const variant = args[2];
      if (format === 'httplog' && variant !== undefined && ctx.modifier !== 'default') {
        if (variant.text === 'clf') {
          if (!noExtraArgs(ctx, args, 3, 2)) return;
          ctx.error("'option httplog clf' (the Common Log Format) is not supported by Switchyard yet.", variant, 'option httplog');
        } else {
          ctx.error("keyword 'httplog' only supports option 'clf'.", variant, 'option httplog');
        }
        return;
      }
      if (!noExtraArgs(ctx, args, 2, 2)) return;
      if (enabled) setLogFormat(ctx, proxy, format, args[1]);
      else proxy.options[format] = false;
    },
  };
}

export const optionKeywords: KeywordList = {
  options: [
    logFormat('tcplog'),
    logFormat('httplog'),
    flag('dontlognull', 'dontlognull', 'frontend'),
    flag('redispatch', 'redispatch', 'backend'),
  ],
  unsupported: {
    options: [
      'httpslog', 'forwarded', 'originalto', 'http-tunnel', 'abortonclose', 'checkcache', 'clitcpka', 'srvtcpka',
      'tcpka', 'contstats', 'dontlog-normal', 'http-buffer-request', 'http-ignore-probes', 'http-no-delay',
      'http-pretend-keepalive', 'http-use-proxy-header', 'http-drop-request-trailers',
      'http-drop-response-trailers', 'http_proxy', 'independent-streams', 'ldap-check',
      'external-check', 'log-health-checks', 'log-separate-errors', 'logasap', 'mysql-check', 'nolinger',
      'pgsql-check', 'prefer-last-server', 'redis-check', 'smtpchk', 'socket-stats', 'splice-auto',
      'splice-request', 'splice-response', 'spop-check', 'ssl-hello-chk', 'tcp-smart-accept',
      'tcp-smart-connect', 'transparent', 'accept-invalid-http-request', 'accept-invalid-http-response',
      'accept-unsafe-violations-in-http-request', 'accept-unsafe-violations-in-http-response',
      'h1-case-adjust-bogus-client', 'h1-case-adjust-bogus-server', 'disable-h2-upgrade',
      'idle-close-on-response', 'http-restrict-req-hdr-names', 'use-small-buffers', 'host-header-strict',
    ],
  },
};
