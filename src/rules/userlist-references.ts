/**
 * Which userlists the fetches compiled by a configuration line name (`http_auth(NAME)`,
 * `http_auth_group(NAME)`), wherever they sit: ACLs, anonymous ACLs, log-format values. HAProxy
 * resolves such arguments once every section is read (smp_resolve_args: a userlist may be
 * declared after its first use), so the config parser collects them per line and the resolver
 * reports the unknown ones at their line. Fetch compilation is synchronous, so one sink installed
 * around a line's handler sees exactly that line's references.
 */

type Sink = (fetch: string, userlist: string) => void;

let sink: Sink | undefined;

/** Called by the fetches taking a userlist argument when they are compiled. */
export function noteUserlistReference(fetch: string, userlist: string): void {
  sink?.(fetch, userlist);
}

/** Runs `body`, handing every userlist reference compiled meanwhile to `into`. */
export function collectUserlistReferences<T>(body: () => T, into: Sink): T {
  const previous = sink;
  sink = into;
  try {
    return body();
  } finally {
    sink = previous;
  }
}
