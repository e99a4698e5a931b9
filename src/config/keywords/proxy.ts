/**
 * General proxy keywords (defaults, frontend, backend, listen): mode, maxconn, backlog, timeouts,
 * retries, default_backend, log, disabled/enabled, description and the `option`
 * dispatcher. Options themselves live in options.ts.
 *
 * Where HAProxy accepts a keyword in a proxy that lacks the matching side (e.g. `timeout
 * server` in a frontend) it warns and ignores it; Switchyard does the same.
 */

import type { MutableTimeouts } from '../draft.ts';
import type { KeywordContext, KeywordList, SectionKeyword, SectionKind } from '../registry.ts';
import { didYouMean } from '../suggest.ts';
import type { Token } from '../tokenizer.ts';
import { noExtraArgs, parseInteger, parseTime, requireArgs } from './args.ts';
import { parseLogTarget } from './log.ts';
import { parseAddress } from '../address.ts';
import { parseSourceAddress, sourceOptionRefusal } from '../source-address.ts';

const ALL_PROXIES: readonly SectionKind[] = ['defaults', 'frontend', 'backend', 'listen'];
const NAMED_PROXIES: readonly SectionKind[] = ['frontend', 'backend', 'listen'];

function proxyKeyword(
  name: string,
  parse: (ctx: KeywordContext, args: readonly Token[]) => void,
  sections: readonly SectionKind[] = ALL_PROXIES,
  modifiers = false,
): SectionKeyword {
  return { name, sections, parse, modifiers };
}

interface TimeoutDefinition {
  readonly field: keyof MutableTimeouts;
  readonly capability: 'frontend' | 'backend' | 'both';
}

const TIMEOUTS: Readonly<Record<string, TimeoutDefinition>> = {
  client: { field: 'client', capability: 'frontend' },
  'client-fin': { field: 'clientFin', capability: 'frontend' },
  server: { field: 'server', capability: 'backend' },
  'server-fin': { field: 'serverFin', capability: 'backend' },
  connect: { field: 'connect', capability: 'backend' },
  tunnel: { field: 'tunnel', capability: 'backend' },
  queue: { field: 'queue', capability: 'backend' },
  check: { field: 'check', capability: 'backend' },
  'http-request': { field: 'httpRequest', capability: 'both' },
  'http-keep-alive': { field: 'httpKeepAlive', capability: 'both' },
  tarpit: { field: 'tarpit', capability: 'both' },
};

const UNSUPPORTED_TIMEOUTS = new Set(['handshake']);
/** Pre-1.5 spellings HAProxy itself no longer accepts. */
const REMOVED_TIMEOUTS: Readonly<Record<string, string>> = {
  clitimeout: 'client',
  srvtimeout: 'server',
  contimeout: 'connect',
};

function parseTimeout(ctx: KeywordContext, args: readonly Token[]): void {
  const which = args[1];
  const names = Object.keys(TIMEOUTS);
  if (which === undefined) {
    ctx.error(`'timeout' expects one of ${names.map((n) => `'${n}'`).join(', ')} and a time value.`);
    return;
  }
  const definition = TIMEOUTS[which.text];
  if (definition === undefined) {
    if (UNSUPPORTED_TIMEOUTS.has(which.text)) {
      ctx.error(`'timeout ${which.text}' is not supported by Switchyard yet.`, which, 'timeout');
    } else if (REMOVED_TIMEOUTS[which.text] !== undefined) {
      ctx.error(
        `'timeout ${which.text}' is a removed HAProxy keyword; use 'timeout ${REMOVED_TIMEOUTS[which.text]}'.`,
        which,
        'timeout',
      );
    } else {
      ctx.error(
        `'timeout' supports ${names.map((n) => `'${n}'`).join(', ')} (got '${which.text}')${didYouMean(which.text, names)}.`,
        which,
        'timeout',
      );
    }
    return;
  }
  const keyword = `timeout ${which.text}`;
  if (!requireArgs(ctx, args, 1, 'a time value as an argument', 2)) return;
  if (!noExtraArgs(ctx, args, 3, 2)) return;
  const ms = parseTime(ctx, args[2] as Token, `'${keyword}'`);
  if (ms === undefined) return;
  const proxy = ctx.proxy;
  if (proxy === undefined) return;
  if (definition.capability !== 'both' && ctx.ignoredWithoutCapability(definition.capability, args[0], keyword)) return;
  proxy.timeouts[definition.field] = ms;
}

function parseOption(ctx: KeywordContext, args: readonly Token[]): void {
  const nameToken = args[1];
  if (nameToken === undefined) {
    ctx.error("'option' expects an option name.");
    return;
  }
  const proxy = ctx.proxy;
  const option = ctx.registry.option(nameToken.text);
  const keyword = `option ${nameToken.text}`;
  if (option === undefined) {
    if (ctx.registry.isUnsupportedOption(nameToken.text)) {
      ctx.error(`'${keyword}' is not supported by Switchyard yet.`, nameToken, keyword);
    } else {
      const suggestion = ctx.registry.suggestOption(nameToken.text);
      ctx.error(
        `unknown option '${nameToken.text}'${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`,
        nameToken,
        keyword,
      );
    }
    return;
  }
  if (ctx.modifier !== 'none' && !(option.prefixes ?? ['no', 'default']).includes(ctx.modifier)) {
    ctx.error(`negation/default is not supported for option '${nameToken.text}'.`, nameToken, keyword);
    return;
  }
  if (proxy === undefined) return;
  if (option.capability !== 'both' && ctx.ignoredWithoutCapability(option.capability, nameToken, nameToken.text)) return;
  let enabled: boolean;
  if (ctx.modifier === 'default') {
    if (!noExtraArgs(ctx, args, 2, 2)) return;
    const from = proxy.inheritedFrom;
    enabled = from === undefined ? option.builtinDefault : option.read(from);
  } else {
    enabled = ctx.modifier !== 'no';
  }
  option.apply(ctx, proxy, enabled, args);
}

function parseProxyLog(ctx: KeywordContext, args: readonly Token[]): void {
  const proxy = ctx.proxy;
  if (proxy === undefined) return;
  if (ctx.modifier === 'default') {
    ctx.error("'default log' is not supported; use 'no log' to drop inherited log targets.");
    return;
  }
  if (ctx.modifier === 'no') {
    // `no log` drops every target inherited so far (from defaults or earlier lines).
    if (noExtraArgs(ctx, args, 1)) proxy.logs = [];
    return;
  }
  if (args[1]?.text === 'global') {
    if (!noExtraArgs(ctx, args, 2)) return;
    const { file, line } = ctx.place();
    proxy.logs.push({ global: true, source: { file, line } });
    return;
  }
  const target = parseLogTarget(ctx, args);
  if (target !== undefined) proxy.logs.push(target);
}

const MODES = ['tcp', 'http'] as const;

const keywords: SectionKeyword[] = [
  // HAProxy's proxy uuid (stats `iid`, `fe_id`/`be_id`): a positive number no other proxy has.
  proxyKeyword(
    'id',
    (ctx, args) => {
      if (!requireArgs(ctx, args, 1, 'an integer argument') || !noExtraArgs(ctx, args, 2)) return;
      const value = parseInteger(ctx, args[1] as Token, { min: 1, max: 2_147_483_647 }, "'id'");
      if (value !== undefined && ctx.proxy !== undefined) ctx.proxy.id = value;
    },
    NAMED_PROXIES,
  ),
  proxyKeyword('mode', (ctx, args) => {
    const mode = args[1];
    if (mode === undefined) {
      ctx.error("'mode' expects one of 'tcp' or 'http'.");
      return;
    }
    if (!noExtraArgs(ctx, args, 2)) return;
    if (mode.text === 'tcp' || mode.text === 'http') {
      if (ctx.proxy !== undefined) ctx.proxy.mode = mode.text;
    } else if (mode.text === 'health') {
      ctx.error("'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead.", mode);
    } else if (mode.text === 'log' || mode.text === 'spop') {
      ctx.error(`'mode ${mode.text}' is not supported by Switchyard.`, mode);
    } else {
      ctx.error(`unknown proxy mode '${mode.text}' (expected 'tcp' or 'http')${didYouMean(mode.text, MODES)}.`, mode);
    }
  }),
  proxyKeyword(
    'maxconn',
    (ctx, args) => {
      if (!requireArgs(ctx, args, 1, 'an integer argument') || !noExtraArgs(ctx, args, 2)) return;
      const value = parseInteger(ctx, args[1] as Token, { min: 0, max: 2_147_483_647 }, "'maxconn'");
      if (value === undefined || ctx.ignoredWithoutCapability('frontend')) return;
      if (ctx.proxy !== undefined) ctx.proxy.maxconn = value;
    },
  ),
  proxyKeyword('backlog', (ctx, args) => {
    if (!requireArgs(ctx, args, 1, 'an integer argument') || !noExtraArgs(ctx, args, 2)) return;
    const value = parseInteger(ctx, args[1] as Token, { min: 0, max: 2_147_483_647 }, "'backlog'");
    if (value === undefined || ctx.ignoredWithoutCapability('frontend')) return;
    // 0 is HAProxy's "not set": the binds' queue then follows maxconn.
    if (ctx.proxy !== undefined) ctx.proxy.backlog = value === 0 ? undefined : value;
  }),
  proxyKeyword('retries', (ctx, args) => {
    if (!requireArgs(ctx, args, 1, 'an integer argument') || !noExtraArgs(ctx, args, 2)) return;
    const value = parseInteger(ctx, args[1] as Token, { min: 0, max: 1000 }, "'retries'");
    if (value === undefined || ctx.ignoredWithoutCapability('backend')) return;
    if (ctx.proxy !== undefined) ctx.proxy.retries = value;
  }),
  proxyKeyword('timeout', parseTimeout),
  proxyKeyword('dispatch', parseDispatch),
  proxyKeyword('source', parseSource),
  proxyKeyword('default_backend', (ctx, args) => {
    if (!requireArgs(ctx, args, 1, 'a backend name') || !noExtraArgs(ctx, args, 2)) return;
    if (ctx.ignoredWithoutCapability('frontend')) return;
    const name = args[1] as Token;
    if (ctx.proxy !== undefined) ctx.proxy.defaultBackend = { name: name.text, place: ctx.place(name) };
  }),
  proxyKeyword('log', parseProxyLog, ALL_PROXIES, true),
  proxyKeyword('disabled', (ctx, args) => {
    if (noExtraArgs(ctx, args, 1) && ctx.proxy !== undefined) ctx.proxy.disabled = true;
  }),
  proxyKeyword('enabled', (ctx, args) => {
    if (noExtraArgs(ctx, args, 1) && ctx.proxy !== undefined) ctx.proxy.disabled = false;
  }),
  proxyKeyword(
    'description',
    (ctx, args) => {
      if (!requireArgs(ctx, args, 1, 'a string argument')) return;
      if (ctx.proxy !== undefined) ctx.proxy.description = args.slice(1).map((t) => t.text).join(' ');
    },
    NAMED_PROXIES,
  ),
  proxyKeyword('option', parseOption, ALL_PROXIES, true),
];

/**
 * `source ADDR[:PORT] [usesrc ...] [interface NAME]` (cfgparse-listen.c): the local address of
 * the backend's server connections. A later line replaces an earlier (or inherited) one.
 */
function parseSource(ctx: KeywordContext, args: readonly Token[]): void {
  if (ctx.ignoredWithoutCapability('backend')) return;
  const addressToken = args[1];
  if (addressToken === undefined) {
    ctx.error("'source' expects <addr>[:<port>], and optionally 'usesrc' <addr>, and 'interface' <name>.");
    return;
  }
  const parsed = parseSourceAddress(addressToken.text, false);
  if (!parsed.ok) {
    ctx.error(`'source ${addressToken.text}' : ${parsed.message}`, addressToken);
    return;
  }
  const extra = args[2];
  if (extra !== undefined) {
    ctx.error(`${sourceOptionRefusal(extra.text)}.`, extra);
    return;
  }
  if (ctx.proxy !== undefined) ctx.proxy.connectSource = parsed.value;
}

/** `dispatch ADDR:PORT`: where a backend without `balance` sends connections (cfgparse-listen.c). */
function parseDispatch(ctx: KeywordContext, args: readonly Token[]): void {
  if (ctx.section === 'defaults') {
    ctx.error("'dispatch' not allowed in 'defaults' section.");
    return;
  }
  if (ctx.ignoredWithoutCapability('backend')) return;
  const addressToken = args[1];
  if (addressToken === undefined) {
    ctx.error("'dispatch' : missing address");
    return;
  }
  const address = parseAddress(addressToken.text, false);
  if (!address.ok) {
    ctx.error(`'dispatch' : ${address.message}.`, addressToken);
    return;
  }
  if (!noExtraArgs(ctx, args, 2)) return;
  if (ctx.proxy !== undefined) ctx.proxy.dispatch = { host: address.value.host, port: address.value.port, place: ctx.place() };
}

export const proxyKeywords: KeywordList = {
  keywords,
  unsupported: {
    proxy: [
      'hash-preserve-affinity',
      'log-steps',
      'external-check',
      'guid', 'http-restrict-req-hdr-names',
      'spoe', 'log-separate-errors',
      'balance-factor', 'quic-initial', 'retries-delay',
      'server-state',
    ],
  },
};

