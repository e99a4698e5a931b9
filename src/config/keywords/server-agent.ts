/**
 * `agent-check` server options (HAProxy's check.c srv_kws): `agent-check` / `no-agent-check`,
 * `agent-port N`, `agent-addr ADDR` (an IP address or a host name), `agent-inter TIME`,
 * `agent-send STRING`.
 */
import { isIPv4, isIPv6 } from '../address.ts';
import type { KeywordList, ServerOption } from '../registry.ts';
import { parseInteger, parseTime } from './args.ts';

/**
 * What str2ip() reads without resolving: an IP literal (IPv6 also in brackets), `::`, and `*`
 * (any IPv4 address). Anything else is kept as written: a host name resolved once the
 * configuration is read, or refused then (src/proxy/agent-addr.ts).
 */
function agentAddress(text: string): string {
  const unbracketed = text.length >= 4 && text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv6(unbracketed) || isIPv4(unbracketed)) return unbracketed;
  return text === '*' ? '0.0.0.0' : text;
}

const agentOptions: ServerOption[] = [
  { name: 'agent-check', arity: 0, defaultServerAllowed: true, parse: (_ctx, s) => void (s.agentEnabled = true) },
  { name: 'no-agent-check', arity: 0, defaultServerAllowed: true, parse: (_ctx, s) => void (s.agentEnabled = false) },
  {
    name: 'agent-port',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      const port = parseInteger(ctx, value, { min: 1, max: 65535 }, `'${option.text}'`);
      if (port === undefined) return;
      server.agentPort = port;
      ctx.global.portKeywords = (ctx.global.portKeywords ?? 0) + 1;
    },
  },
  {
    name: 'agent-addr',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      if (value.text === '') {
        ctx.error(`'${option.text}' expects an address as argument.`, value);
        return;
      }
      server.agentAddr = agentAddress(value.text);
    },
  },
  {
    name: 'agent-inter',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      const ms = parseTime(ctx, value, `'${option.text}'`);
      if (ms === undefined) return;
      if (ms === 0) {
        ctx.error(`'${option.text}' has to be > 0.`, value);
        return;
      }
      server.agentInter = ms;
    },
  },
  { name: 'agent-send', arity: 1, defaultServerAllowed: true, parse: (_ctx, s, value) => void (s.agentSend = value?.text) },
];

export const serverAgentKeywords: KeywordList = { serverOptions: agentOptions };
