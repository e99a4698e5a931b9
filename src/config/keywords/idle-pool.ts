/**
 * Idle server connection pools (HAProxy's server.c pool keywords): the server / default-server
 * options `pool-max-conn N` (-1 = unlimited, 0 = no idle connection), `pool-low-conn N` and
 * `pool-purge-delay T` (0 = keep none), and the global `tune.pool-low-fd-ratio`,
 * `tune.pool-high-fd-ratio` (0..100, percent of the process's fds) and `tune.idle-pool.shared
 * on|off` (sharing between threads: one event loop here, so one pool either way).
 * src/http/server-pool.ts applies them.
 */

import type { KeywordContext, KeywordList, SectionKeyword, ServerOption } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { noExtraArgs, parseInteger, parseTime, requireArgs } from './args.ts';

const serverOptions: ServerOption[] = [
  {
    name: 'pool-max-conn',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      // -1 is HAProxy's "unlimited"; any other negative value is refused as in srv_parse_pool_max_conn.
      if (value.text === '-1') {
        server.poolMaxConn = -1;
        return;
      }
      const max = parseInteger(ctx, value, { min: 0, max: 2_147_483_647 }, `'${option.text}'`);
      if (max !== undefined) server.poolMaxConn = max;
    },
  },
  {
    // HAProxy 2.6 reads any integer (atoi); a negative one is its "unlimited". Only its HTTP/2
    // mux honours it (h2_avail_streams): the HTTP/1 one reuses a connection regardless.
    name: 'max-reuse',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      if (/^-[0-9]+$/.test(value.text)) {
        server.maxReuse = -1;
        return;
      }
      const max = parseInteger(ctx, value, { min: 0, max: 2_147_483_647 }, `'${option.text}'`);
      if (max !== undefined) server.maxReuse = max;
    },
  },
  {
    name: 'pool-low-conn',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      const low = parseInteger(ctx, value, { min: 0, max: 2_147_483_647 }, `'${option.text}'`);
      if (low !== undefined) server.poolLowConn = low;
    },
  },
  {
    name: 'pool-purge-delay',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      const ms = parseTime(ctx, value, `'${option.text}'`);
      if (ms !== undefined) server.poolPurgeDelay = ms;
    },
  },
];

function fdRatio(which: 'poolLowFdRatio' | 'poolHighFdRatio') {
  return (ctx: KeywordContext, args: readonly Token[]): void => {
    if (!requireArgs(ctx, args, 1, 'an integer argument between 0 and 100') || !noExtraArgs(ctx, args, 2)) return;
    const ratio = parseInteger(ctx, args[1] as Token, { min: 0, max: 100 }, `'${args[0]?.text}'`);
    if (ratio !== undefined) ctx.global.tune[which] = ratio;
  };
}

const GLOBAL = ['global'] as const;

const keywords: SectionKeyword[] = [
  { name: 'tune.pool-low-fd-ratio', sections: GLOBAL, parse: fdRatio('poolLowFdRatio') },
  { name: 'tune.pool-high-fd-ratio', sections: GLOBAL, parse: fdRatio('poolHighFdRatio') },
  {
    name: 'tune.idle-pool.shared',
    sections: GLOBAL,
    parse(ctx, args) {
      if (!requireArgs(ctx, args, 1, "either 'on' or 'off'") || !noExtraArgs(ctx, args, 2)) return;
      const value = (args[1] as Token).text;
      if (value === 'on' || value === 'off') ctx.global.tune.idlePoolShared = value === 'on';
      else ctx.error(`'${args[0]?.text}' expects either 'on' or 'off' but got '${value}'.`, args[1]);
    },
  },
];

export const idlePoolKeywords: KeywordList = { keywords, serverOptions };
