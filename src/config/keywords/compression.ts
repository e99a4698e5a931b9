/**
 * `compression algo|type|offload` (HAProxy's flt_http_comp.c parse_compression_options): the
 * response compression of a proxy. As HAProxy's lists, every word is put first (the last
 * declared comes first); a proxy starts from its defaults' algorithms and types, never from
 * their `offload`. The filter itself is src/http/compression/.
 */
import type { CompressionAlgo } from '../model.ts';
import type { Place } from '../draft.ts';
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';

export interface CompressionDraft {
  algos: CompressionAlgo[];
  types: string[];
  offload: boolean;
  /** Where compression was first configured (for the filter checks). */
  place: Place;
}

const ALGOS: readonly CompressionAlgo[] = ['identity', 'deflate', 'raw-deflate', 'gzip'];

function parseCompression(ctx: KeywordContext, args: readonly Token[]): void {
  const proxy = ctx.proxy;
  if (proxy === undefined) return;
  const word = args[1];
  const comp = (proxy.compression ??= { algos: [], types: [], offload: false, place: ctx.place() });
  if (word?.text === 'algo') {
    if (args.length < 3) {
      ctx.error(`parsing [${ctx.file}:${ctx.line}] : 'compression' expects <algorithm>.`);
      return;
    }
    for (const token of args.slice(2)) {
      const algo = ALGOS.find((a) => a === token.text);
      if (algo === undefined) {
        ctx.error(`'compression' : '${token.text}' is not a supported algorithm.`, token);
        return;
      }
      comp.algos.unshift(algo);
    }
  } else if (word?.text === 'offload') {
    if (ctx.section === 'defaults') {
      ctx.warning("'compression' : 'offload' ignored in 'defaults' section.", word);
      return;
    }
    comp.offload = true;
  } else if (word?.text === 'type') {
    if (args.length < 3) {
      ctx.error("'compression' expects <type>.");
      return;
    }
    for (const token of args.slice(2)) comp.types.unshift(token.text);
  } else {
    ctx.error("'compression' expects 'algo', 'type' or 'offload'", word);
  }
}

const keywords: SectionKeyword[] = [{ name: 'compression', sections: ['defaults', 'frontend', 'backend', 'listen'], parse: parseCompression }];

export const compressionKeywords: KeywordList = { keywords };
