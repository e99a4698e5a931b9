/**
 * The global process-management keywords (HAProxy's cfgparse-global.c), with the behaviour of
 * their command-line counterparts: `daemon` (-D; the command line's -db, -d and -Ws keep the
 * process in the foreground), `master-worker` (-W), `pidfile FILE` (-p, which wins),
 * `user NAME` / `uid N` and `group NAME` / `gid N` (the serving process gives up root once its
 * listeners are bound, as HAProxy's set_identity; names are looked up in /etc/passwd and
 * /etc/group at startup), `chroot DIR` (Runtime.changeRoot, once the listeners are bound).
 */

import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import { PROXY_SECTIONS } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { noExtraArgs, parseTime, requireArgs, atol } from './args.ts';

const GLOBAL = ['global'] as const;

function keyword(name: string, parse: (ctx: KeywordContext, args: readonly Token[]) => void): SectionKeyword {
  return { name, sections: GLOBAL, parse };
}

/** `uid N` / `gid N`: HAProxy warns (and ignores the line) when the argument is not a number. */
function numericId(which: 'uid' | 'gid') {
  return (ctx: KeywordContext, args: readonly Token[]): void => {
    if (!noExtraArgs(ctx, args, 2)) return;
    const identity = (ctx.global.identity ??= {});
    if (identity[which] !== undefined) {
      ctx.warning(`${which === 'uid' ? 'user/uid' : 'group/gid'} already specified. Continuing.`);
      return;
    }
    const text = args[1]?.text ?? '';
    if (text === '') {
      ctx.error(`'${which}' expects an integer argument.`);
      return;
    }
    if (!/^\d+$/.test(text) || Number(text) > 2_147_483_647) {
      const named = which === 'uid' ? 'user' : 'group';
      ctx.warning(`${which}: string '${text}' is not a number. You might want to use the '${named}' parameter to use a system ${named} name.`, args[1]);
      return;
    }
    identity[which] = Number(text);
  };
}

/** `user NAME` / `group NAME`: looked up when the process starts (src/proxy/process-identity.ts). */
function namedId(which: 'user' | 'group') {
  return (ctx: KeywordContext, args: readonly Token[]): void => {
    if (!requireArgs(ctx, args, 1, `a ${which} name as an argument`) || !noExtraArgs(ctx, args, 2)) return;
    const identity = (ctx.global.identity ??= {});
    const id = which === 'user' ? 'uid' : 'gid';
    if (identity[id] !== undefined || identity[which] !== undefined) {
      ctx.warning(which === 'user' ? 'user/uid already specified. Continuing.' : 'gid/group was already specified. Continuing.');
      return;
    }
    const place = ctx.place(args[0]);
    identity[which] = { name: (args[1] as Token).text, source: { file: place.file, line: place.line } };
  };
}

/**
 * A global keyword naming one path (`pidfile`, `chroot`), with HAProxy's messages
 * (cfgparse-global.c): a second line keeps the first (HAProxy's is an [ALERT] that does not
 * stop the start: a warning here, which has no such level).
 */
function firstPathOnly(
  name: string,
  expects: string,
  isSet: (ctx: KeywordContext) => boolean,
  store: (ctx: KeywordContext, path: string, keyword: Token) => void,
) {
  return (ctx: KeywordContext, args: readonly Token[]): void => {
    if (!noExtraArgs(ctx, args, 2)) return;
    if (isSet(ctx)) {
      ctx.warning(`'${name}' already specified. Continuing.`);
      return;
    }
    const path = args[1]?.text ?? '';
    if (path === '') {
      ctx.error(`'${name}' expects ${expects} as an argument.`);
      return;
    }
    store(ctx, path, args[0] as Token);
  };
}

const keywords: SectionKeyword[] = [
  keyword('daemon', (ctx, args) => {
    if (noExtraArgs(ctx, args, 1)) ctx.global.daemon = true;
  }),
  keyword('master-worker', (ctx, args) => {
    if (!noExtraArgs(ctx, args, 2)) return;
    const option = args[1];
    if (option !== undefined) {
      if (option.text !== 'no-exit-on-failure') {
        ctx.error(`'master-worker' only supports 'no-exit-on-failure' option.`, option);
        return;
      }
      // Accepted without effect, as in HAProxy 2.6: its master forgets it (src/master/master.ts).
    }
    ctx.global.masterWorker = true;
  }),
  keyword('pidfile', firstPathOnly('pidfile', 'a file name', (ctx) => ctx.global.pidFile !== undefined, (ctx, path) => {
    ctx.global.pidFile = path;
  })),
  keyword('uid', numericId('uid')),
  keyword('gid', numericId('gid')),
  keyword('user', namedId('user')),
  keyword('group', namedId('group')),
  {
    // Global: HAProxy's soft-stop delay (proxy.c proxy_parse_grace). In a proxy: the keyword
    // 2.5 removed, refused with HAProxy's message.
    name: 'grace',
    sections: ['global', ...PROXY_SECTIONS],
    parse(ctx, args) {
      if (ctx.section !== 'global') {
        ctx.error("the 'grace' keyword is not supported any more since HAProxy version 2.5.");
        return;
      }
      if (!requireArgs(ctx, args, 1, '<time> as argument')) return;
      const ms = parseTime(ctx, args[1] as Token, "'grace'");
      if (ms !== undefined) ctx.global.grace = ms;
    },
  },
  keyword('mworker-max-reloads', (ctx, args) => {
    if (!noExtraArgs(ctx, args, 2)) return;
    const text = args[1]?.text ?? '';
    if (text === '') {
      ctx.error("'mworker-max-reloads' expects an integer argument.");
      return;
    }
    // HAProxy reads it with atol(): the leading digits; a negative number is refused.
    const value = atol(text);
    if (value < 0) {
      ctx.error(`'mworker-max-reloads' : invalid value ${value}, must be >= 0`, args[1]);
      return;
    }
    ctx.global.mworkerMaxReloads = Math.min(value, 2_147_483_647);
  }),
  keyword('chroot', firstPathOnly('chroot', 'a directory', (ctx) => ctx.global.chroot !== undefined, (ctx, dir, at) => {
    ctx.global.chroot = { dir, place: ctx.place(at) };
  })),
];

export const processManagementKeywords: KeywordList = { keywords };
