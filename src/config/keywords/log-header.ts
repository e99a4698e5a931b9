/**
 * The syslog header's names: global `log-tag` and `log-send-hostname [NAME]`, a proxy's own
 * `log-tag` (inherited from defaults). The loggers write them (src/log/logger.ts).
 */
import type { KeywordList, SectionKeyword } from '../registry.ts';
import { noExtraArgs } from './args.ts';

const keywords: SectionKeyword[] = [
  {
    name: 'log-tag',
    sections: ['global'],
    parse: (ctx, args) => {
      if (!noExtraArgs(ctx, args, 2)) return;
      const tag = args[1]?.text ?? '';
      if (tag === '') return ctx.error("'log-tag' expects a tag for use in syslog.");
      ctx.global.logTag = tag;
    },
  },
  {
    // HAProxy takes no more than its first word here, and keeps extra words unread.
    name: 'log-tag',
    sections: ['defaults', 'frontend', 'backend', 'listen'],
    parse: (ctx, args) => {
      const tag = args[1]?.text ?? '';
      if (tag === '') return ctx.error("'log-tag' expects a tag for use in syslog.");
      if (ctx.proxy !== undefined) ctx.proxy.logTag = tag;
    },
  },
  {
    name: 'log-send-hostname',
    sections: ['global'],
    parse: (ctx, args) => {
      // HAProxy alerts on a second line, keeps the first one's name and still starts.
      if (ctx.global.logSendHostname !== undefined) return ctx.warning("'log-send-hostname' already specified. Continuing.");
      ctx.global.logSendHostname = args[1]?.text ?? '';
    },
  },
];

export const logHeaderKeywords: KeywordList = { keywords };
