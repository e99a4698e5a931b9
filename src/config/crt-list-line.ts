/**
 * One `crt-list` line as HAProxy 2.6's crtlist_parse_line reads it, for configuration files
 * and the runtime API's `add ssl crt-list`: `CRTFILE [ssl options] [[!]FILTER ...]`, `#` starts
 * a comment. The options in brackets are HAProxy's ssl_bind_kws (an entry's ssl_conf), kept in
 * the order and form `show ssl crt-list` prints them (dump_crtlist_sslconf).
 */
import type { TlsVersionName } from './tls-options.ts';
import { TLS_VERSION_NAMES } from './tls-options.ts';

/** A crt-list line's options in brackets (HAProxy's per-entry ssl_bind_conf). */
export interface CrtListSslConf {
  /** As given: comma-separated protocols. */
  readonly alpn?: string | undefined;
  readonly npn?: string | undefined;
  readonly verify?: 'none' | 'optional' | 'required' | undefined;
  readonly noCaNames?: boolean | undefined;
  readonly allow0rtt?: boolean | undefined;
  /** Paths, `ca-base` applied. */
  readonly caFile?: string | undefined;
  readonly caVerifyFile?: string | undefined;
  readonly crlFile?: string | undefined;
  readonly ciphers?: string | undefined;
  readonly ciphersuites?: string | undefined;
  readonly curves?: string | undefined;
  readonly ecdhe?: string | undefined;
  readonly minVersion?: TlsVersionName | undefined;
  readonly maxVersion?: TlsVersionName | undefined;
}

export type CrtListLine =
  | { readonly kind: 'empty' }
  | { readonly kind: 'line'; readonly path: string; readonly conf: CrtListSslConf | undefined; readonly filters: string[] }
  | { readonly kind: 'error'; readonly message: string };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The words of a line: whitespace separates, `[` and `]` separate too and are noted by position. */
interface Split {
  readonly args: string[];
  /** Index in args of the first word after `[` (0: none), and of the first after `]`. */
  readonly open: number;
  readonly close: number;
}

function split(text: string, where: string): Split | string {
  const args: string[] = [];
  let open = 0;
  let close = 0;
  let word = '';
  const flush = (): void => {
    if (word !== '') args.push(word);
    word = '';
  };
  for (const ch of text) {
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === '\v' || ch === '\f') {
      flush();
    } else if (ch === '[') {
      flush();
      if (open !== 0) return `parsing [${where}]: too many '['`;
      if (args.length === 0) return `parsing [${where}]: file must start with a cert`;
      open = args.length;
    } else if (ch === ']') {
      flush();
      if (close !== 0) return `parsing [${where}]: too many ']'`;
      if (open === 0) return `parsing [${where}]: missing '['`;
      close = args.length;
    } else {
      word += ch;
    }
  }
  flush();
  return { args, open, close };
}

/** What resolves an option's file path (`ca-base`) and checks it can be used (HAProxy's ssl_store_load_locations_file). */
export interface CrtListFileCheck {
  readonly caBase?: string | undefined;
  /** False when the CA or CRL file cannot be loaded (`'ca-file' : unable to load PATH`). */
  readonly usable: (kind: 'ca-file' | 'crl-file', path: string) => boolean;
}

function withBase(path: string, base: string | undefined): string {
  return path.startsWith('/') || base === undefined ? path : `${base}/${path}`;
}

/** Applies one keyword; its error message, or the number of values it took. */
function applyKeyword(conf: Mutable<CrtListSslConf>, word: string, value: string | undefined, files: CrtListFileCheck): number | string {
  const missing = value === undefined || value === '';
  switch (word) {
    case 'allow-0rtt':
      conf.allow0rtt = true;
      return 0;
    case 'no-ca-names':
      conf.noCaNames = true;
      return 0;
    case 'alpn':
    case 'npn':
      if (missing) return `'${word}' : missing the comma-delimited ${word.toUpperCase()} protocol suite`;
      conf[word] = value;
      return 1;
    case 'ca-file':
    case 'ca-verify-file':
    case 'crl-file': {
      if (missing) return `'${word}' : missing ${word === 'crl-file' ? 'CRLfile' : 'CAfile'} path`;
      const path = withBase(value, files.caBase);
      if (!files.usable(word === 'crl-file' ? 'crl-file' : 'ca-file', path)) return `'${word}' : unable to load ${path}`;
      if (word === 'ca-file') conf.caFile = path;
      else if (word === 'ca-verify-file') conf.caVerifyFile = path;
      else conf.crlFile = path;
      return 1;
    }
    case 'ciphers':
    case 'ciphersuites':
    case 'curves':
    case 'ecdhe':
      if (missing) return `'${word}' : missing ${word === 'curves' ? 'curve suite' : word === 'ecdhe' ? 'named curve' : 'cipher suite'}`;
      conf[word] = value;
      return 1;
    case 'ssl-min-ver':
    case 'ssl-max-ver': {
      if (missing) return `'${word}' : missing the ssl/tls version`;
      const version = TLS_VERSION_NAMES.find((v) => v === value);
      if (version === undefined) return `'${value}' : unknown ssl/tls version`;
      if (word === 'ssl-min-ver') conf.minVersion = version;
      else conf.maxVersion = version;
      return 1;
    }
    case 'verify':
      if (missing) return `'${word}' : missing verify method`;
      if (value !== 'none' && value !== 'optional' && value !== 'required') {
        return `'${word}' : unknown verify method '${value}', only 'none', 'optional', and 'required' are supported\n`;
      }
      conf.verify = value;
      return 1;
    default:
      return -1;
  }
}

/** Keywords with one value (HAProxy's ssl_bind_kws skip), for the "out of '[]'" check. */
const ARITY: Readonly<Record<string, number>> = {
  'allow-0rtt': 0,
  'no-ca-names': 0,
  alpn: 1,
  npn: 1,
  'ca-file': 1,
  'ca-verify-file': 1,
  'crl-file': 1,
  ciphers: 1,
  ciphersuites: 1,
  curves: 1,
  ecdhe: 1,
  'ssl-min-ver': 1,
  'ssl-max-ver': 1,
  verify: 1,
};

/**
 * One line. `where` is HAProxy's "FILE:LINE" of messages ("CLI:1" for the runtime API). A
 * comment is cut at `#` (configuration files only: HAProxy strips it before parsing).
 */
export function parseCrtListLine(line: string, where: string, files: CrtListFileCheck, comments = true): CrtListLine {
  const hash = comments ? line.indexOf('#') : -1;
  const parts = split(hash < 0 ? line : line.slice(0, hash), where);
  if (typeof parts === 'string') return { kind: 'error', message: parts };
  const { args, open, close } = parts;
  if (args.length === 0) return { kind: 'empty' };
  if (open !== 0 && close === 0) return { kind: 'error', message: `parsing [${where}]: missing ']'` };
  let conf: Mutable<CrtListSslConf> | undefined;
  let cur = open !== 0 ? open : 1;
  if (open !== 0) {
    conf = {};
    while (cur < close) {
      const word = args[cur] as string;
      const arity = ARITY[word];
      if (arity === undefined) return { kind: 'error', message: `parsing [${where}]: unknown ssl keyword ${word}` };
      const taken = applyKeyword(conf, word, args[cur + 1], files);
      if (typeof taken === 'string') return { kind: 'error', message: taken };
      if (cur + 1 + arity > close) return { kind: 'error', message: `parsing [${where}]: ssl args out of '[]' for ${word}` };
      cur += 1 + arity;
    }
  }
  return { kind: 'line', path: args[0] as string, conf, filters: args.slice(open !== 0 ? close : 1) };
}

/** The ` [...]` `show ssl crt-list` prints after the certificate (dump_crtlist_sslconf). */
export function formatCrtListSslConf(conf: CrtListSslConf): string {
  const parts: string[] = [];
  if (conf.npn !== undefined) parts.push(`npn ${conf.npn}`);
  if (conf.alpn !== undefined) parts.push(`alpn ${conf.alpn}`);
  if (conf.verify !== undefined) parts.push(`verify ${conf.verify}`);
  if (conf.noCaNames === true) parts.push('no-ca-names');
  if (conf.allow0rtt === true) parts.push('allow-0rtt');
  if (conf.caFile !== undefined) parts.push(`ca-file ${conf.caFile}`);
  if (conf.crlFile !== undefined) parts.push(`crl-file ${conf.crlFile}`);
  if (conf.ciphers !== undefined) parts.push(`ciphers ${conf.ciphers}`);
  if (conf.ciphersuites !== undefined) parts.push(`ciphersuites ${conf.ciphersuites}`);
  if (conf.curves !== undefined) parts.push(`curves ${conf.curves}`);
  if (conf.ecdhe !== undefined) parts.push(`ecdhe ${conf.ecdhe}`);
  if (conf.minVersion !== undefined) parts.push(`ssl-min-ver ${conf.minVersion}`);
  if (conf.maxVersion !== undefined) parts.push(`ssl-max-ver ${conf.maxVersion}`);
  return ` [${parts.join(' ')}]`;
}
