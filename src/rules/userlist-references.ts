/**
 * Which userlists the fetches compiled by a configuration line name (`http_auth(NAME)`,
 * `http_auth_group(NAME)`), wherever they sit: ACLs, anonymous ACLs, log-format values. HAProxy
 * resolves such arguments once every section is read (smp_resolve_args: a userlist may be
 * declared after its first use), so the config parser collects them per line and the resolver
 * reports the unknown ones at their line (compile-sink.ts).
 */

import { CompileSink } from './compile-sink.ts';

const references = new CompileSink<[fetch: string, userlist: string]>();

/** Called by the fetches taking a userlist argument when they are compiled. */
export function noteUserlistReference(fetch: string, userlist: string): void {
  references.note(fetch, userlist);
}

/** Runs `body`, handing every userlist reference compiled meanwhile to `into`. */
export function collectUserlistReferences<T>(body: () => T, into: (fetch: string, userlist: string) => void): T {
  return references.collect(body, into);
}
