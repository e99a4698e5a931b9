/**
 * What a spare tells its master once it has read the reload's configuration (src/master/standby.ts):
 * the verdict the master's own check would reach on the same files, so that the master does not
 * parse them a second time beside it (on 1,000 servers that parse is most of a reload, and the
 * two compete for the CPU). One line on the standby connection, `verdict JSON`: the
 * configuration's programs, whether it binds abstract sockets and which descriptors it
 * inherits, or why it is invalid with the lines to log. Only the spare and the master's check
 * (src/cli.ts) read or write it.
 */
import type { ProgramModel } from '../config/model.ts';

export interface ValidVerdict {
  readonly programs: readonly ProgramModel[];
  readonly exclusiveBinds: boolean;
  readonly inheritedFds: readonly number[];
  /** `mworker-max-reloads`. */
  readonly maxReloads?: number | undefined;
}

/** A line the check logs: an alert or a warning, as the configuration's diagnostics are written. */
export interface VerdictLine {
  readonly level: 'alert' | 'warning';
  readonly text: string;
}

export interface InvalidVerdict {
  /** One line for the master's log. */
  readonly problem: string;
  readonly lines: readonly VerdictLine[];
}

export type SpareVerdict = ValidVerdict | InvalidVerdict;

const PREFIX = 'verdict ';

export function encodeSpareVerdict(verdict: SpareVerdict): string {
  return `${PREFIX}${JSON.stringify(verdict)}\n`;
}

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function programOf(value: unknown): ProgramModel | undefined {
  if (!isObject(value) || typeof value.name !== 'string' || !isStringArray(value.command) || typeof value.startOnReload !== 'boolean') return undefined;
  if (!optionalString(value.user) || !optionalString(value.group)) return undefined;
  return {
    name: value.name,
    command: value.command,
    startOnReload: value.startOnReload,
    ...(typeof value.user === 'string' ? { user: value.user } : {}),
    ...(typeof value.group === 'string' ? { group: value.group } : {}),
  };
}

function lineOf(value: unknown): VerdictLine | undefined {
  if (!isObject(value) || (value.level !== 'alert' && value.level !== 'warning') || typeof value.text !== 'string') return undefined;
  return { level: value.level, text: value.text };
}

/** The verdict a spare's line carries; undefined when the line is none (the check then reads the files itself). */
export function decodeSpareVerdict(line: string | undefined): SpareVerdict | undefined {
  if (line === undefined || !line.startsWith(PREFIX)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line.slice(PREFIX.length));
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  if (typeof value.problem === 'string' && Array.isArray(value.lines)) {
    const lines = value.lines.map(lineOf);
    return lines.every((l) => l !== undefined) ? { problem: value.problem, lines: lines as VerdictLine[] } : undefined;
  }
  if (!Array.isArray(value.programs) || typeof value.exclusiveBinds !== 'boolean' || !Array.isArray(value.inheritedFds)) return undefined;
  const programs = value.programs.map(programOf);
  const fds = value.inheritedFds;
  if (!programs.every((p) => p !== undefined) || !fds.every((fd) => Number.isInteger(fd))) return undefined;
  if (value.maxReloads !== undefined && !(Number.isInteger(value.maxReloads) && (value.maxReloads as number) >= 0)) return undefined;
  return {
    programs: programs as ProgramModel[],
    exclusiveBinds: value.exclusiveBinds,
    inheritedFds: fds as number[],
    ...(typeof value.maxReloads === 'number' ? { maxReloads: value.maxReloads } : {}),
  };
}
