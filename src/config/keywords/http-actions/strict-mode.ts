/** The parser of `strict-mode on|off` (HAProxy 2.6's parse_http_strict_mode, its messages). */
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

function strictMode({ ctx, keyword, args, extra }: ActionParseInput): RuleFields | undefined {
  const value = args[0];
  if (value === undefined) {
    ctx.error(`'${keyword}' : expects exactly 1 arguments.`, undefined, keyword);
    return undefined;
  }
  const word = value.text.toLowerCase();
  if (word !== 'on' && word !== 'off') {
    ctx.error(`'${keyword}' : Unexpected value '${value.text}'. Only 'on' and 'off' are supported.`, value, keyword);
    return undefined;
  }
  if (extra(1)) return undefined;
  return { action: 'strict-mode', on: word === 'on' };
}

export const strictModeActionParsers: readonly HttpActionParser[] = [{ name: 'strict-mode', sets: ['request', 'response', 'after-response'], parse: strictMode }];
