/**
 * `set-var(SCOPE.NAME[,COND...])` and `unset-var(SCOPE.NAME)` as converters (HAProxy's vars.c
 * smp_conv_store / smp_conv_clear): they store or clear a variable and pass the sample on with
 * its type, so they take and give 'any'. When the store is refused (a condition, a scope not
 * available here) the sample fails, as HAProxy's converters return var_set's result.
 */
import { clearVar, conditionBits, isVarCondition, parseVarName, writeVar, type VarConditionName } from '../vars.ts';
import { type ConverterDefinition, spec, strArg } from './definition.ts';

export const VAR_CONVERTERS: readonly ConverterDefinition[] = [
  {
    name: 'set-var',
    args: spec(1, 'str', 'str', 'str', 'str', 'str'),
    input: 'any',
    output: 'any',
    compile(args) {
      const variable = parseVarName(strArg(args, 0) ?? '');
      if (typeof variable === 'string') return variable;
      const conditions: VarConditionName[] = [];
      for (let i = 1; i < args.length; i++) {
        const word = strArg(args, i);
        if (word === undefined) continue;
        if (!isVarCondition(word)) return `unknown condition "${word}"`;
        conditions.push(word);
      }
      const bits = conditionBits(conditions);
      return (s, ctx) => writeVar(ctx.vars, variable, s, bits);
    },
  },
  {
    name: 'unset-var',
    args: spec(1, 'str'),
    input: 'any',
    output: 'any',
    compile(args) {
      const variable = parseVarName(strArg(args, 0) ?? '');
      if (typeof variable === 'string') return variable;
      return (_s, ctx) => clearVar(ctx.vars, variable);
    },
  },
];
