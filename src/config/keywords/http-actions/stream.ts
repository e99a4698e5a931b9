/** Parsers of `set-timeout server|tunnel VALUE|EXPR`, `set-log-level LEVEL` and `set-nice N` (HAProxy 2.6's). */
import type { SetLogLevelRuleModel, SetNiceRuleModel } from '../../model.ts';
import type { KeywordContext } from '../../registry.ts';
import { parseDuration } from '../../time.ts';
import type { Token } from '../../tokenizer.ts';
import { atolInt32 } from '../args.ts';
import { NICE_NOTICE } from '../bind-nice.ts';
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

/** What `set-log-level` and `set-nice` read, in http rules and tcp content rules alike. */
interface StreamSettingInput {
  readonly ctx: KeywordContext;
  readonly keyword: string;
  readonly args: readonly Token[];
  extra(used: number): boolean;
}

export function parseSetLogLevel({ ctx, keyword, args, extra }: StreamSettingInput): Pick<SetLogLevelRuleModel, 'action' | 'level'> | undefined {
  const level = LEVELS.find((l) => l === args[0]?.text);
  if (level === undefined) {
    ctx.error(`'${keyword}' : expects exactly 1 argument (one of ${LEVELS.map((l) => `'${l}'`).join(', ')}).`, args[0], keyword);
    return undefined;
  }
  if (extra(1)) return undefined;
  return { action: 'set-log-level', level };
}

/**
 * HAProxy's stream_parse_set_nice: atoi(), clamped to -1024..1024. The rule is kept (it counts
 * as a rule that ran, `last_rule_*`) but changes nothing here, which the startup notice says.
 */
export function parseSetNice({ ctx, keyword, args, extra }: StreamSettingInput): Pick<SetNiceRuleModel, 'action' | 'nice'> | undefined {
  const value = args[0];
  if (value === undefined) {
    ctx.error(`'${keyword}' : expects exactly 1 argument (integer value).`, undefined, keyword);
    return undefined;
  }
  if (extra(1)) return undefined;
  const nice = Math.max(-1024, Math.min(1024, atolInt32(value.text)));
  ctx.notice(`'${keyword} ${value.text}' ${NICE_NOTICE}`, value, keyword);
  return { action: 'set-nice', nice };
}

export const streamActionParsers: readonly HttpActionParser[] = [
  { name: 'set-timeout', sets: ['request'], parse: setTimeout },
  // Not in http-after-response: HAProxy 2.6 registers it for the request and response rules only.
  { name: 'set-log-level', sets: ['request', 'response'], parse: parseSetLogLevel },
  { name: 'set-nice', sets: ['request', 'response'], parse: parseSetNice },
];
