/**
 * `persist rdp-cookie[(NAME)]` (HAProxy's tcp_persist_rdp_cookie, backend.c): the cookie NAME
 * (default `msts`) of an RDP connection request names the server a client was on before, as
 * Microsoft's load-balancing info does: `ADDR.PORT.` where ADDR is the server's IPv4 address as
 * the integer its four bytes make in memory (network order read as a little-endian word, as
 * HAProxy compares `sin_addr.s_addr` on x86) and PORT the port in network byte order read the
 * same way. The first IPv4 server with that address and port that is not stopped (or any with
 * `option persist`) takes the session before the stick rules and the balancer.
 */
import type { Server } from '../proxy/server.ts';
import type { SampleContext } from '../rules/sample-context.ts';
import { compileSampleFetch, type SampleFetch } from '../rules/sample-fetch.ts';
import { inetPton4 } from '../util/ip-address.ts';

export class RdpCookiePersistence {
  readonly #fetch: SampleFetch;
  readonly #servers: readonly Server[];
  readonly #persist: boolean;

  constructor(cookie: string, servers: readonly Server[], persist: boolean) {
    const compiled = compileSampleFetch(`req.rdp_cookie(${cookie})`);
    if (!compiled.ok) throw new Error(`persist rdp-cookie(${cookie}): ${compiled.message}`);
    this.#fetch = compiled.fetch;
    this.#servers = servers;
    this.#persist = persist;
  }

  target(ctx: SampleContext): Server | undefined {
    const value = this.#fetch.fetch(ctx);
    if (value === undefined || value === '') return undefined;
    const addr = strtoul(value, 0);
    if (value.charCodeAt(addr.end) !== 0x2e /* . */) return undefined;
    const port = strtoul(value, addr.end + 1);
    if (value.charCodeAt(port.end) !== 0x2e) return undefined;
    const wantedAddr = addr.value % 0x1_0000_0000;
    const p16 = port.value % 0x10000;
    const wantedPort = ((p16 & 0xff) << 8) | (p16 >>> 8);
    for (const server of this.#servers) {
      if (server.port !== wantedPort) continue;
      const v4 = inetPton4(server.host);
      if (v4 < 0 || swap32(v4) !== wantedAddr) continue;
      if ((server.status !== 'DOWN' && server.status !== 'MAINT') || this.#persist) return server;
    }
    return undefined;
  }
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | (((v >>> 8) & 0xff) << 16) | (((v >>> 16) & 0xff) << 8) | (v >>> 24)) >>> 0;
}

/** C's strtoul in base 10 from `start`: blanks, an optional sign, digits; `end` is where it stopped. */
function strtoul(text: string, start: number): { value: number; end: number } {
  let i = start;
  while (i < text.length && (text.charCodeAt(i) === 0x20 || (text.charCodeAt(i) >= 0x09 && text.charCodeAt(i) <= 0x0d))) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') negative = text[i++] === '-';
  const digits = i;
  let value = 0;
  while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) value = Math.min(value * 10 + (text.charCodeAt(i++) - 0x30), 2 ** 64 - 1);
  // No digits: nothing was converted and the end is the start.
  if (i === digits) return { value: 0, end: start };
  if (value >= 2 ** 64 - 1) value = 0xffffffff;
  return { value: negative ? 2 ** 32 - (value % 2 ** 32) : value, end: i };
}
