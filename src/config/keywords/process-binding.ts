/**
 * What HAProxy 2.6 kept of its multi-process binding after `nbproc` went away: `bind-process`
 * in proxies, `process` on `bind` lines and `stats bind-process`. HAProxy checks their process
 * numbers (only process 1 exists) and ignores them, with a deprecation warning for the first
 * two; Switchyard does the same, so configurations written for HAProxy 1.x-2.4 still load.
 * `process P/T` (a thread set) is refused with `thread`, which Switchyard does not support.
 */

import type { BindOption, KeywordList, SectionKeyword } from '../registry.ts';
import { PROXY_SECTIONS } from '../registry.ts';

/** HAProxy's parse_process_number with one process: undefined when valid, else its message. */
export function processNumberError(arg: string, max = 1): string | undefined {
  if (arg === 'all' || arg === 'odd' || arg === 'even') return undefined;
  if (!/^[0-9]*-?[0-9]*$/.test(arg)) return `'${arg}' is not a valid number/range.`;
  const dash = arg.indexOf('-');
  // str2uic: the leading digits, 0 when there are none.
  const number = (text: string): number => Number(/^[0-9]*/.exec(text)?.[0] || '0');
  let low = number(arg);
  let high = dash < 0 ? low : dash === arg.length - 1 ? max : number(arg.slice(dash + 1));
  if (high < low) [low, high] = [high, low];
  if (low < 1 || low > max || high > max) return `'${arg}' is not a valid number/range. It supports numbers from 1 to ${max}.`;
  return undefined;
}

const bindProcess: SectionKeyword = {
  name: 'bind-process',
  sections: PROXY_SECTIONS,
  parse(ctx, args) {
    for (const arg of args.slice(1)) {
      if (arg.text === 'all') break;
      const error = processNumberError(arg.text);
      if (error !== undefined) {
        ctx.error(`bind-process : ${error}`, arg);
        return;
      }
    }
    ctx.warning("'bind-process' has no effect, is deprecated, and will be removed in version 2.7.");
  },
};

const processOption: BindOption = {
  name: 'process',
  arity: 1,
  parse(ctx, bind, value, option) {
    if (value === undefined) return;
    const slash = value.text.indexOf('/');
    const proc = slash < 0 ? value.text : value.text.slice(0, slash);
    const error = processNumberError(proc);
    if (error !== undefined) {
      ctx.error(`'bind ${bind.address}' in section '${ctx.section}' : 'process' : ${error}`, value);
      return;
    }
    if (slash >= 0) {
      ctx.error(`'bind ${bind.address}' : 'process ${value.text}' binds a thread set, as 'thread' does, which Switchyard does not support (its threads all share every listener).`, value);
      return;
    }
    ctx.warning(`'bind ${bind.address}' in section '${ctx.section}' : 'process ${value.text}' on 'bind' lines is deprecated and will be removed in 2.7.`, option);
  },
};

export const processBindingKeywords: KeywordList = { keywords: [bindProcess], bindOptions: [processOption] };
