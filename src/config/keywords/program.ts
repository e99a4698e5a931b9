/**
 * `program NAME` sections (HAProxy 2.6's cfg_parse_program, with its messages): a command the
 * master of master-worker mode starts beside its workers (src/master/programs.ts). Keywords:
 * `command CMD [ARGS...]`, `user NAME`, `group NAME`, `[no] option start-on-reload`.
 */
import type { ProgramDraft } from '../draft.ts';
import type { KeywordContext, KeywordList, SectionHeader, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';

const SECTIONS = ['program'] as const;

function current(ctx: KeywordContext): ProgramDraft | undefined {
  return ctx.global.programs?.at(-1);
}

/** alertif_too_many_args: more than `max` words after the keyword. */
function tooManyArgs(ctx: KeywordContext, args: readonly Token[], max: number): boolean {
  const extra = args[max + 1];
  if (extra === undefined) return false;
  ctx.error(`'${(args[0] as Token).text}' cannot handle unexpected argument '${extra.text}'.`, extra);
  return true;
}

function openProgram(ctx: KeywordContext, args: readonly Token[]): void {
  const header = args[0] as Token;
  if (tooManyArgs(ctx, args, 1)) return;
  const name = args[1]?.text ?? '';
  if (name === '') return ctx.error("'program' expects an <id> argument", header);
  const programs = (ctx.global.programs ??= []);
  if (programs.some((p) => p.name === name)) return ctx.error(`'${name}' program section already exists in the configuration.`, args[1]);
  programs.push({ name, place: ctx.place(header), command: undefined, user: undefined, group: undefined, startOnReload: true });
}

function parseCommand(ctx: KeywordContext, args: readonly Token[]): void {
  const program = current(ctx);
  if (program === undefined) return;
  if ((args[1]?.text ?? '') === '') return ctx.error(`'${(args[0] as Token).text}' expects a command with optional arguments separated in words.`);
  program.command = args.slice(1).map((t) => t.text);
}

function parseOption(ctx: KeywordContext, args: readonly Token[]): void {
  const program = current(ctx);
  if (program === undefined) return;
  const name = args[1]?.text ?? '';
  if (name === '') return ctx.error(`'${(args[0] as Token).text}' expects an option name.`);
  if (name !== 'start-on-reload') return ctx.error(`unknown option '${name}'.`, args[1]);
  if (tooManyArgs(ctx, args, 1)) return;
  program.startOnReload = ctx.modifier !== 'no';
}

function identity(kind: 'user' | 'group'): (ctx: KeywordContext, args: readonly Token[]) => void {
  return (ctx, args) => {
    const program = current(ctx);
    if (program === undefined) return;
    const name = args[1]?.text ?? '';
    if (name === '') return ctx.error(`'${kind}' expects a ${kind} name.`);
    if (tooManyArgs(ctx, args, 1)) return;
    if (program[kind] !== undefined) return ctx.error(`${kind}/${kind === 'user' ? 'uid' : 'gid'} already specified. Continuing.`);
    // HAProxy looks the name up here (getpwnam/getgrnam); the runtime does when it starts the program.
    program[kind] = name;
  };
}

const programSection: SectionHeader = { name: 'program', open: openProgram };

const keywords: SectionKeyword[] = [
  { name: 'command', sections: SECTIONS, parse: parseCommand },
  { name: 'option', sections: SECTIONS, parse: parseOption, modifiers: true },
  { name: 'user', sections: SECTIONS, parse: identity('user') },
  { name: 'group', sections: SECTIONS, parse: identity('group') },
];

export const programKeywords: KeywordList = { sections: [programSection], keywords };
