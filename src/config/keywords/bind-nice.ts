/**
 * `nice N` on `bind` and `stats socket` lines: HAProxy's scheduler priority for the tasks of the
 * listener's connections (listener.c's bind_parse_nice: atol(), then -1024..1024). Switchyard has
 * no task scheduler (each connection runs as its runtime's event loop calls it), so the value is
 * checked as HAProxy checks it and accepted with a notice saying it changes nothing.
 */

import type { KeywordList } from '../registry.ts';
import { atolInt32 } from './args.ts';

/** HAProxy's check: the value, or its message. */
export function parseNice(text: string): number | string {
  if (text === '') return "'nice' : missing value";
  const value = atolInt32(text);
  if (value < -1024 || value > 1024) return `'nice' : invalid value ${value}, allowed range is -1024..1024`;
  return value;
}

export const NICE_NOTICE = 'changes nothing in Switchyard, which has no task scheduler to prioritize connections or streams by (the runtime\'s event loop serves them in turn); ignored.';

export const bindNiceKeywords: KeywordList = {
  bindOptions: [
    {
      name: 'nice',
      arity: 1,
      parse(ctx, bind, value, option) {
        if (value === undefined) return;
        const parsed = parseNice(value.text);
        if (typeof parsed === 'string') ctx.error(`'bind ${bind.address}' in section '${ctx.section}' : ${parsed}`, value);
        else ctx.notice(`'bind ${bind.address}' in section '${ctx.section}' : 'nice ${value.text}' ${NICE_NOTICE}`, option);
      },
    },
  ],
};
