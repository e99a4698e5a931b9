/**
 * Load-balancing keywords (HAProxy's backend.c / cfgparse-listen.c): `balance ALGO [ARGS]`,
 * `hash-type METHOD [FUNCTION] [avalanche]` and `option allbackups`. `rdp-cookie[(NAME)]` hashes
 * the cookie of an RDP connection request (tcp mode, once `tcp-request content` rules let it in).
 *
 * HAProxy's messages are kept ("balance uri only accepts parameters ..."). Algorithms reading
 * the HTTP request (uri, url_param, hdr, and hash on a layer-7 fetch) are accepted in any mode
 * here; resolve.ts applies HAProxy's fallback to roundrobin in tcp backends, once the mode is
 * final.
 */

import type { BalanceModel, HashFunctionName } from '../model.ts';
import type { KeywordContext, KeywordList, ProxyOption, SectionKeyword, SectionKind } from '../registry.ts';
import { didYouMean } from '../suggest.ts';
import type { Token } from '../tokenizer.ts';
import { compileSampleFetch } from '../../rules/sample-fetch.ts';
import { noExtraArgs } from './args.ts';

const ALL_PROXIES: readonly SectionKind[] = ['defaults', 'frontend', 'backend', 'listen'];

/** HAProxy 2.6's list (plus random and first, which it accepts without naming them). */
const KNOWN_ALGORITHMS = [
  'roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'uri', 'url_param', 'hdr(name)', 'rdp-cookie(name)', 'random', 'hash',
];
/** Accepted by HAProxy, refused here (named as such rather than "unknown"). */
const UNSUPPORTED_ALGORITHMS = ['log-hash', 'sticky'];

const POSITIVE_INTEGER = /^[1-9]\d{0,8}$/;

type BalanceResult = { readonly ok: true; readonly balance: BalanceModel } | { readonly ok: false; readonly message: string; readonly token: Token };

/** `balance uri [len N] [depth N] [whole] [path-only]`. */
function parseUri(args: readonly Token[]): BalanceResult {
  let len = 0;
  let depth = 0;
  let whole = false;
  let pathOnly = false;
  let i = 2;
  while (i < args.length) {
    const word = args[i] as Token;
    if (word.text === 'len' || word.text === 'depth') {
      const value = args[i + 1];
      if (value === undefined || !POSITIVE_INTEGER.test(value.text)) {
        return { ok: false, message: `uri : '${word.text}' expects a positive integer (got '${value?.text ?? ''}').`, token: value ?? word };
      }
      if (word.text === 'len') len = Number(value.text);
      else depth = Number(value.text);
      i += 2;
    } else if (word.text === 'whole') {
      whole = true;
      i += 1;
    } else if (word.text === 'path-only') {
      pathOnly = true;
      i += 1;
    } else {
      return {
        ok: false,
        message: `uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '${word.text}').`,
        token: word,
      };
    }
  }
  return { ok: true, balance: { algorithm: 'uri', len, depth, whole, pathOnly } };
}

/** `balance random[(N)]`, N >= 1, default 2 draws. */
function parseRandom(word: Token): BalanceResult {
  const text = word.text;
  if (text === 'random' || text === 'random()') return { ok: true, balance: { algorithm: 'random', draws: 2 } };
  if (text[6] !== '(') return { ok: false, message: `random : unexpected character '${text[6] ?? ''}' after argument.`, token: word };
  const close = text.indexOf(')');
  if (close < 0) return { ok: false, message: 'random : missing closing parenthesis.', token: word };
  if (close !== text.length - 1) {
    return { ok: false, message: `random : unexpected character '${text[close + 1] ?? ''}' after argument.`, token: word };
  }
  const inner = text.slice(7, close);
  if (!/^-?\d+$/.test(inner)) {
    return { ok: false, message: `random : unexpected character '${inner.replace(/^-?\d+/, '')[0] ?? ''}' after argument.`, token: word };
  }
  const draws = Number(inner);
  if (draws < 1) return { ok: false, message: 'random : number of draws must be at least 1.', token: word };
  if (draws > 1000) return { ok: false, message: `random : number of draws must be at most 1000 (got ${draws}).`, token: word };
  return { ok: true, balance: { algorithm: 'random', draws } };
}

/** `balance hdr(NAME) [use_domain_only]`. */
function parseHdr(args: readonly Token[]): BalanceResult {
  const word = args[1] as Token;
  const close = word.text.indexOf(')');
  if (close <= 4) return { ok: false, message: 'hdr requires an http header field name.', token: word };
  if (close !== word.text.length - 1) {
    return { ok: false, message: `hdr : unexpected character '${word.text[close + 1] ?? ''}' after the header name.`, token: word };
  }
  const header = word.text.slice(4, close).toLowerCase();
  const modifier = args[2];
  if (modifier !== undefined && modifier.text !== 'use_domain_only') {
    return { ok: false, message: `${word.text} only accepts 'use_domain_only' modifier (got '${modifier.text}').`, token: modifier };
  }
  const extra = args[3];
  if (extra !== undefined) return { ok: false, message: `${word.text} cannot handle unexpected argument '${extra.text}'.`, token: extra };
  return { ok: true, balance: { algorithm: 'hdr', header, useDomainOnly: modifier !== undefined } };
}

/** `balance rdp-cookie[(NAME)]`, NAME default `mstshash` (HAProxy reads up to the first ')'). */
function parseRdpCookie(word: Token): BalanceResult {
  const rest = word.text.slice(10);
  if (rest === '') return { ok: true, balance: { algorithm: 'rdp-cookie', cookie: 'mstshash' } };
  const close = rest.indexOf(')');
  if (rest[0] !== '(' || close <= 1) return { ok: false, message: 'rdp-cookie : missing cookie name.', token: word };
  return { ok: true, balance: { algorithm: 'rdp-cookie', cookie: rest.slice(1, close) } };
}

/** Everything after `balance`; `args[1]` exists. */
function parseAlgorithm(args: readonly Token[]): BalanceResult | 'no-args-expected' {
  const word = args[1] as Token;
  const text = word.text;
  switch (text) {
    case 'roundrobin':
    case 'static-rr':
    case 'leastconn':
    case 'first':
    case 'source':
      return args.length > 2 ? 'no-args-expected' : { ok: true, balance: { algorithm: text } };
    case 'uri':
      return parseUri(args);
    case 'url_param': {
      const param = args[2];
      if (param === undefined) return { ok: false, message: 'url_param requires an URL parameter name.', token: word };
      const modifier = args[3];
      if (modifier !== undefined) {
        // HAProxy 2.6 checks the word and keeps nothing: POST bodies are looked into anyway
        // (see src/balance/key-url-param.ts); a former <max_wait> after it is ignored.
        if (modifier.text !== 'check_post') return { ok: false, message: `url_param only accepts 'check_post' modifier (got '${modifier.text}').`, token: modifier };
      }
      return { ok: true, balance: { algorithm: 'url_param', param: param.text } };
    }
    case 'hash': {
      const expression = args[2];
      if (expression === undefined) return { ok: false, message: 'hash requires a sample expression.', token: word };
      const extra = args[3];
      if (extra !== undefined) return { ok: false, message: `hash takes no other argument (got '${extra.text}').`, token: extra };
      const compiled = compileSampleFetch(expression.text);
      if (!compiled.ok) return { ok: false, message: `hash : ${compiled.message}.`, token: expression };
      return { ok: true, balance: { algorithm: 'hash', expression: expression.text } };
    }
    default:
      break;
  }
  if (text.startsWith('random')) {
    const result = parseRandom(word);
    if (result.ok && args.length > 2) return 'no-args-expected';
    return result;
  }
  if (text.startsWith('hdr(')) return parseHdr(args);
  if (text.startsWith('rdp-cookie')) {
    const result = parseRdpCookie(word);
    if (result.ok && args.length > 2) return 'no-args-expected';
    return result;
  }
  const base = text.replace(/\(.*$/, '');
  if (UNSUPPORTED_ALGORITHMS.includes(base)) {
    return { ok: false, message: `'balance ${base}' is not supported by Switchyard yet.`, token: word };
  }
  return {
    ok: false,
    message: `only supports ${KNOWN_ALGORITHMS.map((a) => `'${a}'`).join(', ')} options (got '${text}')${didYouMean(base, [
      ...KNOWN_ALGORITHMS.map((a) => a.replace('(name)', '')),
      ...UNSUPPORTED_ALGORITHMS,
    ])}.`,
    token: word,
  };
}

function parseBalance(ctx: KeywordContext, args: readonly Token[]): void {
  const algorithm = args[1];
  if (algorithm === undefined) {
    // HAProxy: a bare `balance` selects roundrobin.
    if (ctx.ignoredWithoutCapability('backend')) return;
    if (ctx.proxy !== undefined) {
      ctx.proxy.balance = { algorithm: 'roundrobin' };
      ctx.proxy.balancePlace = ctx.place();
    }
    return;
  }
  const result = parseAlgorithm(args);
  if (result === 'no-args-expected') {
    noExtraArgs(ctx, args, 2, 2);
    return;
  }
  if (!result.ok) {
    // HAProxy prefixes the keyword: "balance uri only accepts ...".
    const message = result.message.startsWith("'balance") ? result.message : `balance ${result.message}`;
    ctx.error(message, result.token);
    return;
  }
  if (ctx.ignoredWithoutCapability('backend')) return;
  const proxy = ctx.proxy;
  if (proxy === undefined) return;
  proxy.balance = result.balance;
  proxy.balancePlace = ctx.place();
}

const HASH_FUNCTIONS: readonly HashFunctionName[] = ['sdbm', 'djb2', 'wt6', 'crc32', 'none'];

/**
 * `hash-type map-based|consistent [FUNCTION [avalanche]]`. As in HAProxy, `consistent` alone
 * means `consistent sdbm avalanche`, and a line replaces every earlier setting.
 */
function parseHashType(ctx: KeywordContext, args: readonly Token[]): void {
  const method = args[1];
  if (method === undefined || (method.text !== 'map-based' && method.text !== 'consistent')) {
    if (method?.text === 'avalanche') {
      ctx.error("experimental feature 'hash-type avalanche' is not supported anymore, please use 'hash-type map-based sdbm avalanche' instead.", method);
    } else {
      ctx.error(
        `'hash-type' only supports 'consistent' and 'map-based'${method === undefined ? '' : ` (got '${method.text}')${didYouMean(method.text, ['consistent', 'map-based'])}`}.`,
        method,
      );
    }
    return;
  }
  const fn = args[2];
  let hashFunction: HashFunctionName = 'sdbm';
  let avalanche = method.text === 'consistent' && fn === undefined;
  if (fn !== undefined) {
    const found = HASH_FUNCTIONS.find((f) => f === fn.text);
    if (found === undefined) {
      ctx.error(`'hash-type' only supports 'sdbm', 'djb2', 'crc32', 'wt6' or 'none' hash functions (got '${fn.text}').`, fn);
      return;
    }
    hashFunction = found;
    const modifier = args[3];
    if (modifier !== undefined) {
      if (modifier.text !== 'avalanche') {
        ctx.error(`'hash-type' only supports 'avalanche' as a modifier for hash functions (got '${modifier.text}').`, modifier);
        return;
      }
      avalanche = true;
      if (!noExtraArgs(ctx, args, 4)) return;
    }
  }
  if (ctx.ignoredWithoutCapability('backend')) return;
  if (ctx.proxy !== undefined) ctx.proxy.hashType = { method: method.text, function: hashFunction, avalanche };
}

const allBackups: ProxyOption = {
  name: 'allbackups',
  capability: 'backend',
  builtinDefault: false,
  read: (proxy) => proxy.options.allBackups,
  apply(ctx, proxy, enabled, args) {
    if (noExtraArgs(ctx, args, 2, 2)) proxy.options.allBackups = enabled;
  },
};

const keywords: SectionKeyword[] = [
  { name: 'balance', sections: ALL_PROXIES, parse: parseBalance },
  { name: 'hash-type', sections: ALL_PROXIES, parse: parseHashType },
];

export const balanceKeywords: KeywordList = { keywords, options: [allBackups] };
