/**
 * Syslog datagrams, HAProxy's `log ADDRESS[:PORT] ...` and `log /PATH ...` targets: the address
 * forms it accepts for them (`[udp@|udp4@|udp6@|ipv4@|ipv6@]IP[:PORT]`, `[IPv6]:PORT`, port 514
 * by default; `unix@PATH` or an absolute path for a UNIX datagram socket such as `/dev/log`,
 * `abns@NAME` for one in Linux's abstract namespace),
 * and one sending socket per address family for the whole process, shared by every proxy's
 * logger, with the count of the lines dropped for want of room (HAProxy's DroppedLogs).
 */
import { latin1Bytes } from '../http/codec/chars.ts';
import type { DatagramSender, Runtime, UnixDatagramSender } from '../runtime.ts';
import { inetPton4, inetPton6 } from '../util/ip-address.ts';
import { abstractSocketPath } from '../config/address.ts';

export interface SyslogInetAddress {
  readonly family: 4 | 6;
  readonly address: string;
  readonly port: number;
}

/** A UNIX datagram socket's path (family 'unix'). */
export interface SyslogUnixAddress {
  readonly family: 'unix';
  readonly path: string;
}

export type SyslogAddress = SyslogInetAddress | SyslogUnixAddress;

/** sun_path holds 108 bytes with the terminating NUL. */
const UNIX_PATH_MAX = 107;

/**
 * The UNIX datagram socket a `log` target names (`unix@PATH`, `/PATH`, `abns@NAME`: an abstract
 * name, padded with NULs to the whole sun_path as HAProxy sends to it), or undefined.
 */
export function parseSyslogUnixPath(text: string): SyslogUnixAddress | undefined {
  const abstract = text.startsWith('abns@');
  const path = text.startsWith('unix@') || abstract ? text.slice(5) : text.startsWith('/') ? text : undefined;
  if (path === undefined || path === '' || new TextEncoder().encode(path).length > UNIX_PATH_MAX) return undefined;
  return { family: 'unix', path: abstract ? abstractSocketPath(path) : path };
}

const DEFAULT_PORT = 514;
const PREFIXES: ReadonlyArray<[string, 4 | 6 | undefined]> = [
  ['udp@', undefined],
  ['udp4@', 4],
  ['udp6@', 6],
  ['ipv4@', 4],
  ['ipv6@', 6],
];

/** 4 or 6 for an IPv4 or IPv6 address, 0 for anything else. */
function isIP(text: string): 0 | 4 | 6 {
  if (inetPton4(text) >= 0) return 4;
  return inetPton6(text) === undefined ? 0 : 6;
}

/** A UDP target given by host name (`syslog.example:514`, `udp4@logs`), resolved at startup. */
export interface SyslogHostTarget {
  readonly host: string;
  /** The family a prefix asks for (`udp4@`, `ipv6@`...); any when undefined. */
  readonly family: 4 | 6 | undefined;
  readonly port: number;
}

const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

/** The host name, family and port of a `log` target written with a host name, or undefined. */
export function parseSyslogHostTarget(text: string): SyslogHostTarget | undefined {
  if (text === 'stdout' || text === 'stderr') return undefined;
  let rest = text;
  let family: 4 | 6 | undefined;
  for (const [prefix, f] of PREFIXES) {
    if (rest.startsWith(prefix)) {
      rest = rest.slice(prefix.length);
      family = f;
      break;
    }
  }
  let host = rest;
  let port = DEFAULT_PORT;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    host = rest.slice(0, colon);
    const text = rest.slice(colon + 1);
    port = /^\d+$/.test(text) ? Number(text) : 0;
  }
  if (!HOST_NAME.test(host) || isIP(host) !== 0 || /^[\d.]+$/.test(host) || port < 1 || port > 65535) return undefined;
  return { host, family, port };
}

/** The datagram destination a `log` target names, or undefined when it is not one (stdout, ring@...). */
export function parseSyslogAddress(text: string): SyslogAddress | undefined {
  return parseSyslogUnixPath(text) ?? parseSyslogInetAddress(text);
}

/** The UDP destination a `log` target names, or undefined when it is not one. */
export function parseSyslogInetAddress(text: string): SyslogInetAddress | undefined {
  let rest = text;
  let wanted: 4 | 6 | undefined;
  for (const [prefix, family] of PREFIXES) {
    if (rest.startsWith(prefix)) {
      rest = rest.slice(prefix.length);
      wanted = family;
      break;
    }
  }
  let host = rest;
  let port = DEFAULT_PORT;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket !== null) {
    host = bracket[1] as string;
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else {
    const colon = rest.lastIndexOf(':');
    // One colon: IPv4:port. Several: an IPv6 address, whose last group may be a port (HAProxy's
    // str2sa_range reads `ipv6@::1:514` so), only when what is left is still an address.
    if (colon >= 0 && /^\d*$/.test(rest.slice(colon + 1)) && (colon === 0 || isIP(rest.slice(0, colon)) !== 0)) {
      host = rest.slice(0, colon);
      if (colon + 1 < rest.length) port = Number(rest.slice(colon + 1));
    }
  }
  // str2sa_range: no host is the any address (`:514`, or `:` from unset variables), which a
  // datagram reaches as the local host; no port is syslog's.
  if (host === '') host = wanted === 6 ? '::' : '0.0.0.0';
  const family = isIP(host);
  if (family === 0 || (wanted !== undefined && family !== wanted)) return undefined;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { family, address: host, port };
}

/** The process's syslog sockets, opened on first use and closed when the proxy stops. */
export class SyslogSenders {
  readonly #runtime: Runtime;
  #v4: DatagramSender | undefined;
  #v6: DatagramSender | undefined;
  #unix: UnixDatagramSender | undefined;
  readonly #encoder = new TextEncoder();
  /** Lines a full UNIX socket queue could not take (show info's DroppedLogs). */
  dropped = 0;

  constructor(runtime: Runtime) {
    this.#runtime = runtime;
  }

  /**
   * Opens the UNIX datagram socket now rather than at the first line: before `chroot`, where
   * opening it may need files the new root lacks (the runtime's FFI library, Deno's bound name).
   */
  openUnix(): void {
    this.#unix ??= this.#runtime.openUnixDatagramSender?.();
  }

  /** `line`: text (sent as UTF-8), or a byte string (one char per byte, sent as those bytes). */
  send(to: SyslogAddress, line: string, bytes = false): void {
    const data = bytes ? latin1Bytes(line) : this.#encoder.encode(line);
    if (to.family === 'unix') {
      // Absent only where the configuration refused such targets (Runtime.socketUnsupported).
      this.#unix ??= this.#runtime.openUnixDatagramSender?.();
      if (this.#unix !== undefined && !this.#unix.send(data, to.path)) this.dropped++;
      return;
    }
    let sender = to.family === 4 ? this.#v4 : this.#v6;
    if (sender === undefined) {
      sender = this.#runtime.openDatagramSocket(to.family);
      if (to.family === 4) this.#v4 = sender;
      else this.#v6 = sender;
    }
    sender.send(data, to.address, to.port);
  }

  close(): void {
    this.#v4?.close();
    this.#v6?.close();
    this.#unix?.close();
    this.#v4 = undefined;
    this.#v6 = undefined;
    this.#unix = undefined;
  }
}
