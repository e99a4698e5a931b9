/**
 * `hash-balance-factor F` (HAProxy's cfgparse-listen.c): bounded loads for `hash-type
 * consistent` and `balance random` (src/balance/bounded-load.ts). 0 (the default) turns it off;
 * otherwise F must be above 100. Read with atol(), as HAProxy.
 */

import type { KeywordList, SectionKeyword } from '../registry.ts';
import { PROXY_SECTIONS } from '../registry.ts';
import { atol } from './args.ts';

const hashBalanceFactor: SectionKeyword = {
  name: 'hash-balance-factor',
  sections: PROXY_SECTIONS,
  parse(ctx, args) {
    const text = args[1]?.text ?? '';
    if (text === '') {
      ctx.error("'hash-balance-factor' expects an integer argument.");
      return;
    }
    const value = Math.min(atol(text), 2_147_483_647);
    if (value !== 0 && value <= 100) {
      ctx.error("'hash-balance-factor' must be 0 or greater than 100.", args[1]);
      return;
    }
    if (ctx.proxy !== undefined) ctx.proxy.hashBalanceFactor = value;
  },
};

export const hashBalanceFactorKeywords: KeywordList = { keywords: [hashBalanceFactor] };
