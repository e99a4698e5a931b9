/**
 * Which requests the stats page takes and what their URI asks for (HAProxy's
 * http_stats_check_uri and http_handle_stats): GET, HEAD and POST whose path (or whole target,
 * when the prefix does not start with '/') starts with `stats uri`; the flags `;csv`, `;json`,
 * `;typed`, `;up`, `;no-maint`, `;norefresh`, `;st=XXXX` and `scope=NAME` anywhere after it.
 */
import type { StatsPageModel } from '../../config/stats-page-model.ts';

export type StatsFormat = 'html' | 'csv' | 'json' | 'typed' | 'json-schema';

export interface StatsQuery {
  readonly format: StatsFormat;
  readonly hideDown: boolean;
  readonly hideMaint: boolean;
  readonly noRefresh: boolean;
  /** `;st=XXXX`: the outcome of an admin POST shown on the page. */
  readonly status: string | undefined;
  /** `scope=NAME` (the search box), '' when none. */
  readonly scope: string;
}

/** The path of a request target: up to '?' (absolute-form targets lose their scheme and authority). */
function pathOf(target: string): string {
  let path = target;
  if (!path.startsWith('/')) {
    const scheme = path.indexOf('://');
    if (scheme > 0) {
      const slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? '' : path.slice(slash);
    }
  }
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

export function matchesStatsUri(stats: StatsPageModel, method: string, target: string): boolean {
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return false;
  const subject = stats.uri.startsWith('/') ? pathOf(target) : target;
  return subject.startsWith(stats.uri);
}

/** HAProxy's STAT_SCOPE_TXT_MAXLEN. */
const SCOPE_MAX = 20;

/** The flags after the prefix (HAProxy searches the rest of the URI for each word). */
export function parseStatsQuery(stats: StatsPageModel, target: string): StatsQuery {
  const at = target.indexOf(stats.uri);
  const rest = at < 0 ? '' : target.slice(at + stats.uri.length);
  let format: StatsFormat = 'html';
  if (rest.includes(';csv')) format = 'csv';
  if (rest.includes(';typed')) format = 'typed';
  if (rest.includes(';json')) format = 'json';
  if (rest.includes(';json-schema')) format = 'json-schema';
  let status: string | undefined;
  const st = rest.indexOf(';st=');
  if (st >= 0 && rest.length - st >= 8) status = rest.slice(st + 4, st + 8);
  let scope = '';
  const sc = rest.indexOf('scope=');
  if (sc >= 0) {
    let end = sc + 6;
    while (end < rest.length && rest[end] !== ';' && rest[end] !== '&' && rest[end] !== ' ') end++;
    scope = rest.slice(sc + 6, Math.min(end, sc + 6 + SCOPE_MAX));
    // HAProxy's invalid_char(): a scope with characters outside a proxy name's is ignored.
    if (!/^[A-Za-z0-9_.:-]*$/.test(scope)) scope = '';
  }
  return {
    format,
    hideDown: rest.includes(';up'),
    hideMaint: rest.includes(';no-maint'),
    noRefresh: stats.refresh > 0 && rest.includes(';norefresh'),
    status,
    scope,
  };
}
