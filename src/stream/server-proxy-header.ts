/**
 * The PROXY header a server with `send-proxy` / `send-proxy-v2` receives first on every new
 * connection (HAProxy's make_proxy_line with the stream's front connection): the client's
 * addresses as the proxy sees them (a received PROXY header's, or a `set-src` rule's), and for
 * v2 the TLVs its `proxy-v2-options` ask for.
 */
import { proxyHeaderV2, proxyLineV1, type ProxyHeaderSource } from '../proxy/proxy-protocol.ts';
import type { Server } from '../proxy/server.ts';
import type { ConnectionInfo } from '../proxy/connection-info.ts';

/** What the header is made of: the session's connection and its stream's unique id. */
export interface ProxyHeaderStream {
  readonly connection?: ConnectionInfo | undefined;
  /** The stream's addresses when rules (`http-request set-src`...) moved them from the connection's. */
  readonly streamAddresses?: ProxyHeaderSource | undefined;
  /** `unique-id-format`, generated on first read (v2 `unique-id` option). */
  readonly uniqueId?: string | undefined;
}

export function serverProxyHeader(server: Server, stream: ProxyHeaderStream): Uint8Array | undefined {
  const pp = server.sendProxy;
  if (pp === undefined) return undefined;
  const connection = stream.connection;
  const addresses = stream.streamAddresses ?? connection;
  if (pp.version === 1) return proxyLineV1(addresses);
  const tls = connection?.tls;
  return proxyHeaderV2(addresses, pp, {
    alpn: tls?.alpn,
    // HAProxy sends the received authority, else the client's SNI.
    authority: pp.authority === true ? (connection?.ppAuthority ?? tls?.sni) : undefined,
    // HAProxy sends an empty one when the frontend has no unique-id-format.
    uniqueId: pp.uniqueId === true ? (stream.uniqueId ?? '') : undefined,
    tls: tls === undefined ? undefined : { version: tls.protocol, cipher: tls.cipher },
  });
}
