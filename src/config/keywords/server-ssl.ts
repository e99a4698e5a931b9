/**
 * TLS to servers: the `server` / `default-server` options `ssl`, `no-ssl`, `verify
 * none|required`, `ca-file FILE`, `sni EXPR` and `alpn LIST` (HAProxy's ssl srv_kws).
 *
 * As in HAProxy, `verify required` is the default, so `ssl` alone needs a `ca-file` (or an
 * explicit `verify none`); resolve.ts reports servers lacking one. `ca-file` paths are resolved
 * against `ca-base` and read by the loader (load.ts) through the runtime, like `crt` files.
 * `ca-file @system-ca` selects the runtime's default trust store.
 */

import type { KeywordList, ServerOption } from '../registry.ts';
import { resolveAgainstBase } from './args.ts';
import { compileSampleFetch } from '../../rules/sample-fetch.ts';

/**
 * Why an `sni` expression cannot be evaluated when a server connection is made (HAProxy's
 * SMP_VAL_BE_SRV_CON: the connection and the request, not the response), or undefined.
 */
export function sniExpressionError(expression: string): string | undefined {
  const compiled = compileSampleFetch(expression, { direction: 'request' });
  if (compiled.ok) return undefined;
  return `error detected while parsing sni expression : ${compiled.message}`;
}

/** A comma-separated ALPN protocol list, or undefined when a name is empty or too long. */
export function parseAlpnList(text: string): string[] | undefined {
  const protocols = text.split(',');
  return protocols.some((p) => p === '' || p.length > 255) ? undefined : protocols;
}

export const SYSTEM_CA = '@system-ca';

const serverSslOptions: ServerOption[] = [
  {
    name: 'ssl',
    arity: 0,
    defaultServerAllowed: true,
    parse(ctx, server, _value, option) {
      server.ssl = true;
      server.sslPlace = ctx.place(option);
    },
  },
  {
    name: 'no-ssl',
    arity: 0,
    defaultServerAllowed: true,
    parse(_ctx, server) {
      server.ssl = false;
      server.sslPlace = undefined;
    },
  },
  {
    name: 'verify',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value) {
      if (value === undefined) return;
      if (value.text === 'none' || value.text === 'required') server.verify = value.text;
      else ctx.error(`'verify' : unknown verify method '${value.text}', only 'none' and 'required' are supported.`, value);
    },
  },
  {
    name: 'ca-file',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value) {
      if (value === undefined) return;
      if (value.text === SYSTEM_CA) {
        server.ca = { kind: 'system' };
        return;
      }
      const reference = { path: resolveAgainstBase(value.text, ctx.global.caBase), place: ctx.place(value) };
      ctx.global.caFiles.push(reference);
      server.ca = { kind: 'file', file: reference };
    },
  },
  {
    name: 'sni',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value) {
      if (value === undefined) return;
      const error = sniExpressionError(value.text);
      if (error !== undefined) {
        ctx.error(`'sni' : ${error}`, value);
        return;
      }
      server.sni = value.text;
    },
  },
  {
    name: 'alpn',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value) {
      if (value === undefined) return;
      const protocols = parseAlpnList(value.text);
      if (protocols === undefined) {
        ctx.error(`'alpn' expects a comma-separated list of protocol names, got '${value.text}'.`, value);
        return;
      }
      server.alpn = protocols;
    },
  },
];

export const serverSslKeywords: KeywordList = { serverOptions: serverSslOptions };
