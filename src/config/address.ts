/**
 * `ADDR:PORT` as written on `bind` and `server` lines (HAProxy's str2sa_range, restricted to
 * what Switchyard serves: TCP over IPv4, IPv6 and host names).
 *
 * Forms: `1.2.3.4:80`, `*:80` and `:80` (all IPv4 interfaces), `:::80` and `[::]:80` (all IPv6
 * interfaces; the port follows the last colon), `[::1]:80`, `ipv4@1.2.3.4:80`, `ipv6@::1:80`,
 * `tcp@...`, `host.example:80`.
 */

export interface ParsedAddress {
  /** "0.0.0.0" / "::" for the wildcards; IPv6 without brackets; host names as written. */
  readonly host: string;
  readonly port: number;
  /**
   * Host names only: the family an `ipv4@`/`tcp4@` or `ipv6@`/`tcp6@` prefix asks the name to
   * resolve to (HAProxy asks getaddrinfo for that family only); absent when any will do.
   */
  readonly family?: 4 | 6;
  /** A UNIX stream socket: `host` is its path, `port` 0 (an `abns@` name: see abstractSocketPath). */
  readonly unix?: true;
  /**
   * Servers only (`mapPorts` option): no port, port 0, or `+N` / `-N` — the connection goes to
   * the port the client connected to, plus `port` as an offset (HAProxy's SRV_F_MAPPORTS).
   */
  readonly mapPorts?: true;
  /** `fd@N` (`fd` option): a listening socket inherited as descriptor N; host '' and port 0. */
  readonly fd?: number;
}

export interface AddressOptions {
  /** Accept a missing port, port 0 and `+N`/`-N` offsets (HAProxy's server addresses). */
  readonly mapPorts?: boolean;
  /** Accept a UNIX socket path: `/path` or `unix@path` (binds and servers). */
  readonly unix?: boolean;
  /** Accept `fd@N`, a listening socket the process inherited (binds and stats sockets). */
  readonly fd?: boolean;
}

/** sun_path's size on Linux: HAProxy's `abns@` names fill all of it (NUL, name, NUL padding). */
const SUN_PATH_SIZE = 108;

/**
 * The socket path of `abns@NAME` as HAProxy 2.6 binds and dials it: Linux's abstract namespace
 * (a leading NUL) with the name padded by NULs to the whole of sun_path, so that the same name
 * reaches an HAProxy (socat's ABSTRACT- addresses, which stop at the name, do not).
 */
export function abstractSocketPath(name: string): string {
  return `\0${name}`.padEnd(SUN_PATH_SIZE, '\0');
}

/** Whether a UNIX socket path is in the abstract namespace (no file; abstractSocketPath). */
export function isAbstractSocketPath(path: string): boolean {
  return path.charCodeAt(0) === 0;
}

/** A UNIX socket path as the configuration wrote it: `abns@NAME` for an abstract one. */
export function socketPathText(path: string): string {
  if (!isAbstractSocketPath(path)) return path;
  const end = path.indexOf('\0', 1);
  return `abns@${path.slice(1, end < 0 ? path.length : end)}`;
}

export type AddressResult = { readonly ok: true; readonly value: ParsedAddress } | { readonly ok: false; readonly message: string };

const SUPPORTED_PREFIXES = new Set(['ipv4', 'ipv6', 'tcp', 'tcp4', 'tcp6']);

/** Four dot-separated decimal parts of 1 to 3 digits, each at most 255 (one pass: 1,000 servers are checked at each reload). */
export function isIPv4(text: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= text.length; i++) {
    // The end counts as the last part's dot.
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || value > 255) return false;
      parts++;
      digits = 0;
      value = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (++digits > 3) return false;
      value = value * 10 + (c - 0x30);
    } else return false;
  }
  return parts === 4;
}

export function isIPv6(text: string): boolean {
  let body = text;
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const lastColon = body.lastIndexOf(':');
  let extraGroups = 0;
  if (lastColon >= 0 && body.slice(lastColon + 1).includes('.')) {
    if (!isIPv4(body.slice(lastColon + 1))) return false;
    body = `${body.slice(0, lastColon + 1)}0`;
    extraGroups = 1;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = groups.length + extraGroups;
  return halves.length === 2 ? count <= 7 : count === 8;
}

function isHostName(text: string): boolean {
  return /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/.test(
    text,
  );
}

function parsePort(text: string, whole: string, options: AddressOptions): { ok: true; port: number; mapPorts?: true } | { ok: false; message: string } {
  if (options.mapPorts === true) {
    if (text === '' || text === '0') return { ok: true, port: 0, mapPorts: true };
    if (/^[+-]\d+$/.test(text)) {
      const offset = Number(text);
      if (Math.abs(offset) > 65535) return { ok: false, message: `invalid port offset '${text}' in address '${whole}'` };
      return { ok: true, port: offset, mapPorts: true };
    }
  }
  if (text === '') return { ok: false, message: `missing port in address '${whole}'` };
  if (/^\d+-\d+$/.test(text)) return { ok: false, message: `port ranges are not supported ('${whole}')` };
  if (/^[+-]\d+$/.test(text)) {
    return { ok: false, message: `port offsets are not supported ('${whole}'); give an absolute port` };
  }
  if (!/^\d+$/.test(text)) return { ok: false, message: `invalid port '${text}' in address '${whole}'` };
  const port = Number(text);
  if (port < 1 || port > 65535) return { ok: false, message: `invalid port '${text}' in address '${whole}' (expected 1..65535)` };
  return { ok: true, port };
}

/**
 * Parses one address. `wildcardAllowed` (bind) lets `*` and an empty host mean "all
 * interfaces"; servers need a real host.
 */
/** `prefix` in lower case; only the text's first characters are lowered (a reload parses every server's address). */
function startsWithIgnoringCase(text: string, prefix: string): boolean {
  return text.length >= prefix.length && text.slice(0, prefix.length).toLowerCase() === prefix;
}

export function parseAddress(text: string, wildcardAllowed: boolean, options: AddressOptions = {}): AddressResult {
  // str2sa_range: an absolute path, or `unix@` then a path, is a UNIX stream socket.
  if (options.unix === true && (text.startsWith('/') || startsWithIgnoringCase(text, 'unix@'))) {
    const path = text.startsWith('/') ? text : text.slice(5);
    if (path === '') return { ok: false, message: `missing path in address '${text}'` };
    return { ok: true, value: { host: path, port: 0, unix: true } };
  }
  if (options.unix === true && startsWithIgnoringCase(text, 'abns@')) {
    const name = text.slice(5);
    // str2sa_range: the name fills sun_path after its leading NUL.
    if (name.length > SUN_PATH_SIZE - 1) return { ok: false, message: `socket path '${text}' too long (max ${SUN_PATH_SIZE - 1})` };
    return { ok: true, value: { host: abstractSocketPath(name), port: 0, unix: true } };
  }
  if (options.fd === true && startsWithIgnoringCase(text, 'fd@')) {
    // str2sa_range: strtol over the whole rest, no sign, no blanks.
    const number = text.slice(3);
    if (!/^\d+$/.test(number)) return { ok: false, message: `file descriptor '${number}' is not a valid integer in '${text}'` };
    return { ok: true, value: { host: '', port: 0, fd: Number(number) } };
  }
  let rest = text;
  let family: 4 | 6 | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const prefix = rest.slice(0, at).toLowerCase();
    if (!SUPPORTED_PREFIXES.has(prefix)) {
      return { ok: false, message: `address family '${rest.slice(0, at + 1)}' is not supported ('${text}'); only TCP over IPv4/IPv6 is` };
    }
    if (prefix === 'ipv4' || prefix === 'tcp4') family = 4;
    if (prefix === 'ipv6' || prefix === 'tcp6') family = 6;
    rest = rest.slice(at + 1);
  }
  if (rest.startsWith('/') || rest.startsWith('unix:')) {
    return { ok: false, message: `UNIX socket addresses are not supported here ('${text}')` };
  }

  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return { ok: false, message: `missing ']' in address '${text}'` };
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return { ok: false, message: `invalid address '${text}'` };
    portText = after.slice(1);
    if (!isIPv6(host) && !(wildcardAllowed && host === '')) {
      return { ok: false, message: `invalid IPv6 address '${host}' in '${text}'` };
    }
    host = host === '' ? '::' : host.toLowerCase();
    family ??= 6;
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0 && options.mapPorts !== true) return { ok: false, message: `missing port in address '${text}'` };
    host = colon < 0 ? rest : rest.slice(0, colon);
    portText = colon < 0 ? '' : rest.slice(colon + 1);
  }

  const port = parsePort(portText, text, options);
  if (!port.ok) return port;
  const mapped = port.mapPorts === true ? ({ mapPorts: true } as const) : {};

  if (host === '' || host === '*') {
    if (!wildcardAllowed) return { ok: false, message: `missing host in address '${text}'` };
    host = family === 6 ? '::' : '0.0.0.0';
  } else if (host.includes(':')) {
    if (!isIPv6(host)) return { ok: false, message: `invalid IPv6 address '${host}' in '${text}'` };
    if (family === 4) return { ok: false, message: `'${host}' is not an IPv4 address ('${text}')` };
    host = host.toLowerCase();
  } else if (isIPv4(host)) {
    if (family === 6) return { ok: false, message: `'${host}' is not an IPv6 address ('${text}')` };
  } else if (/^[\d.]+$/.test(host)) {
    return { ok: false, message: `invalid IPv4 address '${host}' in '${text}'` };
  } else if (!isHostName(host)) {
    return { ok: false, message: `invalid host '${host}' in '${text}'` };
  } else if (family !== undefined) {
    return { ok: true, value: { host, port: port.port, family, ...mapped } };
  }
  return { ok: true, value: { host, port: port.port, ...mapped } };
}
