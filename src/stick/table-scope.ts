/**
 * The proxy whose rules are being compiled: a `src_*` fetch, `table_cnt` or `track-scN` without
 * `table NAME` uses that proxy's own stick table (HAProxy resolves an omitted table argument to
 * the current proxy). Compilation is synchronous, so the name reaches the compilers through a
 * scope set around it (as pattern files do, see rules/pattern-files.ts).
 */

let current: string | undefined;

/** Runs `compile` with `proxy` as the owner of the default stick table. */
export function withStickTableScope<T>(proxy: string | undefined, compile: () => T): T {
  const previous = current;
  current = proxy;
  try {
    return compile();
  } finally {
    current = previous;
  }
}

/** The table a fetch names (`name`), or the current proxy's when it names none. */
export function defaultStickTable(name: string | undefined): string | undefined {
  return name === undefined || name === '' ? current : name;
}
