/**
 * `agent-addr` given by host name, as HAProxy 2.6's srv_parse_agent_addr takes it: str2ip()
 * resolves a name through the system resolver (getaddrinfo, the first address) while the
 * configuration is read, so the agent dials an address from the start. A name that does not
 * resolve, or is no host name at all, refuses the configuration as a parse error:
 * `[FILE:LINE] : 'server B/S' : parsing agent-addr failed. Check if 'X' is correct address.`
 * (HAProxy's own trailing period doubles it), whether or not the server has `agent-check`
 * (the keyword resolves as it is read). The keyword keeps IP literals as they are
 * (src/config/keywords/server-agent.ts); this resolves what is left, before init-addr does.
 */

import { isIPv4, isIPv6 } from '../config/address.ts';
import type { BackendModel, ConfigModel, ServerModel } from '../config/model.ts';

/** The resolver: Runtime.lookup. */
export type AgentAddrLookup = (host: string) => Promise<string[]>;

export interface AgentAddrOutcome {
  /** The configuration with every agent address an IP address. */
  readonly config: ConfigModel;
  /** HAProxy's parse errors, each `[FILE:LINE] : 'server B/S' : ...` (print them after `config : `). */
  readonly alerts: readonly string[];
  /** The files those errors are in, in order (HAProxy's "Error(s) found in configuration file : FILE"). */
  readonly files: readonly string[];
}

/** DNS_MAX_NAME_SIZE and DNS_MAX_LABEL_SIZE. */
const MAX_NAME = 255;
const MAX_LABEL = 63;

/** HAProxy's resolv_hostname_validation: letters, digits, '-', '_' and dots, labels of 63 at most. */
export function validHostName(name: string): boolean {
  return name.length <= MAX_NAME && /^[-_A-Za-z0-9.]*$/.test(name) && name.split('.').every((label) => label.length <= MAX_LABEL);
}

function isAddress(text: string): boolean {
  return isIPv4(text) || isIPv6(text);
}

export async function resolveAgentAddresses(config: ConfigModel, lookup: AgentAddrLookup): Promise<AgentAddrOutcome> {
  const named = (server: ServerModel): string | undefined => {
    const addr = (server.agent ?? server.agentTarget)?.addr;
    return addr === undefined || isAddress(addr) ? undefined : addr;
  };
  // Every name is asked once, all at once; the answers are then applied in configuration order.
  const answers = new Map<string, Promise<string | undefined>>();
  for (const backend of config.backends) {
    for (const server of backend.servers) {
      const name = named(server);
      if (name === undefined || !validHostName(name) || answers.has(name)) continue;
      answers.set(name, lookup(name).then((list) => list[0], () => undefined));
    }
  }
  if (!config.backends.some((b) => b.servers.some((s) => named(s) !== undefined))) return { config, alerts: [], files: [] };

  const alerts: string[] = [];
  const files: string[] = [];
  const backends: BackendModel[] = [];
  for (const backend of config.backends) {
    const servers: ServerModel[] = [];
    for (const server of backend.servers) {
      const name = named(server);
      if (name === undefined) {
        servers.push(server);
        continue;
      }
      const address = validHostName(name) ? await answers.get(name) : undefined;
      if (address === undefined) {
        const { file, line } = server.source;
        alerts.push(`[${file}:${line}] : 'server ${backend.name}/${server.name}' : parsing agent-addr failed. Check if '${name}' is correct address..`);
        if (!files.includes(file)) files.push(file);
        servers.push(server);
        continue;
      }
      const { agent, agentTarget } = server;
      servers.push(agent !== undefined ? { ...server, agent: { ...agent, addr: address } } : { ...server, agentTarget: { port: agentTarget?.port, addr: address } });
    }
    backends.push({ ...backend, servers });
  }
  return { config: { ...config, backends }, alerts, files };
}
