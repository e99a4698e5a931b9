/**
 * The runtime API's keyword table: every command family contributes its commands
 * (commands/*.ts); a command line runs the first command whose words begin it (HAProxy's
 * cli_find_kw), after the level check; anything else gets HAProxy's usage message.
 */
import type { CliCommand, CommandContext } from './command.ts';
import { info, PERMISSION_DENIED, type CliAnswer } from './output.ts';
import { levelAllows } from './levels.ts';
import { usageMessage } from './usage.ts';

export class CommandTable {
  readonly commands: readonly CliCommand[];

  constructor(families: readonly (readonly CliCommand[])[]) {
    this.commands = families.flat();
  }

  find(args: readonly string[]): CliCommand | undefined {
    for (const command of this.commands) {
      if (command.words.every((word, i) => args[i] === word)) return command;
    }
    return undefined;
  }

  execute(args: readonly string[], ctx: CommandContext, payload?: string): CliAnswer {
    const command = this.find(args);
    if (command === undefined) return info(usageMessage(this.commands, args));
    if (!levelAllows(ctx.session.level, command.level)) return PERMISSION_DENIED;
    return command.run(args, ctx, payload);
  }
}
