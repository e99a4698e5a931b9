/**
 * `set server B/S check-addr A [port P]` and `check-port P`: HAProxy 2.6's
 * srv_update_check_addr_port, which changes nothing unless everything is valid and refuses
 * with warnings without a final period. Also the port reading it shares with
 * srv_update_agent_addr_port.
 */
import type { ServerCheck } from '../health/server-check.ts';
import type { Server } from '../proxy/server.ts';
import { literalAddress } from '../util/ip-address.ts';
import { error, NO_ANSWER, SEVERITY_WARNING, type CliAnswer } from './output.ts';

export function warning(text: string): CliAnswer {
  return { kind: 'message', severity: SEVERITY_WARNING, text };
}

/**
 * strl2irc() then the range check: digits with an optional '-' ("-" alone is 0), nothing
 * else, within an int; the refusal's text otherwise.
 */
export function checkPortOf(text: string): number | string {
  if (!/^-?\d*$/.test(text) || text === '') return 'provided port is not an integer';
  // + 0: "-0" is 0, not -0.
  const port = (text === '-' ? 0 : Number(text)) + 0;
  if (port > 2147483647 || port < -2147483648) return 'provided port is not an integer';
  return port < 0 || port > 65535 ? 'provided port is invalid' : port;
}

/** `args[3]` is `check-addr` or `check-port`; `check` is the server's health check, if any. */
export function setCheckAddress(server: Server, check: ServerCheck | undefined, args: readonly string[]): CliAnswer {
  const addressToo = args[3] === 'check-addr';
  if ((args[4] ?? '') === '') {
    return error(addressToo ? 'set server <b>/<s> check-addr requires an address and optionally a port.\n' : 'set server <b>/<s> check-port requires a port.\n');
  }
  // A stopped check (`disable health`) is no enabled one either.
  if (check === undefined || !check.running) return warning('health checks are not enabled on this server');
  let addr: string | undefined;
  if (addressToo) {
    const text = args[4] ?? '';
    addr = literalAddress(text);
    if (addr === undefined) return warning(`invalid addr '${text}'`);
  }
  const portText = addressToo ? (args[5] === 'port' ? (args[6] ?? '') : undefined) : args[4];
  let port: number | undefined;
  if (portText !== undefined) {
    const read = checkPortOf(portText);
    if (typeof read === 'string') return warning(read);
    if (server.mapPorts && read === 0) return warning("can't unset 'port' since MAPPORTS is in use");
    port = read;
  }
  check.setTarget(addr, port);
  return NO_ANSWER;
}
