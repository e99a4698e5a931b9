/**
 * `show resolvers [id]` (resolvers.c's cli_io_handler_dump_resolvers_to_buffer): each section,
 * then each of its nameservers with its counters, in HAProxy's layout and order.
 */
import type { DnsResolvers } from '../../dns/resolvers.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, type CliAnswer } from '../output.ts';

function section(resolvers: DnsResolvers): string {
  let out = `Resolvers section ${resolvers.model.name}\n`;
  for (const { model, counters: c } of resolvers.nameservers) {
    out +=
      ` nameserver ${model.name}:\n` +
      `  sent:        ${c.sent}\n` +
      `  snd_error:   ${c.sndError}\n` +
      `  valid:       ${c.valid}\n` +
      `  update:      ${c.update}\n` +
      `  cname:       ${c.cname}\n` +
      `  cname_error: ${c.cnameError}\n` +
      `  any_err:     ${c.anyErr}\n` +
      `  nx:          ${c.nx}\n` +
      `  timeout:     ${c.timeout}\n` +
      `  refused:     ${c.refused}\n` +
      `  other:       ${c.other}\n` +
      `  invalid:     ${c.invalid}\n` +
      `  too_big:     ${c.tooBig}\n` +
      `  truncated:   ${c.truncated}\n` +
      `  outdated:    ${c.outdated}\n`;
  }
  return out;
}

function showResolvers(args: readonly string[], ctx: CommandContext): CliAnswer {
  const sections = ctx.target.resolvers ?? [];
  const id = args[2] ?? '';
  if (id !== '') {
    const found = sections.find((r) => r.model.name === id);
    if (found === undefined) return error("Can't find that resolvers section\n");
    return dump(section(found));
  }
  if (sections.length === 0) return dump('No resolvers found\n');
  return dump(sections.map(section).join(''));
}

export const resolversCommands: readonly CliCommand[] = [
  {
    words: ['show', 'resolvers'],
    usage: usage('show resolvers [id]', 'dumps counters from all resolvers section and associated name servers'),
    level: 'user',
    run: showResolvers,
  },
];
