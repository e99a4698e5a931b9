import type { ServerSsl } from '../config/model.ts';
import type { Server } from '../proxy/server.ts';
import type { ConnectTlsOptions, TlsSessionCache } from '../runtime.ts';
import { H_HOST } from '../http/codec/index.ts';
import type { LbRequest } from '../balance/balancer.ts';
import { compileSampleFetch, type SampleContext, type SampleFetch } from '../rules/sample-fetch.ts';
import { isWebsocketRequest, websocketAlpn } from '../mux/websocket-protocol.ts';

/**
 * A server's `sni` expression, compiled once per configuration generation: `str(NAME)` as a
 * constant, `req.hdr(host)` as the Host header without its port (SNI carries a name only),
 * anything else as a sample expression evaluated on the stream (HAProxy's connect_server).
 */
type CompiledSni = { readonly literal: string } | { readonly fromHost: true } | { readonly fetch: SampleFetch } | undefined;

const compiledSni = new WeakMap<ServerSsl, CompiledSni>();

function compileSni(ssl: ServerSsl): CompiledSni {
  if (compiledSni.has(ssl)) return compiledSni.get(ssl);
  const sni = ssl.sni;
  let c: CompiledSni;
  if (sni !== undefined) {
    const literal = /^str\(([^()]*)\)$/.exec(sni);
    if (literal) c = { literal: literal[1] as string };
    else if (/^req\.hdr\(\s*host\s*\)$/i.test(sni)) c = { fromHost: true };
    else {
      const compiled = compileSampleFetch(sni, { direction: 'request' });
      if (compiled.ok) c = { fetch: compiled.fetch };
    }
  }
  compiledSni.set(ssl, c);
  return c;
}

/** Hostname without its port. */
function hostName(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(']', colon) < 0 ? host.slice(0, colon) : host;
}

/** The server name a connection to `server` sends for this stream (undefined: none). */
export function serverName(server: Server, stream: LbRequest | SampleContext | undefined): string | undefined {
  const ssl = server.ssl;
  if (ssl === undefined) return undefined;
  const sni = compileSni(ssl);
  if (sni === undefined) return undefined;
  if ('literal' in sni) return sni.literal;
  if (stream === undefined) return undefined;
  if ('fetch' in sni) return sni.fetch.fetch(stream);
  const host = stream.lbHead?.get(H_HOST);
  return host === undefined ? undefined : hostName(host);
}

/**
 * Per server, the TLS session its next connection resumes (unless `no-ssl-reuse`). Kept with
 * the settings it was made under: a runtime API commit (new certificate, CA or CRL file)
 * replaces `server.ssl`, and its first connection makes a full, verified handshake, as HAProxy
 * drops the reused session with the old SSL context.
 */
const sessionCaches = new WeakMap<Server, { readonly ssl: ServerSsl; readonly cache: TlsSessionCache }>();

function sessionCacheOf(server: Server, ssl: ServerSsl): TlsSessionCache {
  let entry = sessionCaches.get(server);
  if (entry === undefined || entry.ssl !== ssl) {
    entry = { ssl, cache: { session: undefined, servername: undefined } };
    sessionCaches.set(server, entry);
  }
  return entry.cache;
}

/** TLS options to reach a `server ... ssl` (undefined for plain TCP). */
export function serverTlsOptions(server: Server, stream: LbRequest | SampleContext | undefined): ConnectTlsOptions | undefined {
  const ssl = server.ssl;
  if (ssl === undefined) return undefined;
  const servername = serverName(server, stream);
  const verify = ssl.verify === 'required';
  return {
    verify,
    ...(servername ? { servername } : {}),
    // Dialled by the address its name resolved to: the certificate is still checked against the name.
    ...(verify && !servername && server.hostname !== undefined ? { checkName: server.hostname } : {}),
    ...(ssl.alpn ? { alpn: isWebsocketRequest(stream?.lbHead) ? websocketAlpn(server, ssl.alpn) : ssl.alpn } : {}),
    ...(ssl.caPem !== undefined ? { caPem: ssl.caPem } : {}),
    ...serverTlsExtras(ssl),
    ...(ssl.noSessionReuse === true ? {} : { sessionCache: sessionCacheOf(server, ssl) }),
  };
}

/** The options beyond SNI/ALPN/verify (versions, ciphers, client certificate, verifyhost), built once per server. */
type Extras = Pick<ConnectTlsOptions, 'settings' | 'certificate' | 'verifyHost' | 'crlPem'>;

const extras = new WeakMap<ServerSsl, Extras>();

export function serverTlsExtras(ssl: ServerSsl): Extras {
  let found = extras.get(ssl);
  if (found === undefined) {
    found = {
      ...(ssl.tls !== undefined ? { settings: ssl.tls } : {}),
      ...(ssl.certificate !== undefined ? { certificate: ssl.certificate } : {}),
      ...(ssl.verifyHost !== undefined && ssl.verify === 'required' ? { verifyHost: ssl.verifyHost } : {}),
      ...(ssl.crlPem !== undefined && ssl.verify === 'required' ? { crlPem: ssl.crlPem } : {}),
    };
    extras.set(ssl, found);
  }
  return found;
}
