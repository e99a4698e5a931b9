/**
 * TLS options of `bind` lines beyond `ssl`, `crt` and `alpn` (HAProxy's ssl bind_kws):
 * versions (`ssl-min-ver`, `ssl-max-ver`, `no-sslv3`, `no-tlsv1x`, `force-tlsv1x`), `ciphers`,
 * `ciphersuites`, `curves`, `no-tls-tickets`, `prefer-client-ciphers` (tls-options.ts); client
 * certificates (`ca-file`, `ca-verify-file`, `verify none|optional|required`, `crl-file`, `crt-ignore-err`,
 * `ca-ignore-err`); `ecdhe CURVE`; `crt-list FILE`, `strict-sni` and `no-alpn`; `generate-certificates`
 * with `ca-sign-file FILE` (against `ca-base`) and `ca-sign-pass`; `tls-ticket-keys FILE`
 * (tls-ticket-keys.ts).
 *
 * Paths are resolved as HAProxy does: `ca-file`/`crl-file` against `ca-base`, `crt-list`
 * against `crt-base`. Which of these a runtime cannot honour is checked once the whole
 * configuration is read (runtime-tls-check.ts).
 */

import type { BindDraft, BindTlsDraft } from '../draft.ts';
import type { BindOption, KeywordContext, KeywordList } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { applyTlsOption, newTlsOptionsDraft, TLS_OPTION_WORDS } from '../tls-options.ts';
import { resolveAgainstBase } from './args.ts';

/** The line's TLS options, created on first use. */
export function bindTls(bind: BindDraft): BindTlsDraft {
  bind.tls ??= { options: newTlsOptionsDraft(), uses: [] };
  return bind.tls;
}

function note(ctx: KeywordContext, bind: BindDraft, option: Token): BindTlsDraft {
  const tls = bindTls(bind);
  tls.uses.push({ word: option.text, place: ctx.place(option) });
  return tls;
}

const versionAndCipherOptions: BindOption[] = TLS_OPTION_WORDS.map(([word, arity]) => ({
  name: word,
  arity,
  parse(ctx, bind, value, option) {
    const tls = note(ctx, bind, option);
    const result = applyTlsOption(tls.options, word, value?.text);
    if (!result.ok) ctx.error(`'bind ${bind.address}' : ${result.message}.`, value ?? option, 'bind');
  },
}));

/** X509 verify error names HAProxy accepts in `crt-ignore-err`/`ca-ignore-err`, besides ids and `all`. */
function parseIgnoreList(ctx: KeywordContext, bind: BindDraft, value: Token): string[] | undefined {
  const items = value.text.split(',');
  for (const item of items) {
    if (item === 'all' || /^\d+$/.test(item) || /^X509_V_ERR_[A-Z0-9_]+$/.test(item)) continue;
    ctx.error(`'bind ${bind.address}' : '${value.text}' : expects 'all', error ids or X509_V_ERR_* names, separated by commas.`, value, 'bind');
    return undefined;
  }
  return items;
}

/**
 * `ca-file`, `ca-verify-file`, `crl-file FILE`: a path resolved against `ca-base`; CA files are
 * also listed globally (read when the configuration loads, used or not, as HAProxy does).
 */
function caFileOption(name: string, field: 'caFile' | 'caVerifyFile' | 'crlFile', listed: boolean): BindOption {
  return {
    name,
    arity: 1,
    parse(ctx, bind, value, option) {
      if (value === undefined) return;
      const tls = note(ctx, bind, option);
      const reference = { path: ctx.resolvePath(resolveAgainstBase(value.text, ctx.global.caBase)), place: ctx.place(value) };
      if (listed) ctx.global.caFiles.push(reference);
      tls[field] = reference;
    },
  };
}

const clientCertificateOptions: BindOption[] = [
  caFileOption('ca-file', 'caFile', true),
  caFileOption('ca-verify-file', 'caVerifyFile', true),
  {
    name: 'ecdhe',
    arity: 1,
    parse(ctx, bind, value, option) {
      if (value === undefined) return;
      // HAProxy's named curve for ECDHE, used when `curves` is not set: one curve.
      const tls = note(ctx, bind, option);
      tls.options.ecdhe = value.text;
    },
  },
  caFileOption('crl-file', 'crlFile', false),
  {
    name: 'verify',
    arity: 1,
    parse(ctx, bind, value, option) {
      if (value === undefined) return;
      const tls = note(ctx, bind, option);
      if (value.text === 'none' || value.text === 'optional' || value.text === 'required') tls.verify = value.text;
      else ctx.error(`'bind ${bind.address}' : 'verify' : unknown verify method '${value.text}', only 'none', 'optional', and 'required' are supported.`, value, 'bind');
    },
  },
  {
    name: 'crt-ignore-err',
    arity: 1,
    parse(ctx, bind, value, option) {
      if (value === undefined) return;
      const list = parseIgnoreList(ctx, bind, value);
      if (list !== undefined) note(ctx, bind, option).crtIgnoreErr = list;
    },
  },
  {
    name: 'ca-ignore-err',
    arity: 1,
    parse(ctx, bind, value, option) {
      if (value === undefined) return;
      const list = parseIgnoreList(ctx, bind, value);
      if (list !== undefined) note(ctx, bind, option).caIgnoreErr = list;
    },
  },
];

const certificateSelectionOptions: BindOption[] = [
  {
    name: 'crt-list',
    arity: 1,
    parse(ctx, bind, value, option) {
      if (value === undefined) return;
      const tls = note(ctx, bind, option);
      const path = ctx.resolvePath(resolveAgainstBase(value.text, ctx.global.crtBase));
      // The files it names are read from the same `default-path` directory as itself.
      const directory = ctx.pathDirectory;
      (tls.crtLists ??= []).push({ path, place: ctx.place(value), ...(directory !== '' ? { directory } : {}) });
    },
  },
  {
    name: 'strict-sni',
    arity: 0,
    parse(ctx, bind, _value, option) {
      note(ctx, bind, option).strictSni = true;
    },
  },
  {
    name: 'generate-certificates',
    arity: 0,
    parse(ctx, bind, _value, option) {
      note(ctx, bind, option).generateCertificates = true;
    },
  },
  {
    // Resolved against `ca-base`, as HAProxy's bind_parse_ca_sign_file.
    name: 'ca-sign-file',
    arity: 1,
    parse(ctx, bind, value, option) {
      if (value === undefined) return;
      note(ctx, bind, option).caSignFile = { path: ctx.resolvePath(resolveAgainstBase(value.text, ctx.global.caBase)), place: ctx.place(value) };
    },
  },
  {
    name: 'ca-sign-pass',
    arity: 1,
    parse(ctx, bind, value, option) {
      if (value === undefined) return;
      note(ctx, bind, option).caSignPass = value.text;
    },
  },
  {
    // Opened as written (HAProxy's fopen), so relative to `default-path` only.
    name: 'tls-ticket-keys',
    arity: 1,
    parse(ctx, bind, value, option) {
      if (value === undefined) return;
      note(ctx, bind, option).ticketKeys = { path: ctx.resolvePath(value.text), place: ctx.place(value) };
    },
  },
  {
    name: 'no-alpn',
    arity: 0,
    parse(ctx, bind, _value, option) {
      note(ctx, bind, option).noAlpn = true;
    },
  },
];

export const bindSslKeywords: KeywordList = {
  bindOptions: [...versionAndCipherOptions, ...clientCertificateOptions, ...certificateSelectionOptions],
};
