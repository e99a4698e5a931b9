import type { ForwardForOption, HttpConnectionMode, HttpProxyOptions, ServerSsl } from '../config/model.ts';
import type { ConnectTlsOptions } from '../runtime.ts';
import type { Server } from '../proxy/server.ts';
import { networkContains, parseNetwork, type Network } from '../util/cidr.ts';
import { headerName, H_HOST, type HeaderName, type RequestHead } from './codec/index.ts';

const RESTRICTIVENESS: Record<HttpConnectionMode, number> = { 'keep-alive': 0, 'server-close': 1, close: 2 };

/** The frontend's and the backend's connection modes combine: the most restrictive wins (HAProxy). */
export function connectionModeOf(frontend: HttpProxyOptions | undefined, backend: HttpProxyOptions | undefined): HttpConnectionMode {
  const a = frontend?.connectionMode ?? 'keep-alive';
  const b = backend?.connectionMode ?? 'keep-alive';
  return RESTRICTIVENESS[a] >= RESTRICTIVENESS[b] ? a : b;
}

export interface CompiledForwardFor {
  readonly header: HeaderName;
  readonly except: Network | undefined;
  readonly ifNone: boolean;
}

const compiled = new WeakMap<ForwardForOption, CompiledForwardFor>();

function compile(option: ForwardForOption): CompiledForwardFor {
  let c = compiled.get(option);
  if (c === undefined) {
    c = {
      header: headerName(option.header.toLowerCase()),
      except: option.except === undefined ? undefined : parseNetwork(option.except),
      ifNone: option.ifNone,
    };
    compiled.set(option, c);
  }
  return c;
}

/**
 * `option forwardfor`: the header to add for this client, or undefined. The backend's setting
 * applies when present, else the frontend's (HAProxy checks both; either enables it).
 */
export function forwardedForValue(
  frontend: HttpProxyOptions | undefined,
  backend: HttpProxyOptions | undefined,
  clientAddress: string,
): CompiledForwardFor | undefined {
  const option = backend?.forwardFor ?? frontend?.forwardFor;
  if (option === undefined) return undefined;
  const c = compile(option);
  if (c.except !== undefined && networkContains(c.except, clientAddress)) return undefined;
  return c;
}

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
