/**
 * The runtime API's keyword table: every command family contributes its commands
 * (commands/*.ts); a command line runs the first command whose words begin it (HAProxy's
 * cli_find_kw), after the level check; anything else gets HAProxy's usage message.
 */
import { sessionInMode, type CliCommand, type CliSessionState, type CommandContext } from './command.ts';
import { error, info, PERMISSION_DENIED, type CliAnswer } from './output.ts';
import { levelAllows } from './levels.ts';
import { usageMessage } from './usage.ts';
import { replayedInThreads } from '../threads/replayed-commands.ts';

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

  /** The commands `help` lists to this session: expert and experimental ones only in their mode. */
  visibleTo(session: CliSessionState): readonly CliCommand[] {
    return this.commands.filter((c) => sessionInMode(session, c.mode));
  }

  execute(args: readonly string[], ctx: CommandContext, payload?: string): CliAnswer | Promise<CliAnswer> {
    const command = this.find(args);
    if (command === undefined) return info(usageMessage(this.visibleTo(ctx.session), args));
    // cli_parse_request checks the mode before the command checks the level.
    if (!sessionInMode(ctx.session, command.mode)) return error(`This command is restricted to ${command.mode} mode only.\n`);
    if (!levelAllows(ctx.session.level, command.level)) return PERMISSION_DENIED;
    const answer = command.run(args, ctx, payload);
    // With several threads (`nbthread`), they run what changes the state they all serve with,
    // and the answer waits for them: once it is read, a request in any thread sees the change.
    const replay = ctx.target.otherThreads?.replay;
    if (replay === undefined || !replayedInThreads(args)) return answer;
    const replayed = replay(args, payload);
    return Promise.all([answer, replayed]).then(([given]) => given);
  }
}
