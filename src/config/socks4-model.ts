/**
 * The `socks4` / `check-via-socks4` server settings as they go into the model, and the
 * combinations Switchyard refuses: TLS is not layered over a SOCKS4 tunnel yet, and SOCKS4
 * (no 4a) carries only an IPv4 destination.
 */
import { isIPv6 } from './address.ts';
import type { ServerDraft } from './draft.ts';
import type { ServerModel } from './model.ts';

type Socks4Settings = Pick<ServerDraft, 'socks4' | 'checkViaSocks4' | 'ssl' | 'checkSsl' | 'host' | 'unix'>;

export function socks4Model(server: Socks4Settings): Pick<ServerModel, 'socks4' | 'checkViaSocks4'> {
  if (server.socks4 === undefined) return {};
  return { socks4: { host: server.socks4.host, port: server.socks4.port }, ...(server.checkViaSocks4 === true ? { checkViaSocks4: true } : {}) };
}

/** The messages for what cannot be served (empty when all is well). */
export function socks4Refusals(server: Socks4Settings): string[] {
  if (server.socks4 === undefined) return [];
  const out: string[] = [];
  if (server.ssl) out.push("'socks4' with 'ssl' is not supported by Switchyard yet.");
  else if (server.checkSsl === true && server.checkViaSocks4 === true) out.push("'check-via-socks4' with 'check-ssl' is not supported by Switchyard yet.");
  if (server.unix === true || isIPv6(server.host)) out.push("'socks4' needs an IPv4 server address (SOCKS4 carries no other).");
  return out;
}
