/**
 * Global `default-path current|config|parent|origin <path>` (HAProxy's
 * cfg_parse_global_def_path): where relative file names are read from, from the next line on.
 */
import { DEFAULT_PATH_MODES, type DefaultPathMode } from '../default-path.ts';
import type { KeywordList, SectionKeyword } from '../registry.ts';

function isMode(word: string): word is DefaultPathMode {
  return (DEFAULT_PATH_MODES as readonly string[]).includes(word);
}

const keywords: SectionKeyword[] = [
  {
    name: 'default-path',
    sections: ['global'],
    parse: (ctx, args) => {
      const keyword = args[0]?.text ?? 'default-path';
      const mode = args[1]?.text ?? '';
      if (!isMode(mode)) {
        return ctx.error(
          `${mode === '' ? 'missing' : 'unsupported'} default-path mode '${mode}' for '${keyword}', supported modes include 'current', 'config', 'parent', and 'origin'.`,
          args[1],
        );
      }
      // HAProxy reads no further word (extra ones are ignored there too, without a warning).
      const origin = args[2]?.text ?? '';
      if (mode === 'origin' && origin === '') return ctx.error(`'${keyword} ${mode}' expects a directory as an argument.`);
      if (mode === 'origin') (ctx.global.defaultPathOrigins ??= []).push({ path: origin, place: ctx.place(args[2]) });
      ctx.setDefaultPath(mode, origin);
    },
  },
];

export const defaultPathKeywords: KeywordList = { keywords };
