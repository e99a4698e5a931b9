/** `get var proc.NAME` (vars.c): a process variable with its type and printable value. */
import { parseVarName } from '../../rules/vars.ts';
import { Sample, sampleText, type SampleType } from '../../rules/sample.ts';
import { usage, type CliCommand } from '../command.ts';
import { error, info } from '../output.ts';

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
];
