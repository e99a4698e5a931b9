/**
 * One runtime API command, as HAProxy's cli_kw: the words naming it, the usage line `help`
 * prints (none for hidden commands), the level it needs, and what it does.
 */
import type { CliLevel, SeverityOutput } from '../config/model.ts';
import type { CliAnswer } from './output.ts';
import type { RuntimeTarget } from './target.ts';

/** The per-connection state commands may read and change (HAProxy's appctx cli_level, st1 flags). */
export interface CliSessionState {
  level: CliLevel;
  severityOutput: SeverityOutput;
  /** Interactive mode (`prompt`): a `> ` prompt after each answer, the connection kept open. */
  prompt: boolean;
  /** `quit`: close once this answer is written. */
  quit: boolean;
  /** The answer is not followed by the empty line (`user -`, `operator -`). */
  noLineFeed: boolean;
  /** Idle time before the session is closed, ms (`stats timeout`, `set timeout cli`). */
  timeoutMs: number;
  /** `expert-mode on` / `experimental-mode on` (HAProxy's ACCESS_EXPERT / ACCESS_EXPERIMENTAL bits). */
  expertMode: boolean;
  experimentalMode: boolean;
}

/** The modes a command may need on top of its level (HAProxy's kw->level ACCESS_EXPERT/ACCESS_EXPERIMENTAL). */
export type CliMode = 'expert' | 'experimental';

/** Whether the session is in `mode` (commands without a mode always are). */
export function sessionInMode(session: CliSessionState, mode: CliMode | undefined): boolean {
  return mode === undefined || (mode === 'expert' ? session.expertMode : session.experimentalMode);
}

export interface CommandContext {
  readonly target: RuntimeTarget;
  readonly session: CliSessionState;
}

export interface CliCommand {
  /** Words that must begin the command line, e.g. ["show", "servers", "state"]. */
  readonly words: readonly string[];
  /** HAProxy's usage line as `help` prints it (words padded to column 40, then ": what"); undefined = hidden. */
  readonly usage: string | undefined;
  /** The level below which HAProxy answers "Permission denied" (before looking at the arguments). */
  readonly level: CliLevel;
  /** Commands only run, and only listed, in expert or experimental mode. */
  readonly mode?: CliMode;
  /** `payload`: the lines after a command ending in `<<`, up to an empty line (HAProxy's payload). */
  /** A promise only where the answer needs the other threads of the process (`nbthread`). */
  run(args: readonly string[], ctx: CommandContext, payload?: string): CliAnswer | Promise<CliAnswer>;
}

/** Pads a command synopsis to HAProxy's usage column. */
export function usage(synopsis: string, what: string): string {
  return `${synopsis.padEnd(40)}: ${what}`;
}
