/**
 * What HAProxy 2.6 kept of its multi-process binding after `nbproc` went away: `bind-process`
 * in proxies, `process` on `bind` lines and `stats bind-process`. HAProxy checks their process
 * numbers (only process 1 exists) and ignores them, with a deprecation warning for the first
 * two; Switchyard does the same, so configurations written for HAProxy 1.x-2.4 still load.
 * `process 1/T` also restricts the bind to the threads T, as `thread T` (bind-threads.ts) does.
 */

import type { BindOption, KeywordList, SectionKeyword } from '../registry.ts';
import { PROXY_SECTIONS } from '../registry.ts';
import { MAX_THREAD_NUMBER, processNumberError, threadMask } from './process-numbers.ts';

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
    let warning = `'bind ${bind.address}' in section '${ctx.section}' : 'process ${value.text}' on 'bind' lines is deprecated and will be removed in 2.7.`;
    if (slash >= 0) {
      const threads = value.text.slice(slash + 1);
      const threadError = processNumberError(threads, MAX_THREAD_NUMBER);
      if (threadError !== undefined) {
        ctx.error(`'bind ${bind.address}' in section '${ctx.section}' : 'process' : ${threadError}`, value);
        return;
      }
      // bind_parse_process adds the threads to the line's set, whatever group it names.
      bind.threadSet = { group: bind.threadSet?.group ?? 0, mask: (bind.threadSet?.mask ?? 0n) | threadMask(threads) };
      warning += ` Please use 'thread ${threads}' instead.`;
    }
    ctx.warning(warning, option);
  },
};

export const processBindingKeywords: KeywordList = { keywords: [bindProcess], bindOptions: [processOption] };
