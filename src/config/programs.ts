/** `program` sections as the model has them (HAProxy's cfg_program_postparser checks). */
import type { ProgramDraft } from './draft.ts';
import type { EnvironmentChanges } from './environment-changes.ts';
import type { DiagnosticList } from './errors.ts';
import type { ProgramModel } from './model.ts';

export function programsOf(
  drafts: readonly ProgramDraft[] | undefined,
  environment: EnvironmentChanges | undefined,
  diagnostics: DiagnosticList,
): { programs?: readonly ProgramModel[] } {
  const programs: ProgramModel[] = [];
  for (const draft of drafts ?? []) {
    if (draft.command === undefined) {
      const { file, line, column } = draft.place;
      diagnostics.error({ file, line, column, keyword: 'program', message: `The program section '${draft.name}' lacks a command to launch.` });
      continue;
    }
    programs.push({
      name: draft.name,
      command: [...draft.command],
      ...(draft.user !== undefined ? { user: draft.user } : {}),
      ...(draft.group !== undefined ? { group: draft.group } : {}),
      startOnReload: draft.startOnReload,
      ...(environment !== undefined ? { environment } : {}),
    });
  }
  return programs.length > 0 ? { programs } : {};
}
