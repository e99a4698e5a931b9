/**
 * Frontend and process limits (proxy.c, cli.c): `set maxconn frontend|global`, `set rate-limit`,
 * `shutdown frontend`, `disable frontend` / `enable frontend`.
 */
import type { Frontend } from '../../proxy/frontend.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { error, NO_ANSWER, SEVERITY_NOTICE, type CliAnswer } from '../output.ts';
import { atol } from '../../util/c-atol.ts';
import { pauseFrontend, resumeFrontend, type ProxyCapability } from '../../proxy/frontend-pause.ts';

/** cli_find_frontend: a frontend by name (HAProxy also accepts `#ID`). */
function findFrontend(ctx: CommandContext, arg: string | undefined): Frontend | CliAnswer {
  if (arg === undefined || arg === '') return error('A frontend name is expected.\n');
  let frontend: Frontend | undefined;
  if (arg.startsWith('#')) {
    const id = Number(arg.slice(1));
    frontend = ctx.target.proxies.find((p) => p.id === id)?.frontend;
  } else {
    frontend = ctx.target.frontend(arg);
  }
  return frontend ?? error('No such frontend.\n');
}


function capabilityOf(ctx: CommandContext, frontend: Frontend): ProxyCapability {
  return ctx.target.proxies.find((p) => p.frontend === frontend)?.backend !== undefined ? 'listen' : 'frontend';
}

export const proxyCommands: readonly CliCommand[] = [
  {
    words: ['set', 'maxconn', 'frontend'],
    usage: usage('set maxconn frontend <frontend> <value>', "change a frontend's maxconn setting"),
    level: 'admin',
    run: (args, ctx) => {
      const found = findFrontend(ctx, args[3]);
      if ('kind' in found) return found;
      if ((args[4] ?? '') === '') return error('Integer value expected.\n');
      const v = atol(args[4] as string);
      if (v < 0) return error('Value out of range.\n');
      found.maxconn = v;
      found.admitWaiting();
      return NO_ANSWER;
    },
  },
  {
    words: ['set', 'maxconn', 'global'],
    usage: usage('set maxconn global <value>', 'change the per-process maxconn setting'),
    level: 'admin',
    run: (args, ctx) => {
      if ((args[3] ?? '') === '') return error('Expects an integer value.\n');
      const v = atol(args[3] as string);
      // The hard limit is the configuration's (or derived) maxconn: 0, unlimited, where the fd
      // limit could not be read to derive one.
      const hard = ctx.target.config.global.maxconn;
      if (hard > 0 && v > hard) return error('Value out of range.\n');
      ctx.target.limits.maxconn = v <= 0 ? hard : v;
      ctx.target.limits.released();
      return NO_ANSWER;
    },
  },
  {
    words: ['set', 'rate-limit'],
    usage: usage('set rate-limit <setting> <value>', 'change a rate limiting value'),
    level: 'admin',
    run: (args, ctx) => {
      const which = `${args[2] ?? ''} ${args[3] ?? ''}`;
      if (which !== 'connections global' && which !== 'sessions global' && which !== 'ssl-sessions global' && which !== 'http-compression global') {
        return error(
          "'set rate-limit' only supports :\n" +
            "   - 'connections global' to set the per-process maximum connection rate\n" +
            "   - 'sessions global' to set the per-process maximum session rate\n" +
            "   - 'ssl-sessions global' to set the per-process maximum SSL session rate\n" +
            "   - 'http-compression global' to set the per-process maximum compression speed in kB/s\n",
        );
      }
      if ((args[4] ?? '') === '') return error('Expects an integer value.\n');
      const v = atol(args[4] as string);
      if (v < 0) return error('Value out of range.\n');
      if (args[2] === 'connections') ctx.target.limits.connRateLimit = v;
      else if (args[2] === 'sessions') ctx.target.limits.sessRateLimit = v;
      else if (args[2] === 'ssl-sessions') ctx.target.limits.sslRateLimit = v;
      // kB/s, as `maxcomprate`.
      else ctx.target.limits.compRateLimit = v * 1024;
      // dequeue_all_listeners(): a raised limit lets the held connections in now.
      for (const p of ctx.target.proxies) p.frontend?.admitWaiting();
      return NO_ANSWER;
    },
  },
  {
    words: ['disable', 'frontend'],
    usage: usage('disable frontend <frontend>', 'temporarily disable specific frontend'),
    level: 'admin',
    run: async (args, ctx) => {
      const found = findFrontend(ctx, args[2]);
      if ('kind' in found) return found;
      if (!found.listening) return { kind: 'message', severity: SEVERITY_NOTICE, text: 'Frontend was previously shut down, cannot disable.\n' };
      if (found.paused) return { kind: 'message', severity: SEVERITY_NOTICE, text: 'All sockets are already disabled.\n' };
      const paused = await pauseFrontend(found, capabilityOf(ctx, found), (text) => ctx.target.frontendWarning(found, text));
      return paused ? NO_ANSWER : error('Failed to pause frontend, check logs for precise cause.\n');
    },
  },
  {
    words: ['enable', 'frontend'],
    usage: usage('enable frontend <frontend>', 're-enable specific frontend'),
    level: 'admin',
    run: async (args, ctx) => {
      const found = findFrontend(ctx, args[2]);
      if ('kind' in found) return found;
      if (!found.listening) return error('Frontend was previously shut down, cannot enable.\n');
      if (!found.paused) return { kind: 'message', severity: SEVERITY_NOTICE, text: 'All sockets are already enabled.\n' };
      const resumed = await resumeFrontend(found, capabilityOf(ctx, found), (text) => ctx.target.frontendWarning(found, text));
      return resumed ? NO_ANSWER : error('Failed to resume frontend, check logs for precise cause (port conflict?).\n');
    },
  },
  {
    words: ['shutdown', 'frontend'],
    usage: usage('shutdown frontend <frontend>', 'stop a specific frontend'),
    level: 'admin',
    run: (args, ctx) => {
      const found = findFrontend(ctx, args[2]);
      if ('kind' in found) return found;
      if (!found.listening) return { kind: 'message', severity: SEVERITY_NOTICE, text: 'Frontend was already shut down.\n' };
      void found.stopListening();
      ctx.target.frontendStopped(found);
      return NO_ANSWER;
    },
  },
];

