/**
 * The dynamic server limit: a backend's `fullconn N` (cfgparse-listen.c) and a server's
 * `minconn N` (server.c srv_parse_minconn). See src/proxy/dynamic-maxconn.ts for what they do
 * and src/config/fullconn.ts for fullconn's default.
 */

import { hasBackendSide } from '../draft.ts';
import type { KeywordList, SectionKeyword, ServerOption } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { noExtraArgs, parseInteger, requireArgs } from './args.ts';

const MAX = 2_147_483_647;

const fullconn: SectionKeyword = {
  name: 'fullconn',
  sections: ['defaults', 'frontend', 'backend', 'listen'],
  parse(ctx, args) {
    const proxy = ctx.proxy;
    if (proxy !== undefined && proxy.kind !== 'defaults' && !hasBackendSide(proxy.kind)) {
      ctx.warning(`'fullconn' ignored because ${proxy.kind} '${proxy.name}' has no backend capability. Maybe you want 'maxconn' instead ?`);
    }
    if (!requireArgs(ctx, args, 1, 'an integer argument') || !noExtraArgs(ctx, args, 2)) return;
    const value = parseInteger(ctx, args[1] as Token, { min: 0, max: MAX }, "'fullconn'");
    if (value !== undefined && proxy !== undefined) proxy.fullconn = value;
  },
};

const minconn: ServerOption = {
  name: 'minconn',
  arity: 1,
  defaultServerAllowed: true,
  parse(ctx, server, value, option) {
    if (value === undefined) return;
    const n = parseInteger(ctx, value, { min: 0, max: MAX }, `'${option.text}'`);
    if (n !== undefined) server.minconn = n;
  },
};

export const dynamicMaxconnKeywords: KeywordList = { keywords: [fullconn], serverOptions: [minconn] };
