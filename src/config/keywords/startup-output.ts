/**
 * What the process says while it starts (HAProxy's cfgparse-global.c): `quiet` (as -q: no
 * warning, notice or alert once the configuration is read; an invalid configuration still exits
 * 1) and `zero-warning` (as -dW: a configuration that gave any warning does not start, with
 * HAProxy's "Some warnings were found and 'zero-warning' is set. Aborting."). src/cli.ts acts on
 * both.
 */

import type { KeywordList, SectionKeyword } from '../registry.ts';
import { noExtraArgs } from './args.ts';

const GLOBAL = ['global'] as const;

const keywords: SectionKeyword[] = [
  {
    name: 'quiet',
    sections: GLOBAL,
    parse(ctx, args) {
      if (noExtraArgs(ctx, args, 1)) ctx.global.quiet = true;
    },
  },
  {
    name: 'zero-warning',
    sections: GLOBAL,
    parse(ctx, args) {
      if (noExtraArgs(ctx, args, 1)) ctx.global.zeroWarning = true;
    },
  },
];

export const startupOutputKeywords: KeywordList = { keywords };
