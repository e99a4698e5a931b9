/**
 * Fetches on the live state of the proxies and servers (HAProxy 2.6's backend.c and
 * frontend.c): `be_conn`, `be_conn_free`, `be_sess_rate`, `connslots`, `queue`, `avg_queue`
 * (`[BACKEND]`), `srv_conn`, `srv_conn_free`, `srv_is_up`, `srv_queue`, `srv_sess_rate`
 * (`[BACKEND/]SERVER`), `fe_conn`, `fe_req_rate`, `fe_sess_rate` (`[FRONTEND]`), `be_id`,
 * `fe_id`, `stopping`. Registered into the fetch table by sample-fetch.ts.
 *
 * HAProxy resolves the proxy and server arguments when the configuration loads; here they are
 * names looked up when the fetch runs (a name that matches nothing gives no sample), and an
 * omitted one is the stream's backend (or frontend), as `nbsrv` does.
 */
import { readRate } from '../proxy/counters.ts';
import type { MiscFetch } from './fetches-misc.ts';
import type { Args, ArgSpec } from './sample-args.ts';
import type { Sample } from './sample.ts';
import type { SampleBackend, SampleContext, SampleFrontend, SampleServerState } from './sample-context.ts';
import type { FetchBody } from './sample-fetch.ts';

const NONE: ArgSpec = { min: 0, types: [] };
const BACKEND_ARG: ArgSpec = { min: 1, types: ['be'] };
const FRONTEND_ARG: ArgSpec = { min: 1, types: ['fe'] };
const SERVER_ARG: ArgSpec = { min: 1, types: ['srv'] };

function text(args: Args): string {
  const a = args[0];
  return a?.type === 'str' ? a.value : '';
}

/** HAProxy's SMP_USE_INTRN: usable anywhere a connection exists. */
function internal(type: FetchBody['type'], sample: (ctx: SampleContext, out: Sample) => boolean): FetchBody {
  return { scope: 'connection', type, source: 'internal state', sample };
}

function backendOf(ctx: SampleContext, name: string): SampleBackend | undefined {
  if (name === '') return ctx.backend ?? (ctx.frontendName === undefined ? undefined : ctx.backendNamed?.(ctx.frontendName));
  return ctx.backendNamed?.(name);
}

function frontendOf(ctx: SampleContext, name: string): SampleFrontend | undefined {
  return name === '' ? ctx.frontend : ctx.frontendNamed?.(name);
}

/** `[BACKEND]`-taking integer fetches. */
function ofBackend(read: (backend: SampleBackend) => number | undefined): MiscFetch {
  return {
    args: BACKEND_ARG,
    compile(args) {
      const name = text(args);
      return internal('int', (ctx, out) => {
        const backend = backendOf(ctx, name);
        const value = backend === undefined ? undefined : read(backend);
        return value === undefined ? false : out.setInt(value);
      });
    },
  };
}

function ofFrontend(read: (frontend: SampleFrontend) => number): MiscFetch {
  return {
    args: FRONTEND_ARG,
    compile(args) {
      const name = text(args);
      return internal('int', (ctx, out) => {
        const frontend = frontendOf(ctx, name);
        return frontend === undefined ? false : out.setInt(read(frontend));
      });
    },
  };
}

/** `[BACKEND/]SERVER`-taking fetches. */
function ofServer(type: 'int' | 'bool', read: (server: SampleServerState, out: Sample) => boolean): MiscFetch {
  return {
    args: SERVER_ARG,
    compile(args) {
      const arg = text(args);
      if (arg === '') return 'missing server name';
      const slash = arg.indexOf('/');
      const backendName = slash < 0 ? '' : arg.slice(0, slash);
      const serverName = slash < 0 ? arg : arg.slice(slash + 1);
      return internal(type, (ctx, out) => {
        const servers = backendOf(ctx, backendName)?.servers;
        if (servers === undefined) return false;
        for (const server of servers) if (server.name === serverName) return read(server, out);
        return false;
      });
    },
  };
}

/** HAProxy's cur_state STOPPED: DOWN, or in maintenance. */
function stopped(server: SampleServerState): boolean {
  return server.status === 'DOWN' || server.status === 'MAINT';
}

/** HAProxy's be_usable_srv, from the backend's own count. */
function avgQueue(backend: SampleBackend): number | undefined {
  const pending = backend.processQueued ?? backend.counters?.qcur;
  if (pending === undefined) return undefined;
  const nbsrv = backend.usableServers;
  return nbsrv > 0 ? Math.floor((pending + nbsrv - 1) / nbsrv) : pending * 2;
}

/** smp_fetch_connslots: free connection and queue slots of the servers not stopped; -1 when one is unlimited. */
function connslots(backend: SampleBackend): number | undefined {
  const servers = backend.servers;
  if (servers === undefined) return undefined;
  let slots = 0;
  for (const s of servers) {
    if (stopped(s)) continue;
    if (s.maxconn === 0 || s.maxqueue === 0) return -1;
    slots += s.maxconn - s.processActive + (s.maxqueue - s.processQueued);
  }
  return slots;
}

/**
 * smp_fetch_be_conn_free: free connection slots of the servers the balancer may choose (the
 * backups only while no active server is usable, only the first one without `option
 * allbackups`); -1 when one of them is unlimited.
 */
function beConnFree(backend: SampleBackend): number | undefined {
  const servers = backend.servers;
  if (servers === undefined) return undefined;
  let active = 0;
  for (const s of servers) if (!s.backup && s.usable) active++;
  const firstBackup = servers.find((s) => s.backup && s.usable);
  let free = 0;
  for (const s of servers) {
    if (stopped(s) || !s.usable) continue;
    if (s.backup && (active > 0 || (s !== firstBackup && backend.allBackups !== true))) continue;
    if (s.maxconn === 0) return -1;
    if (s.maxconn > s.processActive) free += s.maxconn - s.processActive;
  }
  return free;
}

export const PROXY_STATE_FETCHES: ReadonlyMap<string, MiscFetch> = new Map<string, MiscFetch>([
  ['be_conn', ofBackend((b) => b.processSessions ?? b.counters?.scur)],
  ['be_conn_free', ofBackend(beConnFree)],
  ['be_sess_rate', ofBackend((b) => (b.counters === undefined ? undefined : readRate(b.counters.sessRate)))],
  ['connslots', ofBackend(connslots)],
  ['queue', ofBackend((b) => b.processQueued ?? b.counters?.qcur)],
  ['avg_queue', ofBackend(avgQueue)],
  ['srv_conn', ofServer('int', (s, out) => out.setInt(s.processActive))],
  [
    'srv_conn_free',
    ofServer('int', (s, out) => out.setInt(s.maxconnConfigured === 0 ? -1 : s.maxconn > s.processActive ? s.maxconn - s.processActive : 0)),
  ],
  // Up unless in maintenance, or checked and DOWN (a DRAINing server is up).
  ['srv_is_up', ofServer('bool', (s, out) => out.setBool(s.status !== 'MAINT' && (s.check === undefined || s.status !== 'DOWN')))],
  ['srv_queue', ofServer('int', (s, out) => out.setInt(s.processQueued))],
  ['srv_sess_rate', ofServer('int', (s, out) => out.setInt(readRate(s.counters.sessRate)))],
  ['fe_conn', ofFrontend((f) => f.counters.scur)],
  ['fe_req_rate', ofFrontend((f) => readRate(f.counters.reqRate))],
  ['fe_sess_rate', ofFrontend((f) => readRate(f.counters.sessRate))],
  [
    'fe_id',
    { args: NONE, compile: () => ({ scope: 'connection', type: 'int', source: 'frontend', sample: (ctx, out) => (ctx.frontend?.id === undefined ? false : out.setInt(ctx.frontend.id)) }) },
  ],
  [
    // Until a backend is chosen the stream's backend is its frontend, as in HAProxy.
    'be_id',
    {
      args: NONE,
      compile: () => ({
        scope: 'connection',
        type: 'int',
        source: 'backend',
        sample(ctx, out) {
          const id = ctx.backend === undefined ? ctx.frontend?.id : ctx.backend.id;
          return id === undefined ? false : out.setInt(id);
        },
      }),
    },
  ],
  ['stopping', { args: NONE, compile: () => internal('bool', (ctx, out) => out.setBool(ctx.frontend?.stopping === true)) }],
]);
