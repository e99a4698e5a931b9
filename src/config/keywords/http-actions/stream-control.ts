/**
 * Parsers of `http-request reject`, `http-request|http-response silent-drop`, `http-request early-hint NAME FMT`, `http-request
 * set-src|set-src-port|set-dst|set-dst-port EXPR`, `http-request set-priority-class|set-priority-offset EXPR`, `http-request disable-l7-retry`
 * and `http-request wait-for-handshake` (HAProxy 2.6's).
 */
import { compileSampleFetch } from '../../../rules/sample-fetch.ts';
import type { Token } from '../../tokenizer.ts';
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

/** The actions without an argument. */
function bare({ action, extra }: ActionParseInput): RuleFields | undefined {
  if (extra(0)) return undefined;
  return { action: action as 'reject' | 'silent-drop' | 'disable-l7-retry' | 'wait-for-handshake' };
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

function fail({ ctx, keyword, word }: ActionParseInput, message: string): undefined {
  ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : ${message}.`, word, keyword);
  return undefined;
}

/** tcp_parse_set_src_dst: one sample expression that must be available on the request. */
function setAddress(input: ActionParseInput): RuleFields | undefined {
  const expression = input.args[0]?.text;
  if (expression === undefined) return fail(input, 'missing fetch method');
  const compiled = compileSampleFetch(expression, { direction: 'request' });
  if (!compiled.ok) {
    if (compiled.unavailable === undefined) return fail(input, compiled.message);
    return fail(input, `fetch method '${expression}' extracts information from '${compiled.unavailable}', none of which is available here`);
  }
  if (input.extra(1)) return undefined;
  return { action: input.action as 'set-src' | 'set-src-port' | 'set-dst' | 'set-dst-port', expression };
}

/**
 * parse_set_priority_class / parse_set_priority_offset (queue.c): one expression available on
 * the request. HAProxy names the action where its message says "fetch method".
 */
function setPriority(input: ActionParseInput): RuleFields | undefined {
  const expression = input.args[0]?.text;
  if (expression === undefined) return fail(input, 'missing fetch method');
  const compiled = compileSampleFetch(expression, { direction: 'request' });
  if (!compiled.ok) {
    if (compiled.unavailable === undefined) return fail(input, compiled.message);
    return fail(input, `fetch method '${input.action}' extracts information from '${compiled.unavailable}', none of which is available here`);
  }
  if (input.extra(1)) return undefined;
  return { action: input.action as 'set-priority-class' | 'set-priority-offset', expression };
}

export const streamControlActionParsers: readonly HttpActionParser[] = [
  { name: 'reject', sets: ['request'], parse: bare },
  { name: 'silent-drop', sets: ['request', 'response'], parse: bare },
  { name: 'disable-l7-retry', sets: ['request'], parse: bare },
  { name: 'wait-for-handshake', sets: ['request'], parse: bare },
  { name: 'early-hint', sets: ['request'], parse: earlyHint },
  { name: 'set-src', sets: ['request'], parse: setAddress },
  { name: 'set-src-port', sets: ['request'], parse: setAddress },
  { name: 'set-dst', sets: ['request'], parse: setAddress },
  { name: 'set-dst-port', sets: ['request'], parse: setAddress },
  { name: 'set-priority-class', sets: ['request'], parse: setPriority },
  { name: 'set-priority-offset', sets: ['request'], parse: setPriority },
];
