/**
 * TCP socket options of a proxy's connections (HAProxy 2.6's proxy.c and cfgparse-listen.c):
 *
 * - `option clitcpka` (frontend) / `option srvtcpka` (backend): SO_KEEPALIVE on client / server
 *   connections; `option tcpka` sets both on the sides the proxy has (no `no`/`default` prefix,
 *   as HAProxy);
 * - `clitcpka-idle|intvl|cnt`, `srvtcpka-idle|intvl|cnt`: TCP_KEEPIDLE / TCP_KEEPINTVL (time
 *   values in seconds by default, rounded up as parse_time_err does) and TCP_KEEPCNT; 0 leaves
 *   the kernel's value. Whether the runtime can set them is checked once everything is read
 *   (runtime-socket-check.ts);
 * - `option nolinger`: connections this proxy closes are aborted with a TCP reset.
 */

import type { Place, ProxyDraft } from '../draft.ts';
import type { KeywordContext, KeywordList, ProxyOption, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { noExtraArgs } from './args.ts';

export type TcpKaWord = 'clitcpka-idle' | 'clitcpka-intvl' | 'clitcpka-cnt' | 'srvtcpka-idle' | 'srvtcpka-intvl' | 'srvtcpka-cnt';

/** A `*tcpka-*` value (seconds for idle and intvl, probes for cnt) and where it was written. */
export interface TcpKaSetting {
  readonly value: number;
  readonly place: Place;
}

export type TcpKaDraft = Readonly<Partial<Record<TcpKaWord, TcpKaSetting>>>;

type SocketFlag = 'cliTcpKa' | 'srvTcpKa' | 'noLinger';

function socketFlag(name: string, field: SocketFlag, capability: ProxyOption['capability']): ProxyOption {
  return {
    name,
    capability,
    builtinDefault: false,
    read: (proxy) => proxy.options[field],
    apply(ctx, proxy, enabled, args) {
      if (!noExtraArgs(ctx, args, 2, 2)) return;
      proxy.options[field] = enabled;
      if (field === 'noLinger') proxy.options.noLingerPlace = ctx.place(args[1]);
    },
  };
}

const hasFrontend = (proxy: ProxyDraft): boolean => proxy.kind !== 'backend';
const hasBackend = (proxy: ProxyDraft): boolean => proxy.kind !== 'frontend';

/** `option tcpka`: cfgparse-listen.c sets the flag of each side the proxy has. */
const tcpka: ProxyOption = {
  name: 'tcpka',
  capability: 'both',
  prefixes: [],
  builtinDefault: false,
  read: (proxy) => proxy.options.cliTcpKa && proxy.options.srvTcpKa,
  apply(ctx, proxy, _enabled, args) {
    if (!noExtraArgs(ctx, args, 2, 2)) return;
    if (hasFrontend(proxy)) proxy.options.cliTcpKa = true;
    if (hasBackend(proxy)) proxy.options.srvTcpKa = true;
  },
};

const UNIT_US: Readonly<Record<string, number>> = { us: 1, ms: 1000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000, d: 86_400_000_000 };

/** parse_time_err(TIME_UNIT_S): a bare number is seconds, other units round up to a second. */
function parseSeconds(ctx: KeywordContext, word: string, token: Token): number | undefined {
  const match = /^(\d+)([a-z]*)$/.exec(token.text);
  const unit = match?.[2] === '' ? 's' : match?.[2];
  const perUnit = unit === undefined ? undefined : UNIT_US[unit];
  if (match === null || perUnit === undefined) {
    const at = match === null ? /[^0-9]/.exec(token.text)?.[0] ?? token.text[0] : (match[2] as string)[0];
    ctx.error(`unexpected character '${at ?? ''}' in argument to <${word}>.`, token, word);
    return undefined;
  }
  const value = Number(match[1]);
  const seconds = Math.ceil((value * perUnit) / 1_000_000);
  if (!Number.isSafeInteger(seconds) || seconds >= 0x80000000) {
    ctx.error(`timer overflow in argument '${token.text}' to '${word}' (maximum value is 2147483647 ms or ~24.8 days)`, token, word);
    return undefined;
  }
  return seconds;
}

function parseCount(ctx: KeywordContext, word: string, token: Token): number | undefined {
  const bad = /[^0-9]/.exec(token.text);
  if (bad !== null) {
    ctx.error(`'${word}' : unexpected character '${bad[0]}' in integer value '${token.text}'`, token, word);
    return undefined;
  }
  const value = Number(token.text);
  if (value > 0x7fffffff) {
    ctx.error(`'${word}' : integer value '${token.text}' is too large`, token, word);
    return undefined;
  }
  return value;
}

function tcpKaKeyword(word: TcpKaWord): SectionKeyword {
  const client = word.startsWith('cli');
  return {
    name: word,
    sections: ['defaults', 'frontend', 'backend', 'listen'],
    modifiers: false,
    parse(ctx, args) {
      const proxy = ctx.proxy;
      const token = args[1];
      if (token === undefined || token.text === '') {
        ctx.error(`'${word}' expects an integer value`);
        return;
      }
      if (!noExtraArgs(ctx, args, 2)) return;
      const value = word.endsWith('-cnt') ? parseCount(ctx, word, token) : parseSeconds(ctx, word, token);
      if (value === undefined || proxy === undefined) return;
      // HAProxy warns about the missing side but keeps the value (a listen or defaults has both).
      if (client ? !hasFrontend(proxy) : !hasBackend(proxy)) {
        ctx.warning(`${word} will be ignored because ${proxy.kind} '${proxy.name}' has no ${client ? 'frontend' : 'backend'} capability`, args[0], word);
      }
      proxy.options.tcpKa = { ...proxy.options.tcpKa, [word]: { value, place: ctx.place(args[0]) } };
    },
  };
}

export const tcpKeepAliveKeywords: KeywordList = {
  keywords: (['clitcpka-idle', 'clitcpka-intvl', 'clitcpka-cnt', 'srvtcpka-idle', 'srvtcpka-intvl', 'srvtcpka-cnt'] as const).map(tcpKaKeyword),
  options: [socketFlag('clitcpka', 'cliTcpKa', 'frontend'), socketFlag('srvtcpka', 'srvTcpKa', 'backend'), socketFlag('nolinger', 'noLinger', 'both'), tcpka],
};
