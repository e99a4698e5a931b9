import { formatAcceptDate } from './log-time.ts';

/** Everything `option httplog` prints for one transaction. */
export interface HttpLogRecord {
  readonly clientAddress: string;
  readonly clientPort: number;
  /** Wall-clock time the request's first byte arrived (%tr). */
  readonly requestWall: number;
  readonly frontend: string;
  readonly ssl: boolean;
  readonly backend: string;
  readonly server: string;
  /** %TR %Tw %Tc %Tr %Ta, ms, -1 when the step was not reached. */
  readonly tR: number;
  readonly tW: number;
  readonly tC: number;
  readonly tr: number;
  readonly tA: number;
  /** -1 when no status was produced (client aborted first). */
  readonly status: number;
  /** Bytes sent to the client, headers included (%B). */
  readonly bytes: number;
  /** Two-character termination state (%ts). */
  readonly termination: string;
  /** The two cookie persistence characters of %tsc ("--" when the backend has no `cookie`). */
  readonly cookieFlags?: string | undefined;
  readonly actconn: number;
  readonly feconn: number;
  readonly beconn: number;
  readonly srvconn: number;
  readonly retries: number;
  readonly redispatched: boolean;
  readonly method: string | undefined;
  readonly target: string | undefined;
  readonly versionMinor: 0 | 1 | undefined;
}

function requestLine(r: HttpLogRecord): string {
  if (r.method === undefined || r.target === undefined) return '<BADREQ>';
  return `${r.method} ${r.target} HTTP/1.${r.versionMinor ?? 1}`;
}

/**
 * `option httplog`:
 * %ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r
 * (no captures are configured, so %CC/%CS print "-" and %hr/%hs print nothing, as in HAProxy).
 */
export function formatHttpLog(r: HttpLogRecord): string {
  const retries = r.redispatched ? `+${r.retries}` : `${r.retries}`;
  // %tsc: termination state plus the two cookie persistence characters ("--" without `cookie`).
  return `${r.clientAddress}:${r.clientPort} [${formatAcceptDate(r.requestWall)}] ${r.frontend}${r.ssl ? '~' : ''} ${r.backend}/${r.server} ${r.tR}/${r.tW}/${r.tC}/${r.tr}/${r.tA} ${r.status} ${r.bytes} - - ${r.termination}${r.cookieFlags ?? '--'} ${r.actconn}/${r.feconn}/${r.beconn}/${r.srvconn}/${retries} 0/0 "${requestLine(r)}"`;
}

export function formatHttpLogJson(r: HttpLogRecord): string {
  return JSON.stringify({
    client_ip: r.clientAddress,
    client_port: r.clientPort,
    request_date: formatAcceptDate(r.requestWall),
    frontend: r.frontend,
    ssl: r.ssl,
    backend: r.backend,
    server: r.server,
    TR: r.tR,
    Tw: r.tW,
    Tc: r.tC,
    Tr: r.tr,
    Ta: r.tA,
    status: r.status,
    bytes_read: r.bytes,
    termination_state: r.termination,
    cookie_state: r.cookieFlags ?? '--',
    actconn: r.actconn,
    feconn: r.feconn,
    beconn: r.beconn,
    srv_conn: r.srvconn,
    retries: r.retries,
    redispatched: r.redispatched,
    request: requestLine(r),
  });
}
