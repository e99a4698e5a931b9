/**
 * `--log-json` for tcp streams: the fields of `option tcplog` as one JSON object per line, for
 * log pipelines (the text line itself is the TCP_LOG_FORMAT log-format, see default-formats.ts).
 */
import type { LogRecord } from './log-record.ts';
import { formatAcceptDate } from './log-time.ts';
import { timeConnecting, timeWaiting } from './log-timers.ts';

export function formatTcpLogJson(r: LogRecord): string {
  return JSON.stringify({
    client_ip: r.clientAddress,
    client_port: r.clientPort,
    accept_date: formatAcceptDate(r.acceptWall),
    frontend: r.frontendName,
    backend: r.backendName,
    server: r.serverName,
    Tw: timeWaiting(r),
    Tc: timeConnecting(r),
    Tt: r.tClose,
    bytes_read: r.bytesOut,
    bytes_uploaded: r.bytesIn,
    termination_state: r.termination,
    actconn: r.actconn,
    feconn: r.feconn,
    beconn: r.beconn,
    srv_conn: r.srvconn,
    retries: r.retries,
    redispatched: r.redispatched,
  });
}
