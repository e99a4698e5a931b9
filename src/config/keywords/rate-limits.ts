/**
 * Accept-rate limits: a frontend's `rate-limit sessions N` (proxy.c proxy_parse_rate_limit) and
 * the process's `maxconnrate N` / `maxsessrate N` / `maxsslrate N` (cfgparse-global.c; the last
 * holds `ssl` binds only). While a rate is reached
 * the listeners accept nothing; see Frontend and ProcessLimits.
 */

import type { KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { noExtraArgs, parseInteger, requireArgs } from './args.ts';

const MAX_RATE = 2_147_483_647;

const rateLimit: SectionKeyword = {
  name: 'rate-limit',
  sections: ['defaults', 'frontend', 'backend', 'listen'],
  parse(ctx, args) {
    const which = args[1];
    if (which?.text !== 'sessions') {
      ctx.error(`'rate-limit' only supports 'sessions' (got '${which?.text ?? ''}')`, which);
      return;
    }
    if (!requireArgs(ctx, args, 1, 'an integer value (in sessions/second)', 2) || !noExtraArgs(ctx, args, 3, 2)) return;
    const value = parseInteger(ctx, args[2] as Token, { min: 0, max: MAX_RATE }, "'rate-limit sessions'");
    const proxy = ctx.proxy;
    if (value === undefined || proxy === undefined) return;
    if (proxy.kind === 'backend') {
      ctx.warning(`rate-limit sessions will be ignored because backend '${proxy.name}' has no frontend capability`);
      return;
    }
    // HAProxy warns when a section sets it twice (its value no longer the one of its defaults).
    if (proxy.kind !== 'defaults' && proxy.rateLimitSessions !== (proxy.inheritedFrom?.rateLimitSessions ?? 0)) {
      ctx.warning('overwriting rate-limit sessions which was already specified');
    }
    proxy.rateLimitSessions = value;
  },
};

function globalRate(name: 'maxconnrate' | 'maxsessrate' | 'maxsslrate', field: 'maxConnRate' | 'maxSessRate' | 'maxSslRate'): SectionKeyword {
  return {
    name,
    sections: ['global'],
    parse(ctx, args) {
      if (!requireArgs(ctx, args, 1, 'an integer argument') || !noExtraArgs(ctx, args, 2)) return;
      if (ctx.global[field] !== 0) {
        // HAProxy alerts but goes on with the first value: the configuration stays valid.
        ctx.warning(`'${name}' already specified. Continuing.`);
        return;
      }
      const value = parseInteger(ctx, args[1] as Token, { min: 0, max: MAX_RATE }, `'${name}'`);
      if (value !== undefined) ctx.global[field] = value;
    },
  };
}

export const rateLimitKeywords: KeywordList = {
  keywords: [rateLimit, globalRate('maxconnrate', 'maxConnRate'), globalRate('maxsessrate', 'maxSessRate'), globalRate('maxsslrate', 'maxSslRate')],
};
