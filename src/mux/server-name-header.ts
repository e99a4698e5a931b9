/**
 * `http-send-name-header NAME`: HAProxy's HTTP/1 and FastCGI muxes write NAME with the name of
 * the server the request goes out to as the head's last header, and drop every other header of
 * that name on the way (mux_h1.c h1_process_output). The head is built before a server is known
 * and sent again as is when the request is redispatched: the header goes in at each send.
 */
import type { Server } from '../proxy/server.ts';

const encoder = new TextEncoder();

/** The header line of the last server asked for, per backend header name: a backend sends to few servers. */
const lines = new WeakMap<Server, { readonly header: string; readonly bytes: Uint8Array }>();

function lineOf(header: string, server: Server): Uint8Array {
  const cached = lines.get(server);
  if (cached !== undefined && cached.header === header) return cached.bytes;
  const bytes = encoder.encode(`${header}: ${server.name}\r\n`);
  lines.set(server, { header, bytes });
  return bytes;
}

/** The request head with `header: <server name>` before its final empty line. */
export function withServerName(head: Uint8Array, header: string, server: Server): Uint8Array {
  const line = lineOf(header, server);
  // A received head left unedited may end its lines with a bare LF.
  const end = head.length >= 2 && head[head.length - 2] === 0x0d ? head.length - 2 : head.length - 1;
  const out = new Uint8Array(head.length + line.length);
  out.set(head.subarray(0, end), 0);
  out.set(line, end);
  out.set(head.subarray(end), end + line.length);
  return out;
}
