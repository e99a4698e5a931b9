/**
 * `--log-json` for HTTP streams: the fields of `option httplog` as one JSON object per line, for
 * log pipelines (the text line itself is the HTTP_LOG_FORMAT log-format, see default-formats.ts).
 */
import { versionText } from '../http/codec/head.ts';
import type { LogRecord } from './log-record.ts';
import { formatAcceptDate } from './log-time.ts';
import { requestWall, timeActive, timeConnecting, timeRequest, timeResponse, timeWaiting } from './log-timers.ts';

function requestLine(r: LogRecord): string {
  const head = r.lbHead;
  return head === undefined ? '<BADREQ>' : `${head.method} ${head.target} ${versionText(head)}`;
}

export function formatHttpLogJson(r: LogRecord): string {
  return JSON.stringify({
    client_ip: r.clientAddress,
    client_port: r.clientPort,
    request_date: formatAcceptDate(requestWall(r)),
    frontend: r.frontendName,
    ssl: r.clientTls !== undefined,
    backend: r.backendName,
    server: r.serverName,
    TR: timeRequest(r),
    Tw: timeWaiting(r),
    Tc: timeConnecting(r),
    Tr: timeResponse(r),
    Ta: timeActive(r),
    status: r.status,
    bytes_read: r.bytesOut,
    termination_state: r.termination,
    cookie_state: r.cookieFlags,
    actconn: r.actconn,
    feconn: r.feconn,
    beconn: r.beconn,
    srv_conn: r.srvconn,
    retries: r.retries,
    redispatched: r.redispatched,
    request: requestLine(r),
  });
}
