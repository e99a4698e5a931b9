/**
 * Fetches on the client connection's record: what its PROXY header carried (HAProxy's
 * connection.c): `fc_pp_authority` (PP2_TYPE_AUTHORITY) and `fc_pp_unique_id`
 * (PP2_TYPE_UNIQUE_ID); whether the HTTP transaction is the connection's first
 * (`http_first_req`, http_fetch.c); the connection's own addresses `fc_src`, `fc_src_port`,
 * `fc_dst`, `fc_dst_port` (those of the connection, not the session's or stream's that
 * `set-src` / `set-dst` may have moved). Registered into the fetch table by sample-fetch.ts.
 */
import type { ConnectionInfo } from '../proxy/connection-info.ts';
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

/**
 * `http_first_req`: true on a connection's first HTTP request (HAProxy's !TX_NOT_FIRST).
 * HAProxy declares it SMP_USE_HRQHP, valid from the request to the log line, response rules
 * included: here a fact of the connection record, which the HTTP mux keeps.
 */
const HTTP_FIRST_REQ: FetchBody = {
  scope: 'connection',
  type: 'bool',
  source: 'HTTP request',
  sample(ctx, out) {
    const connection = ctx.connection;
    return connection === undefined ? false : out.setBool(!connection.notFirstTransaction);
  },
};

const L4 = 'L4 client session';

function connectionAddress(read: (c: ConnectionInfo) => string): MiscFetch {
  const body: FetchBody = {
    scope: 'connection',
    type: 'ip',
    source: L4,
    sample(ctx, out) {
      const c = ctx.connection;
      return c === undefined ? (ctx.clientAddress === undefined ? false : out.setIp(ctx.clientAddress)) : out.setIp(read(c));
    },
  };
  return { args: NONE, compile: () => body };
}

function connectionPort(read: (c: ConnectionInfo) => number): MiscFetch {
  const body: FetchBody = {
    scope: 'connection',
    type: 'int',
    source: L4,
    sample(ctx, out) {
      const c = ctx.connection;
      return c === undefined ? false : out.setInt(read(c));
    },
  };
  return { args: NONE, compile: () => body };
}

export const CONNECTION_FETCHES: ReadonlyMap<string, MiscFetch> = new Map<string, MiscFetch>([
  ['fc_pp_authority', connectionString((ctx) => ctx.connection?.ppAuthority)],
  ['fc_pp_unique_id', connectionString((ctx) => ctx.connection?.ppUniqueId)],
  ['http_first_req', { args: NONE, compile: () => HTTP_FIRST_REQ }],
  ['fc_src', connectionAddress((c) => c.connectionClientAddress)],
  ['fc_dst', connectionAddress((c) => c.connectionLocalAddress)],
  ['fc_src_port', connectionPort((c) => c.connectionClientPort)],
  ['fc_dst_port', connectionPort((c) => c.connectionLocalPort)],
]);
