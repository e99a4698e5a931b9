/**
 * Parsers of `http-request capture EXPR len N | id N` and `http-response capture EXPR id N`
 * (also http-after-response), HAProxy 2.6's parse_http_req_capture / parse_http_res_capture.
 * `len N` declares the next request slot of the frontend (refused in a backend); `id N` names a
 * slot, checked once the whole section is read (resolve.ts: a later `declare` counts).
 */
import { compileSampleFetch } from '../../../rules/sample-fetch.ts';
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

function fail({ ctx, keyword, word }: ActionParseInput, message: string): undefined {
  ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : ${message}.`, word, keyword);
  return undefined;
}

/** strtol(text, &end, 10) with nothing left over, as HAProxy's id check. */
function wholeNumber(text: string): number | undefined {
  return /^\s*[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

function parseCapture(input: ActionParseInput): RuleFields | undefined {
  const { args, direction, extra, ctx } = input;
  const request = direction === 'request';
  if (args.length < 3) return fail(input, request ? "expects <expression> [ 'len' <length> | id <idx> ]" : 'expects <expression> id <idx>');
  const expression = (args[0] as { text: string }).text;
  const compiled = compileSampleFetch(expression, { direction });
  if (!compiled.ok) {
    if (compiled.unavailable === undefined) return fail(input, compiled.message);
    return fail(input, `fetch method '${expression}' extracts information from '${compiled.unavailable}', none of which is available here`);
  }
  const kind = args[1]?.text as string;
  const value = (args[2] as { text: string }).text;
  if (request && kind === 'len') {
    const proxy = ctx.proxy;
    if (proxy?.kind === 'backend') return fail(input, `proxy '${proxy.name}' has no frontend capability`);
    const len = Number.parseInt(value, 10);
    if (!(len > 0)) return fail(input, 'length must be > 0');
    if (extra(3)) return undefined;
    const slots = proxy?.captures.request;
    const id = slots?.length ?? 0;
    slots?.push({ header: undefined, len });
    return { action: 'capture', expression, id, len };
  }
  if (kind !== 'id') return fail(input, request ? `expects 'len' or 'id', found '${kind}'` : `expects 'id', found '${kind}'`);
  const id = wholeNumber(value);
  if (id === undefined) return fail(input, `cannot parse id '${value}'`);
  if (extra(3)) return undefined;
  // A negative id names no slot: the rule never captures (HAProxy's lookup finds none).
  return { action: 'capture', expression, id, len: undefined };
}

export const captureActionParsers: readonly HttpActionParser[] = [{ name: 'capture', sets: ['request', 'response', 'after-response'], parse: parseCapture }];
