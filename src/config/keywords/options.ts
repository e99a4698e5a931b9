/**
 * `option NAME` / `no option NAME` / `default option NAME` entries (HAProxy's cfg_opts table).
 * Each supported option is one row here; the `option` keyword in proxy.ts dispatches to it.
 * The HTTP options (connection modes, forwardfor) live in http.ts.
 */

import { CLF_HTTP_LOG_FORMAT, HTTP_LOG_FORMAT, TCP_LOG_FORMAT } from '../../log/default-formats.ts';
import type { LogFormatDraft, ProxyDraft, ProxyOptionsDraft } from '../draft.ts';
import type { KeywordContext, KeywordList, ProxyOption } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { noExtraArgs } from './args.ts';

/** The options that are plain booleans. */
type FlagField = { [K in keyof ProxyOptionsDraft]: ProxyOptionsDraft[K] extends boolean ? K : never }[keyof ProxyOptionsDraft];

/** An on/off option stored in ProxyDraft.options, taking no argument. */
export function flag(name: string, field: FlagField, capability: ProxyOption['capability']): ProxyOption {
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
 * Fills HAProxy's single log-format slot, which `log-format` and `option httplog|tcplog [clf]`
 * overwrite in turn (the last one wins); in a `defaults` section HAProxy warns when one
 * overrides another, and a backend keeps the format but never logs with it.
 */
export function setLogFormat(
  ctx: KeywordContext,
  proxy: ProxyDraft,
  origin: LogFormatDraft['origin'],
  text: string,
  token: Token | undefined,
  keyword: string,
): void {
  const previous = proxy.logFormat;
  if (previous !== undefined && proxy.kind === 'defaults') {
    ctx.warning(`'${origin}' overrides previous '${previous.origin}' in 'defaults' section.`, token, keyword);
  }
  if (proxy.kind === 'backend') {
    const name = origin === 'option httplog clf' ? 'option httplog' : origin;
    ctx.warning(`backend '${proxy.name}' : '${name}' directive is ignored in backends.`, token, keyword);
  }
  const place = ctx.place(token);
  proxy.logFormat = { text, origin, place };
  proxy.options.tcplog = origin === 'option tcplog';
  proxy.options.httplog = origin === 'option httplog' || origin === 'option httplog clf' || origin === 'option httpslog';
  proxy.logFormatPlace = place;
}

/**
 * `option tcplog` / `option httplog [clf]`: the log-format strings HAProxy defines for them.
 * `no option X` turns the format off (HAProxy refuses the prefix for these two; Switchyard
 * accepts it so that an inherited format can be dropped).
 */
function logFormat(format: 'tcplog' | 'httplog'): ProxyOption {
  return {
    name: format,
    capability: 'both',
    builtinDefault: false,
    read: (proxy) => proxy.options[format],
    apply(ctx, proxy, enabled, args) {
      const variant = args[2];
      const keyword = `option ${format}`;
      if (format === 'httplog' && variant !== undefined && ctx.modifier !== 'default') {
        if (variant.text !== 'clf') {
          ctx.error("keyword 'httplog' only supports option 'clf'.", variant, keyword);
          return;
        }
        if (!noExtraArgs(ctx, args, 3, 2)) return;
        if (enabled) setLogFormat(ctx, proxy, 'option httplog clf', CLF_HTTP_LOG_FORMAT, args[1], keyword);
        else clearLogFormat(proxy, 'option httplog clf');
        return;
      }
      if (!noExtraArgs(ctx, args, 2, 2)) return;
      const origin = format === 'tcplog' ? 'option tcplog' : 'option httplog';
      if (enabled) setLogFormat(ctx, proxy, origin, format === 'tcplog' ? TCP_LOG_FORMAT : HTTP_LOG_FORMAT, args[1], keyword);
      else clearLogFormat(proxy, origin);
    },
  };
}

/**
 * `option http-restrict-req-hdr-names preserve|delete|reject` (cfgparse-listen.c): what becomes
 * of request headers whose name has a character other than letters, digits and '-'. The
 * negation has no meaning here (HAProxy 2.6.0 would silently set the mode anyway): refused.
 */
function restrictHeaderNames(): ProxyOption {
  const name = 'http-restrict-req-hdr-names';
  const expects = `option '${name}' expects 'preserve', 'reject' or 'delete' option.`;
  return {
    name,
    capability: 'both',
    builtinDefault: false,
    read: (proxy) => proxy.options.restrictHeaderNames !== 'preserve',
    apply(ctx, proxy, enabled, args) {
      const keyword = `option ${name}`;
      if (!enabled || ctx.modifier === 'default') {
        ctx.error(`negation/default is not supported for option '${name}'.`, args[0], keyword);
        return;
      }
      if (!noExtraArgs(ctx, args, 3, 2)) return;
      const mode = args[2]?.text;
      if (mode === undefined || mode === '') {
        ctx.error(`missing parameter. ${expects}`, args[1], keyword);
        return;
      }
      if (mode !== 'preserve' && mode !== 'delete' && mode !== 'reject') {
        ctx.error(`invalid parameter '${mode}'. ${expects}`, args[2], keyword);
        return;
      }
      proxy.options.restrictHeaderNames = mode;
      proxy.options.restrictHeaderNamesFrom = 'config';
    },
  };
}

/** `no option httplog|tcplog`: drops the format when that option set it. */
function clearLogFormat(proxy: ProxyDraft, origin: LogFormatDraft['origin']): void {
  const format = origin === 'option tcplog' ? 'tcplog' : 'httplog';
  proxy.options[format] = false;
  const current = proxy.logFormat?.origin;
  if (current === origin || (format === 'httplog' && current === 'option httplog clf')) proxy.logFormat = undefined;
}

/**
 * `option splice-request|splice-response|splice-auto`: HAProxy's kernel splicing of payload
 * between sockets, a copy-saving tuning the runtimes' socket APIs do not expose. Accepted (the
 * relaying is the same) with a warning that it changes nothing here.
 */
function spliceOption(name: string): ProxyOption {
  return {
    name,
    capability: 'both',
    builtinDefault: false,
    read: () => false,
    apply(ctx, _proxy, enabled, args) {
      if (!noExtraArgs(ctx, args, 2, 2) || !enabled) return;
      ctx.warning(`'option ${name}' has no effect in Switchyard (kernel splicing is not available to the runtimes); ignored.`, args[1], 'option');
    },
  };
}

export const optionKeywords: KeywordList = {
  options: [
    spliceOption('splice-auto'),
    spliceOption('splice-request'),
    spliceOption('splice-response'),
    logFormat('tcplog'),
    logFormat('httplog'),
    flag('dontlognull', 'dontlognull', 'frontend'),
    flag('logasap', 'logasap', 'frontend'),
    flag('contstats', 'contstats', 'frontend'),
    flag('dontlog-normal', 'dontlogNormal', 'frontend'),
    flag('log-separate-errors', 'logSeparateErrors', 'frontend'),
    flag('redispatch', 'redispatch', 'backend'),
    flag('http-buffer-request', 'bufferRequest', 'both'),
    flag('transparent', 'transparent', 'backend'),
    flag('abortonclose', 'abortOnClose', 'backend'),
    flag('socket-stats', 'socketStats', 'frontend'),
    flag('disable-h2-upgrade', 'disableH2Upgrade', 'frontend'),
    flag('http-ignore-probes', 'ignoreProbes', 'frontend'),
    flag('idle-close-on-response', 'idleCloseOnResponse', 'frontend'),
    flag('prefer-last-server', 'preferLastServer', 'backend'),
    flag('independent-streams', 'independentStreams', 'both'),
    flag('http-pretend-keepalive', 'pretendKeepAlive', 'backend'),
    flag('checkcache', 'checkCache', 'backend'),
    flag('accept-invalid-http-request', 'acceptInvalidRequest', 'frontend'),
    flag('accept-invalid-http-response', 'acceptInvalidResponse', 'backend'),
    flag('http-use-proxy-header', 'useProxyHeader', 'frontend'),
    restrictHeaderNames(),
  ],
  unsupported: {
    options: [
      'forwarded',
      'http-drop-request-trailers',
      'http-drop-response-trailers',
      'external-check',
      'accept-unsafe-violations-in-http-request', 'accept-unsafe-violations-in-http-response',
      'use-small-buffers', 'host-header-strict',
    ],
  },
};
