/**
 * The TLS settings `bind` lines, `server` lines and the global `ssl-default-bind-*` /
 * `ssl-default-server-*` keywords share (HAProxy's ssl_bind_conf methods, ciphers and options):
 * protocol versions (`ssl-min-ver`, `ssl-max-ver`, `no-sslv3`, `no-tlsv1x`, `force-tlsv1x`),
 * `ciphers` (TLSv1.2 and below), `ciphersuites` (TLSv1.3), `curves`, `no-tls-tickets` and
 * `prefer-client-ciphers`.
 *
 * A line starts from the global defaults as HAProxy's `ssl` keyword does (cfgparse-ssl.c
 * bind_parse_ssl / ssl_sock_init_srv): its own ciphers, curves, min and max win, the `no-*`
 * flags add up; the version range is then computed as ssl_sock_prepare_ctx does.
 */

/** HAProxy's methodVersions, in order (index = CONF_SSLV3 - 1 ...). */
export const TLS_VERSION_NAMES = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersionName = (typeof TLS_VERSION_NAMES)[number];
/** The versions a runtime can offer (no runtime speaks SSLv3 any more). */
export type TlsProtocolVersion = Exclude<TlsVersionName, 'SSLv3'>;

/** The version words of `no-*` / `force-*` (`no-tlsv12` -> TLSv1.2). */
const METHOD_WORDS: Readonly<Record<string, TlsVersionName>> = {
  sslv3: 'SSLv3',
  tlsv10: 'TLSv1.0',
  tlsv11: 'TLSv1.1',
  tlsv12: 'TLSv1.2',
  tlsv13: 'TLSv1.3',
};

/** HAProxy 2.6's default minimum when none is configured. */
const DEFAULT_MIN: TlsVersionName = 'TLSv1.2';

/** What one line (or a global default) says, before inheritance. */
export interface TlsOptionsDraft {
  minVersion: TlsVersionName | undefined;
  maxVersion: TlsVersionName | undefined;
  /** Versions switched off by `no-*` (a set of TLS_VERSION_NAMES indexes, as bits). */
  disabled: number;
  ciphers: string | undefined;
  ciphersuites: string | undefined;
  curves: string | undefined;
  /** `ecdhe CURVE` (binds): the curve when `curves` is not set. */
  ecdhe?: string | undefined;
  noTlsTickets: boolean;
  preferClientCiphers: boolean;
}

export function newTlsOptionsDraft(): TlsOptionsDraft {
  return {
    minVersion: undefined,
    maxVersion: undefined,
    disabled: 0,
    ciphers: undefined,
    ciphersuites: undefined,
    curves: undefined,
    noTlsTickets: false,
    preferClientCiphers: false,
  };
}

/** The settings a listener or a server connection is made with. */
export interface TlsOptionsModel {
  readonly minVersion: TlsProtocolVersion;
  readonly maxVersion: TlsProtocolVersion;
  /** OpenSSL cipher list for TLSv1.2 and below; the runtime's default when undefined. */
  readonly ciphers?: string | undefined;
  /** TLSv1.3 cipher suites (colon-separated); the runtime's default when undefined. */
  readonly ciphersuites?: string | undefined;
  /** Key exchange groups (colon-separated, e.g. "X25519:P-256"); the runtime's default when undefined. */
  readonly curves?: string | undefined;
  /** Session tickets (stateless resumption) offered/used; `no-tls-tickets` turns them off. */
  readonly tickets: boolean;
  /** `prefer-client-ciphers`: the client's order wins (HAProxy's default is the server's). */
  readonly preferClientCiphers?: boolean | undefined;
}

export type TlsOptionResult = { readonly ok: true; readonly consumed: 0 | 1 } | { readonly ok: false; readonly message: string };

function versionOf(text: string): TlsVersionName | undefined {
  return (TLS_VERSION_NAMES as readonly string[]).includes(text) ? (text as TlsVersionName) : undefined;
}

/** The words this module understands, with their arity (for bind/server option tables). */
export const TLS_OPTION_WORDS: ReadonlyArray<readonly [string, 0 | 1]> = [
  ['ssl-min-ver', 1],
  ['ssl-max-ver', 1],
  ['ciphers', 1],
  ['ciphersuites', 1],
  ['curves', 1],
  ['no-tls-tickets', 0],
  ['prefer-client-ciphers', 0],
  ...Object.keys(METHOD_WORDS).flatMap((w): Array<readonly [string, 0]> => [
    [`no-${w}`, 0],
    [`force-${w}`, 0],
  ]),
];

/**
 * Applies one option word (and its value, for the arity-1 ones) to `draft`. Unknown words are
 * reported as such; the caller decides which words its context accepts.
 */
export function applyTlsOption(draft: TlsOptionsDraft, word: string, value: string | undefined): TlsOptionResult {
  switch (word) {
    case 'ssl-min-ver':
    case 'ssl-max-ver': {
      const version = value === undefined ? undefined : versionOf(value);
      if (version === undefined) {
        return { ok: false, message: `'${word}' : expects one of SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3${value === undefined ? '' : `, got '${value}'`}` };
      }
      if (word === 'ssl-min-ver') draft.minVersion = version;
      else draft.maxVersion = version;
      return { ok: true, consumed: 1 };
    }
    case 'ciphers':
    case 'ciphersuites':
    case 'curves':
      if (value === undefined || value === '') return { ok: false, message: `'${word}' : missing ${word === 'curves' ? 'curve' : 'cipher'} suite` };
      draft[word] = value;
      return { ok: true, consumed: 1 };
    case 'no-tls-tickets':
      draft.noTlsTickets = true;
      return { ok: true, consumed: 0 };
    case 'prefer-client-ciphers':
      draft.preferClientCiphers = true;
      return { ok: true, consumed: 0 };
    default:
      break;
  }
  const dash = word.indexOf('-');
  const method = dash < 0 ? undefined : METHOD_WORDS[word.slice(dash + 1)];
  const kind = dash < 0 ? '' : word.slice(0, dash);
  if (method === undefined || (kind !== 'no' && kind !== 'force')) return { ok: false, message: `'${word}' : option not implemented` };
  if (kind === 'no') draft.disabled |= 1 << TLS_VERSION_NAMES.indexOf(method);
  else draft.minVersion = draft.maxVersion = method;
  return { ok: true, consumed: 0 };
}

/** A line's settings on top of the global defaults (bind_parse_ssl / ssl_sock_init_srv). */
export function inheritTlsOptions(defaults: TlsOptionsDraft, own: TlsOptionsDraft): TlsOptionsDraft {
  return {
    minVersion: own.minVersion ?? defaults.minVersion,
    maxVersion: own.maxVersion ?? defaults.maxVersion,
    disabled: own.disabled | defaults.disabled,
    ciphers: own.ciphers ?? defaults.ciphers,
    ciphersuites: own.ciphersuites ?? defaults.ciphersuites,
    curves: own.curves ?? defaults.curves,
    ...(own.ecdhe !== undefined ? { ecdhe: own.ecdhe } : {}),
    noTlsTickets: own.noTlsTickets || defaults.noTlsTickets,
    preferClientCiphers: own.preferClientCiphers || defaults.preferClientCiphers,
  };
}

export type TlsOptionsResolution =
  | { readonly ok: true; readonly options: TlsOptionsModel; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly message: string };

/**
 * The version range and options of a line, as ssl_sock_prepare_ctx computes them: `no-*` flags
 * are ignored (with a warning) once a min or max is set, the minimum defaults to TLSv1.2 (or the
 * max when that is lower), and the range runs from the lowest to the highest version left.
 * SSLv3 counts as disabled: no runtime offers it. `what` names the line in messages, e.g.
 * "bind '127.0.0.1:443' at [haproxy.cfg:12]".
 */
export function resolveTlsOptions(draft: TlsOptionsDraft, what: string): TlsOptionsResolution {
  const warnings: string[] = [];
  const curves = draft.curves ?? draft.ecdhe;
  let flags = 0;
  if (draft.disabled !== 0 && (draft.minVersion !== undefined || draft.maxVersion !== undefined)) {
    warnings.push(`no-sslv3/no-tlsv1x are ignored for ${what}. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.`);
  } else {
    flags = draft.disabled;
  }
  let min = draft.minVersion === undefined ? -1 : TLS_VERSION_NAMES.indexOf(draft.minVersion);
  const max = draft.maxVersion === undefined ? -1 : TLS_VERSION_NAMES.indexOf(draft.maxVersion);
  const defaultMin = TLS_VERSION_NAMES.indexOf(DEFAULT_MIN);
  if (min < 0) {
    if (max < 0 || max >= defaultMin) min = defaultMin;
    else {
      warnings.push(
        `Ambiguous configuration for ${what}: the ssl-min-ver value is not configured and the ssl-max-ver value is lower than the default ssl-min-ver value (${DEFAULT_MIN}). Setting the ssl-min-ver to ${TLS_VERSION_NAMES[max]}. Use 'ssl-min-ver' to fix this.`,
      );
      min = max;
    }
  }
  let low = -1;
  let high = -1;
  let hole = -1;
  // Index 0 (SSLv3) is never offered.
  for (let i = 1; i < TLS_VERSION_NAMES.length; i++) {
    const enabled = i >= min && (max < 0 || i <= max) && (flags & (1 << i)) === 0;
    if (enabled) {
      if (low < 0) low = i;
      else if (hole >= 0) {
        warnings.push(`SSL/TLS versions range not contiguous for ${what}. Hole find for ${TLS_VERSION_NAMES[hole]}. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.`);
        hole = -1;
      }
      high = i;
    } else if (low >= 0) {
      hole = i;
    }
  }
  if (low < 0) return { ok: false, message: `all SSL/TLS versions are disabled for ${what}.` };
  return {
    ok: true,
    warnings,
    options: {
      minVersion: TLS_VERSION_NAMES[low] as TlsProtocolVersion,
      maxVersion: TLS_VERSION_NAMES[high] as TlsProtocolVersion,
      ...(draft.ciphers !== undefined ? { ciphers: draft.ciphers } : {}),
      ...(draft.ciphersuites !== undefined ? { ciphersuites: draft.ciphersuites } : {}),
      ...(curves !== undefined ? { curves } : {}),
      tickets: !draft.noTlsTickets,
      ...(draft.preferClientCiphers ? { preferClientCiphers: true } : {}),
    },
  };
}

/** Settings equal to every runtime's defaults (TLSv1.2..TLSv1.3, tickets, default lists): left out of the model. */
export function isDefaultTlsOptions(options: TlsOptionsModel): boolean {
  return (
    options.minVersion === 'TLSv1.2' &&
    options.maxVersion === 'TLSv1.3' &&
    options.ciphers === undefined &&
    options.ciphersuites === undefined &&
    options.curves === undefined &&
    options.tickets &&
    options.preferClientCiphers !== true
  );
}
