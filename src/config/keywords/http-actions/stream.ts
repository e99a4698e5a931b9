/** Parsers of `set-timeout server|tunnel VALUE|EXPR` and `set-log-level LEVEL` (HAProxy 2.6's). */
import { parseDuration } from '../../time.ts';
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug', 'silent'] as const;

/** HAProxy's cfg_parse_rule_set_timeout: a time value, else a sample expression. */
function setTimeout({ ctx, keyword, args, extra }: ActionParseInput): RuleFields | undefined {
  const name = args[0];
  const value = args[1];
  if (name === undefined || value === undefined) {
    ctx.error(`'${keyword}' : expects exactly 2 arguments.`, undefined, keyword);
    return undefined;
  }
  const kind = ctx.proxy?.kind;
  if (kind === 'frontend') {
    ctx.error(`'${keyword}' : proxy '${ctx.proxy?.name ?? ''}' has no backend capability.`, name, keyword);
    return undefined;
  }
  if (name.text !== 'server' && name.text !== 'tunnel') {
    ctx.error(`'${keyword}' : 'set-timeout' rule supports 'server'/'tunnel' (got '${name.text}').`, name, keyword);
    return undefined;
  }
  if (extra(2)) return undefined;
  if (/^\d/.test(value.text)) {
    const parsed = parseDuration(value.text);
    if (parsed.ok) {
      if (parsed.ms === 0) {
        ctx.error(`'${keyword}' : null value is not valid for a 'set-timeout ${name.text}' rule.`, value, keyword);
        return undefined;
      }
      return { action: 'set-timeout', timeout: name.text, value: parsed.ms, expression: undefined };
    }
    if (/overflow/.test(parsed.message)) {
      ctx.error(`'${keyword}' : timer overflow in argument '${value.text}' to rule 'set-timeout ${name.text}' (maximum value is 2147483647 ms or ~24.8 days).`, value, keyword);
      return undefined;
    }
  }
  return { action: 'set-timeout', timeout: name.text, value: undefined, expression: value.text };
}

function setLogLevel({ ctx, keyword, args, extra }: ActionParseInput): RuleFields | undefined {
  const level = LEVELS.find((l) => l === args[0]?.text);
  if (level === undefined) {
    ctx.error(`'${keyword}' : expects exactly 1 argument (one of ${LEVELS.map((l) => `'${l}'`).join(', ')}).`, args[0], keyword);
    return undefined;
  }
  if (extra(1)) return undefined;
  return { action: 'set-log-level', level };
}

export const streamActionParsers: readonly HttpActionParser[] = [
  { name: 'set-timeout', sets: ['request'], parse: setTimeout },
  { name: 'set-log-level', sets: ['request', 'response', 'after-response'], parse: setLogLevel },
];
