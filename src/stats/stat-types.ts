/**
 * How HAProxy 2.6 types each stats field in `show stat typed|json` and `show info typed|json`:
 * origin, nature and scope letters (M/S/K/C/P, G/L/m/M/R/C/D/A/T/N/O/a, P/S/s/C, as
 * stats_emit_field_tags) and the value type, per kind of row ("FIELD=TAGS:TYPE" lists, as
 * HAProxy 2.6 reports them).
 */

const FRONTEND =
  'pxname=KNS:str svname=KNS:str scur=MGP:u32 smax=MMP:u32 slim=CLP:u32 stot=MCP:u64 bin=MCP:u64 ' +
  'bout=MCP:u64 dreq=MCP:u64 dresp=MCP:u64 ereq=MCP:u64 status=SGP:str pid=KGP:u32 iid=KGS:u32 ' +
  'sid=KGS:u32 type=CGS:u32 rate=MRP:u32 rate_lim=CLP:u32 rate_max=MMP:u32 hrsp_1xx=MCP:u64 ' +
  'hrsp_2xx=MCP:u64 hrsp_3xx=MCP:u64 hrsp_4xx=MCP:u64 hrsp_5xx=MCP:u64 hrsp_other=MCP:u64 ' +
  'req_rate=MRP:u32 req_rate_max=MMP:u32 req_tot=MCP:u64 comp_in=MCP:u64 comp_out=MCP:u64 ' +
  'comp_byp=MCP:u64 comp_rsp=MCP:u64 mode=CGS:str conn_rate=MRP:u32 conn_rate_max=MMP:u32 ' +
  'conn_tot=MCP:u64 intercepted=MCP:u64 dcon=MCP:u64 dses=MCP:u64 wrew=MCP:u64 cache_lookups=MCP:u64 ' +
  'cache_hits=MCP:u64 eint=MCP:u64 ssl_sess=MCP:u64 ssl_reused_sess=MCP:u64 ' +
  'ssl_failed_handshake=MCP:u64 h2_headers_rcvd=MCP:u64 h2_data_rcvd=MCP:u64 h2_settings_rcvd=MCP:u64 ' +
  'h2_rst_stream_rcvd=MCP:u64 h2_goaway_rcvd=MCP:u64 h2_detected_conn_protocol_errors=MCP:u64 ' +
  'h2_detected_strm_protocol_errors=MCP:u64 h2_rst_stream_resp=MCP:u64 h2_goaway_resp=MCP:u64 ' +
  'h2_open_connections=MGP:u64 h2_backend_open_streams=MGP:u64 h2_total_connections=MCP:u64 ' +
  'h2_backend_total_streams=MCP:u64 h1_open_connections=MGP:u64 h1_open_streams=MGP:u64 ' +
  'h1_total_connections=MCP:u64 h1_total_streams=MCP:u64 h1_bytes_in=MCP:u64 h1_bytes_out=MCP:u64 ' +
  'h1_spliced_bytes_in=MCP:u64 h1_spliced_bytes_out=MCP:u64';
const BACKEND =
  'pxname=KNS:str svname=KNS:str qcur=MGP:u32 qmax=MMP:u32 scur=MGP:u32 smax=MMP:u32 slim=CLP:u32 ' +
  'stot=MCP:u64 bin=MCP:u64 bout=MCP:u64 dreq=MCP:u64 dresp=MCP:u64 econ=MCP:u64 eresp=MCP:u64 ' +
  'wretr=MCP:u64 wredis=MCP:u64 status=SGP:str weight=MaP:u32 act=MGP:u32 bck=MGP:u32 chkdown=MCP:u64 ' +
  'lastchg=MAP:u32 downtime=MCP:u32 pid=KGP:u32 iid=KGS:u32 sid=KGS:u32 lbtot=MCP:u64 type=CGS:u32 ' +
  'rate=MGP:u32 rate_max=MGP:u32 hrsp_1xx=MCP:u64 hrsp_2xx=MCP:u64 hrsp_3xx=MCP:u64 hrsp_4xx=MCP:u64 ' +
  'hrsp_5xx=MCP:u64 hrsp_other=MCP:u64 req_tot=MCP:u64 cli_abrt=MCP:u64 srv_abrt=MCP:u64 ' +
  'comp_in=MCP:u64 comp_out=MCP:u64 comp_byp=MCP:u64 comp_rsp=MCP:u64 lastsess=MAP:s32 qtime=MaP:u32 ' +
  'ctime=MaP:u32 rtime=MaP:u32 ttime=MaP:u32 cookie=CNS:str mode=CGS:str algo=CGS:str wrew=MCP:u64 ' +
  'connect=MCP:u64 reuse=MCP:u64 cache_lookups=MCP:u64 cache_hits=MCP:u64 qtime_max=MMP:u32 ' +
  'ctime_max=MMP:u32 rtime_max=MMP:u32 ttime_max=MMP:u32 eint=MCP:u64 uweight=MaP:u32 ' +
  'agg_server_status=MGP:u32 agg_server_check_status=MGP:u32 agg_check_status=MGP:u32 ssl_sess=MCP:u64 ' +
  'ssl_reused_sess=MCP:u64 ssl_failed_handshake=MCP:u64 h2_headers_rcvd=MCP:u64 h2_data_rcvd=MCP:u64 ' +
  'h2_settings_rcvd=MCP:u64 h2_rst_stream_rcvd=MCP:u64 h2_goaway_rcvd=MCP:u64 ' +
  'h2_detected_conn_protocol_errors=MCP:u64 h2_detected_strm_protocol_errors=MCP:u64 ' +
  'h2_rst_stream_resp=MCP:u64 h2_goaway_resp=MCP:u64 h2_open_connections=MGP:u64 ' +
  'h2_backend_open_streams=MGP:u64 h2_total_connections=MCP:u64 h2_backend_total_streams=MCP:u64 ' +
  'h1_open_connections=MGP:u64 h1_open_streams=MGP:u64 h1_total_connections=MCP:u64 ' +
  'h1_total_streams=MCP:u64 h1_bytes_in=MCP:u64 h1_bytes_out=MCP:u64 h1_spliced_bytes_in=MCP:u64 ' +
  'h1_spliced_bytes_out=MCP:u64';
const SERVER =
  'pxname=KNS:str svname=KNS:str qcur=MGP:u32 qmax=MMP:u32 scur=MGP:u32 smax=MMP:u32 slim=CLP:u32 ' +
  'stot=MCP:u64 bin=MCP:u64 bout=MCP:u64 dresp=MCP:u64 econ=MCP:u64 eresp=MCP:u64 wretr=MCP:u64 ' +
  'wredis=MCP:u64 status=SGP:str weight=MaP:u32 act=SGP:u32 bck=SGP:u32 chkfail=MCP:u64 chkdown=MCP:u64 ' +
  'lastchg=MAP:u32 downtime=MCP:u32 qlimit=CGS:u32 pid=KGP:u32 iid=KGS:u32 sid=KGS:u32 lbtot=MCP:u64 ' +
  'type=CGS:u32 rate=MRP:u32 rate_max=MMP:u32 check_status=MOP:str check_code=MOP:u32 ' +
  'check_duration=MDP:u64 hrsp_1xx=MCP:u64 hrsp_2xx=MCP:u64 hrsp_3xx=MCP:u64 hrsp_4xx=MCP:u64 ' +
  'hrsp_5xx=MCP:u64 hrsp_other=MCP:u64 req_tot=MCP:u64 cli_abrt=MCP:u64 srv_abrt=MCP:u64 ' +
  'lastsess=MAP:s32 last_chk=MOP:str qtime=MaP:u32 ctime=MaP:u32 rtime=MaP:u32 ttime=MaP:u32 ' +
  'check_desc=MOP:str check_rise=CGS:u32 check_fall=CGS:u32 check_health=CGS:u32 addr=CGS:str ' +
  'cookie=CNS:str mode=CGS:str wrew=MCP:u64 connect=MCP:u64 reuse=MCP:u64 srv_icur=MGP:u32 ' +
  'qtime_max=MMP:u32 ctime_max=MMP:u32 rtime_max=MMP:u32 ttime_max=MMP:u32 eint=MCP:u64 ' +
  'idle_conn_cur=MGP:u32 safe_conn_cur=MGP:u32 used_conn_cur=MGP:u32 need_conn_est=MGP:u32 ' +
  'uweight=MaP:u32 ssl_sess=MCP:u64 ssl_reused_sess=MCP:u64 ssl_failed_handshake=MCP:u64';

const LISTENER =
  'pxname=KNS:str svname=KNS:str scur=MGP:u32 smax=MMP:u32 slim=CLP:u32 stot=MCP:u64 bin=MCP:u64 ' +
  'bout=MCP:u64 dreq=MCP:u64 dresp=MCP:u64 ereq=MCP:u64 status=SGP:str pid=KGP:u32 iid=KGS:u32 ' +
  'sid=KGS:u32 type=CGS:u32 addr=CGS:str mode=CGS:str dcon=MCP:u64 dses=MCP:u64 wrew=MCP:u64 ' +
  'eint=MCP:u64 ssl_sess=MCP:u64 ssl_reused_sess=MCP:u64 ssl_failed_handshake=MCP:u64';

function table(list: string): ReadonlyMap<string, string> {
  return new Map(list.split(' ').map((entry) => entry.split('=') as [string, string]));
}

const BY_ROW_TYPE: readonly ReadonlyMap<string, string>[] = [table(FRONTEND), table(BACKEND), table(SERVER), table(LISTENER)];

/** "MCP:u64" for a field of a row type (0 frontend, 1 backend, 2 server, 3 listener); a gauge when HAProxy never fills it there. */
export function statFieldType(rowType: number, field: string): string {
  return BY_ROW_TYPE[rowType]?.get(field) ?? BY_ROW_TYPE[2]?.get(field) ?? BY_ROW_TYPE[1]?.get(field) ?? 'MGP:u32';
}

/** `show info` fields in HAProxy's order with their tags and type. */
export const INFO_FIELD_TYPES: readonly (readonly [string, string])[] = [
  ['Name', 'POS:str'],
  ['Version', 'POS:str'],
  ['Release_date', 'POS:str'],
  ['Nbthread', 'CGS:u32'],
  ['Nbproc', 'CGS:u32'],
  ['Process_num', 'KGP:u32'],
  ['Pid', 'SGP:u32'],
  ['Uptime', 'MDP:str'],
  ['Uptime_sec', 'MDP:u32'],
  ['Memmax_MB', 'CLP:u32'],
  ['PoolAlloc_MB', 'MGP:u32'],
  ['PoolUsed_MB', 'MGP:u32'],
  ['PoolFailed', 'MCP:u32'],
  ['Ulimit-n', 'CLP:u32'],
  ['Maxsock', 'CLP:u32'],
  ['Maxconn', 'CLP:u32'],
  ['Hard_maxconn', 'CLP:u32'],
  ['CurrConns', 'MGP:u32'],
  ['CumConns', 'MCP:u32'],
  ['CumReq', 'MCP:u32'],
  ['MaxSslConns', 'MMP:u32'],
  ['CurrSslConns', 'MGP:u32'],
  ['CumSslConns', 'MCP:u32'],
  ['Maxpipes', 'CLP:u32'],
  ['PipesUsed', 'MGP:u32'],
  ['PipesFree', 'MGP:u32'],
  ['ConnRate', 'MRP:u32'],
  ['ConnRateLimit', 'CLP:u32'],
  ['MaxConnRate', 'MMP:u32'],
  ['SessRate', 'MRP:u32'],
  ['SessRateLimit', 'CLP:u32'],
  ['MaxSessRate', 'MRP:u32'],
  ['SslRate', 'MRP:u32'],
  ['SslRateLimit', 'CLP:u32'],
  ['MaxSslRate', 'MMP:u32'],
  ['SslFrontendKeyRate', 'MGP:u32'],
  ['SslFrontendMaxKeyRate', 'MMP:u32'],
  ['SslFrontendSessionReuse_pct', 'MGP:u32'],
  ['SslBackendKeyRate', 'MRP:u32'],
  ['SslBackendMaxKeyRate', 'MMP:u32'],
  ['SslCacheLookups', 'MCP:u32'],
  ['SslCacheMisses', 'MCP:u32'],
  ['CompressBpsIn', 'MRP:u32'],
  ['CompressBpsOut', 'MRP:u32'],
  ['CompressBpsRateLim', 'CLP:u32'],
  ['Tasks', 'MGP:u32'],
  ['Run_queue', 'MGP:u32'],
  ['Idle_pct', 'MaP:u32'],
  ['node', 'COS:str'],
  ['description', 'COS:str'],
  ['Stopping', 'MGP:u32'],
  ['Jobs', 'MGP:u32'],
  ['Unstoppable Jobs', 'MGP:u32'],
  ['Listeners', 'MGP:u32'],
  ['ActivePeers', 'MGP:u32'],
  ['ConnectedPeers', 'MGP:u32'],
  ['DroppedLogs', 'MGP:u32'],
  ['BusyPolling', 'MGP:u32'],
  ['FailedResolutions', 'MGP:u32'],
  ['TotalBytesOut', 'MGP:u64'],
  ['TotalSplicdedBytesOut', 'MGP:u64'],
  ['BytesOutRate', 'MRP:u64'],
  ['DebugCommandsIssued', 'MGP:u32'],
  ['CumRecvLogs', 'MCP:u32'],
  ['Build info', 'POS:str'],
  ['Memmax_bytes', 'CLP:u32'],
  ['PoolAlloc_bytes', 'MGP:u64'],
  ['PoolUsed_bytes', 'MGP:u64'],
  ['Start_time_sec', 'MDP:u32'],
  ['Tainted', 'SGP:str'],
];
