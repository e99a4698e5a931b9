/**
 * The process variables of a configuration generation: the global section's `set-var` and
 * `set-var-fmt` lines evaluated in order when the generation starts (HAProxy evaluates them
 * while parsing; here the generation is the process). Only constants can be read then
 * (`int()`, `str()`, `hostname`, earlier `proc` variables...): the configuration layer checked it.
 */
import type { GlobalSetVarModel } from '../config/model.ts';
import { compileLogFormat } from './log-format.ts';
import { Sample } from './sample.ts';
import type { SampleContext } from './sample-context.ts';
import { compileSampleFetch } from './sample-fetch.ts';
import { conditionBits, parseVarName, ProcessVars, writeVar } from './vars.ts';

/** Raised for a `set-var` line a hand-built model got wrong (the parser refuses them at their line). */
export class GlobalSetVarError extends Error {
  readonly code = 'GLOBAL_SET_VAR_INVALID';
}

export function createProcessVars(lines: readonly GlobalSetVarModel[] | undefined, host: ProcessVarHost): ProcessVars {
  const vars = new ProcessVars();
  if (lines === undefined || lines.length === 0) return vars;
  // HAProxy evaluates these on a dummy session of a proxy called "CFG" (what %f prints).
  for (const line of lines) {
    const where = `[${line.source.file}:${line.source.line}] set-var ${line.variable}`;
    const problem = setProcessVar(vars, line, host, 'CFG');
    if (problem !== undefined) throw new GlobalSetVarError(`${where}: ${problem}`);
  }
  return vars;
}

export interface ProcessVarHost {
  readonly hostname?: string | undefined;
  readonly pid?: number;
}

/**
 * Evaluates one `set-var`/`set-var-fmt` of constants into the `proc` scope, on a dummy session
 * of proxy `proxyName` (CFG for the global section, CLI for the runtime API's `set var`).
 * Returns what is wrong with it, or undefined once done.
 */
export function setProcessVar(
  vars: ProcessVars,
  line: Pick<GlobalSetVarModel, 'variable' | 'conditions' | 'kind' | 'value'>,
  host: ProcessVarHost,
  proxyName: string,
): string | undefined {
  const variable = parseVarName(line.variable);
  if (typeof variable === 'string') return variable;
  if (variable.scope !== 'proc') return 'only scope \'proc\' is permitted in the global section';
  const ctx: SampleContext = { clientAddress: '', lbHead: undefined, hostname: host.hostname, pid: host.pid, frontendName: proxyName, vars };
  const sample = new Sample();
  const conditions = conditionBits(line.conditions);
  if (line.kind === 'fmt') {
    const format = compileLogFormat(line.value, 'request', true);
    if (!format.ok) return format.message;
    sample.setStr(format.format.evaluate(ctx));
    writeVar(vars, variable, sample, conditions);
    return undefined;
  }
  const compiled = compileSampleFetch(line.value, { constantOnly: true });
  if (!compiled.ok) return compiled.message;
  if (compiled.fetch.sample(ctx, sample)) writeVar(vars, variable, sample, conditions);
  return undefined;
}
