/**
 * The exporter's query string (promex_parse_uri): `scope=NAME` (repeatable; `*` for all, an
 * empty value for none) picks the object kinds dumped, `no-maint` leaves out servers in
 * maintenance. Without any `scope`, everything is dumped. A `scope` without a value, an unknown
 * scope or a badly encoded parameter is refused (HAProxy answers 400).
 */

export const Scope = {
  global: 1,
  frontend: 2,
  listener: 4,
  backend: 8,
  server: 16,
  sticktable: 32,
} as const;

export const ALL_SCOPES = 63;

export interface ExportQuery {
  /** Scope bits. */
  readonly scopes: number;
  readonly noMaint: boolean;
}

const NAMED: ReadonlyMap<string, number> = new Map(Object.entries(Scope));

function decode(text: string): string | undefined {
  try {
    // HAProxy's url_decode(.., 1) also turns '+' into a space in query strings.
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The query of a request target, or undefined when HAProxy would answer 400. */
export function parseExportQuery(target: string): ExportQuery | undefined {
  const q = target.indexOf('?');
  let scopes = 0;
  let scoped = false;
  let noMaint = false;
  if (q >= 0) {
    let query = target.slice(q + 1);
    const hash = query.indexOf('#');
    if (hash >= 0) query = query.slice(0, hash);
    for (const param of query === '' ? [] : query.split('&')) {
      const eq = param.indexOf('=');
      const key = decode(eq < 0 ? param : param.slice(0, eq));
      const rawValue = eq < 0 ? undefined : param.slice(eq + 1);
      // A second '=' in one parameter is an error for HAProxy.
      if (key === undefined || (rawValue !== undefined && rawValue.includes('='))) return undefined;
      const value = rawValue === undefined ? undefined : decode(rawValue);
      if (rawValue !== undefined && value === undefined) return undefined;
      if (key === 'scope') {
        scoped = true;
        if (value === undefined) return undefined;
        if (value === '') scopes = 0;
        else if (value.startsWith('*')) scopes = ALL_SCOPES;
        else {
          const bit = NAMED.get(value);
          if (bit === undefined) return undefined;
          scopes |= bit;
        }
      } else if (key === 'no-maint') {
        noMaint = true;
      }
    }
  }
  return { scopes: scoped ? scopes : ALL_SCOPES, noMaint };
}
