import type { Socks4Proxy } from './socks4-connect.ts';
import { ConnectSource } from './connect-source.ts';
import { setResolutionMaint } from '../dns/resolution-maint.ts';
import type { DirectTargetModel, ServerCheckModel, ServerModel, ServerSsl, SendProxyModel } from '../config/model.ts';
import type { ServerObserver } from '../health/observe.ts';
import { newBackendCounters, type BackendCounters } from './counters.ts';
import { dynamicMaxconn, type BackendLoad } from './dynamic-maxconn.ts';
import { dynamicCookie } from './dynamic-cookie.ts';
import type { SharedQueue } from '../threads/shared-queue.ts';
import { PendingQueue } from './pending-queue.ts';

/**
 * Operational state as HAProxy's stats show it: UP, DOWN (health checks failed), MAINT (`disabled`,
 * a host name `init-addr` left without an address, or the admin API), DRAIN (admin: no new
 * traffic except persistent), NOLB (HAProxy's SRV_ST_STOPPING: a health check passed only
 * conditionally, as a 404 under `http-check disable-on-404`; no new traffic except persistent).
 * Transitional states ("UP 1/3", "DOWN 1/2", "NOLB 1/2") are `status` plus the check's health
 * counter (see src/health/).
 */
export type ServerStatus = 'UP' | 'DOWN' | 'MAINT' | 'DRAIN' | 'NOLB';

/**
 * What a server's health checks last found, for the stats page: HAProxy's check_status /
 * check_code / check_duration and the health counter behind "UP 1/3" / "DOWN 1/2".
 * Written only by src/health/.
 */
export interface ServerCheckState {
  /** 0..rise+fall-1; the server is considered healthy from `rise` up. */
  health: number;
  readonly rise: number;
  readonly fall: number;
  /** Short status of the last check ("INI" before the first one, then "L4OK", "L7STS", ...). */
  status: string;
  /** HTTP status of the last HTTP check (undefined for tcp checks or before a response). */
  code: number | undefined;
  /** Duration of the last check in ms (-1 before the first one). */
  duration: number;
  /** Detail of the last result (HAProxy's check "info"), "" when none. */
  desc: string;
  /** Failed checks that took health down a step (HAProxy's failed_checks, stats `chkfail`). */
  failedChecks: number;
  /** UP to DOWN transitions the checks caused (HAProxy's down_trans, stats `chkdown`). */
  downTransitions: number;
}

/** Where a waiter's queue positions are counted, for the log's %sq and %bq. */
export interface QueuePositions {
  /** Requests served from the server's queue while this one waited there (+1 for itself). */
  server: number;
  /** Likewise in the backend's queue. */
  backend: number;
}

/** A session waiting for a server slot, in a server's or a backend's queue. */
export interface QueueWaiter {
  /** A slot on `server` was reserved for the waiter (server.active already counts it). */
  granted(server: Server): void;
  /** Receives the waiter's queue positions as it leaves a queue (HAProxy's logs.srv_queue_pos / prx_queue_pos). */
  readonly queuePositions?: QueuePositions | undefined;
  /** `set-priority-class` (-2047..2047; 0 without): a lower class is served first. */
  readonly priorityClass?: number | undefined;
  /** `set-priority-offset` in ms (0 without): added to the time the waiter queued, for its order. */
  readonly priorityOffset?: number | undefined;
}

/** A session that can be ended from outside (on-marked-down shutdown-sessions). */
export interface KillableSession {
  /** `cause` is the %ts termination code: K (admin, soft stop), D (on-marked-down), U (on-marked-up). */
  kill(cause?: 'K' | 'D' | 'U'): void;
}

/** One queued waiter with its place in the queue order (src/proxy/pending-queue.ts). */
export interface QueueEntry {
  readonly waiter: QueueWaiter;
  /** Its arrival ticket: with several threads, the order of equal keys across threads. */
  readonly seq: number;
  /** HAProxy's pendconn key: its class and its queue time plus offset (pending-queue.ts queueKey). */
  key: number;
  /** Its queue's `served` count when it arrived, minus one (HAProxy's pendconn queue_idx). */
  mark: number;
}

/** A server's live state within one config generation. */
export class Server {
  readonly name: string;
  /** What connections dial: the address a host name resolved to at startup, else `host` as written; the admin API may change it. */
  host: string;
  /**
   * The host name as configured when `host` is the address it resolved to, or will be (certificates
   * are checked against it); undefined for IP literals and unresolved models. A server filled from
   * an SRV record takes its target's name (src/dns/srv-request.ts).
   */
  hostname: string | undefined;
  /** With `mapPorts`: an offset to the port the client connected to. The admin API (`set server B/S addr A port P`) may change it. */
  port: number;
  /** HAProxy's SRV_F_MAPPORTS: connections go to the client's destination port plus `port`. */
  readonly mapPorts: boolean;
  /** `host` is a UNIX stream socket's path (`server s /path` or `unix@path`). */
  readonly unix: boolean;
  readonly backup: boolean;
  /** Replaced (never changed in place) when the runtime API commits a new client certificate (`set ssl cert`). */
  ssl: ServerSsl | undefined;
  /**
   * HAProxy's use_ssl: 1 with `ssl`, -1 when `no-ssl` was written, 0 otherwise; `set server ...
   * ssl on|off` makes it 1 or 0 (`show servers state`'s srv_use_ssl).
   */
  useSsl: -1 | 0 | 1;
  /** The TLS settings `set server ... ssl on` uses (HAProxy's ssl_ctx); undefined: the server has no SSL context. */
  sslContext: ServerSsl | undefined;
  /** `send-proxy*`: a PROXY header starts each connection to this server. */
  readonly sendProxy: SendProxyModel | undefined;
  /** `check-send-proxy`: health checks send a (LOCAL) PROXY header first. */
  readonly checkSendProxy: boolean;
  /** `check-ssl`: the TLS settings of its checks. */
  readonly checkSsl: ServerSsl | undefined;
  /** `cookie VALUE`, or the dynamic cookie (see useDynamicCookie). */
  #cookie: string | undefined;
  /** `dynamic-cookie-key` when the backend's cookie is `dynamic` and the server has no `cookie VALUE`. */
  #dynamicCookieKey: string | undefined = undefined;
  /** The address #cookie was computed for: the admin API, server-state files and DNS may move it. */
  #dynamicCookieHost = '';
  #dynamicCookiePort = -1;
  /** Health-check settings, or undefined when the server has no `check`. */
  readonly check: ServerCheckModel | undefined;
  readonly onMarkedDown: 'shutdown-sessions' | undefined;
  readonly onMarkedUp: 'shutdown-backup-sessions' | undefined;
  /** `proto h1|h2|fcgi`: the mux toward this server (undefined: HTTP/1 unless ALPN picks h2). */
  readonly proto: 'h1' | 'h2' | 'fcgi' | undefined;
  /** `socks4 ADDR:PORT`: connections are made through this SOCKS4 proxy. */
  readonly socks4: Socks4Proxy | undefined;
  /** `check-via-socks4`: so are the default-connect checks. */
  readonly checkViaSocks4: boolean;
  /** `source`: the local address of its connections and checks (the server's, else its backend's). */
  connectSource: ConnectSource | undefined;
  /** `ws auto|h1|h2`: the protocol of WebSocket streams (src/mux/websocket-protocol.ts). */
  readonly ws: 'auto' | 'h1' | 'h2';
  /** `redir PREFIX`: its GET and HEAD requests are answered with a 302 (src/stream/server-redirect.ts). */
  readonly redirectPrefix: string | undefined;
  /** `non-stick`: stick rules store nothing for the streams it gets. */
  readonly nonStick: boolean;
  /** ms; 0 = none. */
  readonly slowstart: number;
  /** Configured maxconn; 0 = unlimited. */
  readonly maxconnConfigured: number;
  /** 0 = unlimited. */
  readonly maxqueue: number;
  /** `pool-max-conn`: most idle connections kept; -1 = unlimited, 0 = none (src/http/server-pool.ts). */
  readonly poolMaxConn: number;
  /** `max-reuse`: streams an HTTP/2 connection carries past its first (src/mux/h2-server.ts); -1 = unlimited. */
  readonly maxReuse: number;
  /** `pool-low-conn`: idle connections kept beyond the estimated need. */
  readonly poolLowConn: number;
  /** `pool-purge-delay` ms; 0 = keep no idle connection. */
  readonly poolPurgeDelay: number;
  /** Configured (user) weight, 0..256; the admin API may change it. */
  userWeight: number;
  /**
   * Effective weight the balancers use: userWeight, scaled down while slow-starting. Change it
   * only through Backend.setServerWeight / the health service so the balancer is told.
   */
  weight: number;
  /** Effective maxconn (slowstart ramps it too); 0 = unlimited. */
  maxconn: number;
  /**
   * `minconn`: with a lower value than maxconn, the limit follows the backend's load
   * (dynamicMaxconn); equal to maxconn (the default), the limit is maxconn.
   */
  minconn: number;
  /** The backend whose load sets a dynamic limit (minconn < maxconn); undefined for a static one. */
  dynamicLoad: BackendLoad | undefined = undefined;
  /** The dynamic limit the balancer was last told of (Backend tells it again when the load moves it). */
  dynamicLimitSeen = -1;
  status: ServerStatus;
  /** Runtime-clock ms of the last status change (stats `lastchg`, slowstart ramp). */
  lastChange = 0;
  /** Ms spent stopped (DOWN or MAINT) before the last status change (stats `downtime`). */
  downTime = 0;
  /** Runtime-clock ms the `slowstart` ramp began (HAProxy's SRV_ST_STARTING; stats `throttle`), else undefined. */
  rampSince: number | undefined = undefined;
  /** Established or connecting sessions using this server (this thread's). */
  active = 0;
  /**
   * HAProxy's curr_used_conns (stats `used_conn_cur`): this thread's shareable HTTP connections
   * to the server that streams are using (an HTTP/2 one once, whatever its streams), not those
   * idle in the pool; private ones (`http-reuse never`, a session's own) and TCP sessions' are
   * not counted, as HAProxy 2.6.12 shows them.
   */
  usedConnections = 0;
  /**
   * With several threads (`nbthread`): the process's count of them, one Int32 slot of memory
   * the threads share (src/threads/server-counts.ts), which leastconn balances on; undefined
   * with one thread, where `active` is the process's count.
   */
  sharedActive: { readonly counts: Int32Array; readonly slot: number } | undefined = undefined;
  /** With several threads: what the threads share about its queue (src/threads/shared-queue.ts). */
  sharedQueue: SharedQueue | undefined = undefined;
  /** Sessions waiting for this server (persistence-directed or hash-directed). */
  readonly queue = new PendingQueue();
  /** Sessions this server's queue handed a slot so far (HAProxy's queue idx, for %sq). */
  queueServed = 0;
  readonly counters: BackendCounters = newBackendCounters();
  /**
   * Sessions currently using this server, tracked only when something must be able to kill them
   * (`on-marked-down shutdown-sessions`, `on-marked-up` of a sibling, admin "shutdown sessions").
   */
  readonly sessions: Set<KillableSession> | undefined;
  /** Health-check state (src/health/ keeps it current); undefined when the server has no `check`. */
  checkState: ServerCheckState | undefined = undefined;
  /**
   * `observe`: sessions report what they see of this server here (src/health/observe.ts);
   * undefined when the server is not observed (no `observe`, or no `check`, as in HAProxy).
   */
  observer: ServerObserver | undefined = undefined;
  /**
   * Index of this server in its backend (balancers use it as a key); -1 for a direct target.
   * Changes only when the runtime API deletes a server before it (the balancer is then rebuilt).
   */
  index: number;
  /**
   * The settings this server was made from (its `server` line, or its `add server` command). A
   * server's own reference: the backend's model lists only the configuration's servers, by a
   * position `del server` shifts and by names `add server` may give again.
   */
  readonly model: ServerModel;
  /**
   * Set on the stand-in for a backend's `dispatch` address or `option transparent` destination
   * (HAProxy's stream target is then the backend itself): never balanced, checked or queued,
   * logged as `<NOSRV>`, its connections private to their session.
   */
  readonly direct: DirectTargetModel['kind'] | undefined;
  /**
   * HAProxy's server id (puid, `srv_id`): its `id`, or numbered around the others' (auto-ids.ts);
   * a server added at runtime without one takes the first id left free (HAProxy's get_next_id).
   */
  readonly id: number;
  /** The weight the server was configured (or added) with: `set weight N%` is relative to it. */
  readonly initialWeight: number;
  /** Balancer scratch fields: each algorithm documents how it uses them. */
  lbKey = 0;
  lbPos = -1;
  currentWeight = 0;

  /** The value of the persistence cookie naming this server, or undefined. */
  get cookie(): string | undefined {
    const key = this.#dynamicCookieKey;
    if (key !== undefined && (this.host !== this.#dynamicCookieHost || this.port !== this.#dynamicCookiePort)) {
      this.#dynamicCookieHost = this.host;
      this.#dynamicCookiePort = this.port;
      this.#cookie = dynamicCookie(key, this.host, this.port);
    }
    return this.#cookie;
  }

  /**
   * `cookie ... dynamic` with `dynamic-cookie-key KEY` (undefined: none): a server without its own
   * `cookie VALUE` is named by a hash of the key and its address (HAProxy's SRV_F_COOKIESET).
   */
  useDynamicCookie(key: string | undefined): void {
    if (this.model.cookie !== undefined) return;
    this.#dynamicCookieKey = key;
    this.#dynamicCookiePort = -1;
    if (key === undefined) this.#cookie = undefined;
  }

  constructor(model: ServerModel, index = 0, trackSessions = false, direct?: DirectTargetModel['kind'], id = index + 1) {
    this.direct = direct;
    this.model = model;
    this.id = id;
    this.name = model.name;
    const resolved = model.resolvedAddress;
    this.host = typeof resolved === 'string' ? resolved : model.host;
    // A host name keeps its name even while init-addr left it without an address (resolvers may give one).
    this.hostname = resolved !== undefined ? model.host : undefined;
    this.port = model.port;
    this.mapPorts = model.mapPorts === true;
    this.unix = model.unix === true;
    this.backup = model.backup;
    this.maxconnConfigured = model.maxconn;
    this.maxconn = model.maxconn;
    this.minconn = model.minconn ?? model.maxconn;
    this.maxqueue = model.maxqueue ?? 0;
    this.slowstart = model.slowstart ?? 0;
    // HAProxy's defaults: unlimited, 0, 5 s.
    this.poolMaxConn = model.poolMaxConn ?? -1;
    this.maxReuse = model.maxReuse ?? -1;
    this.poolLowConn = model.poolLowConn ?? 0;
    this.poolPurgeDelay = model.poolPurgeDelay ?? 5000;
    this.ssl = model.ssl;
    this.useSsl = model.ssl !== undefined ? 1 : model.noSsl === true ? -1 : 0;
    this.sslContext = model.ssl ?? model.sslContext ?? model.checkSsl;
    this.sendProxy = model.sendProxy;
    this.checkSendProxy = model.checkSendProxy === true;
    this.checkSsl = model.checkSsl;
    this.#cookie = model.cookie;
    this.check = model.check?.enabled ? model.check : undefined;
    this.onMarkedDown = model.onMarkedDown;
    this.onMarkedUp = model.onMarkedUp;
    this.proto = model.proto;
    this.socks4 = model.socks4;
    this.connectSource = model.connectSource === undefined ? undefined : new ConnectSource(model.connectSource);
    this.checkViaSocks4 = model.checkViaSocks4 === true && model.socks4 !== undefined;
    this.ws = model.ws ?? 'auto';
    this.redirectPrefix = model.redirectPrefix;
    this.nonStick = model.nonStick === true;
    this.initialWeight = model.weight;
    this.userWeight = model.weight;
    this.weight = model.weight;
    // A host name init-addr left without an address stays in maintenance (HAProxy's RMAINT).
    this.status = model.disabled || resolved === false ? 'MAINT' : 'UP';
    if (resolved === false) setResolutionMaint(this);
    this.index = index;
    this.sessions = trackSessions || model.onMarkedDown !== undefined ? new Set() : undefined;
  }

  /** UP with weight > 0: the balancers may choose it. */
  get usable(): boolean {
    return this.status === 'UP' && this.weight > 0;
  }

  /** The stand-in target of a backend with `dispatch` or `option transparent` (see `direct`). */
  static direct(target: DirectTargetModel, source: ServerModel['source']): Server {
    const host = target.kind === 'dispatch' ? target.host : '0.0.0.0';
    const port = target.kind === 'dispatch' ? target.port : 0;
    const model: ServerModel = { name: '<NOSRV>', host, port, weight: 1, maxconn: 0, disabled: false, backup: false, source };
    return new Server(model, -1, false, target.kind);
  }

  /** The sessions using this server in the whole process (every thread's). */
  get processActive(): number {
    const shared = this.sharedActive;
    return shared === undefined ? this.active : Atomics.load(shared.counts, shared.slot);
  }

  /** The sessions waiting in its own queue in the whole process. */
  get processQueued(): number {
    return this.sharedQueue?.waiting ?? this.queue.length;
  }

  /** Below its connection limit (free slot), counting the sessions of every thread. */
  get hasSlot(): boolean {
    return this.maxconn === 0 || this.processActive < (this.dynamicLoad === undefined ? this.maxconn : this.effectiveMaxconn);
  }

  /**
   * Takes a connection slot if the limit allows it (callers asked hasSlot): false only when
   * another thread took the last one meanwhile. With several threads the process-wide count
   * is raised only below the limit, so that maxconn holds for the process.
   */
  takeSlot(): boolean {
    const shared = this.sharedActive;
    if (shared === undefined) {
      if (!this.hasSlot) return false;
    } else if (this.maxconn === 0) {
      Atomics.add(shared.counts, shared.slot, 1);
    } else {
      const limit = this.dynamicLoad === undefined ? this.maxconn : this.effectiveMaxconn;
      let seen = Atomics.load(shared.counts, shared.slot);
      for (;;) {
        if (seen >= limit) return false;
        const was = Atomics.compareExchange(shared.counts, shared.slot, seen, seen + 1);
        if (was === seen) break;
        seen = was;
      }
    }
    this.active++;
    return true;
  }

  /** Gives back a slot takeSlot() took. */
  releaseSlot(): void {
    this.active--;
    const shared = this.sharedActive;
    if (shared !== undefined) Atomics.sub(shared.counts, shared.slot, 1);
  }

  /** The limit in force: maxconn, or what the backend's load allows of it (srv_dynamic_maxconn); 0 = unlimited. */
  get effectiveMaxconn(): number {
    const load = this.dynamicLoad;
    if (load === undefined || this.maxconn === 0) return this.maxconn;
    return dynamicMaxconn(this.minconn, this.maxconn, load.processSessions, load.fullconn);
  }
}
