/** Parsers of `http-request reject` and `http-request early-hint NAME FMT` (HAProxy 2.6's). */
import type { Token } from '../../tokenizer.ts';
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

function reject({ extra }: ActionParseInput): RuleFields | undefined {
  if (extra(0)) return undefined;
  return { action: 'reject' };
}

/** parse_http_set_header, which HAProxy shares with early-hint. */
function earlyHint({ ctx, keyword, word, args, extra }: ActionParseInput): RuleFields | undefined {
  if (args.length < 2) {
    ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : expects exactly 2 arguments.`, word, keyword);
    return undefined;
  }
  if (extra(2)) return undefined;
  return { action: 'early-hint', header: (args[0] as Token).text, format: (args[1] as Token).text };
}

export const streamControlActionParsers: readonly HttpActionParser[] = [
  { name: 'reject', sets: ['request'], parse: reject },
  { name: 'early-hint', sets: ['request'], parse: earlyHint },
];
