import type { ProxyLogger } from '../log/logger.ts';
import type { HealthLog } from '../health/health-log.ts';
import type { HeaderCaseMap } from '../mux/h1-header-case.ts';
import { numberAround } from './auto-ids.ts';
import { ConnectSource } from './connect-source.ts';
import type { H2Options } from '../mux/h2/local-settings.ts';
import type { BackendHttpOptions, BackendModel, ProxyMode, Timeouts } from '../config/model.ts';
import { patternFilesOf, withPatternFiles } from '../rules/pattern-files.ts';
import type { Balancer, LbRequest } from '../balance/balancer.ts';
import { isEligible } from '../balance/balancer.ts';
import { createBalancer, DEFAULT_HASH_TYPE } from '../balance/create-balancer.ts';
import { newBackendCounters, sessionOpened, type BackendCounters } from './counters.ts';
import { Server, type QueueEntry, type QueueWaiter, type ServerStatus } from './server.ts';
import type { BackendPersistence } from '../stick/persistence.ts';
import type { ServerCounts, SharedBackend } from '../threads/server-counts.ts';
import { firstWaiterThread } from '../threads/shared-queue.ts';
import { compareKeys, PendingQueue, queueKey } from './pending-queue.ts';

export type { QueueWaiter } from './server.ts';

/**
 * A session asking the backend for a server: it can be queued (granted later), the balancer may
 * read its request, and it can be killed when its server is shut down (`on-marked-down
 * shutdown-sessions`).
 */
export interface BackendClient extends QueueWaiter, LbRequest {
  kill(cause?: 'K' | 'D' | 'U'): void;
}

/** Outcome of asking for a server: one was reserved, the session was queued, or none exists. */
export type TakeResult = Server | 'queued' | 'unavailable';

export interface BackendOptions {
  /** A deterministic random source for the balancers (tests). */
  readonly random?: () => number;
  /**
   * Process-wide count of server slots in use, kept up to date by every backend (the idle
   * connection pools weigh it against the fd limits: src/proxy/fd-usage.ts).
   */
  readonly slotsInUse?: { serverConnsInUse: number };
  /** Track every server's sessions (the runtime API's `shutdown sessions server` needs them). */
  readonly trackSessions?: boolean;
  /** With several threads (`nbthread`): the servers' process-wide session counts. */
  readonly serverCounts?: ServerCounts | undefined;
  /**
   * Milliseconds for the queues' order (HAProxy's now_ms in the pendconn keys); with several
   * threads, a clock they all agree on. Default: the wall clock.
   */
  readonly clock?: () => number;
}

/**
 * One backend's servers, balancer and queues (HAProxy's backend.c + queue.c): reserves a server
 * slot per session, queues sessions when servers are at maxconn, and hands freed slots to the
 * first waiter of the server's own queue or the backend's queue: the lowest priority class,
 * then the earliest queue time plus priority offset (src/proxy/pending-queue.ts).
 */
/** The algorithms of HAProxy's BE_LB_KIND_HI: a hash of the request, which prefer-last-server leaves alone. */
const HASHING_ALGORITHMS: ReadonlySet<string> = new Set(['source', 'uri', 'url_param', 'hdr', 'hash']);

export class Backend {
  readonly name: string;
  /** HAProxy's proxy uuid (`be_id`); 0 when the model has none. */
  readonly id: number;
  readonly mode: ProxyMode;
  /** Declaration order; the runtime API may add and delete servers (`add server`, `del server`). */
  readonly #servers: Server[];
  /** The `dispatch` / `option transparent` target, used instead of the servers (no `balance`). */
  readonly direct: Server | undefined;
  readonly retries: number;
  readonly redispatch: boolean;
  /** `option persist`: persistence may direct sessions to a DOWN server. */
  readonly persist: boolean;
  readonly allBackups: boolean;
  readonly timeouts: Timeouts;
  readonly model: BackendModel;
  /** HTTP settings (mode http). */
  readonly http: BackendHttpOptions | undefined;
  /** `timeout queue`, falling back to `timeout connect` as HAProxy does. */
  readonly queueTimeout: number | undefined;
  readonly counters: BackendCounters = newBackendCounters();
  /** `fullconn` (or its default, src/config/fullconn.ts); Infinity: never reached. See dynamic-maxconn.ts. */
  readonly fullconn: number;
  /** The servers whose limit follows the backend's load (minconn < maxconn). */
  readonly #dynamicServers: Server[] = [];
  /** The generation's `tune.h2.*`: what its HTTP/2 server connections announce. */
  h2Options: H2Options = {};
  /**
   * One of its server connections spoke HTTP/2 (`proto h2`, ALPN h2; set by src/mux/h2-select.ts):
   * its streams build their request heads as heads for the HTTP/2 mux, not only as bytes it
   * would parse again. Learnt rather than read from the servers, whose TLS and ALPN the runtime
   * API may change.
   */
  speaksHttp2 = false;
  /** Runtime-clock ms of the last time the backend lost its last usable server or got one back (stats `lastchg`). */
  lastChange = 0;
  /** Ms spent without a usable server before lastChange (stats `downtime`). */
  downTime = 0;
  /** Times the backend lost its last usable server (HAProxy's down_trans, stats `chkdown`). */
  downTransitions = 0;
  /** Cookie and stick-table persistence (src/stick/), attached by the Proxy; undefined = none. */
  persistence: BackendPersistence | undefined = undefined;
  /** The fcgi-app's `log-stderr` targets (the application's STDERR records), attached by the Proxy. */
  fcgiStderrLog: ProxyLogger | undefined = undefined;
  /** Where the backend's own events go (its `log` targets and the console), attached by the Proxy where `option checkcache` needs it. */
  eventLog: HealthLog | undefined = undefined;
  /** `option h1-case-adjust-bogus-server` with a non-empty `h1-case-adjust` map: the names its HTTP/1 requests respell (set by the proxy). */
  headerCase: HeaderCaseMap | undefined = undefined;
  #balancer: Balancer;
  readonly #random: () => number;
  /** Sessions waiting for any server. */
  readonly #queue = new PendingQueue();
  readonly #clock: () => number;
  /** Where each queued waiter is: a server's queue, or undefined for the backend's. */
  readonly #queuedOn = new Map<QueueWaiter, Server | undefined>();
  #seq = 0;
  readonly #slotsInUse: { serverConnsInUse: number };
  /** Sessions the backend queue handed a slot so far (HAProxy's queue idx, for %bq). */
  #queueServed = 0;
  readonly #connectSource: ConnectSource | undefined;
  /** With several threads: the process-wide sessions and queue figures (src/threads/). */
  readonly #shared: SharedBackend | undefined;
  /** The backend's released slots (SharedBackend.releases) when this thread's balancer last looked. */
  #releasesSeen = 0;
  /** A check of the queues is due once the current task ends (see #enqueue). */
  #refillDue = false;
  readonly #dueRefill = (): void => {
    this.#refillDue = false;
    this.#refill();
  };

  /** `dynamic-cookie-key`, and whether dynamic cookies are on (`cookie ... dynamic`; the runtime API changes both). */
  #cookieKey: string | undefined;
  #dynamicCookies: boolean;
  /** The key the servers use: set while dynamic cookies are on. */
  get #dynamicCookieKey(): string | undefined {
    return this.#dynamicCookies ? this.#cookieKey : undefined;
  }

  constructor(model: BackendModel, options: BackendOptions = {}) {
    this.name = model.name;
    this.id = model.id ?? 0;
    this.model = model;
    this.mode = model.mode;
    const trackSessions = model.servers.some((s) => s.onMarkedUp !== undefined);
    const ids = numberAround(model.servers.map((s) => s.id));
    this.#servers = model.servers.map((s, i) => new Server(s, i, options.trackSessions === true || (trackSessions && s.backup), undefined, ids[i]));
    this.serverCounts = options.serverCounts;
    this.#clock = options.clock ?? (() => Date.now());
    this.#shared = this.serverCounts?.assignBackend();
    for (const server of this.#servers) this.serverCounts?.assign(server, () => this.#dequeue(server));
    this.fullconn = model.fullconn ?? Number.POSITIVE_INFINITY;
    for (const server of this.#servers) this.#followLoad(server);
    this.#cookieKey = model.dynamicCookieKey;
    this.#dynamicCookies = model.cookie?.dynamic === true;
    const key = this.#dynamicCookieKey;
    if (key !== undefined) for (const server of this.#servers) server.useDynamicCookie(key);
    this.direct = model.direct === undefined ? undefined : Server.direct(model.direct, model.source);
    // `source` on the backend: for the servers that set none (and the dispatch target).
    this.#connectSource = model.connectSource === undefined ? undefined : new ConnectSource(model.connectSource);
    for (const server of this.#servers) server.connectSource ??= this.#connectSource;
    if (this.direct !== undefined) this.direct.connectSource = this.#connectSource;
    this.retries = model.retries;
    this.redispatch = model.options.redispatch;
    this.persist = model.options.persist ?? false;
    this.allBackups = model.options.allBackups ?? false;
    this.timeouts = model.timeouts;
    this.http = model.http;
    this.queueTimeout = model.timeouts.queue ?? model.timeouts.connect;
    this.#slotsInUse = options.slotsInUse ?? { serverConnsInUse: 0 };
    this.#random = options.random ?? Math.random;
    this.#balancer = this.#createBalancer();
    if (model.options.preferLastServer === true && !HASHING_ALGORITHMS.has(model.balance.algorithm)) {
      // `max-keep-alive-queue N`: a full server is kept only while fewer than N wait in its queue.
      const maxQueue = model.maxKeepAliveQueue;
      this.acceptsLastServer =
        maxQueue === undefined
          ? (server) => server.usable && this.#servers.includes(server)
          : (server) => server.usable && this.#servers.includes(server) && (server.hasSlot || server.queue.length < maxQueue);
    }
  }

  get servers(): readonly Server[] {
    return this.#servers;
  }

  /**
   * `option prefer-last-server`: whether a server the session holds a connection to may take
   * its next request instead of the balancer's choice (assign_server): one of this backend's,
   * currently usable (UP with a weight: srv_currently_usable), and with `max-keep-alive-queue N`
   * a free slot or fewer than N sessions in its queue. Undefined when the option is off
   * or the algorithm hashes its input (BE_LB_KIND_HI), which HAProxy never overrides.
   */
  readonly acceptsLastServer: ((server: Server) => boolean) | undefined = undefined;

  #createBalancer(): Balancer {
    // `balance hash EXPR` may use map converters: they read the files the model carries.
    return withPatternFiles(patternFilesOf(this.model.patternFiles), () =>
      createBalancer(this.model.balance, this.model.hashType ?? DEFAULT_HASH_TYPE, this.#servers, {
        allBackups: this.allBackups,
        random: this.#random,
        rotation: this.#shared === undefined ? undefined : { counts: this.#shared.counts, slot: this.#shared.rotation },
        hashBalanceFactor: this.model.hashBalanceFactor,
      }),
    );
  }

  /**
   * Adds a server at the end (the runtime API's `add server`); the balancer is rebuilt over the
   * new list (HAProxy allows it only with a dynamic algorithm: see dynamic-servers.ts).
   */
  /** `set dynamic-cookie-key backend`: the servers' dynamic cookies follow while they are on. */
  setDynamicCookieKey(key: string): void {
    this.#cookieKey = key;
    if (this.#dynamicCookies) for (const server of this.#servers) server.useDynamicCookie(key);
  }

  /** `enable|disable dynamic-cookie backend` (HAProxy: enabling without a key changes nothing). */
  setDynamicCookies(enabled: boolean): void {
    this.#dynamicCookies = enabled;
    if (enabled && this.#cookieKey === undefined) return;
    for (const server of this.#servers) server.useDynamicCookie(this.#dynamicCookieKey);
  }

  addServer(server: Server): void {
    if (this.#dynamicCookieKey !== undefined) server.useDynamicCookie(this.#dynamicCookieKey);
    server.connectSource ??= this.#connectSource;
    this.serverCounts?.assign(server, () => this.#dequeue(server));
    this.#followLoad(server);
    server.index = this.#servers.length;
    this.#servers.push(server);
    this.#rebuildBalancer();
  }

  /** Removes a server without sessions nor waiters (`del server`); the others are renumbered. */
  removeServer(server: Server): void {
    const at = this.#servers.indexOf(server);
    if (at < 0) return;
    const dynamic = this.#dynamicServers.indexOf(server);
    if (dynamic >= 0) this.#dynamicServers.splice(dynamic, 1);
    this.#servers.splice(at, 1);
    for (let i = at; i < this.#servers.length; i++) (this.#servers[i] as Server).index = i;
    this.#rebuildBalancer();
  }

  #rebuildBalancer(): void {
    // The scratch fields belong to the balancer being replaced.
    for (const s of this.#servers) {
      s.lbKey = 0;
      s.lbPos = -1;
      s.currentWeight = 0;
    }
    this.#balancer = this.#createBalancer();
  }

  /** A server by name (stick tables and cookies refer to servers by name across generations). */
  server(name: string): Server | undefined {
    for (const s of this.servers) if (s.name === name) return s;
    return undefined;
  }

  /**
   * HAProxy's be_usable_srv (the `nbsrv` fetch): the usable active servers; without any, 1 when
   * a backup takes the traffic alone, else the usable backups; 0 for a disabled backend.
   */
  get usableServers(): number {
    if (this.model.disabled) return 0;
    let active = 0;
    let backups = 0;
    for (const s of this.servers) if (s.usable) s.backup ? backups++ : active++;
    if (active > 0) return active;
    return this.allBackups ? backups : Math.min(backups, 1);
  }

  /** Any server could serve traffic now or after the queue (the 503-vs-queue decision). */
  get hasUsableServer(): boolean {
    for (const s of this.servers) if (s.usable) return true;
    return false;
  }

  /**
   * Reserves a server for a session. `persistTo` is the server a cookie or stick table names:
   * it is used when it may take traffic (UP, or any state with `option persist`), else the
   * balancer chooses (HAProxy breaks persistence to a DOWN server). `avoid` is skipped when
   * redispatching. A full server queues the session in its own queue (up to `maxqueue`);
   * when every server is full the session waits in the backend queue. Either way it is
   * `granted` a slot later, or removed by leaveQueue() on timeout/abort. `lastServer` is the
   * server `option prefer-last-server` found for the session (see `acceptsLastServer`): it
   * stands for the balancer's choice, which is then not asked (assign_server's early exit).
   */
  take(client: BackendClient, avoid: Server | undefined, persistTo?: Server, force = false, lastServer?: Server): TakeResult {
    const dynamic = this.#dynamicServers.length > 0;
    if (dynamic) this.#loadMoved();
    // DRAIN and weight 0 keep their persistent clients (that is what draining means in HAProxy).
    // `force` (force-persist, use-server): a DOWN server is used too; MAINT never.
    if (persistTo !== undefined && persistTo.status !== 'MAINT' && (persistTo.status !== 'DOWN' || this.persist || force)) {
      // Behind its queue, not ahead of it (HAProxy queues while the server queue is non-empty).
      if (persistTo.hasSlot && !this.#othersWaitFor(persistTo) && persistTo.takeSlot()) return this.#assign(persistTo, client);
      if (this.#joinServerQueue(persistTo)) return this.#enqueue(client, persistTo);
      // Its queue is full: HAProxy answers 503 unless it may break persistence.
      if (!this.redispatch) return 'unavailable';
    }
    // Without `balance`, dispatch and transparent backends go to their one target (assign_server).
    if (this.direct !== undefined) {
      this.direct.active++;
      return this.#assign(this.direct, client);
    }
    // prefer-last-server comes before the rule that queues behind waiting sessions (assign_server).
    if (lastServer === undefined && dynamic && this.#queueGoesFirst() && this.hasUsableServer) return this.#enqueue(client, undefined);
    const threaded = this.#shared !== undefined;
    const hashed = threaded && lastServer === undefined && HASHING_ALGORITHMS.has(this.model.balance.algorithm);
    if (threaded) this.#lookAgainAtFullServers();
    let server = lastServer ?? this.#balancer.pick(client, avoid);
    // Another thread may have taken the last slot of the server this thread's balancer chose:
    // it is set aside as full, as when this thread takes the last slot (the hashed server waits).
    for (let tries = this.#servers.length; threaded && server !== undefined && server !== lastServer && !hashed && !server.hasSlot && tries > 0; tries--) {
      this.#balancer.taken(server);
      server = this.#balancer.pick(client, avoid);
    }
    if (server !== undefined) {
      if (server.hasSlot && !this.#othersWaitFor(server) && server.takeSlot()) return this.#assign(server, client, server !== lastServer);
      // With several threads, a balanced server with a free slot another thread's waiters are
      // about to take, or full after all: this session waits for any server, behind them.
      if ((server.sharedQueue === undefined || hashed || server === lastServer) && this.#joinServerQueue(server)) return this.#enqueue(client, server);
      // The hashed server's queue is full: wait for whichever server frees a slot first.
    }
    if (!this.hasUsableServer) return 'unavailable';
    return this.#enqueue(client, undefined);
  }

  /**
   * With several threads: a balancer sets a server aside when this thread takes its last slot
   * and brings it back when this thread releases one; slots the other threads released since
   * this one last looked bring their servers back here too.
   */
  #lookAgainAtFullServers(): void {
    const shared = this.#shared as SharedBackend;
    const releases = Atomics.load(shared.counts, shared.releases);
    if (releases === this.#releasesSeen) return;
    this.#releasesSeen = releases;
    for (const s of this.#servers) if (s.maxconn > 0) this.#balancer.released(s);
  }

  /**
   * Whether sessions wait for a slot of `server` already (it would be taken ahead of them):
   * its own queue's; with several threads, also the backend queue's waiters it may serve,
   * which another thread is about to give a slot freed there.
   */
  #othersWaitFor(server: Server): boolean {
    const queue = server.sharedQueue;
    if (queue === undefined) return server.queue.length > 0;
    if (queue.waiting > 0) return true;
    const shared = this.#shared;
    return shared !== undefined && shared.queue.waiting > 0 && server.usable && isEligible(server, this.servers, this.allBackups);
  }

  /** Sessions of every thread in this backend (HAProxy's beconn): a dynamic maxconn follows it. */
  get processSessions(): number {
    const shared = this.#shared;
    return shared === undefined ? this.counters.scur : Atomics.load(shared.counts, shared.sessions);
  }

  /** A session entered the backend (counted until sessionLeft, queued or served). */
  sessionEntered(): void {
    sessionOpened(this.counters);
    const shared = this.#shared;
    if (shared !== undefined) Atomics.add(shared.counts, shared.sessions, 1);
  }

  sessionLeft(): void {
    this.counters.scur--;
    const shared = this.#shared;
    if (shared !== undefined) Atomics.sub(shared.counts, shared.sessions, 1);
  }

  /** Removes a waiter that gave up (queue timeout, client abort). No-op when not queued. */
  leaveQueue(waiter: QueueWaiter): void {
    if (!this.#queuedOn.has(waiter)) return;
    const server = this.#queuedOn.get(waiter);
    this.#queuedOn.delete(waiter);
    const queue = server === undefined ? this.#queue : server.queue;
    const entry = queue.remove(waiter);
    if (entry !== undefined) this.#leftQueue(entry, server);
    this.#sharedLeft(server, 1);
    this.counters.qcur--;
    if (server !== undefined) server.counters.qcur--;
  }

  /**
   * With several threads: `count` waiters left this thread's queue of `server` (the backend's
   * when undefined), whose first waiter may have changed.
   */
  #sharedLeft(server: Server | undefined, count: number): void {
    const shared = server === undefined ? this.#shared?.queue : server.sharedQueue;
    if (shared === undefined) return;
    shared.leave(count);
    this.#publishHead(server);
  }

  /** With several threads: publishes this thread's first waiter of `server`'s queue (the backend's when undefined). */
  #publishHead(server: Server | undefined, now = this.#clock()): void {
    const shared = server === undefined ? this.#shared?.queue : server.sharedQueue;
    if (shared === undefined) return;
    const first = (server === undefined ? this.#queue : server.queue).first(now);
    shared.setHead(first?.seq ?? 0, first?.key ?? 0, now);
  }

  /** Is `waiter` waiting in a queue of this backend? */
  isQueued(waiter: QueueWaiter): boolean {
    return this.#queuedOn.has(waiter);
  }

  /** A session stopped using `server`: free its slot and hand it to the first waiter. */
  release(server: Server, client?: BackendClient): void {
    server.releaseSlot();
    if (this.#shared !== undefined) Atomics.add(this.#shared.counts, this.#shared.releases, 1);
    this.#slotsInUse.serverConnsInUse--;
    server.counters.scur--;
    if (client !== undefined) server.sessions?.delete(client);
    if (server === this.direct) return;
    this.#balancer.released(server);
    this.#dequeue(server);
  }

  /**
   * Sets a server's status (health checks, admin API) and applies HAProxy's consequences:
   * the balancer is updated; a server coming UP takes queued sessions (and with `on-marked-up
   * shutdown-backup-sessions` ends the backups' sessions); a server going DOWN or to MAINT
   * has its queue redistributed (with `option redispatch`) and, with `on-marked-down
   * shutdown-sessions`, its sessions killed.
   */
  /** Told of every status change, after it is applied (src/proxy/server-tracking.ts: trackers follow). */
  statusObserver: ((server: Server, status: ServerStatus) => void) | undefined = undefined;
  /** With several threads: where the servers' process-wide counts live (a server added at run time takes a slot too). */
  readonly serverCounts: ServerCounts | undefined;
  /** Told of every status or weight change, after it is applied (src/threads/: the other threads apply it too). */
  stateObserver: ((server: Server) => void) | undefined = undefined;

  setServerStatus(server: Server, status: ServerStatus, now: number): void {
    if (server.status === status) return;
    const wasUsable = server.usable;
    const backendWasUp = this.usableServers > 0;
    // HAProxy's down_time: time stopped (DOWN or in maintenance), added up when the server runs again.
    if ((server.status === 'DOWN' || server.status === 'MAINT') && status !== 'DOWN' && status !== 'MAINT') server.downTime += now - server.lastChange;
    server.status = status;
    server.lastChange = now;
    if (backendWasUp !== this.usableServers > 0) this.#backendStateChanged(backendWasUp, now);
    this.#balancer.serverChanged(server);
    if (server.usable && !wasUsable) {
      if (server.onMarkedUp === 'shutdown-backup-sessions' && !server.backup) {
        for (const s of this.servers) if (s.backup) this.#killSessions(s, 'U');
      }
      this.#refill();
    } else if (!server.usable && wasUsable) {
      if ((status === 'DOWN' || status === 'MAINT') && server.onMarkedDown === 'shutdown-sessions') this.#killSessions(server, 'D');
      // Without redispatch its waiters keep waiting (it may come back) until `timeout queue`.
      this.#redistribute(server);
      // Losing the last active server makes backups eligible for the backend queue.
      this.#refill();
    }
    this.statusObserver?.(server, status);
    this.stateObserver?.(server);
  }

  /** The backend lost its last usable server, or got one back (HAProxy's set_backend_down / srv_update_status). */
  #backendStateChanged(wasUp: boolean, now: number): void {
    if (wasUp) this.downTransitions++;
    else this.downTime += now - this.lastChange;
    this.lastChange = now;
  }

  /** Sets a server's effective weight (admin API, slowstart ramp) and maxconn (slowstart). */
  setServerWeight(server: Server, weight: number, maxconn = server.maxconn): void {
    if (server.weight === weight && server.maxconn === maxconn) return;
    const wasUsable = server.usable;
    server.weight = weight;
    server.maxconn = maxconn;
    this.#balancer.serverChanged(server);
    if (!server.usable && wasUsable) this.#redistribute(server);
    this.#refill();
    this.stateObserver?.(server);
  }

  /**
   * assign_server: with sessions in the backend queue while others are served, `first`,
   * `roundrobin` and `static-rr` know every server is full, and a new session queues behind
   * them — even where a dynamic limit grew since (the queue takes the new slots as sessions end).
   */
  #queueGoesFirst(): boolean {
    const queued = this.#shared === undefined ? this.#queue.length : this.#shared.queue.waiting;
    if (queued === 0 || queued === this.processSessions) return false;
    const algorithm = this.model.balance.algorithm;
    if (algorithm !== 'roundrobin' && algorithm !== 'first' && algorithm !== 'static-rr') return false;
    for (const s of this.#servers) if (s.processActive > 0) return true;
    return false;
  }

  /** A server with `minconn` below its maxconn: its limit follows this backend's load. */
  #followLoad(server: Server): void {
    if (server.minconn <= 0 || server.minconn >= server.maxconnConfigured) return;
    server.dynamicLoad = this;
    this.#dynamicServers.push(server);
  }

  /**
   * Before a choice: a dynamic server whose limit the backend's load moved is shown to the
   * balancer again (which keeps full servers aside), as HAProxy's balancers compare with
   * srv_dynamic_maxconn() when they pick. The limit moves every fullconn / maxconn sessions.
   */
  #loadMoved(): void {
    for (const server of this.#dynamicServers) {
      const limit = server.effectiveMaxconn;
      if (limit === server.dynamicLimitSeen) continue;
      server.dynamicLimitSeen = limit;
      this.#balancer.serverChanged(server);
    }
  }

  /** Number of sessions waiting in the backend's own queue (not the servers'). */
  get queueLength(): number {
    return this.#queue.length;
  }

  /** The session took a slot of `server` (Server.takeSlot): it uses the server. */
  #assign(server: Server, client: BackendClient, balanced = true): Server {
    this.#slotsInUse.serverConnsInUse++;
    // Only a balanced choice counts as one (HAProxy's cum_lbconn; prefer-last-server skips it).
    if (server !== this.direct && balanced) {
      server.counters.lbtot++;
      this.counters.lbtot++;
    }
    sessionOpened(server.counters);
    server.sessions?.add(client);
    if (server !== this.direct) this.#balancer.taken(server);
    return server;
  }

  /** Counts a waiter in `server`'s queue unless `maxqueue` wait there (in the process); #enqueue follows. */
  #joinServerQueue(server: Server): boolean {
    const shared = server.sharedQueue;
    if (shared === undefined) return server.maxqueue === 0 || server.queue.length < server.maxqueue;
    return shared.join(server.maxqueue);
  }

  /**
   * Counts the position an entry leaving a queue had reached: how many waiters that queue
   * served since it arrived, itself included (HAProxy's pendconn unlink: being first reports 1).
   */
  #leftQueue(entry: QueueEntry, server: Server | undefined): void {
    const positions = entry.waiter.queuePositions;
    if (positions === undefined) return;
    if (server === undefined) positions.backend += this.#queueServed - entry.mark;
    else positions.server += server.queueServed - entry.mark;
  }

  /** Queues `waiter` on `server` (counted there by #joinServerQueue) or on the backend. */
  #enqueue(waiter: QueueWaiter, server: Server | undefined): 'queued' {
    const shared = server === undefined ? this.#shared?.queue : server.sharedQueue;
    if (shared !== undefined && server === undefined) shared.join(0);
    const seq = shared === undefined ? this.#seq++ : shared.ticket();
    const key = queueKey(waiter.priorityClass ?? 0, waiter.priorityOffset ?? 0, this.#clock());
    const entry: QueueEntry = { waiter, seq, key, mark: (server === undefined ? this.#queueServed : server.queueServed) - 1 };
    const queue = server === undefined ? this.#queue : server.queue;
    queue.add(entry);
    if (server !== undefined) server.counters.qcur++;
    this.#queuedOn.set(waiter, server);
    this.counters.qcur++;
    // The highest queue the process had: with several threads, every thread's waiters.
    const serverQueued = shared !== undefined && server !== undefined ? shared.waiting : server?.counters.qcur ?? 0;
    if (server !== undefined && serverQueued > server.counters.qmax) server.counters.qmax = serverQueued;
    const backendQueued = this.processQueued;
    if (backendQueued > this.counters.qmax) this.counters.qmax = backendQueued;
    if (shared !== undefined) {
      this.#publishHead(server);
      // A slot another thread freed just before this waiter was published would wait for the
      // next release: the queues are looked at again once the caller knows it is queued.
      if (!this.#refillDue) {
        this.#refillDue = true;
        void Promise.resolve().then(this.#dueRefill);
      }
    }
    return 'queued';
  }

  /** Waiters of every thread in the backend's queue and its servers' (HAProxy's totpend). */
  get processQueued(): number {
    if (this.#shared === undefined) return this.counters.qcur;
    let queued = this.#shared.queue.waiting;
    for (const s of this.#servers) queued += s.processQueued;
    return queued;
  }

  /**
   * Gives `server`'s free slots to waiters: the first of its own queue's and the backend queue's
   * each time, by key, the server's on a tie (HAProxy's process_srv_queue). The server's own queue is served
   * whatever its state but maintenance (those sessions asked for this server: persistence with
   * `option persist`, or a hash key, without redispatch); the backend queue only feeds servers
   * the balancer could choose (UP, and no backup while an active server is UP).
   */
  #dequeue(server: Server): void {
    const sharedQueue = server.sharedQueue;
    if (sharedQueue === undefined) {
      if (server.queue.length === 0 && this.#queue.length === 0) return;
    } else if (sharedQueue.waiting === 0 && (this.#shared?.queue.waiting ?? 0) === 0) {
      return;
    }
    const sharedOk = server.usable && isEligible(server, this.servers, this.allBackups);
    const now = this.#clock();
    if (sharedQueue !== undefined) {
      // Which of this thread's waiters is first can change with time alone (pending-queue.ts):
      // the heads it compares with the other threads' are this moment's.
      this.#publishHead(server, now);
      if (sharedOk) this.#publishHead(undefined, now);
    }
    while (server.hasSlot && server.status !== 'MAINT') {
      if (sharedQueue !== undefined) {
        // The slot goes to the first waiter of the process: when another thread holds it, that
        // thread is told (it looks again, and passes the word on if its waiter left meanwhile).
        const first = firstWaiterThread(sharedQueue, sharedOk ? this.#shared?.queue : undefined, now);
        if (first < 0) return;
        if (first !== sharedQueue.thread) return sharedQueue.wake(first);
      }
      const own = server.queue.first(now);
      const shared = sharedOk ? this.#queue.first(now) : undefined;
      const fromOwn = own !== undefined && (shared === undefined || compareKeys(own.key, shared.key, now) <= 0);
      if (!fromOwn && shared === undefined) return;
      // Another thread may have taken the slot since hasSlot: its release comes back here.
      if (!server.takeSlot()) return;
      let entry: QueueEntry;
      if (fromOwn) {
        entry = server.queue.takeFirst(now) as QueueEntry;
        server.counters.qcur--;
        this.#leftQueue(entry, server);
        server.queueServed++;
        this.#sharedLeft(server, 1);
      } else {
        entry = this.#queue.takeFirst(now) as QueueEntry;
        this.#leftQueue(entry, undefined);
        this.#queueServed++;
        this.#sharedLeft(undefined, 1);
      }
      this.#queuedOn.delete(entry.waiter);
      this.counters.qcur--;
      const client = entry.waiter as BackendClient;
      this.#assign(server, client);
      client.granted(server);
    }
  }

  /** Lets every server with free slots take queued sessions (after an UP or weight change). */
  #refill(): void {
    for (const s of this.servers) {
      // With several threads, #dequeue looks at the waiters of every thread.
      if (s.sharedQueue === undefined && this.#queue.length === 0 && s.queue.length === 0) continue;
      this.#dequeue(s);
    }
  }

  /**
   * A server stopped taking traffic: with `option redispatch` (and without `option persist`)
   * the sessions in its queue move to the backend queue (HAProxy's pendconn_redistribute
   * wakes them in their queue order to queue again: each gets a key from the time it moves).
   */
  #redistribute(server: Server): void {
    if (server.queue.length === 0 || !this.redispatch || this.persist) return;
    const moved = server.queue.takeAll();
    server.counters.qcur = 0;
    this.#sharedLeft(server, moved.length);
    const backendQueue = this.#shared?.queue;
    if (backendQueue !== undefined) for (let i = 0; i < moved.length; i++) backendQueue.join(0);
    const now = this.#clock();
    for (const e of moved) {
      this.#queuedOn.set(e.waiter, undefined);
      // It leaves the server's queue and arrives in the backend's (HAProxy wakes it to queue again).
      this.#leftQueue(e, server);
      e.mark = this.#queueServed - 1;
      e.key = queueKey(e.waiter.priorityClass ?? 0, e.waiter.priorityOffset ?? 0, now);
      this.#queue.add(e);
    }
    this.#publishHead(undefined);
  }

  #killSessions(server: Server, cause: 'D' | 'U'): void {
    const sessions = server.sessions;
    if (sessions === undefined || sessions.size === 0) return;
    for (const session of [...sessions]) session.kill(cause);
  }
}
