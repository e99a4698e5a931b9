/**
 * `tcp-request content capture EXPR len N` (HAProxy 2.6's tcp_parse_request_rule, with its
 * texts checked against `haproxy -c`): declares the frontend's next request capture slot, as
 * `http-request capture ... len N` does, and fills it with EXPR as text when the rule runs.
 * Only in a proxy with a frontend, only in content rules (HAProxy parses the word in every
 * tcp-request set and refuses it in `connection` and `session` ones); no `id` form.
 */
import type { TcpActionParseInput, TcpRuleFields } from './tcp-actions.ts';
import { compileSampleFetch } from '../../rules/sample-fetch.ts';

/** C's atoi: leading blanks, a sign, the digits that follow; 0 without any. */
function atoi(text: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(text);
  return m === null ? 0 : Number.parseInt(m[1] as string, 10);
}

export function parseTcpCapture({ ctx, set, keyword, word, args, extra }: TcpActionParseInput): TcpRuleFields | undefined {
  const fail = (message: string): undefined => {
    ctx.error(`'${keyword}' : ${message}`, word, keyword);
    return undefined;
  };
  const proxy = ctx.proxy;
  if (proxy?.kind === 'backend') return fail(`proxy '${proxy.name}' has no frontend capability`);
  if (set !== 'content') {
    const where = keyword.slice(0, keyword.length - ' capture'.length);
    ctx.error(`'capture ${args[0]?.text ?? ''}' is not allowed in '${where}' rules in ${proxy?.kind ?? 'proxy'} '${proxy?.name ?? ''}'`, word, keyword);
    return undefined;
  }
  const expression = args[0]?.text ?? '';
  if (expression === '') return fail('missing fetch method');
  const compiled = compileSampleFetch(expression, { direction: 'request' });
  if (!compiled.ok) {
    return fail(compiled.unavailable === undefined ? compiled.message : `fetch method '${expression}' extracts information from '${compiled.unavailable}', none of which is available here`);
  }
  let used = 1;
  let len = 0;
  if (args[1]?.text === 'len') {
    len = atoi(args[2]?.text ?? '');
    if (len <= 0) return fail('length must be > 0');
    used = 3;
  }
  if (len === 0) return fail("a positive 'len' argument is mandatory");
  if (extra(used)) return undefined;
  const slots = proxy?.captures.request;
  const id = slots?.length ?? 0;
  slots?.push({ header: undefined, len });
  return { action: 'capture', expression, id, len };
}
