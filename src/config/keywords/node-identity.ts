/**
 * How the process names itself (global `node`, `description`): `show info`'s node and
 * description fields and the stats page's header (`stats show-node`, `stats show-desc`).
 */
import type { KeywordList, SectionKeyword } from '../registry.ts';
import { noExtraArgs } from './args.ts';

/** HAProxy's node name check: letters, digits, `_`, `-`, `.`, at least one. */
const NODE_NAME = /^[A-Za-z0-9_.-]+$/;

const keywords: SectionKeyword[] = [
  {
    name: 'node',
    sections: ['global'],
    parse: (ctx, args) => {
      if (!noExtraArgs(ctx, args, 2)) return;
      const name = args[1]?.text ?? '';
      if (!NODE_NAME.test(name)) {
        return ctx.error("'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).");
      }
      ctx.global.node = name;
    },
  },
  {
    name: 'description',
    sections: ['global'],
    parse: (ctx, args) => {
      // HAProxy joins the words with one space each (so quoting keeps inner spaces).
      if (args[1] === undefined || args[1].text === '') return ctx.error("'description' expects a string argument.");
      ctx.global.description = args.slice(1).map((t) => t.text).join(' ');
    },
  },
];

export const nodeIdentityKeywords: KeywordList = { keywords };
