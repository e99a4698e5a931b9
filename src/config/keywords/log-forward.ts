/**
 * `log-forward NAME` sections (HAProxy 2.6's cfg_parse_log_forward, src/log.c, with its
 * messages): a syslog relay receiving on UDP (`dgram-bind`) and TCP (`bind`) addresses and
 * sending each message to its `log` targets. The sections become LogForwardModels in
 * config/log-forwards.ts and run in src/log/log-forwarder.ts.
 *
 *   dgram-bind ADDRESS:PORT | bind ADDRESS:PORT | log global | log TARGET ... | no log
 *   maxconn N | backlog N | timeout client TIME
 */
import type { LogForwardDraft } from '../draft.ts';
import type { LogForwardAddress } from '../model.ts';
import type { KeywordContext, KeywordList, SectionHeader, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { parseAddress } from '../address.ts';
import { parseDuration } from '../time.ts';
import { parseLogTarget } from './log.ts';
import { invalidNameCharacter } from './names.ts';

const SECTIONS = ['log-forward'] as const;

/** HAProxy's default maxconn of a log-forward section. */
const DEFAULT_MAXCONN = 10;

function current(ctx: KeywordContext): LogForwardDraft | undefined {
  return ctx.global.logForwards?.at(-1);
}

/** atol: the leading digits (with a sign), 0 without any. */
function atol(text: string): number {
  const m = /^[ \t]*([+-]?\d+)/.exec(text);
  return m === null ? 0 : Number(m[1]);
}

/** alertif_too_many_args: HAProxy's message for words past the expected ones. */
function tooManyArgs(ctx: KeywordContext, args: readonly Token[], expected: number): boolean {
  if (args.length <= expected + 1) return false;
  ctx.error(`'${args[0]?.text ?? ''}' cannot handle unexpected argument '${args[expected + 1]?.text ?? ''}'.`, args[expected + 1]);
  return true;
}

function openLogForward(ctx: KeywordContext, args: readonly Token[]): void {
  const header = args[0] as Token;
  const nameToken = args[1];
  const name = nameToken?.text ?? '';
  const forwards = (ctx.global.logForwards ??= []);
  const draft: LogForwardDraft = { name, place: ctx.place(header), dgramBinds: [], binds: [], logs: [], maxconn: DEFAULT_MAXCONN };
  forwards.push(draft);
  if (name === '') return ctx.error('missing name for ip-forward section.', header);
  if (tooManyArgs(ctx, args, 1)) return;
  const bad = invalidNameCharacter(name);
  if (bad !== undefined) return ctx.error(`character '${bad}' is not permitted in 'log-forward' name '${name}'.`, nameToken);
  const other = forwards.find((f) => f !== draft && f.name === name);
  if (other !== undefined) {
    ctx.error(`log-forward section '${name}' has the same name as another log-forward section declared at ${other.place.file}:${other.place.line}.`, nameToken);
  }
}

function integerSetting(which: 'maxconn' | 'backlog') {
  return (ctx: KeywordContext, args: readonly Token[]): void => {
    const forward = current(ctx);
    if (forward === undefined) return;
    const text = args[1]?.text ?? '';
    if (text === '') return ctx.error(`'${which}' expects an integer argument.`);
    if (tooManyArgs(ctx, args, 1)) return;
    const n = atol(text);
    if (which === 'maxconn') forward.maxconn = n;
    else forward.backlog = n;
  };
}

/** `udp@`, `udp4@`, `udp6@` and the `ipv4@`/`ipv6@` forms of a dgram-bind address, as the TCP parser reads them. */
function datagramAddress(text: string): string | undefined {
  const at = text.indexOf('@');
  if (at < 0) return text;
  const prefix = text.slice(0, at).toLowerCase();
  const rest = text.slice(at + 1);
  if (prefix === 'udp') return rest;
  if (prefix === 'udp4' || prefix === 'ipv4') return `ipv4@${rest}`;
  if (prefix === 'udp6' || prefix === 'ipv6') return `ipv6@${rest}`;
  return undefined;
}

function bindLine(datagram: boolean) {
  return (ctx: KeywordContext, args: readonly Token[]): void => {
    const forward = current(ctx);
    if (forward === undefined) return;
    const keyword = args[0]?.text ?? '';
    const addressToken = args[1];
    if (addressToken === undefined) return ctx.error(`'${keyword}' expects <addr>:<port> as argument.`);
    const text = datagram ? datagramAddress(addressToken.text) : /^(udp[46]?)@/i.test(addressToken.text) ? undefined : addressToken.text;
    if (text === undefined) {
      return ctx.error(`'${keyword} ${addressToken.text}' : address family not supported here (${datagram ? 'dgram-bind takes a UDP address' : 'bind takes a TCP address'}).`, addressToken);
    }
    const parsed = parseAddress(text, true);
    if (!parsed.ok) return ctx.error(`'${keyword} ${addressToken.text}' : ${parsed.message}`, addressToken);
    const { host, port } = parsed.value;
    if (!/^[\d.]+$/.test(host) && !host.includes(':')) {
      return ctx.error(`'${keyword} ${addressToken.text}' : a log-forward address must be an IP address, not a host name ('${host}').`, addressToken);
    }
    if (port < 1) return ctx.error(`'${keyword} ${addressToken.text}' : missing port number.`, addressToken);
    const option = args[2];
    if (option !== undefined) {
      // HAProxy takes the bind keywords here; those that would change a syslog listener are not implemented.
      return ctx.error(`'${keyword}' option '${option.text}' is not supported in a log-forward section (only the address is).`, option);
    }
    const address: LogForwardAddress = { host, port };
    if (datagram) forward.dgramBinds.push(address);
    else forward.binds.push(address);
  };
}

function parseLog(ctx: KeywordContext, args: readonly Token[]): void {
  const forward = current(ctx);
  if (forward === undefined) return;
  if (ctx.modifier === 'no') {
    forward.logs = [];
    return;
  }
  if (args[1]?.text === 'global') {
    if (tooManyArgs(ctx, args, 1)) return;
    const { file, line } = ctx.place(args[0]);
    forward.logs.push({ global: true, source: { file, line } });
    return;
  }
  const target = parseLogTarget(ctx, args);
  if (target !== undefined) forward.logs.push(target);
}

function parseTimeout(ctx: KeywordContext, args: readonly Token[]): void {
  const forward = current(ctx);
  if (forward === undefined) return;
  const which = args[1]?.text ?? '';
  if (which !== 'client') return ctx.error(`unknown keyword 'timeout ${which}' in log-forward section.`, args[1]);
  const value = args[2];
  if (value === undefined || value.text === '') return ctx.error('missing timeout client value.');
  const parsed = parseDuration(value.text);
  if (!parsed.ok) return ctx.error(`timeout : ${parsed.message} in 'timeout client'.`, value);
  if (parsed.ms > 2_147_483_647) return ctx.error(`timeout : timer overflow in argument '${value.text}' to 'timeout client' (maximum value is 2147483647 ms or ~24.8 days)`, value);
  forward.timeoutClient = parsed.ms;
}

const logForwardSection: SectionHeader = { name: 'log-forward', open: openLogForward };

const keywords: SectionKeyword[] = [
  { name: 'maxconn', sections: SECTIONS, parse: integerSetting('maxconn') },
  { name: 'backlog', sections: SECTIONS, parse: integerSetting('backlog') },
  { name: 'bind', sections: SECTIONS, parse: bindLine(false) },
  { name: 'dgram-bind', sections: SECTIONS, parse: bindLine(true) },
  { name: 'log', sections: SECTIONS, modifiers: true, parse: parseLog },
  { name: 'timeout', sections: SECTIONS, parse: parseTimeout },
];

export const logForwardKeywords: KeywordList = { sections: [logForwardSection], keywords };
