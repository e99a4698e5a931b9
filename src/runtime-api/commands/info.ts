/**
 * Process information (stats.c, cli.c): `show info`, `show version`, `show env`.
 * `show info` prints HAProxy 2.6's fields in its order; a figure Switchyard does not keep is
 * printed empty rather than invented.
 */
import { VERSION } from '../../version.ts';
import { infoJson, infoTyped } from '../../stats/stat-render.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, type CliAnswer } from '../output.ts';
import type { RuntimeTarget } from '../target.ts';
import { threadCount } from '../../threads/thread-identity.ts';
import { maxsockOf } from '../../proxy/ideal-maxconn.ts';

function uptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${d}d ${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
}

/**
 * [name, value] of every `show info` field, in HAProxy's positions: undefined prints nothing
 * after the colon; null is a field HAProxy leaves empty here (no `description`), which
 * it does not print at all but whose position the typed forms still count.
 */
export function infoFields(target: RuntimeTarget): [string, string | number | undefined | null][] {
  const rt = target.runtime;
  const up = Math.max(0, Math.floor((rt.now() - target.startedMono) / 1000));
  let cumConns = 0;
  let cumReq = 0;
  let bytesOut = 0;
  let listeners = 0;
  for (const p of target.proxies) {
    const f = p.frontend;
    if (f === undefined) continue;
    cumConns += f.counters.connTot;
    cumReq += f.counters.reqTot;
    bytesOut += f.counters.bout;
    // The process's listeners, whichever threads (`thread`) opened them.
    if (f.listening) listeners += f.model.binds.length;
  }
  const stats = target.config.global.stats;
  listeners += stats?.sockets.length ?? 0;
  const maxconn = target.limits.maxconn;
  return [
    ['Name', 'Switchyard'],
    ['Version', VERSION],
    ['Release_date', undefined],
    ['Nbthread', threadCount()],
    ['Nbproc', 1],
    ['Process_num', 1],
    ['Pid', rt.pid],
    ['Uptime', uptime(up)],
    ['Uptime_sec', up],
    ['Memmax_MB', 0],
    ['PoolAlloc_MB', undefined],
    ['PoolUsed_MB', undefined],
    ['PoolFailed', undefined],
    // HAProxy's global.rlimit_nofile, empty where the runtime cannot set it (src/proxy/fd-limit.ts).
    ['Ulimit-n', target.config.global.fdLimit],
    // HAProxy's global.maxsock, which sizes the idle connection pools (src/proxy/fd-usage.ts).
    ['Maxsock', target.config.global.maxconn > 0 ? maxsockOf(target.config) : undefined],
    ['Maxconn', maxconn],
    // What `set maxconn global` may not exceed, and restores on 0.
    ['Hard_maxconn', target.config.global.maxconn],
    ['CurrConns', target.limits.current],
    ['CumConns', cumConns],
    ['CumReq', cumReq],
    ['MaxSslConns', target.limits.maxSslConnections],
    ['CurrSslConns', target.limits.sslConnections],
    ['CumSslConns', target.limits.sslConnectionsTotal],
    ['Maxpipes', 0],
    ['PipesUsed', 0],
    ['PipesFree', 0],
    ['ConnRate', target.limits.connRate],
    ['ConnRateLimit', target.limits.connRateLimit],
    ['MaxConnRate', target.limits.connRateMax],
    ['SessRate', target.limits.sessRate],
    ['SessRateLimit', target.limits.sessRateLimit],
    ['MaxSessRate', target.limits.sessRateMax],
    ['SslRate', target.limits.sslRate],
    ['SslRateLimit', target.limits.sslRateLimit],
    ['MaxSslRate', target.limits.sslRateMax],
    ['SslFrontendKeyRate', target.limits.sslFrontendKeyRate],
    ['SslFrontendMaxKeyRate', target.limits.sslFrontendKeyRateMax],
    ['SslFrontendSessionReuse_pct', target.limits.sslFrontendReusePercent],
    ['SslBackendKeyRate', target.limits.sslBackendKeyRate],
    ['SslBackendMaxKeyRate', target.limits.sslBackendKeyRateMax],
    ['SslCacheLookups', target.limits.sslCacheLookups],
    ['SslCacheMisses', target.limits.sslCacheMisses],
    ['CompressBpsIn', target.limits.compBpsIn],
    ['CompressBpsOut', target.limits.compBpsOut],
    ['CompressBpsRateLim', target.limits.compRateLimit],
    // Switchyard compresses with zlib: HAProxy built with zlib fills these two.
    ['ZlibMemUsage', target.limits.zlibUsed],
    ['MaxZlibMemUsage', target.limits.compression.maxZlibMemory],
    ['Tasks', undefined],
    ['Run_queue', undefined],
    // clock_report_idle: the threads' average (src/proxy/idle-share.ts); empty where the runtime does not measure it.
    ['Idle_pct', target.limits.processIdlePct(threadCount())],
    ['node', target.config.global.node ?? rt.hostname],
    ['description', target.config.global.description ?? null],
    ['Stopping', target.proxies.some((p) => p.frontend?.stopping === true) ? 1 : 0],
    ['Jobs', target.limits.current + listeners],
    ['Unstoppable Jobs', 0],
    ['Listeners', listeners],
    ['ActivePeers', 0],
    ['ConnectedPeers', 0],
    ['DroppedLogs', target.droppedLogs],
    ['BusyPolling', 0],
    ['FailedResolutions', 0],
    ['TotalBytesOut', bytesOut],
    ['TotalSplicdedBytesOut', 0],
    ['BytesOutRate', undefined],
    ['DebugCommandsIssued', 0],
    ['CumRecvLogs', target.receivedLogs ?? 0],
    ['Build info', `${VERSION} (${rt.name} ${rt.version})`],
    ['Memmax_bytes', 0],
    ['PoolAlloc_bytes', undefined],
    ['PoolUsed_bytes', undefined],
    ['Start_time_sec', Math.floor(target.startedWall / 1000)],
    ['Tainted', 0],
  ];
}

function showInfo(args: readonly string[], ctx: CommandContext): CliAnswer {
  let format: 'text' | 'typed' | 'json' = 'text';
  for (const word of args.slice(2)) {
    if (word === 'json' || word === 'typed') format = word;
    else if (word === 'float' || word === 'desc') return error(`'show info ${word}' is not supported by Switchyard yet.\n`);
  }
  if (format === 'typed') return dump(infoTyped(infoFields(ctx.target)));
  if (format === 'json') return dump(infoJson(infoFields(ctx.target)));
  let text = '';
  for (const [name, value] of infoFields(ctx.target)) {
    if (value !== null) text += `${name}: ${value ?? ''}\n`;
  }
  return dump(text);
}

export const infoCommands: readonly CliCommand[] = [
  { words: ['show', 'info'], usage: usage('show info [desc|json|typed|float]*', 'report information about the running process'), level: 'user', run: showInfo },
  { words: ['show', 'version'], usage: usage('show version', 'show version of the current process'), level: 'user', run: () => dump(`${VERSION}\n`) },
  {
    words: ['show', 'env'],
    usage: usage('show env [var]', 'dump environment variables known to the process'),
    level: 'operator',
    run: (args, ctx) => {
      const name = args[2];
      if (name === undefined || name === '') return error("'show env' without a variable name is not supported by Switchyard (the runtime seam reads variables by name).\n");
      const value = ctx.target.runtime.env(name);
      return value === undefined ? error('Variable not found\n') : dump(`${name}=${value}\n`);
    },
  },
];
