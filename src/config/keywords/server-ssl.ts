/**
 * TLS to servers: the `server` / `default-server` options `ssl`, `no-ssl`, `verify
 * none|required`, `ca-file FILE`, `sni EXPR` and `alpn LIST` (HAProxy's ssl srv_kws).
 *
 * As in HAProxy, `verify required` is the default, so `ssl` alone needs a `ca-file` (or an
 * explicit `verify none`); resolve.ts reports servers lacking one. `ca-file` paths are resolved
 * against `ca-base` and read by the loader (load.ts) through the runtime, like `crt` files.
 * `ca-file @system-ca` selects the runtime's default trust store.
 */

import type { ServerSettings, ServerTlsDraft } from '../draft.ts';
import type { KeywordContext, KeywordList, ServerOption } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { applyTlsOption, newTlsOptionsDraft, TLS_OPTION_WORDS } from '../tls-options.ts';
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

/** `alpn LIST` / `check-alpn LIST`: the protocols a TLS handshake offers. */
export function alpnOption(name: string, assign: (server: ServerSettings, protocols: string[]) => void): ServerOption {
  return {
    name,
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value) {
      if (value === undefined) return;
      const protocols = parseAlpnList(value.text);
      if (protocols === undefined) {
        ctx.error(`'${name}' expects a comma-separated list of protocol names, got '${value.text}'.`, value);
        return;
      }
      assign(server, protocols);
    },
  };
}

export const SYSTEM_CA = '@system-ca';

const serverSslOptions: ServerOption[] = [
  {
    name: 'ssl',
    arity: 0,
    defaultServerAllowed: true,
    parse(ctx, server, _value, option) {
      server.ssl = true;
      server.noSsl = false;
      server.sslPlace = ctx.place(option);
    },
  },
  {
    name: 'no-ssl',
    arity: 0,
    defaultServerAllowed: true,
    parse(_ctx, server) {
      server.ssl = false;
      server.noSsl = true;
      server.sslPlace = undefined;
    },
  },
  {
    name: 'verify',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value) {
      if (value === undefined) return;
      if (value.text === 'none' || value.text === 'required') {
        server.verify = value.text;
        server.verifyExplicit = true;
      } else ctx.error(`'verify' : unknown verify method '${value.text}', only 'none' and 'required' are supported.`, value);
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
      const reference = { path: ctx.resolvePath(resolveAgainstBase(value.text, ctx.global.caBase)), place: ctx.place(value) };
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
  alpnOption('alpn', (server, protocols) => (server.alpn = protocols)),
];

/**
 * The line's own copy of its TLS options: settings start as a shallow copy of `default-server`,
 * so the nested object is copied before the first change on each line.
 */
function ownTls(ctx: KeywordContext, server: ServerSettings, option: Token): ServerTlsDraft {
  const inherited = server.tls;
  const tls: ServerTlsDraft = inherited === undefined
    ? { options: newTlsOptionsDraft(), uses: [] }
    : { ...inherited, options: { ...inherited.options }, uses: [...inherited.uses] };
  tls.uses.push({ word: option.text, place: ctx.place(option) });
  server.tls = tls;
  return tls;
}

/** Versions, ciphers, curves and tickets (tls-options.ts); `prefer-client-ciphers` is for binds only. */
const versionAndCipherOptions: ServerOption[] = TLS_OPTION_WORDS.filter(([word]) => word !== 'prefer-client-ciphers').map(([word, arity]) => ({
  name: word,
  arity,
  defaultServerAllowed: true,
  parse(ctx, server, value, option) {
    const tls = ownTls(ctx, server, option);
    const result = applyTlsOption(tls.options, word, value?.text);
    if (!result.ok) ctx.error(`${result.message}.`, value ?? option);
  },
}));

const clientCertificateAndReuseOptions: ServerOption[] = [
  {
    name: 'crt',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      ownTls(ctx, server, option).crt = { path: ctx.resolvePath(resolveAgainstBase(value.text, ctx.global.crtBase)), place: ctx.place(value) };
    },
  },
  {
    name: 'crl-file',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      ownTls(ctx, server, option).crlFile = { path: ctx.resolvePath(resolveAgainstBase(value.text, ctx.global.caBase)), place: ctx.place(value) };
    },
  },
  {
    name: 'tls-tickets',
    arity: 0,
    defaultServerAllowed: true,
    parse(ctx, server, _value, option) {
      ownTls(ctx, server, option).options.noTlsTickets = false;
    },
  },
  {
    name: 'no-ssl-reuse',
    arity: 0,
    defaultServerAllowed: true,
    parse(ctx, server, _value, option) {
      ownTls(ctx, server, option).noSslReuse = true;
    },
  },
  {
    name: 'ssl-reuse',
    arity: 0,
    defaultServerAllowed: true,
    parse(ctx, server, _value, option) {
      ownTls(ctx, server, option).noSslReuse = false;
    },
  },
  {
    name: 'verifyhost',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      ownTls(ctx, server, option).verifyHost = value.text;
    },
  },
  {
    name: 'no-verifyhost',
    arity: 0,
    defaultServerAllowed: true,
    parse(ctx, server, _value, option) {
      const tls = ownTls(ctx, server, option);
      delete tls.verifyHost;
    },
  },
];

export const serverSslKeywords: KeywordList = {
  serverOptions: [...serverSslOptions, ...versionAndCipherOptions, ...clientCertificateAndReuseOptions],
};
