/**
 * `tune.bufsize N` and `tune.maxrewrite N` (global): the buffer geometry of src/http/buffer-sizes.ts,
 * parsed as HAProxy 2.6's cfgparse-global.c does (bufsize rounded up to 16 bytes, the
 * two-pointer alignment of a 64-bit build; atol() semantics: leading digits, else 0).
 */
import type { Token } from '../tokenizer.ts';
import { noExtraArgs, atol } from './args.ts';
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';

const GLOBAL = ['global'] as const;


function sized(field: 'bufsize' | 'maxrewrite') {
  return (ctx: KeywordContext, args: readonly Token[]): void => {
    const keyword = args[0]?.text ?? '';
    if (!noExtraArgs(ctx, args, 2)) return;
    const arg = args[1];
    if (arg === undefined || arg.text === '') {
      ctx.error(`'${keyword}' expects an integer argument.`, args[0]);
      return;
    }
    let value = atol(arg.text);
    if (field === 'bufsize') value = value <= 0 ? value : Math.ceil(value / 16) * 16;
    if (field === 'bufsize' ? value <= 0 : value < 0) {
      ctx.error(`'${keyword}' expects a positive integer argument.`, arg);
      return;
    }
    ctx.global.tune[field] = value;
  };
}

const keywords: SectionKeyword[] = [
  { name: 'tune.bufsize', sections: GLOBAL, parse: sized('bufsize') },
  { name: 'tune.maxrewrite', sections: GLOBAL, parse: sized('maxrewrite') },
];

export const tuneBufferKeywords: KeywordList = { keywords };
