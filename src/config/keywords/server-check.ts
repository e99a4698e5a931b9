/**
 * Health-check options of `server` / `default-server` lines (HAProxy's check.c srv_kws):
 * `check`, `no-check`, `inter`, `fastinter`, `downinter`, `rise`, `fall`, `port`, `addr`, and
 * passive observation: `observe`, `error-limit`, `on-error`.
 * Defaults are HAProxy's: inter 2s, rise 2, fall 3, fastinter and downinter = inter,
 * observe none, error-limit 10, on-error fail-check.
 */

import { isIPv4, isIPv6 } from '../address.ts';
import type { ServerSettings } from '../draft.ts';
import type { KeywordContext, KeywordList, ServerOption } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import type { OnErrorMode } from '../model.ts';
import { didYouMean } from '../suggest.ts';
import { parseInteger, parseTime } from './args.ts';

function flag(name: string, apply: (s: ServerSettings) => void): ServerOption {
  return { name, arity: 0, defaultServerAllowed: true, parse: (_ctx, server) => apply(server) };
}

/** A check interval: a time value, not zero ("'inter' has to be > 0." in HAProxy). */
function parseDelay(ctx: KeywordContext, value: Token, option: Token): number | undefined {
  const ms = parseTime(ctx, value, `'${option.text}'`);
  if (ms === undefined) return undefined;
  if (ms === 0) {
    ctx.error(`'${option.text}' has to be > 0.`, value);
    return undefined;
  }
  return ms;
}

function delay(name: string, apply: (s: ServerSettings, ms: number) => void): ServerOption {
  return {
    name,
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      const ms = parseDelay(ctx, value, option);
      if (ms !== undefined) apply(server, ms);
    },
  };
}

/** `rise` / `fall`: a positive count. */
function count(name: string, apply: (s: ServerSettings, n: number) => void): ServerOption {
  return {
    name,
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      if (value.text === '0') {
        ctx.error(`'${option.text}' has to be > 0.`, value);
        return;
      }
      const n = parseInteger(ctx, value, { min: 1, max: 2_147_483_647 }, `'${option.text}'`);
      if (n !== undefined) apply(server, n);
    },
  };
}

const serverCheckOptions: ServerOption[] = [
  flag('check', (s) => {
    s.checkEnabled = true;
  }),
  flag('no-check', (s) => {
    s.checkEnabled = false;
  }),
  delay('inter', (s, ms) => {
    s.inter = ms;
  }),
  delay('fastinter', (s, ms) => {
    s.fastinter = ms;
  }),
  delay('downinter', (s, ms) => {
    s.downinter = ms;
  }),
  count('rise', (s, n) => {
    s.rise = n;
  }),
  count('fall', (s, n) => {
    s.fall = n;
  }),
  {
    name: 'port',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      const port = parseInteger(ctx, value, { min: 1, max: 65535 }, `'${option.text}'`);
      if (port === undefined) return;
      server.checkPort = port;
      ctx.global.portKeywords = (ctx.global.portKeywords ?? 0) + 1;
    },
  },
  {
    name: 'addr',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      // HAProxy also resolves host names here at startup; checks connect to an IP literal only.
      // A `:PORT` is the check's port when no `port` is given (srv_check_healthcheck_port).
      const { host, port } = splitCheckAddr(value.text);
      if ((!isIPv4(host) && !isIPv6(host)) || port === null) {
        ctx.error(`'${option.text}' expects an IPv4 or IPv6 address (and an optional port), got '${value.text}'.`, value);
        return;
      }
      server.checkAddr = host;
      if (port !== undefined) server.checkAddrPort = port;
      else delete server.checkAddrPort;
    },
  },
];

/** `ADDR`, `ADDR:PORT`, `[V6]` or `[V6]:PORT`; port null when it is not 1..65535. */
function splitCheckAddr(text: string): { host: string; port: number | undefined | null } {
  let host = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    host = text.slice(1, end < 0 ? text.length : end);
    if (end >= 0 && text[end + 1] === ':') portText = text.slice(end + 2);
  } else if (text.indexOf(':') === text.lastIndexOf(':') && text.includes(':')) {
    host = text.slice(0, text.indexOf(':'));
    portText = text.slice(text.indexOf(':') + 1);
  }
  if (portText === undefined) return { host, port: undefined };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  return { host, port: port >= 1 && port <= 65535 ? port : null };
}

const OBSERVE_MODES = ['none', 'layer4', 'layer7'] as const;
const ON_ERROR_MODES: readonly OnErrorMode[] = ['fastinter', 'fail-check', 'sudden-death', 'mark-down'];

const observeOptions: ServerOption[] = [
  {
    name: 'observe',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      const mode = value.text;
      if (mode === 'none') server.observe = undefined;
      else if (mode === 'layer4') server.observe = 'layer4';
      else if (mode === 'layer7') {
        // HAProxy judges the mode the proxy has when it reads this line (a later `mode http`
        // does not help), and so do we.
        if (ctx.proxy !== undefined && ctx.proxy.mode !== 'http') {
          ctx.error(`'${mode}' can only be used in http proxies.`, value);
          return;
        }
        server.observe = 'layer7';
      } else {
        ctx.error(
          `'${option.text}' expects one of 'none', 'layer4', 'layer7' but got '${mode}'${didYouMean(mode, OBSERVE_MODES)}.`,
          value,
        );
      }
    },
  },
  count('error-limit', (s, n) => {
    s.errorLimit = n;
  }),
  {
    name: 'on-error',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      const mode = ON_ERROR_MODES.find((m) => m === value.text);
      if (mode !== undefined) server.onError = mode;
      else {
        ctx.error(
          `'${option.text}' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '${value.text}'${didYouMean(value.text, ON_ERROR_MODES)}.`,
          value,
        );
      }
    },
  },
];

export const serverCheckKeywords: KeywordList = { serverOptions: [...serverCheckOptions, ...observeOptions] };
