/**
 * Applying a server-state file at startup (HAProxy's srv_state_srv_update), before listeners
 * open and checks start: the operational state and check health, the admin state by HAProxy's
 * rules (a configuration change wins over the saved state; otherwise a forced maintenance or
 * drain set at run time is kept, and a server the configuration disables but the operator
 * enabled stays enabled), the weight set at run time unless the configured weight changed, the
 * last check's status, checks the operator disabled, the port and the time of the last change.
 * The saved address reaches servers given by host name through `init-addr last`
 * (src/proxy/init-addr.ts). A name `set server fqdn` gave is taken again, and the check's and
 * the agent's saved addresses and ports. What changes is told as HAProxy does while it starts,
 * on stderr alone ("config : Server B/S is DOWN, changed from server-state after a reload. ...",
 * "... is stopping, ...", "... remains in forced drain mode."); a forced maintenance, which
 * HAProxy keeps quiet while starting, is not told, nor is the address `init-addr last` takes.
 */
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import type { SavedServerState, ServerStates } from '../proxy/server-state-file.ts';
import { ADMIN } from '../proxy/server-state-file.ts';
import type { ServerCheck } from '../health/server-check.ts';
import { checkStatusName } from '../health/check-status-codes.ts';
import { setCheckHealth, setDrain, setMaint, setReady, setOperationalState } from './server-admin.ts';
import { applyUseSsl } from './server-ssl-switch.ts';
import { updateAgentAddress, updateCheckAddress } from './server-check-address.ts';
import { clearResolutionMaint, inResolutionMaint, setFqdnFromCli, setResolutionMaint } from '../dns/resolution-maint.ts';
import type { RuntimeTarget } from './target.ts';

/** The reason srv_state_srv_update gives srv_set_stopped and srv_set_stopping. */
const FROM_STATE_FILE = 'changed from server-state after a reload';

/** CHK_ST_CONFIGURED / CHK_ST_ENABLED of srv_check_state. */
const CHECK_CONFIGURED = 0x2;
const CHECK_ENABLED = 0x4;

export interface ServerStateHooks {
  /** Leaves a check stopped when the others start (HealthChecks.hold). */
  holdCheck(check: ServerCheck): void;
  /**
   * HAProxy's ha_warning, in the thread that runs the checks (the main one): the saved check
   * address and port are applied there only, and the state changes are reported there alone.
   */
  warning?(text: string): void;
}

export function applyServerStates(target: RuntimeTarget, states: ServerStates, hooks: ServerStateHooks): void {
  const now = target.runtime.now();
  for (const [name, saved] of states.byBackend) {
    const backend = target.backend(name);
    if (backend === undefined) continue;
    // HAProxy applies the file before init-addr leaves host names without address: those
    // servers take their state (and count in the messages) as running ones, then go back.
    const unaddressed = backend.servers.filter((server) => server.model.resolvedAddress === false && server.hostname !== undefined && inResolutionMaint(server));
    for (const server of unaddressed) {
      clearResolutionMaint(server);
      if (!server.model.disabled) backend.setServerStatus(server, 'UP', now);
    }
    for (const server of backend.servers) {
      const state = saved.get(server.name);
      if (state !== undefined) applyOne(target, backend, server, state, now, hooks);
    }
    // srv_set_admin_flag(RMAINT) while starting: silent, the health at 0.
    for (const server of unaddressed) {
      setResolutionMaint(server);
      setCheckHealth(server, target.healthCheck(server), 0);
      if (server.status !== 'MAINT') backend.setServerStatus(server, 'MAINT', now);
    }
  }
}

function applyOne(target: RuntimeTarget, backend: Backend, server: Server, state: SavedServerState, now: number, hooks: ServerStateHooks): void {
  const model = server.model;
  const check = target.healthCheck(server);
  const rise = server.checkState?.rise ?? model?.check?.rise ?? 2;
  const fall = server.checkState?.fall ?? model?.check?.fall ?? 3;
  // HAProxy prints these changes while it starts (to stderr, "config : ..."), logs none of them.
  const report = (text: string): void => hooks.warning?.(text);
  const stop = () => {
    setCheckHealth(server, check, 0);
    const change = setOperationalState(backend, server, 'down', now, FROM_STATE_FILE);
    if (change !== undefined) report(change.text);
    else if (server.status !== 'DOWN' && server.status !== 'MAINT') backend.setServerStatus(server, 'DOWN', now);
  };
  const run = () => {
    setCheckHealth(server, check, rise + fall - 1);
    if (server.status === 'DOWN') backend.setServerStatus(server, 'UP', now);
  };

  // The operational state.
  switch (state.opState) {
    case 0:
      stop();
      break;
    case 1: // starting: up, its health below rise
      if (rise === 1) run();
      else setCheckHealth(server, check, state.checkHealth < 1 || state.checkHealth >= rise ? rise - 1 : state.checkHealth);
      break;
    case 2:
      run();
      break;
    case 3: // stopping (HAProxy's NOLB), its health between rise and the top; stopped when fall is 1
      if (fall === 1) stop();
      else {
        setCheckHealth(server, check, state.checkHealth < rise || state.checkHealth > rise + fall - 2 ? rise : state.checkHealth);
        if (server.status === 'UP' || server.status === 'DOWN') {
          const change = setOperationalState(backend, server, 'stopping', now, FROM_STATE_FILE);
          if (change !== undefined) report(change.text);
        }
      }
      break;
  }

  // The admin state: a configuration change wins; otherwise the runtime choice is kept.
  const configMaint = model?.disabled === true;
  const savedConfigMaint = (state.adminState & ADMIN.CMAINT) !== 0;
  const savedForcedMaint = (state.adminState & ADMIN.FMAINT) !== 0;
  if (savedConfigMaint === configMaint) {
    if (savedForcedMaint && !configMaint) setMaint(backend, server, check, now);
    else if (!savedForcedMaint && configMaint) {
      const change = setReady(backend, server, check, now);
      if (change !== undefined) report(change.text);
    }
  }
  if (server.status !== 'MAINT' && (state.adminState & ADMIN.FDRAIN) !== 0) {
    // A drain the saving process inherited from a zero weight is dropped once the weight is not zero.
    if (state.initialWeight > 0 || server.initialWeight === 0) {
      setDrain(backend, server, check, now);
      report(`${server.backup ? 'Backup ' : ''}Server ${backend.name}/${server.name} remains in forced drain mode.`);
    }
  }

  // A name `set server fqdn` gave (HMAINT) is taken again, unless the configuration's is that one now.
  if (state.fqdn !== undefined && state.fqdnSetByCli && server.hostname !== undefined && server.hostname !== state.fqdn) {
    if (target.serverFqdn?.(server)?.set(state.fqdn) === true) setFqdnFromCli(server);
  }

  server.lastChange = now - state.sinceLastChange * 1000;
  const status = checkStatusName(state.checkStatus);
  if (server.checkState !== undefined && status !== undefined) server.checkState.status = status;
  // Only a check the operator disabled is carried over (HAProxy: "disable health").
  const held = check !== undefined && (state.checkState & CHECK_CONFIGURED) !== 0 && (state.checkState & CHECK_ENABLED) === 0;
  if (held) hooks.holdCheck(check);
  // The weight set at run time, unless the configured one changed since.
  if (state.initialWeight === server.initialWeight && state.userWeight !== server.userWeight) {
    server.userWeight = state.userWeight;
    backend.setServerWeight(server, state.userWeight);
  }
  if (state.port !== undefined && !server.unix) server.port = state.port;
  // srv_set_ssl, only for a server with an SSL context; any non-zero value (even no-ssl's -1) is TLS on.
  if (state.useSsl !== undefined) applyUseSsl(server, state.useSsl);

  // The check's then the agent's address and port, as srv_update_check_addr_port and
  // srv_update_agent_addr_port take them: a refusal ends the application there. HAProxy refuses
  // the agent's for a server without one whose `addr` or `port` gave it some.
  const warning = hooks.warning;
  if (warning === undefined) return;
  const refused = (text: string): void => warning(`server-state partially applied for server '${backend.name}/${server.name}', ${text}`);
  if (state.checkPort !== undefined || state.checkAddr !== undefined) {
    const refusal = updateCheckAddress(server, check, !held, state.checkAddr, state.checkPort);
    if (refusal !== undefined) return refused(refusal);
  }
  if (state.agentPort !== undefined || state.agentAddr !== undefined) {
    const refusal = updateAgentAddress(target.agentCheck?.(server), state.agentAddr, state.agentPort);
    if (refusal !== undefined) refused(refusal);
  }
}
