/**
 * `http-send-name-header NAME` (backends): the request sent to a server carries NAME with the
 * server's name, any such header of the client's removed (src/mux/server-name-header.ts).
 */
import type { KeywordList, SectionKeyword } from '../registry.ts';

const keywords: SectionKeyword[] = [
  {
    name: 'http-send-name-header',
    sections: ['defaults', 'frontend', 'backend', 'listen'],
    parse: (ctx, args) => {
      if (ctx.ignoredWithoutCapability('backend')) return;
      const name = args[1]?.text ?? '';
      if (name === '') return ctx.error("'http-send-name-header' requires a header string.");
      // HAProxy keeps the name lower-cased, and sends it so.
      if (ctx.proxy !== undefined) ctx.proxy.sendNameHeader = name.toLowerCase();
    },
  },
];

export const serverNameHeaderKeywords: KeywordList = { keywords };
