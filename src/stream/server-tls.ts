import type { ServerSsl } from '../config/model.ts';
import type { Server } from '../proxy/server.ts';
import type { ConnectTlsOptions } from '../runtime.ts';
import { H_HOST, type RequestHead } from '../http/codec/index.ts';

/** A server's `sni` expression, understood once per configuration generation. */
type CompiledSni = { readonly literal: string } | { readonly fromHost: true } | undefined;

const compiledSni = new WeakMap<ServerSsl, CompiledSni>();

function compileSni(ssl: ServerSsl): CompiledSni {
  if (compiledSni.has(ssl)) return compiledSni.get(ssl);
  const sni = ssl.sni;
  let c: CompiledSni;
  if (sni !== undefined) {
    const literal = /^str\((.*)\)$/.exec(sni);
    if (literal) c = { literal: literal[1] as string };
    else if (/^req\.hdr\(\s*host\s*\)$/i.test(sni)) c = { fromHost: true };
  }
  compiledSni.set(ssl, c);
  return c;
}

/** The Host header without its port (SNI carries a name only). */
function hostName(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(']', colon) < 0 ? host.slice(0, colon) : host;
}

/** TLS options to reach a `server ... ssl` (undefined for plain TCP). */
export function serverTlsOptions(server: Server, request: RequestHead | undefined): ConnectTlsOptions | undefined {
  const ssl = server.ssl;
  if (ssl === undefined) return undefined;
  const sni = compileSni(ssl);
  let servername: string | undefined;
  if (sni !== undefined) {
    if ('literal' in sni) servername = sni.literal;
    else if (request !== undefined) {
      const host = request.get(H_HOST);
      servername = host === undefined ? undefined : hostName(host);
    }
  }
  const verify = ssl.verify === 'required';
  return {
    verify,
    ...(servername ? { servername } : {}),
    // Dialled by the address its name resolved to: the certificate is still checked against the name.
    ...(verify && !servername && server.hostname !== undefined ? { checkName: server.hostname } : {}),
    ...(ssl.alpn ? { alpn: ssl.alpn } : {}),
    ...(ssl.caPem !== undefined ? { caPem: ssl.caPem } : {}),
  };
}
