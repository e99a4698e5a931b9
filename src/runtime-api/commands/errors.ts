/**
 * `show errors [<px>|-1] [request|response]` (proxy.c cli_parse_show_errors): the last invalid
 * request and response each proxy kept (src/proxy/error-captures.ts), as HAProxy 2.6 prints them
 * (src/runtime-api/error-dump.ts).
 */
import { atol } from '../../util/c-atol.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { showErrorsText } from '../error-dump.ts';
import { dump, error, type CliAnswer } from '../output.ts';

function showErrors(args: readonly string[], ctx: CommandContext): CliAnswer {
  const target = ctx.target;
  const name = args[2] ?? '';
  let proxyId = -1;
  if (name !== '') {
    // a proxy's name, else its number (atoi: a name that is no proxy's is 0)
    proxyId = target.proxies.find((p) => p.name === name)?.id ?? atol(name);
    if (proxyId === 0) return error('No such proxy.\n');
  }
  const which = args[3] ?? '';
  const captures = target.limits.errorCaptures;
  const proxies = target.proxies.map((p) => ({ name: p.name, id: p.id, request: captures.last(p.name, false), response: captures.last(p.name, true) }));
  const filter = { proxyId, requests: which !== 'response', responses: which !== 'request' };
  return dump(showErrorsText(proxies, captures.total, target.runtime.wallClock(), filter, target.limits.buffers.size));
}

export const errorsCommands: readonly CliCommand[] = [
  {
    words: ['show', 'errors'],
    usage: usage('show errors [<px>] [request|response]', 'report last request and/or response errors for each proxy'),
    level: 'operator',
    run: showErrors,
  },
];
