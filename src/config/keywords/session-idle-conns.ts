/**
 * `max-session-srv-conns N` (HAProxy's cfgparse-listen.c, default MAX_SRV_LIST = 5): how many
 * idle private server connections one client session keeps for its next requests (beyond it a
 * finished one is closed: session_check_idle_conn). A frontend setting: a backend warns and
 * ignores it. HAProxy reads N with atoi(): no number is 0 (none kept).
 */

import type { KeywordList, SectionKeyword } from '../registry.ts';
import { PROXY_SECTIONS } from '../registry.ts';
import { noExtraArgs, atol } from './args.ts';

const maxSessionSrvConns: SectionKeyword = {
  name: 'max-session-srv-conns',
  sections: PROXY_SECTIONS,
  parse(ctx, args) {
    if (ctx.ignoredWithoutCapability('frontend')) return;
    const text = args[1]?.text ?? '';
    if (text === '') {
      // HAProxy's own spelling ("parsine").
      ctx.error("parsine : 'max-session-srv-conns' expects a number. Got no argument");
      return;
    }
    if (!noExtraArgs(ctx, args, 2)) return;
    const value = atol(text);
    if (ctx.proxy !== undefined) ctx.proxy.maxSessionSrvConns = Math.max(-1, Math.min(value, 2_147_483_647));
  },
};

export const sessionIdleConnKeywords: KeywordList = { keywords: [maxSessionSrvConns] };
