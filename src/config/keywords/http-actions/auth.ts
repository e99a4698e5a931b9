/** Parser of `http-request auth [realm REALM]` (HAProxy's parse_http_auth). */
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

function auth({ ctx, keyword, args, extra }: ActionParseInput): RuleFields | undefined {
  // HAProxy's default realm is the name of the proxy whose rule it is.
  let realm = ctx.proxy?.name ?? '';
  let used = 0;
  if (args[0]?.text === 'realm') {
    const value = args[1];
    if (value === undefined || value.text === '') {
      ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : missing realm value.`, args[0], keyword);
      return undefined;
    }
    realm = value.text;
    used = 2;
  }
  if (extra(used)) return undefined;
  return { action: 'auth', realm };
}

export const authActionParsers: readonly HttpActionParser[] = [{ name: 'auth', sets: ['request'], parse: auth }];
