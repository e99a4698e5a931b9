/**
 * Server commands (HAProxy's server.c and stream.c CLI handlers): state, weight, address,
 * health, maxconn, killing sessions, and the `show servers` / `show backend` dumps.
 */
import { inResolutionMaint, showsFqdnFlag, withoutAddress } from '../../dns/resolution-maint.ts';
import { srvRecordOf } from '../../dns/srv-name.ts';
import { staticWeights } from '../../proxy/static-weights.ts';
import { isIPv4, isIPv6 } from '../../config/address.ts';
import type { Backend } from '../../proxy/backend.ts';
import type { Server } from '../../proxy/server.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, NO_ANSWER, SEVERITY_WARNING, type CliAnswer } from '../output.ts';
import { forcedAdminState, inForcedMaint, reportedHealth, resolvesAgain, setDrain, setHealthFromCli, setMaint, setOperationalState, setReady, type AdminChange } from '../server-admin.ts';
import type { RuntimeTarget } from '../target.ts';
import { CHECK_STATUS_CODES } from '../../health/check-status-codes.ts';
import { setServerSsl } from '../server-ssl-switch.ts';
import { setCheckAddress, updateAgentAddress, warning } from '../server-check-address.ts';
import { setFqdn } from '../server-fqdn.ts';
import { serversConnDump } from '../servers-conn.ts';

/** HAProxy's cli_find_server, with its messages. */
function findServer(target: RuntimeTarget, arg: string | undefined): Server | CliAnswer {
  const text = arg ?? '';
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1) return error("Require 'backend/server'.\n");
  const found = target.server(text);
  return typeof found === 'string' ? error(found) : found;
}

function isAnswer(x: Server | CliAnswer): x is CliAnswer {
  return 'kind' in x;
}

function initialWeight(_backend: Backend, server: Server): number {
  return server.initialWeight;
}

/** server_parse_weight_change_request: `N` or `N%` of the initial weight. */
function changeWeight(target: RuntimeTarget, server: Server, text: string | undefined): CliAnswer {
  if (text === undefined || text === '') return error('Require <weight> or <weight%>.\n');
  const m = /^([+-]?\d+)(.*)$/.exec(text);
  if (m === null) return error('Empty weight string empty or preceded by garbage');
  const backend = target.backendOf(server);
  const initial = initialWeight(backend, server);
  let w = Number(m[1]);
  if (m[2] === '%') {
    if (w < 0) return error('Relative weight must be positive.\n');
    w = Math.min(256, Math.floor((initial * Math.min(w, 25600)) / 100));
  } else if (w < 0 || w > 256) {
    return error('Absolute weight can only be between 0 and 256 inclusive.\n');
  } else if (m[2] !== '') {
    return error('Trailing garbage in weight string');
  }
  if (w !== 0 && w !== initial && staticWeights(backend)) {
    return error("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n");
  }
  server.userWeight = w;
  backend.setServerWeight(server, w);
  return NO_ANSWER;
}

function withServer(args: readonly string[], at: number, ctx: CommandContext, act: (server: Server, backend: Backend) => CliAnswer): CliAnswer {
  const found = findServer(ctx.target, args[at]);
  if (isAnswer(found)) return found;
  return act(found, ctx.target.backendOf(found));
}

/**
 * `agent-addr A [port P]`, `agent-port P`: HAProxy 2.6's srv_update_agent_addr_port, whose
 * refusals are warnings without a final period ("invalid addr 'X'", "provided port is not an
 * integer", "provided port is invalid"); nothing changes unless everything is valid.
 */
function setAgentAddress(ctx: CommandContext, server: Server, args: readonly string[]): CliAnswer {
  const addressToo = args[3] === 'agent-addr';
  if ((args[4] ?? '') === '') {
    return error(addressToo ? 'set server <b>/<s> agent-addr requires an address and optionally a port.\n' : 'set server <b>/<s> agent-port requires a port.\n');
  }
  const host = addressToo ? args[4] : undefined;
  const portText = addressToo ? (args[5] === 'port' ? (args[6] ?? '') : undefined) : args[4];
  const refusal = updateAgentAddress(ctx.target.agentCheck?.(server), host, portText);
  return refusal === undefined ? NO_ANSWER : warning(refusal);
}

/** strtol(text, 10) as HAProxy reads a port: blanks, a sign, digits; undefined when no digit comes. */
function strtolPort(text: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text);
  if (m === null) return undefined;
  const n = Number(m[2]);
  if (n > 0x7fffffffffffffff) return undefined; // ERANGE
  return m[1] === '-' ? -n : n;
}

/**
 * HAProxy 2.6's srv_update_addr_port: the address changes first (it stays changed when the
 * port is then refused), the port is strtol()'s value stored in 16 bits, and every answer ends
 * with " by 'stats socket command'". A server without address (init-addr none, a name that no
 * longer resolves) or on a UNIX socket takes none ("Update for the current server address
 * family is only supported through configuration file"). A signed port (a port map) is
 * refused: a server's mapping is set by its configuration here.
 */
function setAddress(server: Server, args: readonly string[]): CliAnswer {
  const addr = args[4] ?? '';
  if (addr === '') return error('set server <b>/<s> addr requires an address and optionally a port.\n');
  const by = " by 'stats socket command'\n";
  const warn = (text: string): CliAnswer => ({ kind: 'message', severity: SEVERITY_WARNING, text: `${text}${by}` });
  if (!isIPv4(addr) && !isIPv6(addr)) return warn(`Invalid addr '${addr}'`);
  if (withoutAddress(server) || server.unix) return warn('Update for the current server address family is only supported through configuration file');
  let text: string;
  if (server.host === addr) text = 'no need to change the addr';
  else {
    text = `IP changed from '${server.host}' to '${addr}'`;
    server.host = addr;
  }
  const portText = args[5] === 'port' ? (args[6] ?? '') : undefined;
  if (portText === undefined) return warn(text);
  const value = strtolPort(portText);
  const signed = /^[ \t\n\v\f\r]*[+-]/.test(portText);
  if (value === undefined || (signed && !server.mapPorts)) return warn(`${text}, problem converting port '${portText}' to an int`);
  const port = value & 0xffff;
  if (port === server.port) return warn(`${text}, no need to change the port`);
  const before = server.port;
  server.port = port;
  return warn(`${text}, port changed from '${server.mapPorts ? '+' : ''}${before}' to '${signed ? portText.trim()[0] : ''}${port}'`);
}

function setServer(args: readonly string[], ctx: CommandContext): CliAnswer {
  return withServer(args, 2, ctx, (server, backend) => {
    const now = ctx.target.runtime.now();
    const check = ctx.target.healthCheck(server);
    switch (args[3]) {
      case 'weight':
        return changeWeight(ctx.target, server, args[4]);
      case 'state':
        let change: AdminChange | undefined;
        if (args[4] === 'ready') change = setReady(backend, server, check, now);
        else if (args[4] === 'drain') change = setDrain(backend, server, check, now);
        else if (args[4] === 'maint') change = setMaint(backend, server, check, now);
        else return error("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n");
        if (change !== undefined) ctx.target.reportAdminChange(backend, change);
        return NO_ANSWER;
      case 'health': {
        const verb = args[4];
        if (verb !== 'up' && verb !== 'stopping' && verb !== 'down') {
          return error("'set server <srv> health' expects 'up', 'stopping', or 'down'.\n");
        }
        const change = setHealthFromCli(backend, server, check, verb, now);
        if (change !== undefined) ctx.target.reportAdminChange(backend, change);
        return NO_ANSWER;
      }
      case 'agent': {
        const agent = ctx.target.agentCheck?.(server);
        if (agent === undefined) return error('agent checks are not enabled on this server.\n');
        const verb = args[4];
        if (verb !== 'up' && verb !== 'down') return error("'set server <srv> agent' expects 'up' or 'down'.\n");
        agent.setHealth(verb === 'up');
        const change = setOperationalState(backend, server, verb, now);
        if (change !== undefined) ctx.target.reportAdminChange(backend, change);
        return NO_ANSWER;
      }
      case 'addr': {
        const answer = setAddress(server, args);
        // HAProxy clears the resolution maintenance after any address given, even one refused.
        if ((args[4] ?? '') !== '') {
          for (const change of resolvesAgain(backend, server, check, now, server.hostname ?? server.host)) ctx.target.reportAdminChange(backend, change);
        }
        return answer;
      }
      case 'agent-addr':
      case 'agent-port':
        return setAgentAddress(ctx, server, args);
      case 'agent-send': {
        const agent = ctx.target.agentCheck?.(server);
        if (agent === undefined) return error('agent checks are not enabled on this server.\n');
        agent.setSend(args[4] ?? '');
        return NO_ANSWER;
      }
      case 'fqdn':
        return setFqdn(ctx.target, server, args[4] ?? '');
      case 'ssl':
        return setServerSsl(ctx.target, server, args[4]);
      case 'check-addr':
      case 'check-port':
        return setCheckAddress(server, check, args);
      default:
        return error(
          'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n',
        );
    }
  });
}

const SERVERS_STATE_HEADER =
  '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n';

function serverStateLine(target: RuntimeTarget, backend: Backend, server: Server, now: number): string {
  const forced = forcedAdminState(server);
  // `disabled` in the configuration is CMAINT|FMAINT; `enable server` clears only FMAINT.
  const configDisabled = server.model.disabled === true;
  let admin = configDisabled ? 0x04 : 0;
  if (server.status === 'MAINT') {
    if (inForcedMaint(server)) admin |= 0x01;
    if (inResolutionMaint(server)) admin |= 0x20;
    if (admin === 0) admin = 0x04;
  }
  if (server.status === 'DRAIN' || forced === 'drain') admin |= 0x08;
  if (showsFqdnFlag(server)) admin |= 0x40;
  // A server without address (resolution maintenance) shows none, as HAProxy's unset address;
  // so does a UNIX socket one (dump_servers_state prints only AF_INET and AF_INET6 addresses).
  const addr = server.unix || withoutAddress(server) ? '-' : server.host;
  const op = server.status === 'DOWN' || server.status === 'MAINT' ? 0 : server.status === 'NOLB' ? 3 : 2;
  const cs = server.checkState;
  const check = target.healthCheck(server);
  const status = cs === undefined ? 1 : (CHECK_STATUS_CODES[cs.status] ?? 0);
  // CHK_RES_*: unknown 0, failed 2, passed 3, conditionally passed 4 (the last probe's outcome).
  const result = cs === undefined || cs.status === 'INI' ? 0 : cs.status === 'L7OKC' ? 4 : cs.status.endsWith('OK') ? 3 : 2;
  // CHK_ST_CONFIGURED 0x2 | ENABLED 0x4 | PAUSED 0x8 (maintenance). `disabled` pauses even a
  // server without check, and only a check's start clears it (srv_parse_disabled).
  const checkState = cs === undefined ? (configDisabled ? 0x8 : 0) : 0x2 | (check?.running !== false ? 0x4 : 0) | (server.status === 'MAINT' ? 0x8 : 0);
  const since = Math.max(0, Math.floor((now - server.lastChange) / 1000));
  const fqdn = server.hostname ?? '-';
  // Without a check, HAProxy still reports the check's health, initialised at `rise`.
  const health = reportedHealth(server, server.model.check?.rise ?? 2);
  // The check's and the agent's own port and address (`port`, `addr`, `agent-port`, `agent-addr`,
  // `set server ...`), with or without `check` / `agent-check`: HAProxy's `port` and `addr` set both.
  const checkPort = check?.port ?? server.model.check?.port ?? 0;
  const checkAddr = check?.addr ?? server.model.check?.addr ?? '-';
  const agent = target.agentCheck?.(server);
  const agentTarget = server.model.agent ?? server.model.agentTarget;
  const agentPort = agent?.port ?? agentTarget?.port ?? server.model.check?.port ?? 0;
  const agentAddr = agent?.addr ?? agentTarget?.addr ?? server.model.check?.addr ?? '-';
  // CHK_ST_CONFIGURED 0x2 | ENABLED 0x4 | AGENT 0x10; an agent is not paused by maintenance.
  const agentState = agent === undefined ? 0 : 0x12 | (agent.running ? 0x4 : 0);
  return `${target.proxyId(backend.name)} ${backend.name} ${server.id} ${server.name} ${addr} ${op} ${admin} ${server.userWeight} ${initialWeight(backend, server)} ${since} ${status} ${result} ${health} ${checkState} ${agentState} ${backend.model.forcedId === true ? 1 : 0} ${server.model.id !== undefined || server.model.forcedId === true ? 1 : 0} ${fqdn} ${server.port} ${srvRecordOf(server.model) ?? '-'} ${server.useSsl} ${checkPort} ${checkAddr} ${agentAddr} ${agentPort}\n`;
}

/** `show servers state|conn [BACKEND]`: that backend, or every one. */
function dumpedBackends(target: RuntimeTarget, name: string | undefined): Backend[] | CliAnswer {
  if (name === undefined || name === '') return target.proxies.flatMap((p) => (p.backend === undefined ? [] : [p.backend]));
  const backend = target.backend(name);
  return backend === undefined ? error("Can't find backend.\n") : [backend];
}

function showServersState(args: readonly string[], ctx: CommandContext): CliAnswer {
  const target = ctx.target;
  const backends = dumpedBackends(target, args[3]);
  if (!Array.isArray(backends)) return backends;
  const now = target.runtime.now();
  let text = SERVERS_STATE_HEADER;
  for (const b of backends) for (const s of b.servers) text += serverStateLine(target, b, s, now);
  return dump(text);
}

function showServersConn(args: readonly string[], ctx: CommandContext): CliAnswer | Promise<CliAnswer> {
  const target = ctx.target;
  const backends = dumpedBackends(target, args[3]);
  if (!Array.isArray(backends)) return backends;
  const threads = target.otherThreads;
  if (threads === undefined) return dump(serversConnDump(target, backends, []));
  return threads.statRows().then((others) => dump(serversConnDump(target, backends, others)));
}

const SERVER_USAGE = {
  set: usage('set server <bk>/<srv> [opts]', "change a server's state, weight, address or ssl"),
  getWeight: usage('get weight <bk>/<srv>', "report a server's current weight"),
  setWeight: usage('set weight <bk>/<srv>  (DEPRECATED)', "change a server's weight (use 'set server' instead)"),
  disable: usage('disable server (DEPRECATED)', "disable a server for maintenance (use 'set server' instead)"),
  enable: usage('enable server  (DEPRECATED)', "enable a disabled server (use 'set server' instead)"),
};

export const serverCommands: readonly CliCommand[] = [
  { words: ['set', 'server'], usage: SERVER_USAGE.set, level: 'admin', run: setServer },
  {
    words: ['get', 'weight'],
    usage: SERVER_USAGE.getWeight,
    level: 'user',
    run: (args, ctx) => {
      const text = args[2] ?? '';
      const slash = text.indexOf('/');
      if (slash < 0 || slash === text.length - 1) return error("Require 'backend/server'.\n");
      const found = ctx.target.server(text);
      if (typeof found === 'string') return error(found);
      return dump(`${found.userWeight} (initial ${initialWeight(ctx.target.backendOf(found), found)})\n`);
    },
  },
  {
    words: ['set', 'weight'],
    usage: SERVER_USAGE.setWeight,
    level: 'admin',
    run: (args, ctx) => withServer(args, 2, ctx, (server) => changeWeight(ctx.target, server, args[3])),
  },
  {
    words: ['disable', 'server'],
    usage: SERVER_USAGE.disable,
    level: 'admin',
    run: (args, ctx) =>
      withServer(args, 2, ctx, (server, backend) => {
        const change = setMaint(backend, server, ctx.target.healthCheck(server), ctx.target.runtime.now());
        if (change !== undefined) ctx.target.reportAdminChange(backend, change);
        return NO_ANSWER;
      }),
  },
  {
    words: ['enable', 'server'],
    usage: SERVER_USAGE.enable,
    level: 'admin',
    run: (args, ctx) =>
      withServer(args, 2, ctx, (server, backend) => {
        const change = setReady(backend, server, ctx.target.healthCheck(server), ctx.target.runtime.now());
        if (change !== undefined) ctx.target.reportAdminChange(backend, change);
        return NO_ANSWER;
      }),
  },
  {
    words: ['disable', 'health'],
    usage: usage('disable health', 'disable health checks'),
    level: 'admin',
    run: (args, ctx) =>
      withServer(args, 2, ctx, (server) => {
        ctx.target.healthCheck(server)?.stop();
        return NO_ANSWER;
      }),
  },
  {
    words: ['enable', 'health'],
    usage: usage('enable health', 'enable health checks'),
    level: 'admin',
    run: (args, ctx) =>
      withServer(args, 2, ctx, (server) => {
        const check = ctx.target.healthCheck(server);
        if (check === undefined) return error('Health check was not configured on this server, cannot enable.\n');
        check.start(0);
        return NO_ANSWER;
      }),
  },
  {
    words: ['disable', 'agent'],
    usage: usage('disable agent', 'disable agent checks'),
    level: 'admin',
    run: (args, ctx) =>
      withServer(args, 2, ctx, (server) => {
        ctx.target.agentCheck?.(server)?.stop();
        return NO_ANSWER;
      }),
  },
  {
    words: ['enable', 'agent'],
    usage: usage('enable agent', 'enable agent checks'),
    level: 'admin',
    run: (args, ctx) =>
      withServer(args, 2, ctx, (server) => {
        const agent = ctx.target.agentCheck?.(server);
        if (agent === undefined) return error('Agent was not configured on this server, cannot enable.\n');
        agent.start(0);
        return NO_ANSWER;
      }),
  },
  {
    words: ['set', 'maxconn', 'server'],
    usage: usage('set maxconn server <bk>/<srv>', "change a server's maxconn setting"),
    level: 'admin',
    run: (args, ctx) =>
      withServer(args, 3, ctx, (server, backend) => {
        const text = args[4] ?? '';
        if (text === '') return error('Require <maxconn>.\n');
        const m = /^([+-]?\d+)(.*)$/.exec(text);
        if (m === null) return error('maxconn string empty or preceded by garbage');
        if (m[2] !== '') return error('Trailing garbage in maxconn string');
        // A static limit (minconn = maxconn) stays static; a dynamic one keeps its minconn (cli_parse_set_maxconn_server).
        if (server.dynamicLoad === undefined) server.minconn = Math.max(0, Number(m[1]));
        backend.setServerWeight(server, server.weight, Math.max(0, Number(m[1])));
        return NO_ANSWER;
      }),
  },
  {
    words: ['shutdown', 'sessions', 'server'],
    usage: usage('shutdown sessions server <bk>/<srv>', 'kill sessions on a server'),
    level: 'admin',
    run: (args, ctx) =>
      withServer(args, 3, ctx, (server) => {
        if (server.sessions !== undefined) for (const s of [...server.sessions]) s.kill('K');
        return NO_ANSWER;
      }),
  },
  {
    words: ['show', 'servers', 'state'],
    usage: usage('show servers state [<backend>]', 'dump volatile server information (all or for a single backend)'),
    level: 'user',
    run: showServersState,
  },
  {
    words: ['show', 'servers', 'conn'],
    usage: usage('show servers conn [<backend>]', 'dump server connections status (all or for a single backend)'),
    level: 'user',
    run: showServersConn,
  },
  {
    words: ['show', 'backend'],
    usage: usage('show backend', 'list backends in the current running config'),
    level: 'user',
    run: (_args, ctx) => {
      let text = '# name\n';
      for (const p of ctx.target.proxies) if (p.backend !== undefined) text += `${p.backend.name}\n`;
      return dump(text);
    },
  },
];

