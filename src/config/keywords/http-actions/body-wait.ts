/** Parser of `http-request|http-response wait-for-body time TIME [at-least BYTES]` (HAProxy 2.6's parse_http_wait_for_body). */
import { parseDuration } from '../../time.ts';
import { parseSize } from '../args.ts';
import type { ActionParseInput, HttpActionParser, RuleFields } from './types.ts';

function fail({ ctx, keyword, word }: ActionParseInput, message: string): undefined {
  ctx.error(`error detected in ${ctx.proxy?.kind ?? 'proxy'} '${ctx.proxy?.name ?? ''}' while parsing '${keyword}' rule : ${message}.`, word, keyword);
  return undefined;
}

function waitForBody(input: ActionParseInput): RuleFields | undefined {
  const { args } = input;
  if (args.length === 0) return fail(input, 'expects time <time> [ at-least <bytes> ]');
  let time: number | undefined;
  let atLeast = 0;
  let i = 0;
  for (; i < args.length; i += 2) {
    const word = (args[i] as { text: string }).text;
    if (word !== 'time' && word !== 'at-least') break;
    const value = args[i + 1]?.text;
    if (value === undefined || value === '') return fail(input, `missing argument for '${word}'`);
    if (word === 'time') {
      const parsed = parseDuration(value);
      if (!parsed.ok) {
        if (/overflow/.test(parsed.message)) return fail(input, 'time overflow (maximum value is 2147483647 ms or ~24.8 days)');
        const bad = /^\d*(.)/.exec(value)?.[1] ?? value[0];
        return fail(input, `unexpected character '${bad}'`);
      }
      time = parsed.ms;
    } else {
      const size = parseSize(value);
      if (size === undefined) return fail(input, `unexpected character '${/^\d*(.)/.exec(value)?.[1] ?? value[0]}'`);
      atLeast = size;
    }
  }
  if (time === undefined) return fail(input, 'expects time <time> [ at-least <bytes> ]');
  if (input.extra(i)) return undefined;
  return { action: 'wait-for-body', time, atLeast };
}

export const bodyWaitActionParsers: readonly HttpActionParser[] = [{ name: 'wait-for-body', sets: ['request', 'response'], parse: waitForBody }];
