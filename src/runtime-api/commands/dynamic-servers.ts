/** `add server B/S ADDR [options]` and `del server B/S` (HAProxy 2.6's dynamic servers: see ../dynamic-servers.ts). */
import { usage, type CliCommand } from '../command.ts';
import { addServer, deleteServer } from '../dynamic-servers.ts';
import { error, info } from '../output.ts';

export const dynamicServerCommands: readonly CliCommand[] = [
  {
    words: ['add', 'server'],
    usage: usage('add server <bk>/<srv>', 'create a new server'),
    level: 'admin',
    run: (args, ctx) => {
      const done = addServer(ctx.target, args[2] ?? '', args.slice(3));
      return done.ok ? info(done.text) : error(done.text);
    },
  },
  {
    words: ['del', 'server'],
    usage: usage('del server <bk>/<srv>', 'remove a dynamically added server'),
    level: 'admin',
    run: (args, ctx) => {
      const done = deleteServer(ctx.target, args[2] ?? '');
      return done.ok ? info(done.text) : error(done.text);
    },
  },
];
