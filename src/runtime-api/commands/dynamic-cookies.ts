/**
 * Dynamic cookies at run time (HAProxy's proxy.c): `set dynamic-cookie-key backend B KEY`,
 * `enable dynamic-cookie backend B`, `disable dynamic-cookie backend B`. Enabling computes the
 * cookies of the servers without `cookie VALUE` when the backend has a key; disabling removes
 * them; a new key recomputes them while dynamic cookies are enabled. For this configuration
 * generation only, as in HAProxy (a reload reads the configuration again).
 */
import type { Backend } from '../../proxy/backend.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { error, NO_ANSWER, type CliAnswer } from '../output.ts';

/** cli_find_backend: a backend by name, or `#ID`. */
function findBackend(ctx: CommandContext, arg: string | undefined): Backend | CliAnswer {
  if (arg === undefined || arg === '') return error('A backend name is expected.\n');
  let backend: Backend | undefined;
  if (arg.startsWith('#')) {
    const id = Number(arg.slice(1));
    backend = ctx.target.proxies.find((p) => p.id === id && p.backend !== undefined)?.backend;
  } else {
    backend = ctx.target.backend(arg);
  }
  return backend ?? error('No such backend.\n');
}

export const dynamicCookieCommands: readonly CliCommand[] = [
  {
    words: ['set', 'dynamic-cookie-key', 'backend'],
    usage: usage('set dynamic-cookie-key backend <bk> <k>', 'change a backend secret key for dynamic cookies'),
    level: 'admin',
    run: (args, ctx) => {
      const found = findBackend(ctx, args[3]);
      if ('kind' in found) return found;
      if ((args[4] ?? '') === '') return error('String value expected.\n');
      found.setDynamicCookieKey(args[4] as string);
      return NO_ANSWER;
    },
  },
  {
    words: ['enable', 'dynamic-cookie', 'backend'],
    usage: usage('enable dynamic-cookie backend <bk>', 'enable dynamic cookies on a specific backend'),
    level: 'admin',
    run: (args, ctx) => {
      const found = findBackend(ctx, args[3]);
      if ('kind' in found) return found;
      found.setDynamicCookies(true);
      return NO_ANSWER;
    },
  },
  {
    words: ['disable', 'dynamic-cookie', 'backend'],
    usage: usage('disable dynamic-cookie backend <bk>', 'disable dynamic cookies on a specific backend'),
    level: 'admin',
    run: (args, ctx) => {
      const found = findBackend(ctx, args[3]);
      if ('kind' in found) return found;
      found.setDynamicCookies(false);
      return NO_ANSWER;
    },
  },
];
