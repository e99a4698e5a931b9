/**
 * Where a server connection goes and what makes it unfit for another stream (HAProxy 2.6's
 * connect_server: alloc_dst_address, and the conn_hash_params hashed into every connection
 * beyond its target). A pooled or private idle connection is reused only by a stream whose key
 * is the same: same SNI, same destination when a server takes it from the stream (no address,
 * or mapped ports), same PROXY header. As in HAProxy, a dispatch or transparent target hashes no
 * destination: a session's private connection serves its later requests wherever `set-dst`
 * points them.
 */
import { latin1String } from '../http/codec/chars.ts';
import type { Server } from '../proxy/server.ts';
import type { LbRequest } from '../balance/balancer.ts';
import type { SampleContext } from '../rules/sample-context.ts';
import { serverProxyHeader, type ProxyHeaderStream } from './server-proxy-header.ts';
import { serverName } from './server-tls.ts';
import { isWebsocketRequest, websocketSetApart } from '../mux/websocket-protocol.ts';

/** What the destination and the key are computed from: the stream (its destination after `set-dst*`). */
export type DestinationStream = (LbRequest | SampleContext) & ProxyHeaderStream & { readonly localAddress?: string | undefined; readonly localPort?: number | undefined };

/** The address a connection to `server` dials for this stream. */
export function serverDestination(server: Server, stream: DestinationStream): { host: string; port: number; path?: string } {
  if (server.unix) return { host: server.host, port: 0, path: server.host };
  if (server.direct === 'transparent') return { host: stream.localAddress ?? server.host, port: stream.localPort ?? 0 };
  // A server without address takes the client's destination address; mapped ports its port plus the offset.
  const host = server.direct === undefined && ANY_ADDRESS.has(server.host) ? (stream.localAddress ?? server.host) : server.host;
  return { host, port: server.mapPorts ? (stream.localPort ?? 0) + server.port : server.port };
}

const ANY_ADDRESS: ReadonlySet<string> = new Set(['0.0.0.0', '::']);

/** The connection's reuse key for this stream; '' when nothing but the server tells connections apart. */
export function connectionKey(server: Server, stream: DestinationStream): string {
  let key = '';
  if (server.ssl?.sni !== undefined) key += `sni=${serverName(server, stream) ?? ''};`;
  if (server.mapPorts || (server.direct === undefined && ANY_ADDRESS.has(server.host))) {
    const to = serverDestination(server, stream);
    key += `dst=${to.host}:${to.port};`;
  }
  if (server.sendProxy !== undefined) {
    const header = serverProxyHeader(server, stream);
    if (header !== undefined) key += `pp=${latin1String(header, 0, header.length)};`;
  }
  // `ws`: a WebSocket stream whose protocol differs from the server's ordinary one has its own connections.
  if (isWebsocketRequest(stream.lbHead) && websocketSetApart(server)) key += 'ws;';
  return key;
}
