/**
 * What runtime API commands act on: the running configuration generation's objects, behind
 * one interface so that a later process state kept across reloads (issue #11, item 1) can
 * stand in for it without touching the commands. `proxyTarget()` builds it over a Proxy.
 */
import type { Caches } from '../cache/caching.ts';
import type { AgentCheckModel, ConfigModel, SourceLocation } from '../config/model.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Frontend } from '../proxy/frontend.ts';
import type { ProcessLimits } from '../proxy/process-limits.ts';
import type { Proxy } from '../proxy/proxy.ts';
import type { Server } from '../proxy/server.ts';
import type { Runtime } from '../runtime.ts';
import type { StickTable } from '../stick/stick-table.ts';
import type { ServerCheck } from '../health/server-check.ts';
import type { AgentCheck } from '../health/agent-check.ts';
import type { ProcessVars } from '../rules/vars.ts';
import { patternRefsOf } from '../rules/pattern-files.ts';
import type { HealthLog } from '../health/health-log.ts';
import { noServerAlertMessage, noServerLogMessage } from '../health/state-messages.ts';
import type { AdminChange } from './server-admin.ts';
import type { PatternRefs } from '../rules/pattern-ref.ts';
import type { ServerTracking } from '../proxy/server-tracking.ts';
import type { OtherThreads } from '../threads/other-threads.ts';
import type { DnsResolvers } from '../dns/resolvers.ts';
import type { ServerFqdn } from '../dns/server-fqdn.ts';
import type { IdleFigures } from '../http/server-pool.ts';
import type { PeersSync } from '../peers/peers-sync.ts';
import type { EventSink } from '../log/rings.ts';
import { LogLevel } from '../log/logger.ts';
import { threadIndex } from '../threads/thread-identity.ts';
import { atol } from '../util/c-atol.ts';

/** One HAProxy proxy (a `frontend`, `backend` or `listen`): its two halves, and its id. */
export interface ProxyEntry {
  readonly name: string;
  /** HAProxy's proxy uuid (`iid` in the stats, `be_id`): the CLI's GLOBAL frontend is 1, then declaration order. */
  readonly id: number;
  readonly frontend: Frontend | undefined;
  readonly backend: Backend | undefined;
}

export interface RuntimeTarget {
  readonly runtime: Runtime;
  readonly config: ConfigModel;
  readonly limits: ProcessLimits;
  /** Every proxy in declaration order (a `listen` is one entry with both halves). */
  readonly proxies: readonly ProxyEntry[];
  readonly stickTables: ReadonlyMap<string, StickTable>;
  /** The generation's `cache` sections (`show cache`). */
  readonly caches?: Caches | undefined;
  /** The generation's `proc` variables (`get var`). */
  readonly procVars: ProcessVars;
  /** The generation's live map and ACL pattern files (`show map`, `add acl`...); undefined when none is loaded. */
  readonly patternRefs: PatternRefs | undefined;
  /** Wall clock (ms since the epoch) and runtime clock when the generation started. */
  readonly startedWall: number;
  readonly startedMono: number;
  /** Log lines a full UNIX syslog socket could not take (HAProxy's DroppedLogs). */
  readonly droppedLogs?: number | undefined;
  /** Messages the `log-forward` sections received (CumRecvLogs). */
  readonly receivedLogs?: number | undefined;
  /** `show events`: the process's event sinks (src/log/rings.ts); none listed when undefined. */
  readonly eventSinks?: readonly EventSink[] | undefined;
  backend(name: string): Backend | undefined;
  frontend(name: string): Frontend | undefined;
  /** A server named `BACKEND/SERVER`, or what is wrong with the name (HAProxy's messages). */
  server(path: string): Server | string;
  backendOf(server: Server): Backend;
  proxyId(name: string): number;
  /** The health check of a server with `check` (its rise/fall counter and its loop). */
  healthCheck(server: Server): ServerCheck | undefined;
  /** The agent of a server with `agent-check`. */
  agentCheck?(server: Server): AgentCheck | undefined;
  /** `add server`: builds the new server's check and agent, stopped (HAProxy leaves them disabled). */
  addServerChecks?(backend: Backend, server: Server, agent: AgentCheckModel | undefined): void;
  /** `del server`: stops and forgets its check and agent. */
  removeServerChecks?(server: Server): void;
  /** Closes the server's idle pooled connections (srv_cleanup_connections). */
  closeIdleConnections?(server: Server): void;
  /** The server's idle pooled connections and need estimate (the stats' srv_icur...need_conn_est). */
  idleConnections?(backend: Backend, server: Server): IdleFigures | undefined;
  /** Reports a state change as HAProxy's ha_warning does (stderr, silenced by -q). */
  warning(text: string): void;
  /** An event of a frontend as HAProxy reports one: ha_warning, and send_log at LOG_WARNING to its log targets. */
  frontendWarning(frontend: Frontend, text: string): void;
  /** `shutdown frontend`: HAProxy's "Proxy NAME stopped (cumulated conns: ...)." for it. */
  frontendStopped(frontend: Frontend): void;
  /**
   * Reports an admin change of a server as srv_update_status does: ha_warning and send_log to
   * the backend's log targets, then set_backend_down's alert when it took the last server.
   */
  reportAdminChange(backend: Backend, change: AdminChange): void;
  /** `server ... track` links (dynamic servers join and leave them). */
  readonly tracking?: ServerTracking | undefined;
  /** The other threads of the process (`nbthread`): their stats add up with this one's. */
  readonly otherThreads?: OtherThreads | undefined;
  /** Every `resolvers` section, in configuration order (`show resolvers`). */
  readonly resolvers?: readonly DnsResolvers[] | undefined;
  /** The link of a server with `resolvers` to the resolution of its name (`set server fqdn`). */
  serverFqdn?(server: Server): ServerFqdn | undefined;
  /** The `peers` sections that run (`show peers`), in configuration order. */
  readonly peers?: readonly PeersSync[] | undefined;
}

function before(a: SourceLocation, b: SourceLocation): number {
  return a.file === b.file ? a.line - b.line : 0;
}

class ProxyTarget implements RuntimeTarget {
  readonly runtime: Runtime;
  readonly config: ConfigModel;
  readonly limits: ProcessLimits;
  readonly proxies: readonly ProxyEntry[];
  readonly stickTables: ReadonlyMap<string, StickTable>;
  readonly caches: Caches | undefined;
  readonly procVars: ProcessVars;
  readonly patternRefs: PatternRefs | undefined;
  readonly startedWall: number;
  readonly startedMono: number;
  readonly #byName = new Map<string, ProxyEntry>();
  readonly #serverOwner = new Map<Server, Backend>();
  readonly #checks = new Map<Server, ServerCheck>();
  readonly #agents = new Map<Server, AgentCheck>();
  readonly #proxy: Proxy;
  readonly tracking: ServerTracking;

  get otherThreads(): OtherThreads | undefined {
    return this.#proxy.otherThreads;
  }

  get resolvers(): readonly DnsResolvers[] {
    return this.#proxy.dns.sections;
  }

  get peers(): readonly PeersSync[] {
    return this.#proxy.peers;
  }

  serverFqdn(server: Server): ServerFqdn | undefined {
    return this.#proxy.dns.fqdnOf(server);
  }

  get droppedLogs(): number {
    return this.#proxy.droppedLogs;
  }

  get receivedLogs(): number {
    return this.#proxy.receivedLogs;
  }

  get eventSinks(): readonly EventSink[] {
    return this.#proxy.eventSinks;
  }

  readonly warning: (text: string) => void;
  readonly #logOf: (backend: Backend) => HealthLog;

  constructor(proxy: Proxy, warning: (text: string) => void, logOf: (backend: Backend) => HealthLog) {
    this.warning = warning;
    this.#logOf = logOf;
    this.runtime = proxy.runtime;
    this.config = proxy.config;
    this.limits = proxy.limits;
    this.stickTables = proxy.stickTables;
    this.caches = proxy.caches;
    this.procVars = proxy.procVars;
    this.tracking = proxy.tracking;
    // Every proxy model carries the same pattern file texts, hence the same references.
    this.patternRefs = patternRefsOf(proxy.config.frontends[0]?.patternFiles ?? proxy.config.backends[0]?.patternFiles);
    this.startedWall = proxy.runtime.wallClock();
    this.startedMono = proxy.runtime.now();
    const frontends = new Map(proxy.frontends.map((f) => [f.name, f]));
    const sources: { name: string; source: SourceLocation }[] = [];
    for (const f of proxy.config.frontends) sources.push({ name: f.name, source: f.source });
    for (const b of proxy.config.backends) if (!frontends.has(b.name)) sources.push({ name: b.name, source: b.source });
    sources.sort((a, b) => before(a.source, b.source));
    let id = firstProxyUuid(proxy.config);
    const entries: ProxyEntry[] = [];
    for (const { name } of sources) {
      if (this.#byName.has(name)) continue;
      const entry = { name, id: id++, frontend: frontends.get(name), backend: proxy.backends.get(name) };
      if (entry.frontend === undefined && entry.backend === undefined) continue;
      entries.push(entry);
      this.#byName.set(name, entry);
    }
    this.proxies = entries;
    for (const backend of proxy.backends.values()) for (const s of backend.servers) this.#serverOwner.set(s, backend);
    for (const check of proxy.health.checks) this.#checks.set(check.server, check);
    for (const b of proxy.health.backends) for (const agent of b.agents) this.#agents.set(agent.server, agent);
    this.#proxy = proxy;
  }

  healthCheck(server: Server): ServerCheck | undefined {
    return this.#checks.get(server) ?? this.#proxy.health.runtimeChecksOf(server)?.check;
  }

  agentCheck(server: Server): AgentCheck | undefined {
    return this.#agents.get(server) ?? this.#proxy.health.runtimeChecksOf(server)?.agent;
  }

  addServerChecks(backend: Backend, server: Server, agent: AgentCheckModel | undefined): void {
    this.#proxy.addServerChecks(backend, server, agent);
  }

  closeIdleConnections(server: Server): void {
    this.#proxy.closeIdleConnections(server);
  }

  idleConnections(backend: Backend, server: Server): IdleFigures | undefined {
    return this.#proxy.idleConnections(backend, server);
  }

  removeServerChecks(server: Server): void {
    this.#checks.get(server)?.stop();
    this.#agents.get(server)?.stop();
    this.#proxy.health.removeRuntime(server);
  }

  backend(name: string): Backend | undefined {
    return this.#byName.get(name)?.backend;
  }

  frontend(name: string): Frontend | undefined {
    return this.#byName.get(name)?.frontend;
  }

  server(path: string): Server | string {
    const slash = path.indexOf('/');
    if (slash < 0) return 'Require \'backend/server\'.\n';
    const backend = this.#backendOrId(path.slice(0, slash));
    if (backend === undefined) return 'No such backend.\n';
    const name = path.slice(slash + 1);
    // HAProxy's get_backend_server: `#N` is the server whose id is N, which tells apart
    // servers sharing a name (the first of them answers to the name).
    const server = name.startsWith('#') ? backend.servers.find((s) => s.id === atol(name.slice(1))) : backend.server(name);
    return server ?? 'No such server.\n';
  }

  /** proxy_be_by_name: a backend by name, or `#N` by id. */
  #backendOrId(name: string): Backend | undefined {
    if (!name.startsWith('#')) return this.backend(name);
    const id = atol(name.slice(1));
    return this.proxies.find((p) => p.id === id && p.backend !== undefined)?.backend;
  }

  backendOf(server: Server): Backend {
    const owner = this.#serverOwner.get(server);
    if (owner !== undefined) return owner;
    // A server added at runtime (`add server`).
    for (const entry of this.proxies) if (entry.backend?.servers.includes(server)) return entry.backend;
    throw new Error(`server ${server.name} belongs to no backend`);
  }

  proxyId(name: string): number {
    return this.#byName.get(name)?.id ?? 0;
  }

  // With `nbthread` the other threads replay the command: the main thread alone reports it, once.
  frontendStopped(frontend: Frontend): void {
    if (threadIndex() === 0) this.#proxy.reportStopped(this.warning, frontend);
  }

  frontendWarning(frontend: Frontend, text: string): void {
    if (threadIndex() !== 0) return;
    this.warning(text);
    this.#proxy.logProxyEvent(frontend.model, LogLevel.warning, text);
  }

  reportAdminChange(backend: Backend, change: AdminChange): void {
    const log = this.#logOf(backend);
    log.serverState(change.level, change.text, change.mailed === true);
    if (!change.lastServerLost) return;
    const type = this.#byName.get(backend.name)?.frontend !== undefined ? 'listen' : 'backend';
    log.backendDown(noServerAlertMessage(type, backend.name), noServerLogMessage(type, backend.name));
  }
}

/** HAProxy numbers its GLOBAL CLI frontend first (it is allocated while `global` is parsed). */
export function firstProxyUuid(config: ConfigModel): number {
  return config.global.stats !== undefined ? 2 : 1;
}

/** `logOf` gives the health log (console and log targets) of a backend. */
export function proxyTarget(proxy: Proxy, warning: (text: string) => void, logOf: (backend: Backend) => HealthLog): RuntimeTarget {
  return new ProxyTarget(proxy, warning, logOf);
}

