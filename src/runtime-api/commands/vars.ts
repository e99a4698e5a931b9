/**
 * `get var proc.NAME` (vars.c): a process variable with its type and printable value; and the
 * experimental `set var proc.NAME [expr|fmt] VALUE`, the global section's `set-var` at run time.
 */
import { parseVarWord } from '../../config/keywords/http-actions/vars.ts';
import { setProcessVar } from '../../rules/global-vars.ts';
import { parseVarName } from '../../rules/vars.ts';
import { Sample, sampleText, type SampleType } from '../../rules/sample.ts';
import { usage, type CliCommand } from '../command.ts';
import { error, info, NO_ANSWER } from '../output.ts';

/** HAProxy's smp_to_type names; an address sample is ipv4 or ipv6 by its text. */
function typeName(s: Sample): string {
  const names: Readonly<Record<SampleType, string>> = { bool: 'bool', int: 'sint', str: 'str', ip: 'ipv4', bin: 'bin' };
  return s.type === 'ip' && s.str.includes(':') ? 'ipv6' : names[s.type];
}

export const varCommands: readonly CliCommand[] = [
  {
    words: ['get', 'var'],
    usage: usage('get var <name>', 'retrieve contents of a process-wide variable'),
    level: 'operator',
    run: (args, ctx) => {
      const name = args[2] ?? '';
      if (name === '') return error('Missing process-wide variable identifier.\n');
      const parsed = parseVarName(name);
      const sample = new Sample();
      if (typeof parsed === 'string' || parsed.scope !== 'proc' || !ctx.target.procVars.proc.get(parsed.name, sample)) {
        return error('Variable not found.\n');
      }
      // Bytes outside isprint() show as '.'.
      const text = sampleText(sample).replace(/[^\x20-\x7e]/g, '.');
      return info(`${name}: type=${typeName(sample)} value=<${text}>`);
    },
  },
  {
    words: ['set', 'var'],
    usage: usage('set var <name> [fmt|expr] {<fmt>|<expr>}', 'set variable from an expression or a format'),
    level: 'operator',
    mode: 'experimental',
    // vars_parse_cli_set_var: parsed as the action `set-var(NAME) VALUE` of a proxy called "CLI".
    run: (args, ctx) => {
      const name = args[2] ?? '';
      if (name === '') return error('Missing process-wide variable identifier.\n');
      if ((args[3] ?? '') === '') return error("Missing either 'expr', 'fmt' or expression.\n");
      const long = (args[4] ?? '') !== '';
      if (long && args[3] !== 'fmt' && args[3] !== 'expr') return error(`'set var': arg type must be either 'expr' or 'fmt' but got '${args[3]}'.`);
      const kind = long && args[3] === 'fmt' ? 'fmt' : 'expr';
      const action = kind === 'fmt' ? 'set-var-fmt' : 'set-var';
      const word = parseVarWord(action, `${action}(${name})`);
      if (typeof word === 'string') return error(word);
      const variable = parseVarName(word.variable);
      if (typeof variable === 'string') return error(variable);
      if (variable.scope !== 'proc') return error(`'set var': cannot set variable '${name}', only scope 'proc' is permitted here.`);
      const value = long ? (args[4] as string) : (args[3] as string);
      const problem = setProcessVar(ctx.target.procVars, { variable: word.variable, conditions: word.conditions, kind, value }, ctx.target.runtime, 'CLI');
      return problem === undefined ? NO_ANSWER : error(problem);
    },
  },
];
