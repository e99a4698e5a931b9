/**
 * What `setenv`, `presetenv`, `unsetenv` and `resetenv` did to the environment, once the whole
 * configuration is read: HAProxy changes its own environ while parsing, so the programs its
 * master starts (`program` sections) inherit the result. Switchyard keeps the changes apart
 * from the process environment (the parse may be a check, or a reload's spare) and hands them
 * to each program it starts. The shape is the runtime seam's (spawnProgram takes it).
 */
import type { EnvironmentChanges } from '../runtime.ts';

export type { EnvironmentChanges } from '../runtime.ts';

/** The environment a program starts with: `base` (the process's) with the configuration's changes. */
export function environmentWith(base: Readonly<Record<string, string | undefined>>, changes: EnvironmentChanges): Record<string, string> {
  const env: Record<string, string> = {};
  const kept = changes.keptOnly === undefined ? undefined : new Set(changes.keptOnly);
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && (kept === undefined || kept.has(name))) env[name] = value;
  }
  for (const [name, value] of changes.changes) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
