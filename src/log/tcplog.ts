import type { TcpSession } from '../l4/tcp-session.ts';
import { formatAcceptDate } from './log-time.ts';

/** Connection counts at log time: %ac/%fc/%bc/%sc. */
export interface LogCounts {
  readonly process: number;
  readonly frontend: number;
  readonly backend: number;
  readonly server: number;
}

function ms(n: number): number {
  return n < 0 ? -1 : Math.round(n);
}

function fields(s: TcpSession, frontendName: string) {
  const total = ms(s.closedAt - s.acceptedAt);
  const server = s.srv?.name ?? (s.connectStartedAt >= 0 ? (s.lastServerName ?? '<NOSRV>') : '<NOSRV>');
  return {
    client: `${s.clientAddress}:${s.clientPort}`,
    date: formatAcceptDate(s.acceptedWall),
    frontend: frontendName,
    backend: s.backend?.name ?? frontendName,
    server,
    tw: s.waitTime,
    tc: s.connectTime,
    tt: total,
    bytes: s.bytesFromServer,
    ts: `${s.terminationCause}${s.terminationPhase}`,
    retries: s.redispatched ? `+${s.retries}` : `${s.retries}`,
  };
}

/**
 * `option tcplog`:
 * %ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq
 */
export function formatTcpLog(s: TcpSession, frontendName: string, counts: LogCounts): string {
  const f = fields(s, frontendName);
  return `${f.client} [${f.date}] ${f.frontend} ${f.backend}/${f.server} ${f.tw}/${f.tc}/${f.tt} ${f.bytes} ${f.ts} ${counts.process}/${counts.frontend}/${counts.backend}/${counts.server}/${f.retries} 0/0`;
}

/** The same fields as one JSON object per line, for log pipelines. */
export function formatTcpLogJson(s: TcpSession, frontendName: string, counts: LogCounts): string {
  const f = fields(s, frontendName);
  return JSON.stringify({
    client_ip: s.clientAddress,
    client_port: s.clientPort,
    accept_date: f.date,
    frontend: f.frontend,
    backend: f.backend,
    server: f.server,
    Tw: f.tw,
    Tc: f.tc,
    Tt: f.tt,
    bytes_read: f.bytes,
    bytes_uploaded: s.bytesFromClient,
    termination_state: f.ts,
    actconn: counts.process,
    feconn: counts.frontend,
    beconn: counts.backend,
    srv_conn: counts.server,
    retries: s.retries,
    redispatched: s.redispatched,
  });
}
