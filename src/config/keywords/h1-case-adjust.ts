/**
 * Header name case on HTTP/1 output (mux_h1.c in HAProxy): the global `h1-case-adjust FROM TO`
 * and `h1-case-adjust-file FILE` fill one map, and `option h1-case-adjust-bogus-client` (a
 * frontend's responses) / `option h1-case-adjust-bogus-server` (a backend's requests) apply it
 * (src/mux/h1-header-case.ts). The file is read once the configuration is parsed
 * (src/config/h1-case-adjust-file.ts), as HAProxy's post-parser does.
 */

import type { HeaderCasePair } from '../model.ts';
import type { KeywordList } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { noExtraArgs } from './args.ts';
import { flag } from './options.ts';

/** strcasecmp() on the bytes of two configuration words. */
function sameIgnoringCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}

/**
 * Adds one entry to the map, or returns HAProxy's error (add_hdr_case_adjust): an empty <to>,
 * a <to> differing from <from> otherwise than in case, a <from> already there (compared
 * exactly: `a A` and `A a` are two entries).
 */
export function addHeaderCasePair(pairs: HeaderCasePair[], from: string, to: string): string | undefined {
  if (to.length === 0) return 'expect <to>';
  // HAProxy's message, its spelling included.
  if (!sameIgnoringCase(from, to)) return '<from> and <to> must not differ execpt the case';
  if (pairs.some((pair) => pair.from === from)) return `duplicate entry '${from}'`;
  pairs.push({ from, to });
  return undefined;
}

export const h1CaseAdjustKeywords: KeywordList = {
  keywords: [
    {
      name: 'h1-case-adjust',
      sections: ['global'],
      parse(ctx, args) {
        if (!noExtraArgs(ctx, args, 3)) return;
        const from = args[1]?.text ?? '';
        const to = args[2]?.text ?? '';
        if (from === '' || to === '') {
          ctx.error("'h1-case-adjust' expects <from> and <to> as argument.");
          return;
        }
        const error = addHeaderCasePair((ctx.global.h1CaseAdjust ??= []), from, to);
        if (error !== undefined) ctx.error(error, args[1]);
      },
    },
    {
      name: 'h1-case-adjust-file',
      sections: ['global'],
      parse(ctx, args) {
        if (!noExtraArgs(ctx, args, 2)) return;
        const path = args[1] as Token | undefined;
        if (path === undefined || path.text === '') {
          ctx.error("'h1-case-adjust-file' expects <file> as argument.");
          return;
        }
        // A later one replaces an earlier one, which is never read.
        ctx.global.h1CaseAdjustFile = { path: path.text, place: ctx.place(path) };
      },
    },
  ],
  options: [
    flag('h1-case-adjust-bogus-client', 'h1CaseAdjustBogusClient', 'frontend'),
    flag('h1-case-adjust-bogus-server', 'h1CaseAdjustBogusServer', 'backend'),
  ],
};
