/**
 * Active health checks as a background service (Pingora's model): one BackendHealth per
 * backend with `check` servers, driven only by the runtime seam (connect, timers, clock).
 * HealthChecks owns them all for one Proxy and spreads their first probes as HAProxy's
 * start_checks does: the n-th of N checks starts after max(mininter, its interval) × n / N,
 * where mininter is the smallest interval of at least 1 s, so checks of many servers do not
 * fire together.
 */
import type { ProcessVars } from '../rules/vars.ts';
import type { SslConnectionCounts } from '../stream/ssl-counted-socket.ts';
import type { AgentCheckModel, BackendModel, HttpCheckModel, ServerCheckModel, Timeouts } from '../config/model.ts';
import type { ProxyLogger } from '../log/logger.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import type { ConnectTlsOptions, Runtime } from '../runtime.ts';
import { serverTlsExtras } from '../stream/server-tls.ts';
import type { HttpProbeSpec, ProbeSpec } from './check-probe.ts';
import { HealthLog } from './health-log.ts';
import type { EmailAlerts } from './email-alerts.ts';
import { buildHttpCheckRequest } from './http-check-request.ts';
import { compileExpectation } from './http-expect.ts';
import { compileHttpCheckPlan, type HttpCheckPlan } from './http-check-plan.ts';
import { ServerCheck, type ServerCheckOptions } from './server-check.ts';
import { AgentCheck } from './agent-check.ts';
import { serverStateHeader } from './server-state-header.ts';
import { protocolRuleSet } from './tcp-check/protocols.ts';
import { compileTcpCheckRules, type TcpCheckRuleSet } from './tcp-check/rules.ts';
import { hasDynamicWeights } from './slowstart.ts';
import { firstCheckDelay, SPREAD_THRESHOLD_MS } from './check-spread.ts';


export interface HealthOptions {
  /** HAProxy's global `spread-checks` (0..50 %); 0 = checks every exact interval (default). */
  readonly spreadChecks?: number;
  /** Random source for spread-checks (tests pass a deterministic one). */
  readonly random?: () => number;
  /** HAProxy's global `max-spread-checks`, ms: the first probes all start within it. */
  readonly maxSpreadChecks?: number;
  /** `-q`: no [WARNING]/[ALERT] lines on stderr. */
  readonly quiet?: boolean;
  /** Where checks over TLS are counted (the process's TLS connections: HAProxy counts them too). */
  readonly sslCounts?: SslConnectionCounts;
  /** The backend's `email-alert`s (src/health/email-alerts.ts); none when undefined. */
  readonly emailAlerts?: EmailAlerts | undefined;
  /** The generation's `proc.*` variables, shared by the check rules and the traffic rules. */
  readonly procVars?: ProcessVars | undefined;
  /** The global `pp2-never-send-local`: v2 check headers carry the check connection's addresses. */
  readonly pp2NeverSendLocal?: boolean | undefined;
}

/**
 * What a server's probe looks like: address, TLS, request, deadlines. HAProxy semantics:
 * `port`/`addr` redirect the check; a `server ... ssl` is checked over TLS unless the check
 * goes elsewhere (then plain, as without `check-ssl`); without `timeout check` the `inter`
 * bounds the whole check, with it `min(inter, timeout connect)` bounds the connect and
 * `timeout check` the response.
 */
export function probeSpecFor(
  server: Server,
  check: ServerCheckModel,
  timeouts: Timeouts,
  http: HttpProbeSpec | undefined,
  tcpRules?: TcpCheckRuleSet,
  dynamic = false,
): ProbeSpec {
  // A dynamic server's check inherits neither TLS nor the PROXY header: `check-ssl` and
  // `check-send-proxy` must be written (init_srv_check, SRV_F_DYNAMIC).
  const redirected = dynamic || check.port !== undefined || check.addr !== undefined;
  // `check-ssl` forces TLS; otherwise a `ssl` server is checked over TLS unless redirected (init_srv_check).
  const ssl = server.checkSsl ?? (redirected ? undefined : server.ssl);
  const tls: ConnectTlsOptions | undefined =
    ssl !== undefined
      ? {
          verify: ssl.verify === 'required',
          ...(ssl.caPem !== undefined ? { caPem: ssl.caPem } : {}),
          ...(ssl.verify === 'required' && server.hostname !== undefined ? { checkName: server.hostname } : {}),
          // Only `check-sni` / `check-alpn` reach a check's handshake (tcpcheck_eval_connect).
          ...(check.sni !== undefined ? { servername: check.sni } : {}),
          ...(check.alpn !== undefined ? { alpn: [...check.alpn] } : {}),
          ...serverTlsExtras(ssl),
        }
      : undefined;
  const connectTimeout =
    timeouts.check !== undefined && timeouts.connect !== undefined ? Math.min(check.inter, timeouts.connect) : check.inter;
  return {
    host: check.addr ?? server.host,
    port: check.port ?? server.port,
    // A UNIX socket server is checked on its socket unless `addr`/`port` send the check elsewhere.
    ...(server.unix && check.port === undefined && check.addr === undefined ? { path: server.host } : {}),
    ...(server.connectSource !== undefined ? { source: server.connectSource } : {}),
    tls,
    http,
    connectTimeout,
    readTimeout: timeouts.check,
    ...(tcpRules !== undefined ? { tcpRules } : {}),
    // HTTP checks speak the check's mux: `check-proto`, else the server's `proto` (init_srv_check).
    ...(http !== undefined && (check.proto ?? server.proto) === 'h2' ? { h2: true } : {}),
    ...(server.socks4 !== undefined ? { socks4: server.socks4, viaSocks4: server.checkViaSocks4 } : {}),
    // HAProxy: checks send the server's PROXY header unless redirected by `port`/`addr`;
    // `check-send-proxy` forces one (v2 when the server speaks v2, else v1).
    ...(server.checkSendProxy || (server.sendProxy !== undefined && !redirected)
      ? { proxyHeader: server.sendProxy?.version === 2 ? 2 : 1 }
      : {}),
  };
}

/** The HTTP part of a backend's probes (`option httpchk`), compiled once; undefined for tcp checks. */
export function httpProbeFor(model: BackendModel): HttpProbeSpec | undefined {
  const hc = model.healthCheck;
  if (hc?.kind !== 'http' || hc.http === undefined) return undefined;
  return {
    request: buildHttpCheckRequest(hc.http),
    method: hc.http.method,
    expectation: compileExpectation(hc.http.expect),
  };
}

/** A backend's HTTP check as a plan of requests (http-check-plan.ts); undefined for tcp checks. */
export function httpPlanFor(model: BackendModel): HttpCheckPlan | undefined {
  const hc = model.healthCheck;
  return hc?.kind === 'http' && hc.http !== undefined ? compileHttpCheckPlan(hc.http) : undefined;
}

/** The rule set of `option tcp-check` + `tcp-check` lines or of a protocol check; undefined otherwise. */
export function tcpRuleSetFor(model: BackendModel): TcpCheckRuleSet | undefined {
  const hc = model.healthCheck;
  if (hc === undefined || hc.kind !== 'tcp') return undefined;
  if (hc.protocol !== undefined) return protocolRuleSet(hc.protocol);
  if (hc.tcpRules !== undefined && hc.tcpRules.length > 0) return compileTcpCheckRules(hc.tcpRules);
  return undefined;
}

/** The HTTP check run as a plan (http-check-plan.ts), with the server's state header when `send-state` asks for it. */
function withPlan(spec: ProbeSpec, plan: HttpCheckPlan | undefined, sendsState: boolean, backend: Backend, server: Server, node: string): ProbeSpec {
  if (plan === undefined) return spec;
  // HAProxy takes a 404 as a soft stop only from a server that is not stopped (next_state != SRV_ST_STOPPED).
  const disableOn404 = backend.model.healthCheck?.disableOn404 === true ? { disableOn404: () => server.status !== 'DOWN' } : {};
  return { ...spec, httpPlan: plan, ...(sendsState ? { serverState: () => serverStateHeader(backend, server, node) } : {}), ...disableOn404 };
}

/** `http-check send-state`: the request is built for each check, with the server's state then. */
function withServerState(http: HttpProbeSpec, backend: Backend, server: Server, node: string): HttpProbeSpec {
  const model = backend.model.healthCheck?.http as HttpCheckModel;
  return {
    method: http.method,
    expectation: http.expectation,
    get request(): Uint8Array {
      return buildHttpCheckRequest(model, serverStateHeader(backend, server, node));
    },
  };
}

/** The checks of one backend's `check` servers. */
export class BackendHealth {
  readonly backend: Backend;
  readonly checks: readonly ServerCheck[];
  /** `agent-check` servers' agents. */
  readonly agents: readonly AgentCheck[];

  constructor(runtime: Runtime, backend: Backend, logger: ProxyLogger | undefined, proxyType: 'backend' | 'listen', options: HealthOptions = {}) {
    this.backend = backend;
    const model = backend.model;
    let http: HttpProbeSpec | undefined;
    let tcpRules: TcpCheckRuleSet | undefined;
    let plan: HttpCheckPlan | undefined;
    try {
      http = httpProbeFor(model);
      plan = httpPlanFor(model);
      tcpRules = tcpRuleSetFor(model);
    } catch (error) {
      // Name the backend and its line: the parser checked the syntax, the engine compiles it.
      throw new Error(`backend '${backend.name}' (${model.source.file}:${model.source.line}): ${(error as Error).message}`);
    }
    const log = healthLogFor(runtime, backend, logger, options.quiet ?? false, options.emailAlerts);
    const spreadChecks = options.spreadChecks ?? 0;
    if (!(spreadChecks >= 0 && spreadChecks <= 50)) throw new RangeError(`spread-checks must be 0..50 (got ${spreadChecks})`);
    const checkOptions = checkOptionsFor(backend, proxyType, spreadChecks, options.random ?? Math.random);
    const checks: ServerCheck[] = [];
    const sendsState = http !== undefined && model.healthCheck?.sendState === true;
    const node = runtime.hostname ?? '';
    for (const server of backend.servers) {
      const check = server.check;
      if (check === undefined) continue;
      validateIntervals(backend.name, server.name, check);
      const spec = withPlan(
        {
          ...probeSpecFor(server, check, model.timeouts, sendsState ? withServerState(http as HttpProbeSpec, backend, server, node) : http, tcpRules),
          subject: { backend: backend.name, server: server.name, serverId: server.id },
          ...(options.procVars !== undefined ? { procVars: options.procVars } : {}),
          ...(options.sslCounts !== undefined ? { sslCounts: options.sslCounts } : {}),
          ...(options.pp2NeverSendLocal === true ? { proxyV2Addresses: true } : {}),
          ...(backend.headerCase !== undefined ? { headerCase: backend.headerCase } : {}),
        },
        plan,
        sendsState,
        backend,
        server,
        node,
      );
      checks.push(new ServerCheck(runtime, backend, server, check, spec, log, checkOptions));
    }
    this.checks = checks;
    const agents: AgentCheck[] = [];
    for (const server of backend.servers) {
      const agent = server.model.agent;
      if (agent === undefined) continue;
      const spread = { percent: spreadChecks, random: checkOptions.random };
      agents.push(new AgentCheck(runtime, backend, server, agent, checks.find((c) => c.server === server), log, model.timeouts.check, spread));
    }
    this.agents = agents;
  }

  stop(): void {
    for (const c of this.checks) c.stop();
    for (const a of this.agents) a.stop();
  }
}

/** A backend's health log: its `log` targets, with `option log-health-checks` results. */
export function healthLogFor(runtime: Runtime, backend: Backend, logger: ProxyLogger | undefined, quiet: boolean, emailAlerts?: EmailAlerts): HealthLog {
  const mail = emailAlerts !== undefined ? { alerts: emailAlerts, proxyName: backend.name } : undefined;
  return new HealthLog(runtime, logger, quiet, backend.model.healthCheck?.logHealthChecks === true, mail);
}

function checkOptionsFor(backend: Backend, proxyType: 'backend' | 'listen', spreadChecks: number, random: () => number): ServerCheckOptions {
  return { proxyType, dynamicWeight: hasDynamicWeights(backend.model), spreadChecks, random };
}

/** The checks of a server `add server` made: built stopped (`enable health` / `enable agent` start them). */
export interface RuntimeServerChecks {
  readonly check: ServerCheck | undefined;
  readonly agent: AgentCheck | undefined;
}

/**
 * HAProxy's cli_parse_add_server: init_srv_check and init_srv_agent_check for the new server,
 * the checks left disabled. The probe is the backend's (`option httpchk`, `tcp-check` rules);
 * TLS and the PROXY header only when `check-ssl` / `check-send-proxy` ask for them.
 */
export function createRuntimeServerChecks(
  runtime: Runtime,
  backend: Backend,
  server: Server,
  agentModel: AgentCheckModel | undefined,
  log: HealthLog,
  proxyType: 'backend' | 'listen',
  spreadChecks = 0,
  sslCounts?: SslConnectionCounts,
  procVars?: ProcessVars,
  pp2NeverSendLocal = false,
): RuntimeServerChecks {
  const model = backend.model;
  let check: ServerCheck | undefined;
  if (server.check !== undefined) {
    validateIntervals(backend.name, server.name, server.check);
    const http = httpProbeFor(model);
    const sendsState = http !== undefined && model.healthCheck?.sendState === true;
    const node = runtime.hostname ?? '';
    const probe = sendsState ? withServerState(http, backend, server, node) : http;
    const spec = withPlan(
      {
        ...probeSpecFor(server, server.check, model.timeouts, probe, tcpRuleSetFor(model), true),
        subject: { backend: backend.name, server: server.name, serverId: server.id },
        ...(procVars !== undefined ? { procVars } : {}),
        ...(sslCounts !== undefined ? { sslCounts } : {}),
        ...(pp2NeverSendLocal ? { proxyV2Addresses: true } : {}),
        ...(backend.headerCase !== undefined ? { headerCase: backend.headerCase } : {}),
      },
      httpPlanFor(model),
      sendsState,
      backend,
      server,
      node,
    );
    check = new ServerCheck(runtime, backend, server, server.check, spec, log, checkOptionsFor(backend, proxyType, spreadChecks, Math.random));
  }
  const spread = { percent: spreadChecks, random: Math.random };
  const agent = agentModel === undefined ? undefined : new AgentCheck(runtime, backend, server, agentModel, check, log, model.timeouts.check, spread);
  return { check, agent };
}

function validateIntervals(backendName: string, serverName: string, check: ServerCheckModel): void {
  for (const [name, value] of [['inter', check.inter], ['fastinter', check.fastinter], ['downinter', check.downinter]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`server ${backendName}/${serverName}: check '${name}' must be a positive duration (got ${value})`);
    }
  }
}

/** Every backend's health checks for one Proxy: started with it, stopped with it. */
export class HealthChecks {
  readonly backends: readonly BackendHealth[];
  #started = false;
  /** Checks an operator disabled before a reload (server-state file): not started with the others. */
  readonly #held = new Set<ServerCheck>();
  /** Checks of servers added at run time, by server. */
  readonly #runtime = new Map<Server, RuntimeServerChecks>();

  readonly #maxSpread: number | undefined;

  constructor(backends: readonly BackendHealth[], maxSpreadChecks?: number) {
    this.backends = backends.filter((b) => b.checks.length > 0 || b.agents.length > 0);
    this.#maxSpread = maxSpreadChecks;
  }

  get checks(): ServerCheck[] {
    return this.backends.flatMap((b) => b.checks);
  }

  /**
   * Starts every check and agent, spreading their first probes as HAProxy's start_checks: in
   * server order, a server's check then its agent, the n-th of N after max(mininter, its
   * interval) × n / N, capped by `max-spread-checks`.
   */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const order: (ServerCheck | AgentCheck)[] = [];
    for (const b of this.backends) {
      const checks = new Map(b.checks.map((c) => [c.server, c]));
      const agents = new Map(b.agents.map((a) => [a.server, a]));
      for (const server of b.backend.servers) {
        const check = checks.get(server);
        if (check !== undefined) order.push(check);
        const agent = agents.get(server);
        if (agent !== undefined) order.push(agent);
      }
    }
    let mininter = 0;
    for (const c of order) {
      const inter = c.interval();
      if (inter >= SPREAD_THRESHOLD_MS && (mininter === 0 || inter < mininter)) mininter = inter;
    }
    order.forEach((c, position) => {
      if (c instanceof ServerCheck && this.#held.has(c)) return;
      c.start(firstCheckDelay(mininter, c.interval(), this.#maxSpread, position, order.length));
    });
  }

  /** Leaves a check stopped when the others start (`enable health` starts it). */
  hold(check: ServerCheck): void {
    this.#held.add(check);
  }

  /** The checks of a server `add server` made: stopped with the others. */
  addRuntime(server: Server, checks: RuntimeServerChecks): void {
    this.#runtime.set(server, checks);
  }

  runtimeChecksOf(server: Server): RuntimeServerChecks | undefined {
    return this.#runtime.get(server);
  }

  /** `del server`: its checks stop for good. */
  removeRuntime(server: Server): void {
    const checks = this.#runtime.get(server);
    checks?.check?.stop();
    checks?.agent?.stop();
    this.#runtime.delete(server);
  }

  stop(): void {
    this.#started = false;
    for (const b of this.backends) b.stop();
    for (const { check, agent } of this.#runtime.values()) {
      check?.stop();
      agent?.stop();
    }
  }
}
