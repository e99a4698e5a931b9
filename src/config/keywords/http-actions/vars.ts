/**
 * Parsers of the variable actions (HAProxy's vars.c parse_store): `set-var(VAR[,COND...]) EXPR`,
 * `set-var-fmt(VAR[,COND...]) FMT`, `unset-var(VAR)`. The variable is part of the action word,
 * so they are prefix actions; the messages are HAProxy 2.6's.
 */
import type { VarConditionModel } from '../../model.ts';
import { isVarCondition, parseVarName } from '../../../rules/vars.ts';
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

/** Variables exist in every rule set (http-after-response included, as in HAProxy 2.6). */
const BOTH = ['request', 'response', 'after-response'] as const;

export interface VarWord {
  readonly variable: string;
  readonly conditions: VarConditionModel[];
}

/** `set-var(txn.x,ifnotset)` -> the variable and its conditions, or HAProxy's error. */
export function parseVarWord(action: string, word: string): VarWord | string {
  const expects = "Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'";
  const rest = word.slice(action.length);
  if (!rest.startsWith('(')) return `invalid or incomplete action '${word}'. ${expects}`;
  if (!rest.endsWith(')') || rest.length < 2) return `incomplete argument after action '${word}'. ${expects}`;
  const inner = rest.slice(1, -1);
  const comma = inner.indexOf(',');
  const variable = comma < 0 ? inner : inner.slice(0, comma);
  const conditions: VarConditionModel[] = [];
  if (comma >= 0) {
    const words = inner.slice(comma + 1).split(',');
    // HAProxy stops at the first empty condition (`set-var(txn.x,ifset,,ifgt)` ignores ifgt).
    const end = words.indexOf('');
    const listed = end < 0 ? words : words.slice(0, end);
    if (listed.length > 0 && action === 'unset-var') {
      return 'unset-var does not expect parameters after the variable name. Only "set-var" and "set-var-fmt" manage conditions';
    }
    for (const c of listed) {
      if (!isVarCondition(c)) return `unknown condition "${c}"`;
      conditions.push(c);
    }
  }
  const name = parseVarName(variable, ')');
  if (typeof name === 'string') return name;
  return { variable, conditions };
}

function parse(input: ActionParseInput): RuleFields | undefined {
  const { ctx, action, word, keyword, args, extra } = input;
  const fail = (message: string): undefined => {
    ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : ${message}.`, word, keyword);
    return undefined;
  };
  const parsed = parseVarWord(action, word.text);
  if (typeof parsed === 'string') return fail(parsed);
  const { variable, conditions } = parsed;
  switch (action) {
    case 'unset-var':
      return extra(0) ? undefined : { action: 'unset-var', variable };
    case 'set-var-fmt':
      // A missing format is an empty one, as HAProxy reads it.
      return extra(1) ? undefined : { action: 'set-var-fmt', variable, conditions, format: args[0]?.text ?? '' };
    default: {
      const expression = args[0]?.text;
      if (expression === undefined || expression === '') return fail('missing fetch method');
      return extra(1) ? undefined : { action: 'set-var', variable, conditions, expression };
    }
  }
}

export const varActionParsers: readonly HttpActionParser[] = [
  { name: 'set-var', sets: BOTH, prefix: true, parse },
  { name: 'set-var-fmt', sets: BOTH, prefix: true, parse },
  { name: 'unset-var', sets: BOTH, prefix: true, parse },
];
