/**
 * `filter NAME [ARGS]` (HAProxy's filters.c parse_filter): the response filters of a proxy, in
 * declaration order (src/stream/response-filter.ts). A filter kind registers its argument parser
 * in FILTER_KINDS; HAProxy's other filters (trace, spoe, bwlim-in/out) are refused.
 */
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { parseCacheFilter } from './cache.ts';
import { parseFcgiAppFilter } from './fcgi-app.ts';

/** Reads a filter's words after its name; returns an error message, or undefined when valid. */
export type FilterArgsParser = (ctx: KeywordContext, args: readonly Token[]) => string | undefined;

export const FILTER_KINDS = new Map<string, FilterArgsParser>([
  [
    'compression',
    (ctx, args) => {
      // HAProxy's parse_http_comp_flt.
      if (ctx.proxy?.filters?.some((f) => f.name === 'compression')) return `${ctx.proxy.name}: Proxy supports only one compression filter\n`;
      return args.length > 2 ? `'filter compression' : unknown keyword '${(args[2] as Token).text}'.` : undefined;
    },
  ],
  ['cache', parseCacheFilter],
  ['fcgi-app', parseFcgiAppFilter],
]);

/** HAProxy filters Switchyard does not have. */
const REFUSED = new Set(['trace', 'spoe', 'bwlim-in', 'bwlim-out']);

function parseFilter(ctx: KeywordContext, args: readonly Token[]): void {
  const proxy = ctx.proxy;
  if (proxy === undefined) return;
  if (ctx.section === 'defaults') {
    ctx.error(`parsing [${ctx.file}:${ctx.line}] : filter is not allowed in a 'default' section.`);
    return;
  }
  const name = args[1];
  if (name === undefined) {
    ctx.error(`parsing [${ctx.file}:${ctx.line}] : missing argument for 'filter' in ${ctx.section === 'listen' ? 'proxy' : ctx.section} '${proxy.name}'.`);
    return;
  }
  const parser = FILTER_KINDS.get(name.text);
  if (parser === undefined) {
    if (REFUSED.has(name.text)) ctx.error(`'filter' : the '${name.text}' filter is not supported by Switchyard.`, name);
    else ctx.error(`'filter' : unknown keyword '${name.text}'.`, name);
    return;
  }
  const message = parser(ctx, args);
  if (message !== undefined) {
    // HAProxy's parse_filter wraps the kind's message, unless it names the filter itself.
    ctx.error(message.startsWith("'filter") ? message : `'filter' : '${message}'`, name);
    return;
  }
  (proxy.filters ??= []).push({ name: name.text, place: ctx.place(args[0]) });
}

const keywords: SectionKeyword[] = [{ name: 'filter', sections: ['defaults', 'frontend', 'backend', 'listen'], parse: parseFilter }];

export const filterKeywords: KeywordList = { keywords };
