/**
 * `max-keep-alive-queue N` (HAProxy's proxy.c proxy_parse_max_ka_queue): with `option
 * prefer-last-server`, a keep-alive request goes back to its session's server only while that
 * server has a free slot or fewer than N sessions waiting in its queue; otherwise the balancer
 * chooses (src/proxy/backend.ts). -1 (the default) sets no limit; 0 never queues such a
 * request. Read with strtol(..., 0), as HAProxy: decimal, 0x hexadecimal or 0 octal.
 */

import type { KeywordList, SectionKeyword } from '../registry.ts';
import { PROXY_SECTIONS } from '../registry.ts';

/** strtol(text, &end, 0): the value (0 without digits) and what follows it (`rest`: '' when the whole text was read). */
function strtol(text: string): { value: number; rest: string } {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (m === null) return { value: 0, rest: text };
  const digits = m[2] as string;
  const base = /^0[xX]/.test(digits) ? 16 : digits.length > 1 && digits.startsWith('0') ? 8 : 10;
  const magnitude = parseInt(base === 16 ? digits.slice(2) : digits, base);
  return { value: m[1] === '-' ? -magnitude : magnitude, rest: text.slice(m[0].length) };
}

const maxKeepAliveQueue: SectionKeyword = {
  name: 'max-keep-alive-queue',
  sections: PROXY_SECTIONS,
  parse(ctx, args) {
    const text = args[1]?.text ?? '';
    if (text === '') {
      // HAProxy's own words ("expects expects").
      ctx.error("'max-keep-alive-queue' expects expects an integer value (or -1 to disable)");
      return;
    }
    const { value, rest } = strtol(text);
    if (rest !== '') {
      ctx.error(`'max-keep-alive-queue' : unexpected character '${rest[0]}' in integer value '${text}'`, args[1]);
      return;
    }
    const proxy = ctx.proxy;
    if (proxy === undefined) return;
    if (proxy.kind === 'frontend') {
      ctx.warning(`max-keep-alive-queue will be ignored because frontend '${proxy.name}' has no backend capability`);
    }
    proxy.maxKeepAliveQueue = value < 0 ? undefined : value;
  },
};

export const keepAliveQueueKeywords: KeywordList = { keywords: [maxKeepAliveQueue] };
