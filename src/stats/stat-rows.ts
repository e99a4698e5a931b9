/**
 * One row per frontend, listener (`option socket-stats`), server and backend, in HAProxy's
 * order (each proxy: FRONTEND, its listeners, its servers, BACKEND), with HAProxy 2.6's columns (stat-fields.ts). A cell is a number, a string,
 * or undefined when HAProxy prints nothing there for this kind of row, or when Switchyard keeps
 * no such figure (rates, timing averages, TLS and H1 connection counters): an empty cell, never
 * an invented 0. `show stat`, a stats page and a Prometheus exporter all render these rows.
 */
import { inResolutionMaint, withoutAddress } from '../dns/resolution-maint.ts';
import type { BalanceModel } from '../config/model.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Frontend } from '../proxy/frontend.ts';
import type { Server } from '../proxy/server.ts';
import type { ListenerStats } from '../proxy/listener-stats.ts';
import { readRate, type BackendCounters, type HttpCounters } from '../proxy/counters.ts';
import type { H2Counters } from '../mux/h2/h2-counters.ts';
import type { ProxyEntry, RuntimeTarget } from '../runtime-api/target.ts';
import { NO_IDLE, type IdleFigures } from '../http/server-pool.ts';
import { checkStatusDescription, type CheckStatus } from '../health/check-status.ts';
import { STAT_FIELDS, statIndex, type StatField } from './stat-fields.ts';
import { statsWindow, swrateAvg, type TimeStats } from '../proxy/time-stats.ts';

export type StatCell = number | string | undefined;

/** HAProxy's row types (`type` column): 0 frontend, 1 backend, 2 server, 3 listener (STATS_TYPE_SO). */
export const StatRowType = { frontend: 0, backend: 1, server: 2, listener: 3 } as const;
export type StatRowType = (typeof StatRowType)[keyof typeof StatRowType];

export interface StatRow {
  readonly type: StatRowType;
  readonly proxyId: number;
  /** 0 for FRONTEND and BACKEND rows; a listener's id (luid) on its row. */
  readonly serverId: number;
  readonly cells: StatCell[];
  /** A server's max_used_conns, which no column shows but `show servers conn` does. */
  usedMax?: number;
}

/** What the rows need besides the proxies. */
export interface StatContext {
  /** Runtime clock now, ms (for lastchg). */
  readonly now: number;
  /**
   * The global maxconn the configuration set or derived (a frontend without its own limit took
   * it at startup, as HAProxy's proxy_adjust_all_maxconn, and shows it as slim whatever
   * `set maxconn global` does later); 0 = unlimited.
   */
  readonly globalMaxconn: number;
  /** A server's idle pooled connections (none without it). */
  readonly idleConnections?: ((backend: Backend, server: Server) => IdleFigures | undefined) | undefined;
}

/** What the rows of a running generation are read against. */
export function statContextOf(target: Pick<RuntimeTarget, 'runtime' | 'config' | 'idleConnections'>): StatContext {
  return { now: target.runtime.now(), globalMaxconn: target.config.global.maxconn, idleConnections: target.idleConnections?.bind(target) };
}

function row(type: StatRowType, proxyId: number, serverId: number): StatRow {
  return { type, proxyId, serverId, cells: new Array<StatCell>(STAT_FIELDS.length).fill(undefined) };
}

function set(r: StatRow, name: StatField, value: StatCell): void {
  r.cells[statIndex(name)] = value;
}

function setAll(r: StatRow, names: readonly StatField[], value: StatCell): void {
  for (const n of names) set(r, n, value);
}

/** HAProxy's `h2` stats module (mux_h2.c h2_fill_stats). */
function setH2(r: StatRow, h2: H2Counters): void {
  set(r, 'h2_headers_rcvd', h2.headersRcvd);
  set(r, 'h2_data_rcvd', h2.dataRcvd);
  set(r, 'h2_settings_rcvd', h2.settingsRcvd);
  set(r, 'h2_rst_stream_rcvd', h2.rstStreamRcvd);
  set(r, 'h2_goaway_rcvd', h2.goawayRcvd);
  set(r, 'h2_detected_conn_protocol_errors', h2.connProtoErr);
  set(r, 'h2_detected_strm_protocol_errors', h2.strmProtoErr);
  set(r, 'h2_rst_stream_resp', h2.rstStreamResp);
  set(r, 'h2_goaway_resp', h2.goawayResp);
  set(r, 'h2_open_connections', h2.openConns);
  set(r, 'h2_backend_open_streams', h2.openStreams);
  set(r, 'h2_total_connections', h2.totalConns);
  set(r, 'h2_backend_total_streams', h2.totalStreams);
}
const HRSP = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'] as const;

/** The compression filter's counters (HAProxy's fe_counters/be_counters comp_*). */
function setCompression(r: StatRow, c: HttpCounters): void {
  set(r, 'comp_in', c.compIn);
  set(r, 'comp_out', c.compOut);
  set(r, 'comp_byp', c.compBypassed);
  set(r, 'comp_rsp', c.compResponses);
}

function setResponses(r: StatRow, hrsp: readonly number[]): void {
  for (let i = 1; i <= 5; i++) set(r, HRSP[i - 1] as StatField, hrsp[i] as number);
  set(r, 'hrsp_other', hrsp[0] as number);
}

/** HAProxy's backend algorithm names (backend_lb_algo_str). */
export function algorithmName(balance: BalanceModel): string {
  switch (balance.algorithm) {
    case 'roundrobin':
      return 'roundrobin';
    case 'static-rr':
      return 'static-rr';
    case 'leastconn':
      return 'leastconn';
    case 'first':
      return 'first';
    case 'random':
      return 'random';
    case 'rdp-cookie':
      return 'rdp-cookie';
    default:
      // source, uri, url_param, hdr and hash EXPR are HAProxy's "hash" family.
      return 'hash';
  }
}

/** HAProxy's server status text (srv_hlt_st + the admin states), e.g. "UP", "DOWN 1/2", "no check". */
export function serverStatusText(server: Server): string {
  if (server.status === 'MAINT') return inResolutionMaint(server) ? 'MAINT (resolution)' : 'MAINT';
  if (server.status === 'DRAIN') return 'DRAIN';
  const check = server.checkState;
  // A stopping server without its own check (a tracker) is NOLB, as its tracked server's health is whole.
  if (server.status === 'NOLB' && check === undefined) return 'NOLB';
  if (check === undefined) return server.status === 'UP' ? 'no check' : 'DOWN';
  const max = check.rise + check.fall - 1;
  if (server.status === 'UP') return check.health >= max || check.health < check.rise ? 'UP' : `UP ${check.health - check.rise + 1}/${check.fall}`;
  // stats_fill_sv_stats_computestate: a stopping server is "NOLB", "NOLB n/fall" while its health drops.
  if (server.status === 'NOLB') return check.health >= max ? 'NOLB' : `NOLB ${Math.max(0, check.health - check.rise + 1)}/${check.fall}`;
  return check.health === 0 || check.health >= check.rise ? 'DOWN' : `DOWN ${check.health}/${check.rise}`;
}

/** Whole seconds of a runtime-clock span. */
/** qtime..ttime (averages over `counted` streams, at most the last 512) and qtime_max..ttime_max. */
function setTimes(r: StatRow, t: TimeStats, counted: number): void {
  const n = statsWindow(counted);
  set(r, 'qtime', swrateAvg(t.qTime, n));
  set(r, 'ctime', swrateAvg(t.cTime, n));
  set(r, 'rtime', swrateAvg(t.dTime, n));
  set(r, 'ttime', swrateAvg(t.tTime, n));
  set(r, 'qtime_max', t.qMax);
  set(r, 'ctime_max', t.cMax);
  set(r, 'rtime_max', t.dMax);
  set(r, 'ttime_max', t.tMax);
}

/** `connect`, `reuse` and `lastsess` (-1 before the first session, as HAProxy's srv_lastsession). */
function setConnections(r: StatRow, c: BackendCounters, now: number): void {
  set(r, 'connect', c.connect);
  set(r, 'reuse', c.reuse);
  set(r, 'lastsess', c.lastSess < 0 ? -1 : seconds(now - c.lastSess));
}

function seconds(ms: number): number {
  return Math.max(0, Math.floor(ms / 1000));
}

/** HAProxy's srv_downtime/be_downtime: the time stopped so far, the current stop included. */
function downTime(before: number, stopped: boolean, lastChange: number, now: number): number {
  return stopped ? before + (now - lastChange) : before;
}

/** The slowstart ramp reached so far, in percent, while a running server ramps up (HAProxy's server_throttle_rate); else empty. */
function throttle(server: Server, now: number): number | undefined {
  const since = server.rampSince;
  if (since === undefined || server.status !== 'UP' || now - since >= server.slowstart) return undefined;
  return Math.max(1, Math.ceil((100 * (now - since)) / server.slowstart));
}

function serverAddress(server: Server): string | undefined {
  if (withoutAddress(server)) return undefined;
  return server.unix ? 'unix' : hostPort(server.host, server.port);
}

/** `addr`: an IPv6 address in brackets, as HAProxy's sa2str. */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function frontendRow(entry: ProxyEntry, frontend: Frontend, ctx: StatContext): StatRow {
  const r = row(StatRowType.frontend, entry.id, 0);
  const c = frontend.counters;
  const http = frontend.model.mode === 'http';
  set(r, 'pxname', entry.name);
  set(r, 'svname', 'FRONTEND');
  set(r, 'scur', c.scur);
  set(r, 'smax', c.smax);
  // Its own, which `set maxconn frontend` changes.
  const limit = frontend.maxconn || ctx.globalMaxconn;
  set(r, 'slim', limit > 0 ? limit : undefined);
  setClientTraffic(r, c);
  // `disable frontend`, SIGTTOU: PAUSED, as HAProxy 2.6.12 shows it.
  set(r, 'status', frontend.paused ? 'PAUSED' : frontend.listening ? 'OPEN' : 'STOP');
  set(r, 'pid', 1);
  set(r, 'iid', entry.id);
  set(r, 'sid', 0);
  set(r, 'type', StatRowType.frontend);
  set(r, 'rate', readRate(c.sessRate));
  set(r, 'rate_lim', frontend.rateLimit);
  set(r, 'rate_max', c.sessRateMax);
  set(r, 'conn_rate', readRate(c.connRate));
  set(r, 'conn_rate_max', c.connRateMax);
  if (http) {
    set(r, 'req_rate', readRate(c.reqRate));
    set(r, 'req_rate_max', c.reqRateMax);
  }
  if (http) {
    setResponses(r, c.hrsp);
    set(r, 'cache_lookups', c.cacheLookups);
    set(r, 'cache_hits', c.cacheHits);
  }
  set(r, 'req_tot', http ? c.reqTot : 0);
  setCompression(r, c);
  set(r, 'mode', frontend.model.mode);
  set(r, 'conn_tot', c.connTot);
  setClientRefusals(r, c);
  setH2(r, c.h2);
  return r;
}

/**
 * get_li_status: FULL at the listener's own maxconn (a bind `maxconn`, which Switchyard
 * refuses, so never), WAITING while its frontend waits (its or the process's limit, a rate
 * limit), else OPEN.
 */
export function listenerStatus(frontend: Frontend): 'WAITING' | 'OPEN' {
  return frontend.limited ? 'WAITING' : 'OPEN';
}

function bindAddress(listener: ListenerStats): string {
  const bind = listener.bind;
  return bind.unix === true ? 'unix' : hostPort(bind.host, bind.port);
}

/** stats_fill_li_stats: a listener's row (`option socket-stats`), its counters beside its frontend's. */
export function listenerRow(entry: ProxyEntry, frontend: Frontend, listener: ListenerStats): StatRow {
  const r = row(StatRowType.listener, entry.id, listener.id);
  const c = listener.counters;
  set(r, 'pxname', entry.name);
  set(r, 'svname', listener.name);
  set(r, 'scur', c.scur);
  set(r, 'smax', c.smax);
  // The bind's own maxconn (HAProxy's l->maxconn): none, 0.
  set(r, 'slim', 0);
  setClientTraffic(r, c);
  set(r, 'status', listenerStatus(frontend));
  set(r, 'pid', 1);
  set(r, 'iid', entry.id);
  set(r, 'sid', listener.id);
  set(r, 'type', StatRowType.listener);
  set(r, 'addr', bindAddress(listener));
  set(r, 'mode', frontend.model.mode);
  setClientRefusals(r, c);
  return r;
}

/** The counters a frontend and each of its listeners keep alike (stats_fill_fe_stats / _li_stats). */
interface ClientSideCounters {
  readonly stot: number;
  readonly bin: number;
  readonly bout: number;
  readonly dreq: number;
  readonly dresp: number;
  readonly ereq: number;
  readonly deniedConnections: number;
  readonly deniedSessions: number;
  readonly failedRewrites: number;
  readonly internalErrors: number;
}

function setClientTraffic(r: StatRow, c: ClientSideCounters): void {
  set(r, 'stot', c.stot);
  set(r, 'bin', c.bin);
  set(r, 'bout', c.bout);
  set(r, 'dreq', c.dreq);
  set(r, 'dresp', c.dresp);
  set(r, 'ereq', c.ereq);
}

/** Denied connections and sessions, failed rewrites, internal errors, then the '-' column that follows them. */
function setClientRefusals(r: StatRow, c: ClientSideCounters): void {
  set(r, 'dcon', c.deniedConnections);
  set(r, 'dses', c.deniedSessions);
  set(r, 'wrew', c.failedRewrites);
  set(r, 'eint', c.internalErrors);
  set(r, '-', '-');
}

export function serverRow(entry: ProxyEntry, backend: Backend, server: Server, ctx: StatContext): StatRow {
  const r = row(StatRowType.server, entry.id, server.id);
  const c = server.counters;
  const http = backend.mode === 'http';
  set(r, 'pxname', entry.name);
  set(r, 'svname', server.name);
  set(r, 'qcur', c.qcur);
  set(r, 'qmax', c.qmax);
  set(r, 'scur', server.active);
  set(r, 'smax', c.smax);
  set(r, 'slim', server.maxconn > 0 ? server.maxconn : undefined);
  set(r, 'stot', c.stot);
  set(r, 'bin', c.bin);
  set(r, 'bout', c.bout);
  set(r, 'dresp', c.dresp);
  set(r, 'econ', c.econ);
  set(r, 'eresp', c.eresp);
  set(r, 'wretr', c.wretr);
  set(r, 'wredis', c.wredis);
  set(r, 'status', serverStatusText(server));
  set(r, 'weight', server.weight);
  set(r, 'act', server.backup ? 0 : 1);
  set(r, 'bck', server.backup ? 1 : 0);
  set(r, 'lastchg', seconds(ctx.now - server.lastChange));
  set(r, 'qlimit', server.maxqueue > 0 ? server.maxqueue : undefined);
  set(r, 'pid', 1);
  set(r, 'iid', entry.id);
  set(r, 'sid', server.id);
  set(r, 'throttle', throttle(server, ctx.now));
  set(r, 'lbtot', c.lbtot);
  setConnections(r, c, ctx.now);
  setTimes(r, c.timeStats, http ? c.reqTot : c.lbtot);
  set(r, 'type', StatRowType.server);
  set(r, 'rate', readRate(c.sessRate));
  set(r, 'rate_max', c.sessRateMax);
  const check = server.checkState;
  if (check !== undefined) {
    // HAProxy shows the check counters and the downtime of checked servers only.
    set(r, 'chkfail', check.failedChecks);
    set(r, 'chkdown', check.downTransitions);
    set(r, 'downtime', seconds(downTime(server.downTime, server.status === 'DOWN' || server.status === 'MAINT', server.lastChange, ctx.now)));
    set(r, 'check_status', check.status);
    set(r, 'check_code', check.code);
    set(r, 'check_duration', check.duration >= 0 ? check.duration : undefined);
    set(r, 'last_chk', check.desc === '' ? undefined : check.desc);
    set(r, 'check_desc', checkStatusDescription(check.status as CheckStatus));
    set(r, 'check_rise', check.rise);
    set(r, 'check_fall', check.fall);
    set(r, 'check_health', check.health);
  }
  if (http) {
    setResponses(r, c.hrsp);
    set(r, 'req_tot', c.reqTot);
  }
  set(r, 'addr', serverAddress(server));
  set(r, 'cookie', server.cookie);
  set(r, 'mode', backend.mode);
  set(r, 'wrew', c.failedRewrites);
  set(r, 'eint', c.internalErrors);
  set(r, 'cli_abrt', c.clientAborts);
  set(r, 'srv_abrt', c.serverAborts);
  // pool-max-conn; HAProxy leaves the cell empty for its default (-1, no limit).
  set(r, 'src_ilim', server.poolMaxConn >= 0 ? server.poolMaxConn : undefined);
  set(r, 'used_conn_cur', server.usedConnections);
  // A backend whose pool is not made yet (no HTTP traffic) has no idle connection: 0, as HAProxy.
  const idle = ctx.idleConnections === undefined ? undefined : (ctx.idleConnections(backend, server) ?? NO_IDLE);
  if (idle !== undefined) {
    set(r, 'srv_icur', idle.idle + idle.safe);
    set(r, 'idle_conn_cur', idle.idle);
    set(r, 'safe_conn_cur', idle.safe);
    set(r, 'need_conn_est', idle.estNeed);
    r.usedMax = idle.maxUsed;
  }
  set(r, 'uweight', server.userWeight);
  set(r, '-', '-');
  return r;
}

export function backendRow(entry: ProxyEntry, backend: Backend, ctx: StatContext): StatRow {
  const r = row(StatRowType.backend, entry.id, 0);
  const c = backend.counters;
  const http = backend.mode === 'http';
  let active = 0;
  let backups = 0;
  let activeWeight = 0;
  let backupWeight = 0;
  let userWeight = 0;
  let scur = 0;
  for (const s of backend.servers) {
    scur += s.active;
    if (!s.usable) continue;
    if (s.backup) {
      backups++;
      backupWeight += s.weight;
    } else {
      active++;
      activeWeight += s.weight;
      userWeight += s.userWeight;
    }
  }
  set(r, 'pxname', entry.name);
  set(r, 'svname', 'BACKEND');
  set(r, 'qcur', c.qcur);
  set(r, 'qmax', c.qmax);
  set(r, 'scur', scur);
  set(r, 'smax', c.smax);
  // fullconn; none when a frontend reaching the backend is unlimited (src/config/fullconn.ts).
  set(r, 'slim', Number.isFinite(backend.fullconn) ? backend.fullconn : undefined);
  set(r, 'stot', c.stot);
  set(r, 'bin', c.bin);
  set(r, 'bout', c.bout);
  set(r, 'dreq', c.dreq);
  set(r, 'dresp', c.dresp);
  set(r, 'econ', c.econ);
  set(r, 'eresp', c.eresp);
  set(r, 'wretr', c.wretr);
  set(r, 'wredis', c.wredis);
  // HAProxy: "UP" while the backend has weight to balance on, or no server at all (a stats listen).
  set(r, 'status', backend.usableServers > 0 || backend.servers.length === 0 ? 'UP' : 'DOWN');
  set(r, 'chkdown', backend.downTransitions);
  set(r, 'lastchg', seconds(ctx.now - backend.lastChange));
  // HAProxy: a backend without servers has no downtime.
  if (backend.servers.length > 0) set(r, 'downtime', seconds(downTime(backend.downTime, backend.usableServers === 0, backend.lastChange, ctx.now)));
  set(r, 'weight', active > 0 ? activeWeight : backupWeight);
  set(r, 'act', active);
  set(r, 'bck', backups);
  set(r, 'pid', 1);
  set(r, 'iid', entry.id);
  set(r, 'sid', 0);
  set(r, 'lbtot', c.lbtot);
  setConnections(r, c, ctx.now);
  setTimes(r, c.timeStats, http ? c.reqTot : c.lbtot);
  set(r, 'type', StatRowType.backend);
  set(r, 'rate', readRate(c.sessRate));
  set(r, 'rate_max', c.sessRateMax);
  if (http) {
    setResponses(r, c.hrsp);
    set(r, 'req_tot', c.reqTot);
    set(r, 'cache_lookups', c.cacheLookups);
    set(r, 'cache_hits', c.cacheHits);
  }
  setCompression(r, c);
  set(r, 'mode', backend.mode);
  set(r, 'algo', algorithmName(backend.model.balance));
  set(r, 'wrew', c.failedRewrites);
  set(r, 'eint', c.internalErrors);
  set(r, 'cli_abrt', c.clientAborts);
  set(r, 'srv_abrt', c.serverAborts);
  set(r, 'uweight', userWeight);
  set(r, '-', '-');
  setH2(r, c.h2);
  return r;
}

/** Every row, proxies in declaration order: FRONTEND, listeners, servers, BACKEND (HAProxy's stats_dump_proxy_to_buffer). */
export function statRows(proxies: readonly ProxyEntry[], ctx: StatContext): StatRow[] {
  const rows: StatRow[] = [];
  for (const entry of proxies) {
    const frontend = entry.frontend;
    if (frontend !== undefined) {
      rows.push(frontendRow(entry, frontend, ctx));
      if (frontend.listenerStats !== undefined) for (const listener of frontend.listenerStats.values()) rows.push(listenerRow(entry, frontend, listener));
    }
    const backend = entry.backend;
    if (backend === undefined) continue;
    for (const server of backend.servers) rows.push(serverRow(entry, backend, server, ctx));
    rows.push(backendRow(entry, backend, ctx));
  }
  return rows;
}

/** A row as one CSV line of `show stat` (every cell followed by a comma). */
export function statCsvLine(r: StatRow): string {
  let line = '';
  for (const cell of r.cells) line += cell === undefined ? ',' : `${csvCell(cell)},`;
  return `${line}\n`;
}

/** HAProxy's csv_enc: a value holding a comma, quote or line break is quoted, quotes doubled. */
function csvCell(cell: number | string): string {
  if (typeof cell === 'number') return String(cell);
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
