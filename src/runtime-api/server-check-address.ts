/**
 * `set server B/S check-addr A [port P]` and `check-port P`: HAProxy 2.6's
 * srv_update_check_addr_port, which changes nothing unless everything is valid and refuses
 * with warnings without a final period; and srv_update_agent_addr_port, its agent twin.
 */
import { isIPv4, isIPv6 } from '../config/address.ts';
import type { AgentCheck } from '../health/agent-check.ts';
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

/**
 * srv_update_check_addr_port: the check's address (a literal, never a name) and port, both or
 * neither; the refusal's text otherwise (`enabled`: HAProxy's CHK_ST_ENABLED). `set server ... check-addr|check-port` and the
 * server-state file both go through it.
 */
export function updateCheckAddress(server: Server, check: ServerCheck | undefined, enabled: boolean, addrText: string | undefined, portText: string | undefined): string | undefined {
  if (check === undefined || !enabled) return 'health checks are not enabled on this server';
  let addr: string | undefined;
  if (addrText !== undefined) {
    addr = literalAddress(addrText);
    if (addr === undefined) return `invalid addr '${addrText}'`;
  }
  let port: number | undefined;
  if (portText !== undefined) {
    const read = checkPortOf(portText);
    if (typeof read === 'string') return read;
    if (server.mapPorts && read === 0) return "can't unset 'port' since MAPPORTS is in use";
    port = read;
  }
  check.setTarget(addr, port);
  return undefined;
}

/**
 * srv_update_agent_addr_port: the agent's address (an IP literal) and port, both or neither;
 * the refusal's text otherwise. `set server ... agent-addr|agent-port` and the server-state
 * file both go through it.
 */
export function updateAgentAddress(agent: AgentCheck | undefined, addrText: string | undefined, portText: string | undefined): string | undefined {
  if (agent === undefined) return 'agent checks are not enabled on this server';
  if (addrText !== undefined && !isIPv4(addrText) && !isIPv6(addrText)) return `invalid addr '${addrText}'`;
  let port: number | undefined;
  if (portText !== undefined) {
    const read = checkPortOf(portText);
    if (typeof read === 'string') return read;
    port = read;
  }
  agent.setAddress(addrText, port);
  return undefined;
}

/** `args[3]` is `check-addr` or `check-port`; `check` is the server's health check, if any. */
export function setCheckAddress(server: Server, check: ServerCheck | undefined, args: readonly string[]): CliAnswer {
  const addressToo = args[3] === 'check-addr';
  if ((args[4] ?? '') === '') {
    return error(addressToo ? 'set server <b>/<s> check-addr requires an address and optionally a port.\n' : 'set server <b>/<s> check-port requires a port.\n');
  }
  const addr = addressToo ? args[4] : undefined;
  const port = addressToo ? (args[5] === 'port' ? (args[6] ?? '') : undefined) : args[4];
  // A stopped check (`disable health`) is no enabled one.
  const refusal = updateCheckAddress(server, check, check?.running === true, addr, port);
  return refusal === undefined ? NO_ANSWER : warning(refusal);
}
