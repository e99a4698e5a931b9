/**
 * `cache` sections from draft to model, with HAProxy 2.6's checks once a section ends
 * (cfg_post_parse_section_cache) and once every proxy is read (the cache filter's check):
 * a size is required, `max-object-size` defaults to a 256th of the total and may not exceed
 * half of it, and every cache a rule or filter names must exist.
 */
import type { DiagnosticList } from './errors.ts';
import type { GlobalDraft } from './draft.ts';
import type { CacheModel } from './model.ts';

export function resolveCaches(global: GlobalDraft, diagnostics: DiagnosticList): CacheModel[] {
  const caches: CacheModel[] = [];
  for (const draft of global.caches ?? []) {
    const { place } = draft;
    const at = { file: place.file, line: place.line, column: place.column, keyword: 'cache' };
    if (draft.totalMaxSize <= 0) {
      diagnostics.error({ ...at, message: `Size not specified for cache '${draft.name}'` });
      continue;
    }
    let maxObjectSize = draft.maxObjectSize;
    if (maxObjectSize === 0) {
      maxObjectSize = Math.floor(draft.totalMaxSize / 256);
    } else if (maxObjectSize > draft.totalMaxSize / 2) {
      diagnostics.error({ ...at, message: `"max-object-size" is limited to an half of "total-max-size" => ${draft.totalMaxSize / 2}` });
      continue;
    }
    caches.push({
      name: draft.name,
      totalMaxSize: draft.totalMaxSize,
      maxObjectSize,
      maxAge: draft.maxAge,
      processVary: draft.processVary,
      maxSecondaryEntries: draft.maxSecondaryEntries,
      source: { file: place.file, line: place.line },
    });
  }
  const names = new Set((global.caches ?? []).map((c) => c.name));
  for (const ref of global.cacheReferences ?? []) {
    if (names.has(ref.name)) continue;
    const { place } = ref;
    diagnostics.error({
      file: place.file,
      line: place.line,
      column: place.column,
      keyword: ref.keyword,
      message: `config: ${ref.proxyKind} '${ref.proxy}': unable to find the cache '${ref.name}' referenced by the filter 'cache'.`,
    });
  }
  return caches;
}
