/**
 * Sample converters (HAProxy's section 7.3.1), applied left to right after a fetch:
 * `req.hdr(host),lower`. The cheap, common ones only; others are refused by name.
 */
import { Sample, sampleText, type SampleOutputType } from './sample.ts';
import type { SampleContext } from './sample-context.ts';
import { clearVar, conditionBits, isVarCondition, parseVarName, writeVar, type VarConditionName, type VarName } from './vars.ts';

export interface Converter {
  readonly name: string;
  /** Output type. */
  readonly type: SampleOutputType;
  /** Converts in place; false when the sample cannot be converted (it then counts as absent). */
  apply(s: Sample, ctx: SampleContext): boolean;
}

/** Converter names this module knows, for error messages. */
export const CONVERTERS = ['lower', 'upper', 'length', 'set-var', 'unset-var'] as const;

const lower: Converter = { name: 'lower', type: 'str', apply: (s) => s.setStr(sampleText(s).toLowerCase()) };
const upper: Converter = { name: 'upper', type: 'str', apply: (s) => s.setStr(sampleText(s).toUpperCase()) };
const length: Converter = { name: 'length', type: 'int', apply: (s) => s.setInt(sampleText(s).length) };

const TABLE: ReadonlyMap<string, Converter> = new Map([
  ['lower', lower],
  ['upper', upper],
  ['length', length],
]);

/**
 * `set-var(SCOPE.NAME[,COND...])`: stores the sample as it is and passes it on; when the store
 * is refused (a condition, a scope not available here) the sample fails, as HAProxy's
 * smp_conv_store returns var_set's result.
 */
class SetVarConverter implements Converter {
  readonly name = 'set-var';
  readonly type: SampleOutputType;
  readonly #variable: VarName;
  readonly #conditions: number;
  constructor(variable: VarName, conditions: number, type: SampleOutputType) {
    this.#variable = variable;
    this.#conditions = conditions;
    this.type = type;
  }
  apply(s: Sample, ctx: SampleContext): boolean {
    return writeVar(ctx.vars, this.#variable, s, this.#conditions);
  }
}

/** `unset-var(SCOPE.NAME)`: removes the variable, passes the sample on. */
class UnsetVarConverter implements Converter {
  readonly name = 'unset-var';
  readonly type: SampleOutputType;
  readonly #variable: VarName;
  constructor(variable: VarName, type: SampleOutputType) {
    this.#variable = variable;
    this.type = type;
  }
  apply(_s: Sample, ctx: SampleContext): boolean {
    // HAProxy's smp_conv_clear fails where the scope is not available.
    return clearVar(ctx.vars, this.#variable);
  }
}

function variableConverter(name: 'set-var' | 'unset-var', args: readonly string[], input: SampleOutputType): Converter | string {
  const invalid = (message: string) => `invalid args in converter '${name}' : ${message}`;
  const max = name === 'set-var' ? 5 : 1;
  if (args.length > max) return `converter '${name}' : expected ')' before ',${args.slice(max).join(',')})'`;
  const variable = parseVarName(args[0] ?? '');
  if (typeof variable === 'string') return invalid(variable);
  if (name === 'unset-var') return new UnsetVarConverter(variable, input);
  const conditions: VarConditionName[] = [];
  for (const word of args.slice(1)) {
    if (!isVarCondition(word)) return invalid(`unknown condition "${word}"`);
    conditions.push(word);
  }
  return new SetVarConverter(variable, conditionBits(conditions), input);
}

/** The converter `name(args)` applied to a sample of type `input`, or why it cannot be. */
export function compileConverter(name: string, args: readonly string[], input: SampleOutputType): Converter | string {
  if (name === 'set-var' || name === 'unset-var') return variableConverter(name, args, input);
  const converter = TABLE.get(name);
  if (converter === undefined) return `unknown converter '${name}' (supported: ${CONVERTERS.join(', ')})`;
  if (args.length > 0) return `converter '${name}' takes no argument`;
  void input; // every converter here takes any type through its text form
  return converter;
}
