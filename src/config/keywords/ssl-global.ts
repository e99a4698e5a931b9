/**
 * Global TLS defaults and tunables (HAProxy's cfgparse-ssl.c global keywords):
 *
 * - `ssl-default-bind-ciphers|ciphersuites|curves|options` and `ssl-default-server-*`: what
 *   every `bind ... ssl` / `server ... ssl` starts from (tls-options.ts);
 * - `ssl-server-verify none|required`: the `verify` of servers that set none;
 * - `tune.ssl.default-dh-param N` (N >= 1024) and `ssl-dh-param-file FILE`: the DH parameters of
 *   DHE suites (ListenTlsOptions.dhParams). Only Node's OpenSSL offers DHE: on Bun (BoringSSL)
 *   and Deno (rustls) `ssl-dh-param-file` is refused (runtime-tls-check.ts) and
 *   `tune.ssl.default-dh-param`, in almost every HAProxy TLS configuration, changes nothing
 *   (docs/runtimes.md).
 * - `ssl-load-extra-del-ext`: a certificate's key file is looked for with its extension
 *   replaced (`foo.crt` -> `foo.key`) instead of appended (`foo.crt.key`), as HAProxy does;
 * - `ssl-load-extra-files`: which companion files of a certificate are looked for
 *   (certificates.ts);
 * - `maxsslconn N`: TLS connections open at once, on binds and towards servers (ProcessLimits);
 * - `tune.ssl.lifetime T`: how long a TLS session may be resumed (the listener's session
 *   timeout);
 * - `tune.ssl.ssl-ctx-cache-size N`: how many certificates `generate-certificates` keeps;
 * - `tune.ssl.cachesize`, `tune.ssl.force-private-cache`, `tune.ssl.maxrecord`,
 *   `tune.ssl.hard-maxrecord`, `tune.ssl.capture-buffer-size`,
 *   `tune.ssl.capture-cipherlist-size`: buffers and caches inside HAProxy's OpenSSL use that
 *   the runtimes size themselves: accepted with a warning saying so.
 */

import { ALL_EXTRA_FILES, type ExtraFiles } from '../certificates.ts';
import type { GlobalSslDraft, TlsOptionPlace } from '../draft.ts';
import type { KeywordContext, KeywordList, SectionKeyword } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { applyTlsOption, newTlsOptionsDraft, type TlsOptionsDraft } from '../tls-options.ts';
import { atol } from '../../util/c-atol.ts';
import { noExtraArgs, parseInteger, parseTime, requireArgs } from './args.ts';

const GLOBAL = ['global'] as const;

/** The global TLS defaults, created on first use. */
export function globalSsl(ctx: KeywordContext): GlobalSslDraft {
  ctx.global.ssl ??= { bind: newTlsOptionsDraft(), server: newTlsOptionsDraft(), bindUses: [], serverUses: [] };
  return ctx.global.ssl;
}

type Side = 'bind' | 'server';

function defaultsOf(ctx: KeywordContext, side: Side): { draft: TlsOptionsDraft; uses: TlsOptionPlace[] } {
  const ssl = globalSsl(ctx);
  return side === 'bind' ? { draft: ssl.bind, uses: ssl.bindUses } : { draft: ssl.server, uses: ssl.serverUses };
}

/** `ssl-default-{bind,server}-{ciphers,ciphersuites,curves}`: one word. */
function defaultString(side: Side, word: 'ciphers' | 'ciphersuites' | 'curves'): SectionKeyword {
  const name = `ssl-default-${side}-${word}`;
  return {
    name,
    sections: GLOBAL,
    parse(ctx, args) {
      if (!requireArgs(ctx, args, 1, `a ${word === 'curves' ? 'curves' : 'cipher suite'} string as an argument`) || !noExtraArgs(ctx, args, 2)) return;
      const { draft, uses } = defaultsOf(ctx, side);
      const value = args[1] as Token;
      applyTlsOption(draft, word, value.text);
      uses.push({ word: name, place: ctx.place(value) });
    },
  };
}

/** `ssl-default-bind-options` / `ssl-default-server-options`: a list of option words. */
function defaultOptions(side: Side): SectionKeyword {
  const name = `ssl-default-${side}-options`;
  return {
    name,
    sections: GLOBAL,
    parse(ctx, args) {
      if (args.length < 2) {
        ctx.error(`global statement '${name}' expects an option as an argument.`);
        return;
      }
      const { draft, uses } = defaultsOf(ctx, side);
      for (let i = 1; i < args.length; i++) {
        const token = args[i] as Token;
        const word = token.text;
        // prefer-client-ciphers is a bind option only; ciphers and curves have their own keywords.
        const allowed = word !== 'ciphers' && word !== 'ciphersuites' && word !== 'curves' && (side === 'bind' || word !== 'prefer-client-ciphers');
        const result = allowed ? applyTlsOption(draft, word, args[i + 1]?.text) : undefined;
        if (result === undefined || !result.ok) {
          const detail = result !== undefined && !result.ok && (word === 'ssl-min-ver' || word === 'ssl-max-ver') ? `${result.message} on` : `unknown option '${word}' on`;
          ctx.error(`${detail} global statement '${name}'.`, token);
          return;
        }
        uses.push({ word, place: ctx.place(token) });
        i += result.consumed;
      }
    },
  };
}

/** Accepted, with a warning that the runtime sizes this itself. */
function runtimeSized(name: string, usage: string): SectionKeyword {
  return {
    name,
    sections: GLOBAL,
    parse(ctx, args) {
      if (!requireArgs(ctx, args, 1, usage) || !noExtraArgs(ctx, args, 2)) return;
      if (parseInteger(ctx, args[1] as Token, { min: 0, max: 2_147_483_647 }, `'${name}'`) === undefined) return;
      ctx.warning(`'${name}' has no effect in Switchyard (the runtime's TLS stack sizes its own buffers and session cache); ignored.`, args[0]);
    },
  };
}

const NO_EXTRA_FILES: ExtraFiles = { bundle: false, sctl: false, ocsp: false, issuer: false, key: false };
const EXTRA_FILE_WORDS: Readonly<Record<string, keyof ExtraFiles>> = { bundle: 'bundle', sctl: 'sctl', ocsp: 'ocsp', issuer: 'issuer', key: 'key' };

/** `ssl-load-extra-files none|all|<word>...` (ssl_parse_global_extra_files): the last line wins. */
const loadExtraFiles: SectionKeyword = {
  name: 'ssl-load-extra-files',
  sections: GLOBAL,
  parse(ctx, args) {
    const name = (args[0] as Token).text;
    // HAProxy's usage text, which leaves out 'key' though it takes it.
    const usage = `'${name}' expects one or multiple arguments (none, all, bundle, sctl, ocsp, issuer).`;
    if (args.length < 2) {
      ctx.error(usage);
      return;
    }
    let chosen: ExtraFiles = NO_EXTRA_FILES;
    for (let i = 1; i < args.length; i++) {
      const token = args[i] as Token;
      const word = token.text;
      if (word === 'none' || word === 'all') {
        if (chosen !== NO_EXTRA_FILES || i + 1 < args.length) {
          ctx.error(`'${name}' 'none' and 'all' can be only used alone`, token);
          return;
        }
        chosen = word === 'all' ? ALL_EXTRA_FILES : NO_EXTRA_FILES;
        break;
      }
      const flag = Object.hasOwn(EXTRA_FILE_WORDS, word) ? EXTRA_FILE_WORDS[word] : undefined;
      if (flag === undefined) {
        ctx.error(usage, token);
        return;
      }
      chosen = { ...chosen, [flag]: true };
    }
    globalSsl(ctx).extraFiles = chosen;
  },
};

/** `maxsslconn N` (ssl_parse_global_int): atoi, negative refused; a later line wins. */
const maxSslConn: SectionKeyword = {
  name: 'maxsslconn',
  sections: GLOBAL,
  parse(ctx, args) {
    if (!noExtraArgs(ctx, args, 2)) return;
    const value = args[1];
    if (value === undefined || value.text === '') {
      ctx.error(`'maxsslconn' expects an integer argument.`);
      return;
    }
    const n = atol(value.text);
    if (n < 0) {
      ctx.error(`'maxsslconn' expects a positive numeric value.`, value);
      return;
    }
    ctx.global.maxSslConn = Math.min(n, 2_147_483_647);
  },
};

const keywords: SectionKeyword[] = [
  loadExtraFiles,
  maxSslConn,
  defaultString('bind', 'ciphers'),
  defaultString('bind', 'ciphersuites'),
  defaultString('bind', 'curves'),
  defaultOptions('bind'),
  defaultString('server', 'ciphers'),
  defaultString('server', 'ciphersuites'),
  defaultString('server', 'curves'),
  defaultOptions('server'),
  {
    name: 'ssl-server-verify',
    sections: GLOBAL,
    parse(ctx, args) {
      if (!requireArgs(ctx, args, 1, "'none' or 'required' as an argument") || !noExtraArgs(ctx, args, 2)) return;
      const value = (args[1] as Token).text;
      if (value !== 'none' && value !== 'required') {
        ctx.error(`'${(args[0] as Token).text}' : expects 'none' or 'required' as argument, got '${value}'.`, args[1]);
        return;
      }
      globalSsl(ctx).serverVerify = value;
    },
  },
  {
    name: 'tune.ssl.default-dh-param',
    sections: GLOBAL,
    parse(ctx, args) {
      if (!requireArgs(ctx, args, 1, 'an integer argument') || !noExtraArgs(ctx, args, 2)) return;
      const bits = Number.parseInt((args[1] as Token).text, 10);
      if (!Number.isFinite(bits) || bits < 1024) {
        ctx.error(`'tune.ssl.default-dh-param' expects a value >= 1024.`, args[1]);
        return;
      }
      globalSsl(ctx).defaultDhParam = bits;
    },
  },
  {
    // HAProxy reads the file at this line, as written (no ca-base / crt-base; default-path applies).
    name: 'ssl-dh-param-file',
    sections: GLOBAL,
    parse(ctx, args) {
      if (!requireArgs(ctx, args, 1, 'a file path as an argument') || !noExtraArgs(ctx, args, 2)) return;
      const value = args[1] as Token;
      globalSsl(ctx).dhParamFile = { path: ctx.resolvePath(value.text), place: ctx.place(value) };
    },
  },
  {
    name: 'tune.ssl.lifetime',
    sections: GLOBAL,
    parse(ctx, args) {
      if (!requireArgs(ctx, args, 1, 'ssl sessions <lifetime> in seconds') || !noExtraArgs(ctx, args, 2)) return;
      // A plain number is seconds here (HAProxy's TIME_UNIT_S).
      const token = args[1] as Token;
      const ms = /^\d+$/.test(token.text) ? Number(token.text) * 1000 : parseTime(ctx, token, "'tune.ssl.lifetime'");
      if (ms !== undefined) globalSsl(ctx).lifetime = Math.floor(ms / 1000);
    },
  },
  runtimeSized('tune.ssl.cachesize', 'an integer argument'),
  runtimeSized('tune.ssl.maxrecord', 'an integer argument'),
  runtimeSized('tune.ssl.hard-maxrecord', 'an integer argument'),
  {
    // The LRU of certificates `generate-certificates` forges (proxy/generated-certificates.ts).
    name: 'tune.ssl.ssl-ctx-cache-size',
    sections: GLOBAL,
    parse(ctx, args) {
      if (!requireArgs(ctx, args, 1, 'an integer argument') || !noExtraArgs(ctx, args, 2)) return;
      const size = parseInteger(ctx, args[1] as Token, { min: 0, max: 2_147_483_647 }, "'tune.ssl.ssl-ctx-cache-size'");
      if (size !== undefined) globalSsl(ctx).ctxCacheSize = size;
    },
  },
  runtimeSized('tune.ssl.capture-buffer-size', 'an integer argument'),
  runtimeSized('tune.ssl.capture-cipherlist-size', 'an integer argument'),
  {
    name: 'ssl-load-extra-del-ext',
    sections: GLOBAL,
    parse(ctx, args) {
      if (!noExtraArgs(ctx, args, 1)) return;
      globalSsl(ctx).loadExtraDelExt = true;
    },
  },
  {
    name: 'tune.ssl.force-private-cache',
    sections: GLOBAL,
    parse(ctx, args) {
      if (!noExtraArgs(ctx, args, 1)) return;
      ctx.warning(`'tune.ssl.force-private-cache' has no effect in Switchyard (one process, one session cache); ignored.`, args[0]);
    },
  },
];

export const sslGlobalKeywords: KeywordList = { keywords };
