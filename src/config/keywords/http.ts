/**
 * HTTP (`mode http`) proxy settings:
 *
 * - `option http-keep-alive` (the default), `option http-server-close`, `option httpclose`:
 *   they replace each other; `no option X` returns to keep-alive only when X is the current
 *   mode (HAProxy's rule, made to cancel a mode set in defaults). The engine combines the
 *   frontend's and the backend's modes, the most restrictive winning.
 * - `option forwardfor [except NETWORK] [header NAME] [if-none]`.
 * - `http-reuse never|safe|aggressive|always` (default safe).
 * - `retry-on EVENT...` (default conn-failure).
 */

import type { ForwardForDraft, HttpDraft } from '../draft.ts';
import type { HttpConnectionMode, HttpReuseMode, RetryOnEvent } from '../model.ts';
import type { KeywordContext, KeywordList, ProxyOption, SectionKeyword } from '../registry.ts';
import { didYouMean } from '../suggest.ts';
import type { Token } from '../tokenizer.ts';
import { parseNetwork } from '../../util/cidr.ts';
import { noExtraArgs } from './args.ts';
import { RETRY_ON_EVENTS } from '../retry-on-events.ts';

function connectionMode(name: string, mode: HttpConnectionMode): ProxyOption {
  return {
    name,
    capability: 'both',
    // HAProxy accepts `no option X` for the three modes but refuses `default option X`.
    prefixes: ['no'],
    builtinDefault: mode === 'keep-alive',
    read: (proxy) => proxy.http.connectionMode === mode,
    apply(ctx, proxy, enabled, args) {
      if (!noExtraArgs(ctx, args, 2, 2)) return;
      if (enabled) proxy.http.connectionMode = mode;
      else if (proxy.http.connectionMode === mode) proxy.http.connectionMode = 'keep-alive';
    },
  };
}

/** RFC 9110 field-name (a token). */
export function isHeaderName(name: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name);
}

/** A dotted IPv4 netmask ("255.255.0.0") as a prefix length, or undefined when not contiguous. */
function maskToPrefix(mask: string): number | undefined {
  const parts = mask.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  const bits = parts.map((p) => Number(p).toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits)) return undefined;
  const firstZero = bits.indexOf('0');
  return firstZero === -1 ? 32 : firstZero;
}

/**
 * Checks `option forwardfor except` networks: an IPv4 or IPv6 address, optionally with a
 * prefix length (`10.0.0.0/8`, `fe80::/10`) or, for IPv4, a dotted mask (`10.0.0.0/255.0.0.0`,
 * rewritten as `/8`). Returns the network as the engine reads it, or undefined when invalid.
 */
export function normalizeNetwork(text: string): string | undefined {
  const dotted = /^([0-9.]+)\/(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const prefix = maskToPrefix(dotted[2] as string);
    if (prefix === undefined) return undefined;
    const rewritten = `${dotted[1]}/${prefix}`;
    return parseNetwork(rewritten) === undefined ? undefined : rewritten;
  }
  return parseNetwork(text) === undefined ? undefined : text;
}

const FORWARDFOR_OPTIONS = ['except', 'header', 'if-none'];

/**
 * `option forwardfor [except NETWORK] [header NAME] [if-none]`. Like HAProxy, each line starts
 * from the defaults (header X-Forwarded-For, no exception, always added) and replaces any
 * earlier setting. HAProxy refuses `no` / `default` for this option.
 */
const forwardFor: ProxyOption = {
  name: 'forwardfor',
  capability: 'both',
  prefixes: [],
  builtinDefault: false,
  read: (proxy) => proxy.http.forwardFor !== undefined,
  apply(ctx, proxy, _enabled, args) {
    let header = 'x-forwarded-for';
    let except: string | undefined;
    let ifNone = false;
    const errorsBefore = ctx.errorCount;
    let i = 2;
    while (i < args.length) {
      const word = args[i] as Token;
      if (word.text === 'except' || word.text === 'header') {
        const value = args[i + 1];
        if (value === undefined) {
          const expected = word.text === 'except' ? '<address>[/mask]' : '<header_name>';
          ctx.error(`'option forwardfor ${word.text}' expects ${expected} as argument.`, word, 'option forwardfor');
          return;
        }
        if (word.text === 'except') {
          except = normalizeNetwork(value.text);
          if (except === undefined) {
            ctx.error(
              `'option forwardfor except' expects <address>[/mask] as argument (an IPv4 or IPv6 address or network), got '${value.text}'.`,
              value,
              'option forwardfor',
            );
          }
        } else if (!isHeaderName(value.text)) {
          ctx.error(`'option forwardfor header' : '${value.text}' is not a valid header name.`, value, 'option forwardfor');
        } else {
          header = value.text.toLowerCase();
        }
        i += 2;
      } else if (word.text === 'if-none') {
        ifNone = true;
        i += 1;
      } else {
        ctx.error(
          `'option forwardfor' only supports optional values: 'except', 'header' and 'if-none' (got '${word.text}')${didYouMean(word.text, FORWARDFOR_OPTIONS)}.`,
          word,
          'option forwardfor',
        );
        return;
      }
    }
    if (ctx.errorCount !== errorsBefore) return;
    const draft: ForwardForDraft = { header, except, ifNone, place: ctx.place(args[0]) };
    proxy.http.forwardFor = draft;
  },
};

export const HTTP_REUSE_MODES: readonly HttpReuseMode[] = ['never', 'safe', 'aggressive', 'always'];

function parseHttpReuse(ctx: KeywordContext, args: readonly Token[]): void {
  const modeToken = args[1];
  const mode = HTTP_REUSE_MODES.find((m) => m === modeToken?.text);
  if (mode === undefined) {
    const got = modeToken === undefined ? '' : ` (got '${modeToken.text}')${didYouMean(modeToken.text, HTTP_REUSE_MODES)}`;
    ctx.error(`'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'${got}.`, modeToken);
    return;
  }
  if (!noExtraArgs(ctx, args, 2)) return;
  if (ctx.ignoredWithoutCapability('backend')) return;
  if (ctx.proxy !== undefined) ctx.proxy.http.reuse = mode;
}


/** What `all-retryable-errors` stands for (HAProxy's list). */
export const ALL_RETRYABLE_ERRORS: readonly RetryOnEvent[] = [
  'conn-failure',
  'empty-response',
  'junk-response',
  'response-timeout',
  '0rtt-rejected',
  '500',
  '502',
  '503',
  '504',
];

/** Status codes later HAProxy versions accept in `retry-on` and Switchyard does not (yet). */
const UNSUPPORTED_RETRY_ON = ['401', '403', '429'];

/** Expands `all-retryable-errors`, drops duplicates, orders as RETRY_ON_EVENTS; `none` -> []. */
export function normalizeRetryOn(events: readonly string[]): RetryOnEvent[] {
  const wanted = new Set<string>();
  for (const event of events) {
    if (event === 'all-retryable-errors') for (const e of ALL_RETRYABLE_ERRORS) wanted.add(e);
    else if (event !== 'none') wanted.add(event);
  }
  return RETRY_ON_EVENTS.filter((e) => wanted.has(e));
}

function parseRetryOn(ctx: KeywordContext, args: readonly Token[]): void {
  if (args.length < 2) {
    ctx.error("'retry-on' needs at least one keyword to specify when to retry.");
    return;
  }
  const errorsBefore = ctx.errorCount;
  const known: readonly string[] = [...RETRY_ON_EVENTS, 'all-retryable-errors', 'none'];
  for (const [index, event] of args.slice(1).entries()) {
    if (event.text === 'none') {
      if (index !== 0 || args.length > 2) {
        ctx.error("'retry-on' : 'none' is only usable alone.", event);
        return;
      }
    } else if (UNSUPPORTED_RETRY_ON.includes(event.text)) {
      ctx.error(`'retry-on' : '${event.text}' is not supported by Switchyard yet.`, event);
    } else if (!known.includes(event.text)) {
      ctx.error(`'retry-on' : unknown keyword '${event.text}'${didYouMean(event.text, known)}.`, event);
    }
  }
  const proxy = ctx.proxy;
  if (ctx.errorCount !== errorsBefore || proxy === undefined) return;
  const http: HttpDraft = proxy.http;
  http.retryOn = normalizeRetryOn(args.slice(1).map((t) => t.text));
  http.retryOnPlace = ctx.place(args[0]);
}

const keywords: SectionKeyword[] = [
  { name: 'http-reuse', sections: ['defaults', 'frontend', 'backend', 'listen'], parse: parseHttpReuse },
  // HAProxy refuses `retry-on` in a frontend ("only available in backend or listen section").
  { name: 'retry-on', sections: ['defaults', 'backend', 'listen'], parse: parseRetryOn },
];

export const httpKeywords: KeywordList = {
  keywords,
  options: [
    connectionMode('http-keep-alive', 'keep-alive'),
    connectionMode('http-server-close', 'server-close'),
    connectionMode('httpclose', 'close'),
    forwardFor,
  ],
};
