import type { ConfigModel, LogTarget } from '../config/model.ts';
import { HeaderCaseMap } from '../mux/h1-header-case.ts';
import { createCaches, type Caches } from '../cache/caching.ts';
import { h2OptionsOf } from '../mux/h2-client.ts';
import { servesStatsAdmin } from '../services/stats/stats-admin.ts';
import { LogLevel, PROGRAM_TAG, ProxyLogger, type LogLevelValue, type LogSinks } from '../log/logger.ts';
import { dumpServerStates, type CliFigures } from './state-dump.ts';
import { proxyStoppedLine, softStopOrder } from './stop-messages.ts';
import type { Runtime } from '../runtime.ts';
import { Backend } from './backend.ts';
import { Frontend } from './frontend.ts';
import { setCounterClock } from './counters.ts';
import { bufferSizes } from '../http/buffer-sizes.ts';
import { IdleSampler } from './idle-share.ts';
import { connectionCountSlots, FIRST_FRONTEND_SLOT, ProcessLimits } from './process-limits.ts';
import { ServerConnectionPool, type IdleFigures } from '../http/server-pool.ts';
import { FdUsage } from './fd-usage.ts';
import { BackendHealth, createRuntimeServerChecks, healthLogFor, HealthChecks, type RuntimeServerChecks } from '../health/health-service.ts';
import type { AgentCheckModel } from '../config/model.ts';
import type { Server } from './server.ts';
import { HealthLog } from '../health/health-log.ts';
import { EmailAlerts } from '../health/email-alerts.ts';
import { attachPersistence } from '../stick/persistence.ts';
import { userlistTable } from '../auth/userlist.ts';
import type { StickTable } from '../stick/stick-table.ts';
import { createProcessVars } from '../rules/global-vars.ts';
import { SyslogSenders } from '../log/syslog-target.ts';
import { Rings, type EventSink } from '../log/rings.ts';
import { LogForwarder, type ReceivedLogs } from '../log/log-forwarder.ts';
import { LogSampling } from '../log/log-sampling.ts';
import { Services } from '../services/services.ts';
import { proxyTarget, type RuntimeTarget } from '../runtime-api/target.ts';
import type { ProcessVars } from '../rules/vars.ts';
import { compileRulesAtStart } from '../rules/rules-at-start.ts';
import { createDnsDiscovery, type DnsDiscovery } from '../dns/discovery.ts';
import { ServerTracking } from './server-tracking.ts';
import { createPeersSyncs } from '../peers/sections.ts';
import type { OtherThreads } from '../threads/other-threads.ts';
import { ServerCounts } from '../threads/server-counts.ts';
import type { PeersSync } from '../peers/peers-sync.ts';
import { SoftStopClosing } from './soft-stop-closing.ts';
import { maxsockOf } from './ideal-maxconn.ts';

export interface ProxyOptions {
  /** Emit traffic logs as JSON objects instead of HAProxy's text formats. */
  readonly logJson?: boolean;
  /** `-d`: frontends that log nowhere log to stderr instead, so every connection is visible. */
  readonly debug?: boolean;
  /** `-q`: health-check state changes are not echoed to stderr (backend log targets still get them). */
  readonly quiet?: boolean;
  /** `-L NAME`: this process's name in `peers` sections (else `localpeer`, else the host name). */
  readonly localPeer?: string | undefined;
  /**
   * One of the `nbthread` threads of the process (src/threads/): its index (0: the main thread,
   * the only one running health checks, resolvers and peers, and listening on UNIX sockets)
   * and the connection counts the threads share (ProcessLimits).
   */
  readonly thread?: { readonly index: number; readonly connectionCounts: Int32Array; readonly serverCounts: Int32Array } | undefined;
}

const DEBUG_TARGET = {
  target: 'stderr',
  format: 'raw',
  facility: 'local0',
  source: { file: '<command line -d>', line: 0 },
} as const;

/** One running configuration generation: its frontends, backends and process limits. */
export class Proxy {
  readonly runtime: Runtime;
  readonly config: ConfigModel;
  readonly limits: ProcessLimits;
  readonly backends = new Map<string, Backend>();
  readonly frontends: Frontend[] = [];
  /** Active health checks of every backend (src/health/), running between start() and stop()/kill(). */
  readonly health: HealthChecks;
  /** `resolvers` keeping servers' host names resolved (src/dns/), running between start() and stop()/kill(). */
  readonly dns: DnsDiscovery;
  /** `server ... track` links: trackers follow their tracked server's state. */
  readonly tracking: ServerTracking;
  /** Stick tables by the name of the proxy declaring them (one per generation, no timers). */
  readonly stickTables: ReadonlyMap<string, StickTable>;
  /** The `peers` sections keeping stick tables in sync with other processes (src/peers/), running between start() and stop()/kill(). */
  readonly peers: readonly PeersSync[];
  /** The `proc` variables of this generation (the global `set-var` lines applied). */
  readonly procVars: ProcessVars;
  /** Where state changes made at run time are reported (HAProxy's ha_warning); the CLI sets it. */
  warn: (text: string) => void = (text) => this.runtime.writeStderr(`[WARNING] ${text}\n`);
  /** The internal services its rules use (`use-service`), created on first use. */
  readonly services: Services;
  /** The `cache` sections' stores (src/cache/), this generation's own. */
  readonly caches: Caches | undefined;
  #target: RuntimeTarget | undefined;
  /** The other threads of the process (`nbthread`), set once they run; undefined with one thread. */
  otherThreads: OtherThreads | undefined = undefined;
  /** With several threads: the servers' and backends' shared figures (src/threads/server-counts.ts). */
  readonly serverCounts: ServerCounts | undefined;
  readonly #pools = new Map<Backend, ServerConnectionPool>();
  /** What the idle pools weigh against the fd limits (tune.pool-*-fd-ratio). */
  readonly #fds: FdUsage;
  /** The sockets syslog lines leave through (closed once stopped) and the targets' sampling, shared by every proxy's logger. */
  readonly #logSinks: LogSinks;
  readonly #logJson: boolean;
  readonly #quiet: boolean;
  /** Each backend's state-change reporter (health checks and admin changes), made on first use. */
  readonly #healthLogs = new Map<Backend, HealthLog>();
  /** 0 unless this generation runs in a thread other than the main one (ProxyOptions.thread). */
  readonly #threadIndex: number;
  /** This thread's Idle_pct, measured while the generation serves. */
  readonly #idle: IdleSampler;
  /** Each backend's `email-alert`s, made on first use; the main thread's only, where server states are decided. */
  readonly #emailAlerts = new Map<Backend, EmailAlerts | undefined>();

  /** The `log-forward` sections, run by the main thread only; made at start. */
  #logForwarders: LogForwarder[] = [];
  readonly #receivedLogs: ReceivedLogs = { count: 0 };

  /** One idle-connection pool per backend, shared by every frontend using it. */
  readonly #poolFor = (backend: Backend): ServerConnectionPool => {
    let pool = this.#pools.get(backend);
    if (pool === undefined) {
      pool = new ServerConnectionPool(this.runtime, this.#fds);
      this.#pools.set(backend, pool);
    }
    return pool;
  };

  constructor(runtime: Runtime, config: ConfigModel, options: ProxyOptions = {}) {
    this.runtime = runtime;
    this.config = config;
    const sendHostname = config.global.logSendHostname;
    this.#logSinks = {
      syslog: new SyslogSenders(runtime),
      sampling: new LogSampling(),
      header: {
        hostname: sendHostname === undefined ? '' : sendHostname !== '' ? sendHostname : (runtime.hostname ?? ''),
        tag: config.global.logTag,
      },
      hosts: config.global.logHosts,
      rings: new Rings(runtime, config.rings ?? [], {
        hostname: sendHostname === undefined ? '' : sendHostname !== '' ? sendHostname : (runtime.hostname ?? ''),
        tag: config.global.logTag ?? PROGRAM_TAG,
      }),
    };
    this.#logJson = options.logJson ?? false;
    this.#quiet = options.quiet ?? false;
    this.services = new Services(() => this.target);
    const frontendCount = config.frontends.filter((f) => !f.disabled).length;
    this.limits = new ProcessLimits(config.global.maxconn, bufferSizes(config.global.tune), options.thread?.connectionCounts ?? new Int32Array(connectionCountSlots(frontendCount)));
    this.#threadIndex = options.thread?.index ?? 0;
    this.#idle = new IdleSampler(runtime, this.limits, this.#threadIndex);
    this.limits.connRateLimit = config.global.maxConnRate ?? 0;
    this.limits.sessRateLimit = config.global.maxSessRate ?? 0;
    this.limits.sslRateLimit = config.global.maxSslRate ?? 0;
    this.limits.maxSslConnections = config.global.maxSslConn ?? 0;
    if (config.global.compression !== undefined) {
      this.limits.compression = config.global.compression;
      this.limits.compRateLimit = config.global.compression.rateLimit;
    }
    // The threads' monotonic clocks start apart; pinned to the wall clock once, they agree.
    const rateClockOffset = runtime.wallClock() - runtime.now();
    const sharedClock = (): number => Math.floor(runtime.now() + rateClockOffset);
    this.limits.useRateClock(sharedClock);
    const listeners = config.frontends.reduce((n, f) => n + (f.disabled ? 0 : f.binds.length), 0);
    this.#fds = new FdUsage(this.limits, listeners, config.global.tune, maxsockOf(config));
    this.procVars = createProcessVars(config.global.setVars, runtime);
    // Every thread assigns the same slots: same backends, same order.
    const serverCounts = options.thread === undefined ? undefined : new ServerCounts(options.thread.serverCounts, options.thread.index);
    this.serverCounts = serverCounts;
    for (const model of config.backends) {
      if (!model.disabled) this.backends.set(model.name, new Backend(model, { slotsInUse: this.#fds, trackSessions: config.global.stats !== undefined || servesStatsAdmin(config), serverCounts, clock: sharedClock }));
    }
    this.tracking = new ServerTracking(this.backends, () => runtime.now(), (backend, change) => this.target.reportAdminChange(backend, change));
    this.stickTables = attachPersistence(this.backends, config.frontends, config.peers);
    this.peers = createPeersSyncs(runtime, config, this.stickTables, options.localPeer ?? config.global.localPeer ?? runtime.hostname ?? '', (text) =>
      this.warn(text),
    );
    for (const backend of this.backends.values()) {
      const app = backend.model.fcgiApp;
      if (app !== undefined && app.logStderr.length > 0) backend.fcgiStderrLog = new ProxyLogger(runtime, app.logStderr, options.logJson ?? false, this.#logSinks, app.name);
      if (backend.model.options.checkCache === true) backend.eventLog = this.#healthLogOf(backend);
    }
    const userlists = userlistTable(config.userlists);
    for (const model of config.frontends) {
      if (model.disabled) continue;
      const backend = model.defaultBackend === undefined ? undefined : this.backends.get(model.defaultBackend);
      const targets = model.logs.length > 0 ? model.logs : options.debug ? [DEBUG_TARGET] : [];
      const logger = new ProxyLogger(runtime, targets, options.logJson ?? false, this.#logSinks, model.logTag);
      this.frontends.push(new Frontend(runtime, model, backend, this.limits, logger, this.#poolFor, this.backends, this.procVars, userlists, this.stickTables, this.services));
    }
    for (const [i, f] of this.frontends.entries()) {
      f.linkPeers(this.frontends);
      f.limitSlot = FIRST_FRONTEND_SLOT + i;
      f.threaded = options.thread !== undefined;
      f.threadIndex = this.#threadIndex;
      f.holdsTlsHandshakes = (config.global.maxSslRate ?? 0) > 0 || (config.global.maxSslConn ?? 0) > 0;
      f.sharesPorts = config.global.noReusePort !== true;
    }
    this.caches = createCaches(config.caches);
    for (const f of this.frontends) f.caches = this.caches;
    // `h1-case-adjust`: only the proxies with the option hold the map; the others never look.
    const caseAdjust = config.global.h1CaseAdjust;
    if (caseAdjust !== undefined && caseAdjust.length > 0) {
      const headerCase = new HeaderCaseMap(caseAdjust);
      for (const f of this.frontends) if (f.model.options.h1CaseAdjustBogusClient === true) f.headerCase = headerCase;
      for (const b of this.backends.values()) if (b.model.options.h1CaseAdjustBogusServer === true) b.headerCase = headerCase;
    }
    const h2Options = h2OptionsOf(config.global.tune);
    for (const f of this.frontends) f.h2Options = h2Options;
    for (const b of this.backends.values()) b.h2Options = h2Options;
    const replaceable = config.global.stats?.sockets.some((s) => s.level === 'admin') === true;
    for (const f of this.frontends) f.certificatesReplaceable = replaceable;
    compileRulesAtStart(config);
    // The per-second rates of the proxies' counters (fe_sess_rate, be_sess_rate...) use its clock.
    setCounterClock(() => runtime.now());
    this.health = this.#createHealthChecks(options);
    this.dns = this.#createDnsDiscovery();
    if (this.dns.servesRules) for (const f of this.frontends) f.resolvers = this.dns;
  }

  #createDnsDiscovery(): DnsDiscovery {
    const health = new Map(this.health.checks.map((c) => [c.server, c]));
    const hooks = {
      log: this.#healthLogOf,
      check: (server: Server) => health.get(server),
      proxyType: (backend: Backend) => (this.config.frontends.some((f) => f.name === backend.name) ? 'listen' : 'backend') as 'listen' | 'backend',
    };
    return createDnsDiscovery(this.runtime, this.config, this.backends, hooks, this.#threadIndex !== 0);
  }

  #createHealthChecks(options: ProxyOptions): HealthChecks {
    const listens = new Set(this.config.frontends.map((f) => f.name));
    const services: BackendHealth[] = [];
    for (const backend of this.backends.values()) {
      if (!backend.servers.some((s) => s.check !== undefined || s.model.agent !== undefined)) continue;
      const logger = this.#backendLogger(backend);
      const type = listens.has(backend.name) ? 'listen' : 'backend';
      const spreadChecks = this.config.global.spreadChecks;
      services.push(
        new BackendHealth(this.runtime, backend, logger, type, {
          quiet: options.quiet ?? false,
          sslCounts: this.limits,
          emailAlerts: this.#emailAlertsOf(backend),
          procVars: this.procVars,
          ...(spreadChecks !== undefined ? { spreadChecks } : {}),
          ...(this.config.global.pp2NeverSendLocal === true ? { pp2NeverSendLocal: true } : {}),
        }),
      );
    }
    return new HealthChecks(services, this.config.global.maxSpreadChecks);
  }

  /** Closes the idle connections to `server` (its transport changed: `set server ... ssl`). */
  closeIdleConnections(server: Server): void {
    for (const pool of this.#pools.values()) pool.closeIdleOf(server);
  }

  /** A server's idle connections, in its backend's pool (none before the backend's first use). */
  idleConnections(backend: Backend, server: Server): IdleFigures | undefined {
    return this.#pools.get(backend)?.idleFiguresOf(server);
  }

  /** `add server ... check|agent-check`: the new server's checks, built stopped and stopped with the others. */
  addServerChecks(backend: Backend, server: Server, agent: AgentCheckModel | undefined): RuntimeServerChecks {
    const type = this.config.frontends.some((f) => f.name === backend.name) ? 'listen' : 'backend';
    const log = healthLogFor(this.runtime, backend, this.#backendLogger(backend), this.#quiet, this.#emailAlertsOf(backend));
    const checks = createRuntimeServerChecks(this.runtime, backend, server, agent, log, type, this.config.global.spreadChecks ?? 0, this.limits, this.procVars, this.config.global.pp2NeverSendLocal === true);
    this.health.addRuntime(server, checks);
    return checks;
  }

  #backendLogger(backend: Backend): ProxyLogger {
    return new ProxyLogger(this.runtime, backend.model.logs ?? [], this.#logJson, this.#logSinks, backend.model.logTag);
  }

  #emailAlertsOf(backend: Backend): EmailAlerts | undefined {
    if (this.#threadIndex !== 0) return undefined;
    if (this.#emailAlerts.has(backend)) return this.#emailAlerts.get(backend);
    const settings = backend.model.emailAlert;
    const mailers = settings === undefined ? undefined : this.config.mailers?.find((m) => m.name === settings.mailers);
    const alerts = settings === undefined || mailers === undefined ? undefined : new EmailAlerts(this.runtime, settings, mailers, backend.model.timeouts);
    this.#emailAlerts.set(backend, alerts);
    return alerts;
  }

  #healthLogOf = (backend: Backend): HealthLog => {
    let log = this.#healthLogs.get(backend);
    if (log === undefined) {
      const alerts = this.#emailAlertsOf(backend);
      log = new HealthLog(this.runtime, this.#backendLogger(backend), this.#quiet, false, alerts !== undefined ? { alerts, proxyName: backend.name } : undefined);
      this.#healthLogs.set(backend, log);
    }
    return log;
  };

  /** Opens every listener; if one cannot bind, the others are closed and the error is thrown. */
  async start(): Promise<void> {
    const started: Frontend[] = [];
    try {
      for (const frontend of this.frontends) {
        await frontend.start();
        started.push(frontend);
      }
    } catch (error) {
      await Promise.all(started.map((f) => f.stopListening()));
      throw error;
    }
    // Each thread writes its own rings (its lines), so each forwards them.
    this.#logSinks.rings?.start();
    this.#idle.start();
    // One process, one set of these: the main thread's (the others follow its server states),
    // but for the `do-resolve` names of each thread's own streams.
    if (this.#threadIndex !== 0) {
      this.dns.start();
      return;
    }
    try {
      for (const sync of this.peers) await sync.start();
    } catch (error) {
      await Promise.all(this.frontends.map((f) => f.stopListening()));
      await Promise.all(this.peers.map((s) => s.stop()));
      throw error;
    }
    try {
      for (const model of this.config.logForwards ?? []) {
        const forwarder = new LogForwarder(this.runtime, model, new ProxyLogger(this.runtime, model.logs, false, this.#logSinks), this.#receivedLogs);
        await forwarder.start();
        this.#logForwarders.push(forwarder);
      }
    } catch (error) {
      await this.#stopLogForwarders();
      await Promise.all(this.frontends.map((f) => f.stopListening()));
      await Promise.all(this.peers.map((s) => s.stop()));
      throw error;
    }
    this.health.start();
    this.dns.start();
  }

  async #stopLogForwarders(): Promise<void> {
    const forwarders = this.#logForwarders;
    this.#logForwarders = [];
    await Promise.all(forwarders.map((f) => f.stop()));
  }

  /** A soft stop is coming (global `grace`): the `stopping` fetch is true, the listeners still accept. */
  announceStop(): void {
    for (const f of this.frontends) f.announceStopping();
  }

  /**
   * Soft stop, as HAProxy's SIGUSR1/SIGTERM with hard-stop-after: stop accepting, let
   * sessions finish, and kill what remains after `graceMs`. `softStop`: HAProxy's own soft stop
   * (SIGUSR1, a reload's old worker), where `close-spread-time` applies; the other stop signals,
   * which HAProxy obeys at once, end the sessions as soon as their transactions allow.
   */
  async stop(graceMs: number, softStop = false): Promise<void> {
    this.health.stop();
    this.dns.stop();
    // The peers teach the new process their tables while the sessions drain (peers-sync.ts).
    const lessons = Promise.all(this.peers.map((s) => s.softStop()));
    await Promise.all(this.frontends.map((f) => f.stopListening()));
    await this.#stopLogForwarders();
    const closing = softStop ? new SoftStopClosing(this.config.global.closeSpreadTime, this.runtime.now()) : SoftStopClosing.atOnce;
    for (const f of this.frontends) f.drainSessions(closing);
    const idle = Promise.all([...this.frontends.map((f) => f.whenIdle()), lessons]).then(() => this.#closePools());
    let timer: unknown;
    const expired = new Promise<'expired'>((resolve) => {
      timer = this.runtime.setTimer(() => resolve('expired'), graceMs);
    });
    const outcome = await Promise.race([idle.then(() => 'idle' as const), expired]);
    this.runtime.clearTimer(timer as never);
    if (outcome === 'expired') {
      for (const f of this.frontends) f.killSessions();
      await Promise.all(this.peers.map((s) => s.stop()));
      await idle;
    }
    this.#stopEmailAlerts();
    this.#logSinks.syslog.close();
    this.#logSinks.rings?.stop();
    this.#idle.stop();
  }

  /** Alerts still being sent die with the generation, as with HAProxy's old process. */
  #stopEmailAlerts(): void {
    for (const alerts of this.#emailAlerts.values()) alerts?.stop();
  }

  #closePools(): void {
    for (const pool of this.#pools.values()) pool.closeAll();
  }

  /** Forcibly ends everything at once. */
  async kill(): Promise<void> {
    this.#idle.stop();
    this.health.stop();
    this.dns.stop();
    await Promise.all(this.peers.map((s) => s.stop()));
    await Promise.all(this.frontends.map((f) => f.stopListening()));
    await this.#stopLogForwarders();
    for (const f of this.frontends) f.killSessions();
    this.#closePools();
    this.#stopEmailAlerts();
    this.#logSinks.syslog.close();
    this.#logSinks.rings?.stop();
  }

  /**
   * SIGHUP (HAProxy's sig_dump_state, src/proxy/state-dump.ts): the states of every proxy and
   * server to `warn` (ha_warning: stderr, silenced by -q) and to each proxy's log targets.
   * With `nbthread`, this thread's figures.
   */
  /** What must be open before the process's root changes (`chroot`): the UNIX syslog socket. */
  prepareForChroot(): void {
    this.#logSinks.syslog.openUnix();
  }

  dumpStates(cli: CliFigures | undefined, warn: (text: string) => void): void {
    dumpServerStates(this.target.proxies, cli, {
      warn,
      log: (proxy, text) => {
        const model = proxy.frontend?.model ?? proxy.backend?.model;
        if (model !== undefined) this.logProxyEvent(model, LogLevel.notice, text);
      },
    });
  }

  /**
   * A soft stop's "Proxy NAME stopped (cumulated conns: ...)." for each proxy (src/proxy/stop-messages.ts).
   * With `nbthread`, this thread's counts.
   */
  reportStopped(warn: (text: string) => void, only?: Frontend): void {
    // A soft stop does not name again a frontend `shutdown frontend` stopped (stop_proxy's PR_FL_STOPPED).
    const entries = this.target.proxies.filter((p) => (only === undefined ? p.frontend?.listening !== false : p.frontend === only));
    for (const entry of softStopOrder(entries)) {
      const line = proxyStoppedLine(entry);
      warn(line);
      const model = entry.frontend?.model ?? entry.backend?.model;
      if (model !== undefined) this.logProxyEvent(model, LogLevel.warning, line);
    }
  }

  /**
   * HAProxy's send_log(p, level, ...) for an event of a proxy (SIGHUP's dump, a pause that
   * failed): to the proxy's own `log` lines (a listen's halves share them), not -d's stderr lines.
   */
  logProxyEvent(model: { readonly logs?: readonly LogTarget[] | undefined; readonly logTag?: string | undefined }, level: LogLevelValue, text: string): void {
    if ((model.logs ?? []).length === 0) return;
    new ProxyLogger(this.runtime, model.logs ?? [], this.#logJson, this.#logSinks, model.logTag).emit(level, text);
  }

  /** The running configuration as the runtime API and the services act on it. */
  get target(): RuntimeTarget {
    return (this.#target ??= proxyTarget(this, (text) => this.warn(text), this.#healthLogOf));
  }

  get activeSessions(): number {
    return this.limits.current;
  }

  /** Messages the `log-forward` sections received (show info's CumRecvLogs). */
  get receivedLogs(): number {
    return this.#receivedLogs.count;
  }

  get droppedLogs(): number {
    return this.#logSinks.syslog.dropped;
  }

  /** The event sinks `show events` lists (stdout, stderr, buf0, the rings). */
  get eventSinks(): readonly EventSink[] {
    return this.#logSinks.rings?.sinks ?? [];
  }
}
