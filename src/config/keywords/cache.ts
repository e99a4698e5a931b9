/**
 * `cache NAME` sections (HAProxy 2.6's cfg_parse_cache, with its messages) and the proxies'
 * `filter cache NAME` (the explicit declaration of the cache filter). The sections become
 * CacheModels in config/caches.ts, which also checks the names rules and filters use.
 */
import type { CacheDraft } from '../draft.ts';
import type { KeywordContext, KeywordList, SectionHeader, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { atol } from './args.ts';

const SECTIONS = ['cache'] as const;
const UINT_MAX = 0xffffffff;

function current(ctx: KeywordContext): CacheDraft | undefined {
  return ctx.global.caches?.at(-1);
}

function tooManyArgs(ctx: KeywordContext, args: readonly Token[], max: number): boolean {
  const extra = args[max + 1];
  if (extra === undefined) return false;
  ctx.error(`'${(args[0] as Token).text}' cannot handle unexpected argument '${extra.text}'.`, extra);
  return true;
}

/** strtoul with HAProxy's checks: the whole word is decimal digits. */
function unsigned(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function openCache(ctx: KeywordContext, args: readonly Token[]): void {
  const header = args[0] as Token;
  const nameToken = args[1];
  if (nameToken === undefined || nameToken.text === '') {
    ctx.error("'cache' expects a <name> argument", header);
  } else {
    tooManyArgs(ctx, args, 1);
  }
  let name = nameToken?.text ?? '';
  if (name.length > 32) {
    name = name.slice(0, 32);
    ctx.warning(`cache name is limited to 32 characters, truncate to '${name}'.`, nameToken);
  }
  const caches = (ctx.global.caches ??= []);
  if (name !== '' && caches.some((c) => c.name === name)) ctx.error(`Duplicate cache name '${name}'.`, nameToken);
  caches.push({ name, place: ctx.place(header), totalMaxSize: 0, maxObjectSize: 0, maxAge: 60, processVary: false, maxSecondaryEntries: 10 });
}

function parseTotalMaxSize(ctx: KeywordContext, args: readonly Token[]): void {
  const cache = current(ctx);
  if (cache === undefined || tooManyArgs(ctx, args, 1)) return;
  const text = args[1]?.text ?? '';
  const size = unsigned(text);
  if (size === undefined) return ctx.error(`total-max-size wrong value '${text}'`, args[1]);
  if (size > UINT_MAX >>> 20) return ctx.error(`"total-max-size" (${text}) must not be greater than ${UINT_MAX >>> 20}`, args[1]);
  cache.totalMaxSize = size * 1024 * 1024;
}

function parseMaxAge(ctx: KeywordContext, args: readonly Token[]): void {
  const cache = current(ctx);
  if (cache === undefined || tooManyArgs(ctx, args, 1)) return;
  const text = args[1]?.text ?? '';
  if (text === '') ctx.warning("'max-age' expects an age parameter in seconds.");
  cache.maxAge = atol(text);
}

function parseMaxObjectSize(ctx: KeywordContext, args: readonly Token[]): void {
  const cache = current(ctx);
  if (cache === undefined || tooManyArgs(ctx, args, 1)) return;
  const text = args[1]?.text ?? '';
  const size = unsigned(text);
  if (size === undefined || size > UINT_MAX) return ctx.error(`max-object-size wrong value '${text}'`, args[1]);
  cache.maxObjectSize = size;
}

function parseProcessVary(ctx: KeywordContext, args: readonly Token[]): void {
  const cache = current(ctx);
  if (cache === undefined || tooManyArgs(ctx, args, 1)) return;
  const text = args[1]?.text ?? '';
  if (text === 'on') cache.processVary = true;
  else if (text === 'off') cache.processVary = false;
  else ctx.warning(`'process-vary' expects "on" or "off" (enable or disable vary processing).`, args[1]);
}

function parseMaxSecondaryEntries(ctx: KeywordContext, args: readonly Token[]): void {
  const cache = current(ctx);
  if (cache === undefined || tooManyArgs(ctx, args, 1)) return;
  const text = args[1]?.text ?? '';
  const n = unsigned(text);
  if (n === undefined || n === 0 || n > UINT_MAX) return ctx.error(`max-secondary-entries wrong value '${text}'`, args[1]);
  cache.maxSecondaryEntries = n;
}

/** Records a cache name a proxy uses, checked against the sections once all are read. */
export function referenceCache(ctx: KeywordContext, name: string, keyword: string, token?: Token): void {
  const proxy = ctx.proxy;
  (ctx.global.cacheReferences ??= []).push({ name, proxy: proxy?.name ?? '', proxyKind: proxy?.kind ?? 'proxy', place: ctx.place(token), keyword });
}

/** `filter cache NAME` (HAProxy's parse_cache_flt), a kind of src/config/keywords/filter.ts. */
export function parseCacheFilter(ctx: KeywordContext, args: readonly Token[]): string | undefined {
  const name = args[2];
  if (name === undefined || name.text === '') return 'cache : expects a <name> argument';
  if (args[3] !== undefined) return `'filter cache' : unknown keyword '${args[3].text}'.`;
  const proxy = ctx.proxy;
  if (proxy === undefined) return undefined;
  const declared = ctx.global.cacheReferences?.some((r) => r.keyword === 'filter' && r.name === name.text && r.proxy === proxy.name && r.place.file === ctx.file);
  if (declared === true) return `${proxy.name}: multiple explicit declarations of the cache filter '${name.text}'`;
  referenceCache(ctx, name.text, 'filter', name);
  return undefined;
}

const cacheSection: SectionHeader = { name: 'cache', open: openCache };

const keywords: SectionKeyword[] = [
  { name: 'total-max-size', sections: SECTIONS, parse: parseTotalMaxSize },
  { name: 'max-age', sections: SECTIONS, parse: parseMaxAge },
  { name: 'max-object-size', sections: SECTIONS, parse: parseMaxObjectSize },
  { name: 'process-vary', sections: SECTIONS, parse: parseProcessVary },
  { name: 'max-secondary-entries', sections: SECTIONS, parse: parseMaxSecondaryEntries },
];

export const cacheKeywords: KeywordList = { sections: [cacheSection], keywords };
