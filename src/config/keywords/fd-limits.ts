/**
 * The process's file descriptor limit (HAProxy's cfgparse-global.c and haproxy.c's ulimits):
 * `ulimit-n N` asks for N descriptors, and `[no] strict-limits` (on by default since 2.6) says
 * whether a limit the process cannot reach stops it (HAProxy's alert "Cannot raise FD limit to
 * N, limit is M.") or only warns. src/proxy/fd-limit.ts sets the limit through the runtime's
 * FFI (setrlimit), or, where it has none, compares with the limit the process has.
 */

import type { KeywordList, SectionKeyword } from '../registry.ts';
import { noExtraArgs, atol } from './args.ts';

const GLOBAL = ['global'] as const;

const keywords: SectionKeyword[] = [
  {
    name: 'ulimit-n',
    sections: GLOBAL,
    parse(ctx, args) {
      if (!noExtraArgs(ctx, args, 2)) return;
      // HAProxy: an alert that is not fatal, the first value kept.
      if (ctx.global.ulimitN !== undefined) {
        ctx.warning("'ulimit-n' already specified. Continuing.");
        return;
      }
      const text = args[1]?.text ?? '';
      if (text === '') {
        ctx.error("'ulimit-n' expects an integer argument.");
        return;
      }
      // HAProxy reads it with atol(): the leading digits, and no number (or 0) asks for no limit.
      const value = Math.min(atol(text), 2_147_483_647);
      if (value > 0) ctx.global.ulimitN = value;
    },
  },
  {
    name: 'strict-limits',
    sections: GLOBAL,
    modifiers: true,
    parse(ctx, args) {
      if (!noExtraArgs(ctx, args, 1)) return;
      if (ctx.modifier === 'default') {
        ctx.error("'default strict-limits' is not supported.");
        return;
      }
      ctx.global.strictLimits = ctx.modifier !== 'no';
    },
  },
];

export const fdLimitKeywords: KeywordList = { keywords };
