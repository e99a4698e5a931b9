/**
 * Name resolution through node:dns `lookup`, which calls the C library's getaddrinfo on Node and
 * on Deno (its node:dns is op_getaddrinfo): /etc/hosts and nsswitch apply, as for HAProxy's
 * `libc` init-addr method. Deno.resolveDns would only ask DNS servers.
 */
import { nodeDns } from './node-builtins.ts';

export async function lookupNode(host: string, family?: 4 | 6): Promise<string[]> {
  // `verbatim`: the resolver's own order (RFC 6724 via gai.conf), which HAProxy takes the first of.
  const found = await nodeDns().promises.lookup(host, { all: true, family: family ?? 0, order: 'verbatim' });
  if (found.length === 0) throw new Error(`${host}: no address`);
  return found.map((entry) => entry.address);
}
