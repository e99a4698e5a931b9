/**
 * Fetches on what the client connection's PROXY header carried (HAProxy's connection.c):
 * `fc_pp_authority` (PP2_TYPE_AUTHORITY) and `fc_pp_unique_id` (PP2_TYPE_UNIQUE_ID).
 * Registered into the fetch table by sample-fetch.ts.
 */
import type { MiscFetch } from './fetches-misc.ts';
import type { FetchBody } from './sample-fetch.ts';

const NONE = { min: 0, types: [] } as const;

function connectionString(read: (ctx: Parameters<FetchBody['sample']>[0]) => string | undefined): MiscFetch {
  const body: FetchBody = {
    scope: 'connection',
    type: 'str',
    source: 'L4 client session',
    sample(ctx, out) {
      const value = read(ctx);
      return value === undefined ? false : out.setStr(value);
    },
  };
  return { args: NONE, compile: () => body };
}

export const CONNECTION_FETCHES: ReadonlyMap<string, MiscFetch> = new Map<string, MiscFetch>([
  ['fc_pp_authority', connectionString((ctx) => ctx.connection?.ppAuthority)],
  ['fc_pp_unique_id', connectionString((ctx) => ctx.connection?.ppUniqueId)],
]);
