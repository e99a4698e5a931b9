/**
 * The log line of a client connection that failed before it became a stream (a TLS handshake
 * that failed, a client certificate refused): HAProxy's session_kill_embryonic. With an
 * `error-log-format` the line follows it (sess_log: no stream, so no request, timers -1 but
 * the handshake's and the total, termination `PR`, `<NOSRV>`); without one it is the fixed
 * `addr:port [date] frontend/listener: reason` line. Both obey `option dontlognull` for the
 * connections a client merely closed, and `option log-separate-errors` for the level.
 */
import type { FrontendModel } from '../config/model.ts';
import { SESSION_WITHOUT_STREAM, type LogRecord } from '../log/log-record.ts';
import { formatAcceptDate } from '../log/log-time.ts';
import { LogLevel, type ProxyLogger } from '../log/logger.ts';
import type { TrafficLog } from '../log/traffic-log.ts';
import type { Runtime, TlsInfo } from '../runtime.ts';
import { ConnectionErrorCode, connectionErrorText } from './connection-error.ts';
import type { ConnectionInfo } from './connection-info.ts';
import type { VarScopes } from '../rules/vars.ts';

/** What the line reads of the frontend. */
export interface FailureLogHost {
  readonly name: string;
  readonly model: FrontendModel;
  readonly logger: ProxyLogger;
  readonly trafficLog: TrafficLog;
  readonly runtime: Runtime;
  readonly limits: { readonly current: number; nextStreamId(): number };
  readonly counters: { readonly scur: number };
  readonly procVars: VarScopes;
}

/** Closed or reset by the client during the handshake: "null" connections for `dontlognull`. */
function isEmpty(code: number): boolean {
  return code === ConnectionErrorCode.sslEmpty || code === ConnectionErrorCode.sslAbort;
}

/**
 * Logs the failed connection `info` (its `error` set), accepted `acceptedAt` (monotonic ms,
 * wall-clock `acceptWall`) on the listener named `listenerName` (`bind ... name`, else its
 * number).
 */
export function logConnectionFailure(host: FailureLogHost, info: ConnectionInfo, tls: TlsInfo | undefined, listenerName: string, acceptWall: number, acceptedAt: number): void {
  if (!host.logger.enabled) return;
  const code = info.error?.code ?? 0;
  const options = host.model.options;
  if (options.dontlognull && isEmpty(code)) return;
  const level = options.logSeparateErrors === true ? LogLevel.err : LogLevel.info;
  if (host.trafficLog.hasErrorFormat) {
    host.trafficLog.emitConnectionError(failureRecord(host, info, tls, acceptWall, acceptedAt), level);
    return;
  }
  const reason = connectionErrorText(code) ?? `unknown connection error (code=${code} flags=00000000)`;
  const client = info.clientAddress === '' ? `unix:${listenerName}` : `${info.clientAddress}:${info.clientPort}`;
  host.logger.emit(level, `${client} [${formatAcceptDate(acceptWall)}] ${host.name}/${listenerName}: ${reason}`);
}

function failureRecord(host: FailureLogHost, info: ConnectionInfo, tls: TlsInfo | undefined, acceptWall: number, acceptedAt: number): LogRecord {
  const runtime = host.runtime;
  const elapsed = Math.max(0, Math.round(runtime.now() - acceptedAt));
  return {
    ...SESSION_WITHOUT_STREAM,
    mode: host.model.mode === 'http' ? 'http' : 'tcp',
    clientAddress: info.clientAddress,
    clientPort: info.clientPort,
    localAddress: info.localAddress,
    localPort: info.localPort,
    clientTls: tls,
    connection: info,
    hostname: runtime.hostname,
    runtime,
    frontendName: host.name,
    pid: runtime.pid,
    lbHead: undefined,
    vars: host.procVars,
    acceptWall,
    streamId: host.limits.nextStreamId(),
    backendName: host.name,
    serverName: '<NOSRV>',
    // The handshake failed: it lasted the whole session.
    tHandshake: elapsed,
    tClose: elapsed,
    actconn: host.limits.current,
    feconn: host.counters.scur,
    logCount: host.trafficLog.count,
  };
}
