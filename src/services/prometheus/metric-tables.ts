/**
 * HAProxy 2.6's Prometheus exporter tables (addons/promex/service-prometheus.c: promex_global_metrics,
 * promex_st_metrics, promex_st_metric_desc, with the 2.6-branch backports `agg_server_status` and
 * `agg_check_status`), with the HELP texts of stats.c's info_fields[]/stat_fields[] descriptions as
 * HAProxy 2.6.12 prints them (typos included: dashboards and alert rules match these strings).
 *
 * `unkept` names the object kinds for which Switchyard keeps no such figure (rates,
 * check counters, connection reuse...): those metrics are left out for that kind rather
 * than invented. Every other metric is printed, `NaN` where HAProxy's stats cell is empty too.
 */
import type { StatField } from '../../stats/stat-fields.ts';

export type MetricType = 'gauge' | 'counter';

/** f: frontend, l: listener, b: backend, s: server. */
export type ObjectKind = 'f' | 'l' | 'b' | 's';

/** One `haproxy_process_*` metric and the `show info` line it reads. */
export interface ProcessMetric {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** The `show info` field name (infoFields()). */
  readonly info: string;
}

/** One `haproxy_{frontend,listener,backend,server}_*` metric and the `show stat` column it reads. */
export interface ProxyMetric {
  readonly field: StatField;
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** The object kinds HAProxy exports it for. */
  readonly kinds: string;
  /** Kinds among those for which Switchyard keeps no such figure: left out. */
  readonly unkept: string;
}

/** In HAProxy's dump order (info fields order). */
export const PROCESS_METRICS: readonly ProcessMetric[] = [
  { name: 'nbthread', type: 'gauge', info: 'Nbthread', help: 'Number of started threads (global.nbthread)' },
  { name: 'nbproc', type: 'gauge', info: 'Nbproc', help: 'Number of started worker processes (historical, always 1)' },
  { name: 'relative_process_id', type: 'gauge', info: 'Process_num', help: 'Relative worker process number (1)' },
  { name: 'uptime_seconds', type: 'gauge', info: 'Uptime_sec', help: 'How long ago this worker process was started (seconds)' },
  { name: 'pool_failures_total', type: 'counter', info: 'PoolFailed', help: 'Number of failed pool allocations since this worker was started' },
  { name: 'max_fds', type: 'gauge', info: 'Ulimit-n', help: 'Hard limit on the number of per-process file descriptors' },
  { name: 'max_sockets', type: 'gauge', info: 'Maxsock', help: 'Hard limit on the number of per-process sockets' },
  { name: 'max_connections', type: 'gauge', info: 'Maxconn', help: 'Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)' },
  { name: 'hard_max_connections', type: 'gauge', info: 'Hard_maxconn', help: 'Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)' },
  { name: 'current_connections', type: 'gauge', info: 'CurrConns', help: 'Current number of connections on this worker process' },
  { name: 'connections_total', type: 'counter', info: 'CumConns', help: 'Total number of connections on this worker process since started' },
  { name: 'requests_total', type: 'counter', info: 'CumReq', help: 'Total number of requests on this worker process since started' },
  { name: 'max_ssl_connections', type: 'gauge', info: 'MaxSslConns', help: 'Hard limit on the number of per-process SSL endpoints (front+back), 0=unlimited' },
  { name: 'current_ssl_connections', type: 'gauge', info: 'CurrSslConns', help: 'Current number of SSL endpoints on this worker process (front+back)' },
  { name: 'ssl_connections_total', type: 'counter', info: 'CumSslConns', help: 'Total number of SSL endpoints on this worker process since started (front+back)' },
  { name: 'max_pipes', type: 'gauge', info: 'Maxpipes', help: 'Hard limit on the number of pipes for splicing, 0=unlimited' },
  { name: 'pipes_used_total', type: 'counter', info: 'PipesUsed', help: 'Current number of pipes in use in this worker process' },
  { name: 'pipes_free_total', type: 'counter', info: 'PipesFree', help: 'Current number of allocated and available pipes in this worker process' },
  { name: 'current_connection_rate', type: 'gauge', info: 'ConnRate', help: 'Number of front connections created on this worker process over the last second' },
  { name: 'limit_connection_rate', type: 'gauge', info: 'ConnRateLimit', help: 'Hard limit for ConnRate (global.maxconnrate)' },
  { name: 'max_connection_rate', type: 'gauge', info: 'MaxConnRate', help: 'Highest ConnRate reached on this worker process since started (in connections per second)' },
  { name: 'current_session_rate', type: 'gauge', info: 'SessRate', help: 'Number of sessions created on this worker process over the last second' },
  { name: 'limit_session_rate', type: 'gauge', info: 'SessRateLimit', help: 'Hard limit for SessRate (global.maxsessrate)' },
  { name: 'max_session_rate', type: 'gauge', info: 'MaxSessRate', help: 'Highest SessRate reached on this worker process since started (in sessions per second)' },
  { name: 'current_ssl_rate', type: 'gauge', info: 'SslRate', help: 'Number of SSL connections created on this worker process over the last second' },
  { name: 'limit_ssl_rate', type: 'gauge', info: 'SslRateLimit', help: 'Hard limit for SslRate (global.maxsslrate)' },
  { name: 'max_ssl_rate', type: 'gauge', info: 'MaxSslRate', help: 'Highest SslRate reached on this worker process since started (in connections per second)' },
  { name: 'current_frontend_ssl_key_rate', type: 'gauge', info: 'SslFrontendKeyRate', help: 'Number of SSL keys created on frontends in this worker process over the last second' },
  { name: 'max_frontend_ssl_key_rate', type: 'gauge', info: 'SslFrontendMaxKeyRate', help: 'Highest SslFrontendKeyRate reached on this worker process since started (in SSL keys per second)' },
  { name: 'frontend_ssl_reuse', type: 'gauge', info: 'SslFrontendSessionReuse_pct', help: 'Percent of frontend SSL connections which did not require a new key' },
  { name: 'current_backend_ssl_key_rate', type: 'gauge', info: 'SslBackendKeyRate', help: 'Number of SSL keys created on backends in this worker process over the last second' },
  { name: 'max_backend_ssl_key_rate', type: 'gauge', info: 'SslBackendMaxKeyRate', help: 'Highest SslBackendKeyRate reached on this worker process since started (in SSL keys per second)' },
  { name: 'ssl_cache_lookups_total', type: 'counter', info: 'SslCacheLookups', help: 'Total number of SSL session ID lookups in the SSL session cache on this worker since started' },
  { name: 'ssl_cache_misses_total', type: 'counter', info: 'SslCacheMisses', help: 'Total number of SSL session ID lookups that didn\'t find a session in the SSL session cache on this worker since started' },
  { name: 'http_comp_bytes_in_total', type: 'counter', info: 'CompressBpsIn', help: 'Number of bytes submitted to the HTTP compressor in this worker process over the last second' },
  { name: 'http_comp_bytes_out_total', type: 'counter', info: 'CompressBpsOut', help: 'Number of bytes emitted by the HTTP compressor in this worker process over the last second' },
  { name: 'limit_http_comp', type: 'gauge', info: 'CompressBpsRateLim', help: 'Limit of CompressBpsOut beyond which HTTP compression is automatically disabled' },
  { name: 'current_zlib_memory', type: 'gauge', info: 'ZlibMemUsage', help: 'Amount of memory currently used by HTTP compression on the current worker process (in bytes)' },
  { name: 'max_zlib_memory', type: 'gauge', info: 'MaxZlibMemUsage', help: 'Limit on the amount of memory used by HTTP compression above which it is automatically disabled (in bytes, see global.maxzlibmem)' },
  { name: 'current_tasks', type: 'gauge', info: 'Tasks', help: 'Total number of tasks in the current worker process (active + sleeping)' },
  { name: 'current_run_queue', type: 'gauge', info: 'Run_queue', help: 'Total number of active tasks+tasklets in the current worker process' },
  { name: 'idle_time_percent', type: 'gauge', info: 'Idle_pct', help: 'Percentage of last second spent waiting in the current worker thread' },
  { name: 'stopping', type: 'gauge', info: 'Stopping', help: '1 if the worker process is currently stopping, otherwise zero' },
  { name: 'jobs', type: 'gauge', info: 'Jobs', help: 'Current number of active jobs on the current worker process (frontend connections, master connections, listeners)' },
  { name: 'unstoppable_jobs', type: 'gauge', info: 'Unstoppable Jobs', help: 'Current number of unstoppable jobs on the current worker process (master connections)' },
  { name: 'listeners', type: 'gauge', info: 'Listeners', help: 'Current number of active listeners on the current worker process' },
  { name: 'active_peers', type: 'gauge', info: 'ActivePeers', help: 'Current number of verified active peers connections on the current worker process' },
  { name: 'connected_peers', type: 'gauge', info: 'ConnectedPeers', help: 'Current number of peers having passed the connection step on the current worker process' },
  { name: 'dropped_logs_total', type: 'counter', info: 'DroppedLogs', help: 'Total number of dropped logs for current worker process since started' },
  { name: 'busy_polling_enabled', type: 'gauge', info: 'BusyPolling', help: '1 if busy-polling is currently in use on the worker process, otherwise zero (config.busy-polling)' },
  { name: 'failed_resolutions', type: 'counter', info: 'FailedResolutions', help: 'Total number of failed DNS resolutions in current worker process since started' },
  { name: 'bytes_out_total', type: 'counter', info: 'TotalBytesOut', help: 'Total number of bytes emitted by current worker process since started' },
  { name: 'spliced_bytes_out_total', type: 'counter', info: 'TotalSplicdedBytesOut', help: 'Total number of bytes emitted by current worker process through a kernel pipe since started' },
  { name: 'bytes_out_rate', type: 'gauge', info: 'BytesOutRate', help: 'Number of bytes emitted by current worker process over the last second' },
  { name: 'recv_logs_total', type: 'counter', info: 'CumRecvLogs', help: 'Total number of log messages received by log-forwarding listeners on this worker process since started' },
  { name: 'build_info', type: 'gauge', info: 'Build info', help: 'Build info' },
  { name: 'max_memory_bytes', type: 'gauge', info: 'Memmax_bytes', help: 'Worker process\'s hard limit on memory usage in byes (-m on command line)' },
  { name: 'pool_allocated_bytes', type: 'gauge', info: 'PoolAlloc_bytes', help: 'Amount of memory allocated in pools (in bytes)' },
  { name: 'pool_used_bytes', type: 'gauge', info: 'PoolUsed_bytes', help: 'Amount of pool memory currently used (in bytes)' },
  { name: 'start_time_seconds', type: 'gauge', info: 'Start_time_sec', help: 'Start time in seconds' },
];

/** In HAProxy's dump order (stats column order); the six hrsp_* columns share one metric, told apart by `code`. */
export const PROXY_METRICS: readonly ProxyMetric[] = [
  { field: 'qcur', name: 'current_queue', type: 'gauge', kinds: 'bs', unkept: '', help: 'Number of current queued connections' },
  { field: 'qmax', name: 'max_queue', type: 'gauge', kinds: 'bs', unkept: '', help: 'Highest value of queued connections encountered since process started' },
  { field: 'scur', name: 'current_sessions', type: 'gauge', kinds: 'flbs', unkept: '', help: 'Number of current sessions on the frontend, backend or server' },
  { field: 'smax', name: 'max_sessions', type: 'gauge', kinds: 'flbs', unkept: '', help: 'Highest value of current sessions encountered since process started' },
  { field: 'slim', name: 'limit_sessions', type: 'gauge', kinds: 'flbs', unkept: '', help: 'Frontend/listener/server\'s maxconn, backend\'s fullconn' },
  { field: 'stot', name: 'sessions_total', type: 'counter', kinds: 'flbs', unkept: '', help: 'Total number of sessions since process started' },
  { field: 'bin', name: 'bytes_in_total', type: 'counter', kinds: 'flbs', unkept: '', help: 'Total number of request bytes since process started' },
  { field: 'bout', name: 'bytes_out_total', type: 'counter', kinds: 'flbs', unkept: '', help: 'Total number of response bytes since process started' },
  { field: 'dreq', name: 'requests_denied_total', type: 'counter', kinds: 'flb', unkept: '', help: 'Total number of denied requests since process started' },
  { field: 'dresp', name: 'responses_denied_total', type: 'counter', kinds: 'flbs', unkept: '', help: 'Total number of denied responses since process started' },
  { field: 'ereq', name: 'request_errors_total', type: 'counter', kinds: 'fl', unkept: '', help: 'Total number of invalid requests since process started' },
  { field: 'econ', name: 'connection_errors_total', type: 'counter', kinds: 'bs', unkept: '', help: 'Total number of failed connections to server since the worker process started' },
  { field: 'eresp', name: 'response_errors_total', type: 'counter', kinds: 'bs', unkept: '', help: 'Total number of invalid responses since the worker process started' },
  { field: 'wretr', name: 'retry_warnings_total', type: 'counter', kinds: 'bs', unkept: '', help: 'Total number of server connection retries since the worker process started' },
  { field: 'wredis', name: 'redispatch_warnings_total', type: 'counter', kinds: 'bs', unkept: '', help: 'Total number of server redispatches due to connection failures since the worker process started' },
  { field: 'status', name: 'status', type: 'gauge', kinds: 'flbs', unkept: '', help: 'Current status of the service, per state label value.' },
  { field: 'weight', name: 'weight', type: 'gauge', kinds: 'bs', unkept: '', help: 'Server\'s effective weight, or sum of active servers\' effective weights for a backend' },
  { field: 'act', name: 'active_servers', type: 'gauge', kinds: 'b', unkept: '', help: 'Total number of active UP servers with a non-zero weight' },
  { field: 'bck', name: 'backup_servers', type: 'gauge', kinds: 'b', unkept: '', help: 'Total number of backup UP servers with a non-zero weight' },
  { field: 'chkfail', name: 'check_failures_total', type: 'counter', kinds: 's', unkept: '', help: 'Total number of failed individual health checks per server/backend, since the worker process started' },
  { field: 'chkdown', name: 'check_up_down_total', type: 'counter', kinds: 'bs', unkept: '', help: 'Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started' },
  { field: 'lastchg', name: 'check_last_change_seconds', type: 'gauge', kinds: 'bs', unkept: '', help: 'How long ago the last server state changed, in seconds' },
  { field: 'downtime', name: 'downtime_seconds_total', type: 'counter', kinds: 'bs', unkept: '', help: 'Total time spent in DOWN state, for server or backend' },
  { field: 'qlimit', name: 'queue_limit', type: 'gauge', kinds: 's', unkept: '', help: 'Limit on the number of connections in queue, for servers only (maxqueue argument)' },
  { field: 'throttle', name: 'current_throttle', type: 'gauge', kinds: 's', unkept: '', help: 'Throttling ratio applied to a server\'s maxconn and weight during the slowstart period (0 to 100%)' },
  { field: 'lbtot', name: 'loadbalanced_total', type: 'counter', kinds: 'bs', unkept: '', help: 'Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)' },
  { field: 'rate_lim', name: 'limit_session_rate', type: 'gauge', kinds: 'f', unkept: '', help: 'Limit on the number of sessions accepted in a second (frontend only, \'rate-limit sessions\' setting)' },
  { field: 'rate_max', name: 'max_session_rate', type: 'gauge', kinds: 'fbs', unkept: '', help: 'Highest value of sessions per second observed since the worker process started' },
  { field: 'check_status', name: 'check_status', type: 'gauge', kinds: 's', unkept: '', help: 'Status of last health check, per state label value.' },
  { field: 'check_code', name: 'check_code', type: 'gauge', kinds: 's', unkept: '', help: 'layer5-7 code, if available of the last health check.' },
  { field: 'check_duration', name: 'check_duration_seconds', type: 'gauge', kinds: 's', unkept: '', help: 'Total duration of the latest server health check, in seconds.' },
  { field: 'hrsp_1xx', name: 'http_responses_total', type: 'counter', kinds: 'fbs', unkept: '', help: 'Total number of HTTP responses with status 100-199 returned by this object since the worker process started' },
  { field: 'hrsp_2xx', name: 'http_responses_total', type: 'counter', kinds: 'fbs', unkept: '', help: 'Total number of HTTP responses with status 100-199 returned by this object since the worker process started' },
  { field: 'hrsp_3xx', name: 'http_responses_total', type: 'counter', kinds: 'fbs', unkept: '', help: 'Total number of HTTP responses with status 100-199 returned by this object since the worker process started' },
  { field: 'hrsp_4xx', name: 'http_responses_total', type: 'counter', kinds: 'fbs', unkept: '', help: 'Total number of HTTP responses with status 100-199 returned by this object since the worker process started' },
  { field: 'hrsp_5xx', name: 'http_responses_total', type: 'counter', kinds: 'fbs', unkept: '', help: 'Total number of HTTP responses with status 100-199 returned by this object since the worker process started' },
  { field: 'hrsp_other', name: 'http_responses_total', type: 'counter', kinds: 'fbs', unkept: '', help: 'Total number of HTTP responses with status 100-199 returned by this object since the worker process started' },
  { field: 'req_rate_max', name: 'http_requests_rate_max', type: 'gauge', kinds: 'f', unkept: '', help: 'Highest value of http requests observed since the worker process started' },
  { field: 'req_tot', name: 'http_requests_total', type: 'counter', kinds: 'fb', unkept: '', help: 'Total number of HTTP requests processed by this object since the worker process started' },
  { field: 'cli_abrt', name: 'client_aborts_total', type: 'counter', kinds: 'bs', unkept: '', help: 'Total number of requests or connections aborted by the client since the worker process started' },
  { field: 'srv_abrt', name: 'server_aborts_total', type: 'counter', kinds: 'bs', unkept: '', help: 'Total number of requests or connections aborted by the server since the worker process started' },
  { field: 'comp_in', name: 'http_comp_bytes_in_total', type: 'counter', kinds: 'fb', unkept: '', help: 'Total number of bytes submitted to the HTTP compressor for this object since the worker process started' },
  { field: 'comp_out', name: 'http_comp_bytes_out_total', type: 'counter', kinds: 'fb', unkept: '', help: 'Total number of bytes emitted by the HTTP compressor for this object since the worker process started' },
  { field: 'comp_byp', name: 'http_comp_bytes_bypassed_total', type: 'counter', kinds: 'fb', unkept: '', help: 'Total number of bytes that bypassed HTTP compression for this object since the worker process started (CPU/memory/bandwidth limitation)' },
  { field: 'comp_rsp', name: 'http_comp_responses_total', type: 'counter', kinds: 'fb', unkept: '', help: 'Total number of HTTP responses that were compressed for this object since the worker process started' },
  { field: 'lastsess', name: 'last_session_seconds', type: 'gauge', kinds: 'bs', unkept: '', help: 'How long ago some traffic was seen on this object on this worker process, in seconds' },
  { field: 'qtime', name: 'queue_time_average_seconds', type: 'gauge', kinds: 'bs', unkept: '', help: 'Avg. queue time for last 1024 successful connections.' },
  { field: 'ctime', name: 'connect_time_average_seconds', type: 'gauge', kinds: 'bs', unkept: '', help: 'Avg. connect time for last 1024 successful connections.' },
  { field: 'rtime', name: 'response_time_average_seconds', type: 'gauge', kinds: 'bs', unkept: '', help: 'Avg. response time for last 1024 successful connections.' },
  { field: 'ttime', name: 'total_time_average_seconds', type: 'gauge', kinds: 'bs', unkept: '', help: 'Avg. total time for last 1024 successful connections.' },
  { field: 'conn_rate_max', name: 'connections_rate_max', type: 'gauge', kinds: 'f', unkept: '', help: 'Highest value of connections per second observed since the worker process started' },
  { field: 'conn_tot', name: 'connections_total', type: 'counter', kinds: 'f', unkept: '', help: 'Total number of new connections accepted on this frontend since the worker process started' },
  { field: 'intercepted', name: 'intercepted_requests_total', type: 'counter', kinds: 'f', unkept: 'f', help: 'Total number of HTTP requests intercepted on the frontend (redirects/stats/services) since the worker process started' },
  { field: 'dcon', name: 'denied_connections_total', type: 'counter', kinds: 'fl', unkept: '', help: 'Total number of incoming connections blocked on a listener/frontend by a tcp-request connection rule since the worker process started' },
  { field: 'dses', name: 'denied_sessions_total', type: 'counter', kinds: 'fl', unkept: '', help: 'Total number of incoming sessions blocked on a listener/frontend by a tcp-request connection rule since the worker process started' },
  { field: 'wrew', name: 'failed_header_rewriting_total', type: 'counter', kinds: 'flbs', unkept: '', help: 'Total number of failed HTTP header rewrites since the worker process started' },
  { field: 'connect', name: 'connection_attempts_total', type: 'counter', kinds: 'bs', unkept: '', help: 'Total number of outgoing connection attempts on this backend/server since the worker process started' },
  { field: 'reuse', name: 'connection_reuses_total', type: 'counter', kinds: 'bs', unkept: '', help: 'Total number of reused connection on this backend/server since the worker process started' },
  { field: 'cache_lookups', name: 'http_cache_lookups_total', type: 'counter', kinds: 'fb', unkept: '', help: 'Total number of HTTP requests looked up in the cache on this frontend/backend since the worker process started' },
  { field: 'cache_hits', name: 'http_cache_hits_total', type: 'counter', kinds: 'fb', unkept: '', help: 'Total number of HTTP requests not found in the cache on this frontend/backend since the worker process started' },
  { field: 'srv_icur', name: 'idle_connections_current', type: 'gauge', kinds: 's', unkept: '', help: 'Current number of idle connections available for reuse on this server' },
  { field: 'src_ilim', name: 'idle_connections_limit', type: 'gauge', kinds: 's', unkept: '', help: 'Limit on the number of available idle connections on this server (server \'pool_max_conn\' directive)' },
  { field: 'qtime_max', name: 'max_queue_time_seconds', type: 'gauge', kinds: 'bs', unkept: '', help: 'Maximum observed time spent in the queue' },
  { field: 'ctime_max', name: 'max_connect_time_seconds', type: 'gauge', kinds: 'bs', unkept: '', help: 'Maximum observed time spent waiting for a connection to complete' },
  { field: 'rtime_max', name: 'max_response_time_seconds', type: 'gauge', kinds: 'bs', unkept: '', help: 'Maximum observed time spent waiting for a server response' },
  { field: 'ttime_max', name: 'max_total_time_seconds', type: 'gauge', kinds: 'bs', unkept: '', help: 'Maximum observed total request+response time (request+queue+connect+response+processing)' },
  { field: 'eint', name: 'internal_errors_total', type: 'counter', kinds: 'flbs', unkept: '', help: 'Total number of internal errors since process started' },
  { field: 'idle_conn_cur', name: 'unsafe_idle_connections_current', type: 'gauge', kinds: 's', unkept: '', help: 'Current number of unsafe idle connections' },
  { field: 'safe_conn_cur', name: 'safe_idle_connections_current', type: 'gauge', kinds: 's', unkept: '', help: 'Current number of safe idle connections' },
  { field: 'used_conn_cur', name: 'used_connections_current', type: 'gauge', kinds: 's', unkept: '', help: 'Current number of connections in use' },
  { field: 'need_conn_est', name: 'need_connections_current', type: 'gauge', kinds: 's', unkept: '', help: 'Estimated needed number of connections' },
  { field: 'uweight', name: 'uweight', type: 'gauge', kinds: 'bs', unkept: '', help: 'Server\'s user weight, or sum of active servers\' user weights for a backend' },
  { field: 'agg_server_status', name: 'agg_server_status', type: 'gauge', kinds: 'b', unkept: '', help: 'Backend\'s aggregated gauge of servers\' status' },
  { field: 'agg_server_check_status', name: 'agg_server_check_status', type: 'gauge', kinds: 'b', unkept: '', help: 'Backend\'s aggregated gauge of servers\' state check status' },
  { field: 'agg_check_status', name: 'agg_check_status', type: 'gauge', kinds: 'b', unkept: '', help: 'Backend\'s aggregated gauge of servers\' state check status' },
];
