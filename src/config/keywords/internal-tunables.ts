/**
 * Global keywords that tune an HAProxy internal Switchyard does not have (docs/configuration.md,
 * the keyword policy): accepted with HAProxy's syntax checks and a startup notice saying why
 * they change nothing. Only tunables belong here, never something a user relies on (a limit, a
 * log target, a check).
 */

import type { KeywordList, SectionKeyword } from '../registry.ts';
import { noExtraArgs } from './args.ts';

const GLOBAL = ['global'] as const;

const POLLERS = 'the runtime chooses its own event poller (epoll on Linux)';

/** Flags without argument: name, whether `no NAME` is HAProxy syntax, and what Switchyard does instead. */
const FLAGS: readonly (readonly [name: string, negatable: boolean, why: string])[] = [
  ['noepoll', false, POLLERS],
  ['nopoll', false, POLLERS],
  ['nokqueue', false, POLLERS],
  ['noevports', false, POLLERS],
  ['busy-polling', true, 'the runtime\'s event loop sleeps in the kernel while idle; it has no busy-polling mode'],
  ['nosplice', false, 'Switchyard never splices: data is always copied through the runtime\'s sockets'],
  ['nogetaddrinfo', false, 'host names are resolved by the runtime\'s own resolver'],
];

function flag(name: string, negatable: boolean, why: string): SectionKeyword {
  return {
    name,
    sections: GLOBAL,
    modifiers: negatable,
    parse(ctx, args) {
      if (!noExtraArgs(ctx, args, 1)) return;
      if (ctx.modifier === 'default') {
        ctx.error(`'default ${name}' is not supported.`);
        return;
      }
      ctx.notice(`'${ctx.modifier === 'no' ? `no ${name}` : name}' has no effect in Switchyard (${why}); ignored.`);
    },
  };
}

const keywords: SectionKeyword[] = [
  ...FLAGS.map(([name, negatable, why]) => flag(name, negatable, why)),
  {
    name: 'maxpipes',
    sections: GLOBAL,
    parse(ctx, args) {
      if (!noExtraArgs(ctx, args, 2)) return;
      const text = args[1]?.text ?? '';
      if (text === '') {
        ctx.error("'maxpipes' expects an integer argument.");
        return;
      }
      if (!/^\d+$/.test(text)) {
        ctx.error(`'maxpipes' expects an integer argument, got '${text}'.`, args[1]);
        return;
      }
      ctx.notice("'maxpipes' has no effect in Switchyard (it never splices, so it uses no pipes); ignored.");
    },
  },
];

export const internalTunableKeywords: KeywordList = { keywords };
