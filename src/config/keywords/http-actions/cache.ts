/** Parsers of `http-request cache-use NAME` and `http-response cache-store NAME` (HAProxy 2.6's parse_cache_use / parse_cache_store). */
import { referenceCache } from '../cache.ts';
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

function cacheRule(input: ActionParseInput, action: 'cache-use' | 'cache-store'): RuleFields | undefined {
  const { ctx, keyword, word } = input;
  const name = input.args[0];
  if (name === undefined || name.text === '' || name.text === 'if' || name.text === 'unless') {
    ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : expects a cache name.`, word, keyword);
    return undefined;
  }
  if (input.extra(1)) return undefined;
  referenceCache(ctx, name.text, action, name);
  return { action, cache: name.text };
}

export const cacheActionParsers: readonly HttpActionParser[] = [
  { name: 'cache-use', sets: ['request'], parse: (input) => cacheRule(input, 'cache-use') },
  { name: 'cache-store', sets: ['response'], parse: (input) => cacheRule(input, 'cache-store') },
];
