/**
 * The `resolvers NAME` section (HAProxy 2.6's cfg_parse_resolvers, with its messages and
 * defaults) and the server options that attach a server to one: `resolvers NAME` and
 * `resolve-prefer ipv4|ipv6`. The runtime side is src/dns/.
 *
 * Nameservers speak UDP (`udp@`, `ipv4@`, `ipv6@` or no prefix); `tcp@` nameservers (DNS over
 * TCP, HAProxy's dns_stream) are refused at their line. `parse-resolv-conf` adds the
 * nameservers of /etc/resolv.conf when the resolvers start.
 */
import type { ResolversModel } from '../model.ts';
import type { KeywordContext, KeywordList, SectionHeader, SectionKeyword, ServerOption } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { isIPv4, isIPv6 } from '../address.ts';
import { MAX_TIMER_MS } from '../time.ts';
import { invalidNameCharacter } from './names.ts';
import { parseNetwork } from '../../util/cidr.ts';

/** A resolvers section being read: its model, mutable until the section ends. */
export type ResolversDraft = { -readonly [K in Exclude<keyof ResolversModel, 'hold' | 'nameservers'>]: ResolversModel[K] } & {
  hold: { -readonly [K in keyof ResolversModel['hold']]: number };
  nameservers: ResolversModel['nameservers'][number][];
};

/** DNS_MIN_UDP_MESSAGE / DNS_MAX_UDP_MESSAGE. */
const MIN_PAYLOAD = 512;
const MAX_PAYLOAD = 65535;

/** HAProxy's resolvers_new defaults. */
export function newResolversDraft(name: string, source: { file: string; line: number }): ResolversDraft {
  return {
    name,
    nameservers: [],
    parseResolvConf: false,
    acceptedPayloadSize: MIN_PAYLOAD,
    resolveRetries: 3,
    timeoutResolve: 1000,
    timeoutRetry: 1000,
    hold: { valid: 10000, nx: 30000, other: 30000, refused: 30000, timeout: 30000, obsolete: 0 },
    source,
  };
}

function current(ctx: KeywordContext): ResolversDraft | undefined {
  return ctx.global.resolvers.at(-1);
}

function openResolvers(ctx: KeywordContext, args: readonly Token[]): void {
  const header = args[0] as Token;
  const nameToken = args[1];
  const name = nameToken?.text ?? '';
  if (name === '') {
    ctx.error('missing name for resolvers section.', header);
  } else {
    const bad = invalidNameCharacter(name);
    if (bad !== undefined) ctx.error(`character '${bad}' is not permitted in 'resolvers' name '${name}'.`, nameToken);
    const other = ctx.global.resolvers.find((r) => r.name === name);
    if (other !== undefined) {
      ctx.error(`resolvers '${name}' has same name as another resolvers (declared at ${other.source.file}:${other.source.line}).`, nameToken);
    }
  }
  // Even a refused header opens its section, so the lines under it are checked too.
  ctx.global.resolvers.push(newResolversDraft(name, { file: ctx.file, line: ctx.line }));
}

/** `nameserver ID [udp@|ipv4@|ipv6@]IP:PORT`. */
function parseNameserver(ctx: KeywordContext, args: readonly Token[]): void {
  const id = args[1];
  const addr = args[2];
  if (id === undefined || addr === undefined || id.text === '' || addr.text === '') {
    ctx.error(`'${args[0]?.text}' expects <name> and <addr>[:<port>] as arguments.`);
    return;
  }
  const bad = invalidNameCharacter(id.text);
  if (bad !== undefined) {
    ctx.error(`character '${bad}' is not permitted in server name '${id.text}'.`, id);
    return;
  }
  const section = current(ctx);
  if (section === undefined) return;
  const other = section.nameservers.find((n) => n.name === id.text);
  if (other !== undefined) {
    ctx.error(`nameserver '${id.text}' has same name as another nameserver (declared at ${other.source.file}:${other.source.line}).`, id);
    return;
  }
  let text = addr.text;
  const at = text.indexOf('@');
  let family: 4 | 6 | undefined;
  if (at >= 0) {
    const prefix = text.slice(0, at).toLowerCase();
    if (prefix === 'tcp' || prefix === 'tcp4' || prefix === 'tcp6') {
      ctx.error(`'nameserver ${id.text}' : DNS over TCP ('${prefix}@') is not supported by Switchyard; use a UDP nameserver.`, addr);
      return;
    }
    if (prefix === 'ipv4' || prefix === 'udp4') family = 4;
    else if (prefix === 'ipv6' || prefix === 'udp6') family = 6;
    else if (prefix !== 'udp') {
      ctx.error(`'nameserver ${id.text}' : address family '${prefix}@' is not supported for a nameserver ('${addr.text}').`, addr);
      return;
    }
    text = text.slice(at + 1);
  }
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    host = close < 0 ? '' : text.slice(1, close);
    portText = close < 0 || text[close + 1] !== ':' ? '' : text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? '' : text.slice(colon + 1);
  }
  const v4 = isIPv4(host);
  if (!v4 && !isIPv6(host)) {
    ctx.error(`'nameserver ${id.text}' : invalid address: '${addr.text}' (Switchyard wants an IP address and a port).`, addr);
    return;
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    ctx.error(`'nameserver ${id.text}' : missing or invalid port in '${addr.text}'.`, addr);
    return;
  }
  if (family !== undefined && family !== (v4 ? 4 : 6)) {
    ctx.error(`'nameserver ${id.text}' : address '${host}' is not of the family its prefix names.`, addr);
    return;
  }
  section.nameservers.push({ name: id.text, host: host.toLowerCase(), port, family: v4 ? 4 : 6, source: { file: ctx.file, line: ctx.line } });
}

function parseResolvConf(ctx: KeywordContext, args: readonly Token[]): void {
  const extra = args[1];
  if (extra !== undefined) {
    ctx.error(`'${args[0]?.text}' cannot handle unexpected argument '${extra.text}'.`, extra);
    return;
  }
  const section = current(ctx);
  if (section !== undefined) section.parseResolvConf = true;
}

/** HAProxy's parse_time_err messages for the resolvers' timers; undefined after an error. */
function timerValue(ctx: KeywordContext, token: Token, what: string): number | undefined {
  const match = /^(\d+)(us|ms|s|m|h|d)?$/.exec(token.text);
  if (match === null) {
    const bad = /^\d*(.)/.exec(token.text)?.[1] ?? token.text[0] ?? '';
    ctx.error(`unexpected character '${bad}' in argument to <${what}>.`, token);
    return undefined;
  }
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1;
  const raw = Number(match[1]) * factor;
  if (raw > MAX_TIMER_MS) {
    ctx.error(`timer overflow in argument <${token.text}> to <${what}>, maximum value is 2147483647 ms (~24.8 days).`, token);
    return undefined;
  }
  if (raw > 0 && raw < 1) {
    ctx.error(`timer underflow in argument <${token.text}> to <${what}>, minimum non-null value is 1 ms.`, token);
    return undefined;
  }
  return raw;
}

const HOLD_EVENTS = ['nx', 'other', 'refused', 'timeout', 'valid', 'obsolete'] as const;

function parseHold(ctx: KeywordContext, args: readonly Token[]): void {
  const event = args[1];
  const time = args[2];
  if (event === undefined || time === undefined || event.text === '' || time.text === '') {
    ctx.error(`'${args[0]?.text}' expects an <event> and a <time> as arguments. <event> can be either 'valid', 'nx', 'refused', 'timeout', or 'other'.`);
    return;
  }
  const ms = timerValue(ctx, time, args[0]?.text ?? 'hold');
  if (ms === undefined) return;
  const name = (HOLD_EVENTS as readonly string[]).includes(event.text) ? (event.text as (typeof HOLD_EVENTS)[number]) : undefined;
  if (name === undefined) {
    ctx.error(`'${args[0]?.text}' unknown <event>: '${event.text}', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'.`, event);
    return;
  }
  const section = current(ctx);
  if (section !== undefined) section.hold[name] = ms;
}

function parsePayloadSize(ctx: KeywordContext, args: readonly Token[]): void {
  const value = args[1];
  if (value === undefined || value.text === '') {
    ctx.error(`'${args[0]?.text}' expects <nb> as argument.`);
    return;
  }
  const n = /^\d+$/.test(value.text) ? Number(value.text) : Number.NaN;
  if (!(n >= MIN_PAYLOAD && n <= MAX_PAYLOAD)) {
    ctx.error(`'${args[0]?.text}' must be between ${MIN_PAYLOAD} and ${MAX_PAYLOAD} inclusive (was ${value.text}).`, value);
    return;
  }
  const section = current(ctx);
  if (section !== undefined) section.acceptedPayloadSize = n;
}

function parseRetries(ctx: KeywordContext, args: readonly Token[]): void {
  const value = args[1];
  if (value === undefined || value.text === '') {
    ctx.error(`'${args[0]?.text}' expects <nb> as argument.`);
    return;
  }
  // HAProxy reads it with atoi; a count below one would never send a query.
  const n = /^\d+$/.test(value.text) ? Number(value.text) : Number.NaN;
  if (!(n >= 1 && n <= 65535)) {
    ctx.error(`'${args[0]?.text}' expects a number of retries between 1 and 65535 (was ${value.text}).`, value);
    return;
  }
  const section = current(ctx);
  if (section !== undefined) section.resolveRetries = n;
}

function parseTimeout(ctx: KeywordContext, args: readonly Token[]): void {
  const which = args[1];
  const keyword = args[0]?.text ?? 'timeout';
  if (which === undefined || which.text === '') {
    ctx.error(`'${keyword}' expects 'retry' or 'resolve' and <time> as arguments.`);
    return;
  }
  if (which.text !== 'retry' && which.text !== 'resolve') {
    ctx.error(`'${keyword}' expects 'retry' or 'resolve' and <time> as arguments got '${which.text}'.`, which);
    return;
  }
  const time = args[2];
  if (time === undefined || time.text === '') {
    ctx.error(`'${keyword} ${which.text}' expects <time> as argument.`);
    return;
  }
  const ms = timerValue(ctx, time, `${keyword} ${which.text}`);
  if (ms === undefined) return;
  const section = current(ctx);
  if (section === undefined) return;
  // A zero timer would spin the resolution task: at least 1 ms.
  if (which.text === 'retry') section.timeoutRetry = Math.max(1, ms);
  else section.timeoutResolve = Math.max(1, ms);
}

function keyword(name: string, parse: (ctx: KeywordContext, args: readonly Token[]) => void): SectionKeyword {
  return { name, sections: ['resolvers'], parse };
}

const resolversOption: ServerOption = {
  name: 'resolvers',
  arity: 1,
  defaultServerAllowed: true,
  parse(ctx, server, value) {
    if (value === undefined || value.text === '') return;
    server.resolvers = value.text;
  },
};

const resolvePrefer: ServerOption = {
  name: 'resolve-prefer',
  arity: 1,
  defaultServerAllowed: true,
  parse(ctx, server, value, option) {
    if (value === undefined) return;
    if (value.text === 'ipv4') server.resolvePrefer = 4;
    else if (value.text === 'ipv6') server.resolvePrefer = 6;
    else ctx.error(`'${option.text}' expects one of ipv4 or ipv6, but got '${value.text}'.`, value);
  },
};

/** srv_parse_resolve_opts: a comma list; the last of allow-dup-ip / prevent-dup-ip wins. */
const resolveOpts: ServerOption = {
  name: 'resolve-opts',
  arity: 1,
  defaultServerAllowed: true,
  parse(ctx, server, value, option) {
    const opts = { allowDupIp: server.resolveOpts?.allowDupIp ?? false, ignoreWeight: server.resolveOpts?.ignoreWeight ?? false };
    for (const word of (value?.text ?? '').split(',')) {
      if (word === '') continue;
      if (word === 'allow-dup-ip') opts.allowDupIp = true;
      else if (word === 'prevent-dup-ip') opts.allowDupIp = false;
      else if (word === 'ignore-weight') opts.ignoreWeight = true;
      else {
        ctx.error(`'${option.text}' : unknown resolve-opts option '${word}', supported methods are 'allow-dup-ip', 'ignore-weight', and 'prevent-dup-ip'.`, value);
        return;
      }
    }
    server.resolveOpts = opts;
  },
};

/** SRV_MAX_PREF_NET. */
const MAX_PREFERRED_NETWORKS = 5;

/** srv_parse_resolve_net: IPv4 or IPv6 networks, comma separated; they add up over lines' options. */
const resolveNet: ServerOption = {
  name: 'resolve-net',
  arity: 1,
  defaultServerAllowed: true,
  parse(ctx, server, value, option) {
    if (value === undefined || value.text === '') {
      ctx.error(`'${option.text}' expects a list of networks.`, option);
      return;
    }
    const networks = [...(server.resolveNet ?? [])];
    for (const text of value.text.split(',')) {
      if (text === '') continue;
      if (networks.length >= MAX_PREFERRED_NETWORKS) {
        ctx.error(`'${option.text}' exceed ${MAX_PREFERRED_NETWORKS} networks.`, value);
        return;
      }
      if (parseNetwork(text) === undefined) {
        ctx.error(`'${option.text}' invalid network '${text}'.`, value);
        return;
      }
      networks.push(text);
    }
    server.resolveNet = networks;
  },
};

const resolversSection: SectionHeader = { name: 'resolvers', open: openResolvers };

export const resolversKeywords: KeywordList = {
  sections: [resolversSection],
  keywords: [
    keyword('nameserver', parseNameserver),
    keyword('parse-resolv-conf', parseResolvConf),
    keyword('hold', parseHold),
    keyword('accepted_payload_size', parsePayloadSize),
    keyword('resolve_retries', parseRetries),
    keyword('timeout', parseTimeout),
  ],
  serverOptions: [resolversOption, resolvePrefer, resolveOpts, resolveNet],
};
