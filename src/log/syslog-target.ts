/**
 * Syslog over UDP, HAProxy's `log ADDRESS[:PORT] ...` targets: the address forms it accepts
 * for them (`[udp@|udp4@|udp6@|ipv4@|ipv6@]IP[:PORT]`, `[IPv6]:PORT`, port 514 by default), and
 * one sending socket per address family for the whole process, shared by every proxy's logger.
 */
import { latin1Bytes } from '../http/codec/chars.ts';
import type { DatagramSender, Runtime } from '../runtime.ts';
import { inetPton4, inetPton6 } from '../util/ip-address.ts';

export interface SyslogAddress {
  readonly family: 4 | 6;
  readonly address: string;
  readonly port: number;
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

/** The UDP destination a `log` target names, or undefined when it is not one (stdout, a path, ring@...). */
export function parseSyslogAddress(text: string): SyslogAddress | undefined {
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
    if (colon >= 0 && /^\d+$/.test(rest.slice(colon + 1)) && isIP(rest.slice(0, colon)) !== 0) {
      host = rest.slice(0, colon);
      port = Number(rest.slice(colon + 1));
    }
  }
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
  readonly #encoder = new TextEncoder();

  constructor(runtime: Runtime) {
    this.#runtime = runtime;
  }

  /** `line`: text (sent as UTF-8), or a byte string (one char per byte, sent as those bytes). */
  send(to: SyslogAddress, line: string, bytes = false): void {
    let sender = to.family === 4 ? this.#v4 : this.#v6;
    if (sender === undefined) {
      sender = this.#runtime.openDatagramSocket(to.family);
      if (to.family === 4) this.#v4 = sender;
      else this.#v6 = sender;
    }
    sender.send(bytes ? latin1Bytes(line) : this.#encoder.encode(line), to.address, to.port);
  }

  close(): void {
    this.#v4?.close();
    this.#v6?.close();
    this.#v4 = undefined;
    this.#v6 = undefined;
  }
}
