/** Parser of `set-status STATUS [reason TEXT]` (HAProxy's parse_http_set_status). */
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

function setStatus({ ctx, keyword, args, extra }: ActionParseInput): RuleFields | undefined {
  const first = args[0];
  if (first === undefined) {
    ctx.error(`'${keyword}' : expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>.`, undefined, keyword);
    return undefined;
  }
  const status = /^\d+$/.test(first.text) ? Number(first.text) : NaN;
  if (!(status >= 100 && status <= 999)) {
    ctx.error(`'${keyword}' : expects an integer status code between 100 and 999.`, first, keyword);
    return undefined;
  }
  let reason: string | undefined;
  let used = 1;
  if (args[1]?.text === 'reason' && args[2] !== undefined) {
    reason = args[2].text;
    used = 3;
  }
  if (extra(used)) return undefined;
  return { action: 'set-status', status, reason };
}

export const statusActionParsers: readonly HttpActionParser[] = [{ name: 'set-status', sets: ['response', 'after-response'], parse: setStatus }];
