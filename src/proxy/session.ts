import type { ResolversLookup } from '../dns/stream-resolution.ts';
import type { HeaderCaseMap } from '../mux/h1-header-case.ts';
import type { FrontendModel, Timeouts } from '../config/model.ts';
import type { Caches } from '../cache/caching.ts';
import type { ProxyLogger } from '../log/logger.ts';
import type { TrafficLog } from '../log/traffic-log.ts';
import type { Runtime } from '../runtime.ts';
import type { FrontendCounters } from './counters.ts';
import type { ProcessLimits } from './process-limits.ts';
import type { Backend } from './backend.ts';
import type { UserlistTable } from '../auth/userlist.ts';
import type { ServerConnectionPool } from '../http/server-pool.ts';
import type { Services } from '../services/services.ts';
import type { ConnectionInfo } from './connection-info.ts';
import type { ProcessVars } from '../rules/vars.ts';
import type { SoftStopClosing } from './soft-stop-closing.ts';

/** A client connection being served (tcp splice or http transactions). */
export interface ProxySession {
  /** Ends the session now (soft-stop grace expired, admin kill). */
  kill(cause?: 'K' | 'D' | 'U'): void;
  /** Soft stop: the listeners are closed; `closing` says when this connection is to end. */
  drain(closing: SoftStopClosing): void;
  /** What the runtime API's `show sess` prints of it; absent for connections not yet a stream (PROXY header wait). */
  describe?(): SessionView | undefined;
}

/** A stream as `show sess` lists it (HAProxy's stream line: source, proxies, server, age). */
export interface SessionView {
  readonly clientAddress: string;
  readonly clientPort: number;
  /** Runtime-clock ms. */
  readonly acceptedAt: number;
  readonly backend: string | undefined;
  readonly server: string | undefined;
}

/** What a session needs from the frontend that accepted it. */
export interface SessionHost {
  readonly runtime: Runtime;
  readonly name: string;
  readonly model: FrontendModel;
  readonly counters: FrontendCounters;
  /** Client-side timeouts (the frontend's). */
  readonly timeouts: Timeouts;
  readonly logger: ProxyLogger;
  /** The frontend's traffic log lines (formats, options), built once per generation. */
  readonly trafficLog: TrafficLog;
  readonly limits: ProcessLimits;
  /** Where `limits` counts this frontend's connections. */
  readonly limitSlot: number;
  /** The generation's `proc` variables. */
  readonly procVars: ProcessVars;
  /** The generation's userlists, for the HTTP rules' `http_auth` fetches. */
  readonly userlists?: UserlistTable | undefined;
  /** The generation's internal services (`use-service`). */
  readonly services?: Services | undefined;
  /** The generation's `cache` sections (src/cache/). */
  readonly caches?: Caches | undefined;
  /** The generation's `resolvers` sections, when some `do-resolve` rule uses them (src/dns/). */
  readonly resolvers?: ResolversLookup | undefined;
  /** `option h1-case-adjust-bogus-client` with a non-empty `h1-case-adjust` map: the names its HTTP/1 responses respell. */
  readonly headerCase?: HeaderCaseMap | undefined;
  /** A backend of this configuration generation by name (`use_backend`), if it exists. */
  backendNamed(name: string): Backend | undefined;
  /** The idle server connection pool of a backend (mode http). */
  pools(backend: Backend): ServerConnectionPool;
  sessionEnded(session: ProxySession): void;
}

/**
 * A client session (tcp, HTTP/1 or HTTP/2 connection) is over: the frontend's and the
 * process's connection counts go down, the connection's record releases what it holds
 * (stick counters), and the frontend forgets the session.
 */
export function clientSessionEnded(host: SessionHost, session: ProxySession, connection: ConnectionInfo, now: number): void {
  host.counters.scur--;
  host.limits.closed(host.limitSlot, connection.sslOpen);
  if (connection.listenerCounters !== undefined) connection.listenerCounters.scur--;
  connection.release(now);
  host.sessionEnded(session);
}
