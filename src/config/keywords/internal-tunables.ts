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

/**
 * Flags without argument: name, whether `no NAME` is HAProxy syntax, whether HAProxy refuses
 * arguments after it (`numa-cpu-mapping` ignores them), and what Switchyard does instead.
 */
const FLAGS: readonly (readonly [name: string, negatable: boolean, strictArgs: boolean, why: string])[] = [
  ['noepoll', false, true, POLLERS],
  ['nopoll', false, true, POLLERS],
  ['nokqueue', false, true, POLLERS],
  ['noevports', false, true, POLLERS],
  ['busy-polling', true, true, 'the runtime\'s event loop sleeps in the kernel while idle; it has no busy-polling mode'],
  ['nosplice', false, true, 'Switchyard never splices: data is always copied through the runtime\'s sockets'],
  ['nogetaddrinfo', false, true, 'host names are resolved by the runtime\'s own resolver'],
  ['no-memory-trimming', false, true, 'the runtime\'s allocator and garbage collector decide when memory goes back to the system'],
  ['numa-cpu-mapping', true, false, 'the runtimes cannot set CPU affinity: the kernel places the threads'],
  // HAProxy forbids fork() (RLIMIT_NPROC) and setuid gains (PR_SET_NO_NEW_PRIVS) unless asked;
  // Switchyard restricts neither, so asking changes nothing.
  ['insecure-fork-wanted', true, true, 'it never forbids fork(), so there is nothing to allow'],
  ['insecure-setuid-wanted', false, true, 'it never sets PR_SET_NO_NEW_PRIVS, so there is nothing to allow'],
  ['set-dumpable', true, true, 'the runtimes cannot call prctl(PR_SET_DUMPABLE): core dumps follow the kernel\'s settings for the process'],
];

function flag(name: string, negatable: boolean, strictArgs: boolean, why: string): SectionKeyword {
  return {
    name,
    sections: GLOBAL,
    modifiers: negatable,
    parse(ctx, args) {
      if (strictArgs && !noExtraArgs(ctx, args, 1)) return;
      if (ctx.modifier === 'default') {
        ctx.error(`'default ${name}' is not supported.`);
        return;
      }
      ctx.notice(`'${ctx.modifier === 'no' ? `no ${name}` : name}' has no effect in Switchyard (${why}); ignored.`);
    },
  };
}

const keywords: SectionKeyword[] = [
  ...FLAGS.map(([name, negatable, strictArgs, why]) => flag(name, negatable, strictArgs, why)),
  {
    name: 'profiling.tasks',
    sections: GLOBAL,
    parse(ctx, args) {
      const value = args[1]?.text ?? '';
      if (value !== 'on' && value !== 'auto' && value !== 'off') {
        ctx.error(`'profiling.tasks' expects either 'on', 'auto', or 'off' but got '${value}'.`, args[1]);
        return;
      }
      if (!noExtraArgs(ctx, args, 2)) return;
      ctx.notice("'profiling.tasks' has no effect in Switchyard (it has no task scheduler to profile; see bench/PROFILE.md for the runtimes' profilers); ignored.");
    },
  },
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
