/**
 * `nice N` on `bind` and `stats socket` lines: HAProxy's scheduler priority for the tasks of the
 * listener's connections (listener.c's bind_parse_nice: atol(), then -1024..1024). Switchyard has
 * no task scheduler (each connection runs as its runtime's event loop calls it), so the value is
 * checked as HAProxy checks it and accepted with a notice saying it changes nothing.
 */

import type { KeywordList } from '../registry.ts';

/** atol() as glibc computes it on a 64-bit long, then stored in an int (its low 32 bits). */
export function niceValue(text: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?)([0-9]+)/.exec(text);
  if (m === null) return 0;
  let value = BigInt(m[2] as string);
  if (m[1] === '-') value = -value;
  const max = (1n << 63n) - 1n;
  if (value > max) value = max;
  if (value < -max - 1n) value = -max - 1n;
  return Number(BigInt.asIntN(32, value));
}

/** HAProxy's check: the value, or its message. */
export function parseNice(text: string): number | string {
  if (text === '') return "'nice' : missing value";
  const value = niceValue(text);
  if (value < -1024 || value > 1024) return `'nice' : invalid value ${value}, allowed range is -1024..1024`;
  return value;
}

export const NICE_NOTICE = 'changes nothing in Switchyard, which has no task scheduler to prioritize the connections of a listener (the runtime\'s event loop serves them in turn); ignored.';

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
