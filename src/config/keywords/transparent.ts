/**
 * The `transparent` proxy keyword (HAProxy's cfgparse-listen.c, built with USE_TPROXY as
 * Debian's 2.6 is): the old spelling of `option transparent`, which it sets without a
 * capability check or a way to unset it (`no`/`default` are refused).
 */

import type { KeywordList, SectionKeyword } from '../registry.ts';
import { PROXY_SECTIONS } from '../registry.ts';
import { noExtraArgs } from './args.ts';

const transparent: SectionKeyword = {
  name: 'transparent',
  sections: PROXY_SECTIONS,
  parse(ctx, args) {
    if (ctx.proxy !== undefined) ctx.proxy.options.transparent = true;
    noExtraArgs(ctx, args, 1);
  },
};

export const transparentKeywords: KeywordList = { keywords: [transparent] };
