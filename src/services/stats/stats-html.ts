/**
 * The HTML stats page (HAProxy 2.6's stats_dump_html_*): the process block with the legend,
 * then one table per proxy (FRONTEND, its listeners under `option socket-stats`, servers
 * coloured by state, BACKEND) with HAProxy's
 * column groups. Every figure comes from the stat rows (src/stats/stat-rows.ts) that `show
 * stat` and `;csv` print, so the three never disagree. With admin rights each backend gets
 * HAProxy's checkboxes and action form, posted back to the page (stats-admin.ts).
 */
import { statIndex, type StatField } from '../../stats/stat-fields.ts';
import { StatRowType, type StatRow } from '../../stats/stat-rows.ts';
import { STATS_CSS } from './stats-css.ts';
import { threadCount } from '../../threads/thread-identity.ts';

export interface HtmlPageInfo {
  readonly product: string;
  readonly version: string | undefined;
  readonly pid: number;
  readonly node: string | undefined;
  readonly desc: string | undefined;
  readonly uptimeSeconds: number;
  readonly maxconn: number;
  readonly currentConns: number;
  /** clock_report_idle (show info's Idle_pct); undefined where the runtime does not measure it. */
  readonly idlePct: number | undefined;
  readonly refresh: number;
  readonly noRefresh: boolean;
  readonly hideDown: boolean;
  readonly uri: string;
  readonly scope: string;
  readonly admin: boolean;
  readonly showLegends: boolean;
  /** `;st=XXXX` of an admin POST's redirect. */
  readonly status: string | undefined;
  /** Proxy descriptions (`description`), by proxy name. */
  readonly descriptions: ReadonlyMap<string, string>;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function cell(r: StatRow, name: StatField): number | string | undefined {
  return r.cells[statIndex(name)];
}

function num(r: StatRow, name: StatField): string {
  const v = cell(r, name);
  return v === undefined ? '' : typeof v === 'number' ? groupDigits(v) : esc(v);
}

/** HAProxy's U2H: digits grouped by three with the `rls` spacing. */
function groupDigits(n: number): string {
  const s = String(n);
  if (s.length <= 3) return s;
  let out = '';
  const head = s.length % 3;
  if (head > 0) out += `<span class="rls">${s.slice(0, head)}</span>`;
  for (let i = head; i < s.length - 3; i += 3) out += `<span class="rls">${s.slice(i, i + 3)}</span>`;
  return out + s.slice(s.length - 3);
}

/** HAProxy's human_time (downtime, last change). */
function humanTime(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d${Math.floor((seconds % 86400) / 3600)}h`;
}

/** The server row's class (HAProxy's srv_hlt_st / backup prefix). */
export function serverClass(r: StatRow): string {
  const status = String(cell(r, 'status') ?? '');
  const backup = cell(r, 'bck') === 1 ? 'backup' : 'active';
  if (status === 'MAINT' || status.startsWith('MAINT')) return 'maintain';
  if (status === 'DRAIN') return `${backup}_draining`;
  if (status === 'NOLB') return `${backup}_nolb`;
  if (status === 'no check') return `${backup}_no_check`;
  if (status.startsWith('UP ') || status.startsWith('NOLB ')) return `${backup}_going_down`;
  if (status.startsWith('DOWN ')) return `${backup}_going_up`;
  if (status === 'UP') return `${backup}_up`;
  return `${backup}_down`;
}

const HEADER =
  '<tr class="titre"><th rowspan=2></th><th colspan=3>Queue</th><th colspan=3>Session rate</th><th colspan=6>Sessions</th>' +
  '<th colspan=2>Bytes</th><th colspan=2>Denied</th><th colspan=3>Errors</th><th colspan=2>Warnings</th><th colspan=9>Server</th></tr>\n' +
  '<tr class="titre"><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th>' +
  '<th>Limit</th><th>Total</th><th>LbTot</th><th>Last</th><th>In</th><th>Out</th><th>Req</th><th>Resp</th><th>Req</th>' +
  '<th>Conn</th><th>Resp</th><th>Retr</th><th>Redis</th><th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th>' +
  '<th>Chk</th><th>Dwn</th><th>Dwntme</th><th>Thrtle</th></tr>\n';

function td(content: string, cls?: string): string {
  return cls === undefined ? `<td>${content}</td>` : `<td class=${cls}>${content}</td>`;
}

function commonCells(r: StatRow): string {
  return (
    td(num(r, 'qcur')) + td(num(r, 'qmax')) + td(num(r, 'qlimit')) +
    td(num(r, 'rate')) + td(num(r, 'rate_max')) + td(num(r, 'rate_lim')) +
    td(num(r, 'scur')) + td(num(r, 'smax')) + td(num(r, 'slim')) + td(num(r, 'stot')) + td(num(r, 'lbtot')) +
    td(r.type === StatRowType.frontend ? '' : lastSession(r)) +
    td(num(r, 'bin')) + td(num(r, 'bout')) + td(num(r, 'dreq')) + td(num(r, 'dresp')) +
    td(num(r, 'ereq')) + td(num(r, 'econ')) + td(num(r, 'eresp')) + td(num(r, 'wretr')) + td(num(r, 'wredis'))
  );
}

function lastSession(r: StatRow): string {
  const v = cell(r, 'lastsess');
  return typeof v === 'number' && v >= 0 ? humanTime(v) : '';
}

function frontendRow(r: StatRow): string {
  return `<tr class="frontend">${td('Frontend', 'ac')}${commonCells(r)}${td(num(r, 'status'), 'ac')}<td class=ac colspan=8></td></tr>\n`;
}

/** `stats show-legends`: a server's address, id and cookie, as HAProxy's tooltip. */
function serverLegend(r: StatRow): string {
  const addr = String(cell(r, 'addr') ?? '');
  const kind = /^\d/.test(addr) ? 'IPv4: ' : addr.startsWith('[') ? 'IPv6: ' : '';
  const cookie = cell(r, 'cookie');
  return `${addr !== '' ? `${kind}${esc(addr)}, ` : ''}id: ${cell(r, 'sid') ?? 0}${cookie !== undefined ? `, cookie: '${htmlEncode(String(cookie))}'` : ''}`;
}

/** HAProxy's chunk_htmlencode: numeric references for what is not printable ASCII and for & " ' < >. */
function htmlEncode(text: string): string {
  let out = '';
  // Byte by byte, as HAProxy (a UTF-8 character is one reference per byte).
  for (const c of new TextEncoder().encode(text)) {
    out += c < 0x20 || c > 0x7e || c === 0x26 || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e ? `&#${c};` : String.fromCharCode(c);
  }
  return out;
}

function serverRowHtml(r: StatRow, admin: boolean, legends: boolean): string {
  const name = String(cell(r, 'svname'));
  const status = String(cell(r, 'status') ?? '');
  const lastchg = cell(r, 'lastchg');
  const since = typeof lastchg === 'number' ? `${humanTime(lastchg)} ` : '';
  const checkStatus = cell(r, 'check_status');
  const checkDuration = cell(r, 'check_duration');
  const lastChk = checkStatus === undefined ? '' : `${esc(String(checkStatus))}${checkDuration !== undefined ? ` in ${checkDuration}ms` : ''}`;
  const legend = legends ? `<div class=tips>${serverLegend(r)}</div>` : '';
  const box = admin ? `<td><input class=${esc(String(cell(r, 'pxname')))}-checkbox type="checkbox" name="s" value="${esc(name)}"></td>` : '';
  const downtime = cell(r, 'downtime');
  return (
    `<tr class="${serverClass(r)}">${box}<td class=ac><a name="${esc(String(cell(r, 'pxname')))}/${esc(name)}"></a>` +
    `${legends ? '<u>' : ''}<a class=lfsb href="#${esc(String(cell(r, 'pxname')))}/${esc(name)}">${esc(name)}</a>${legend}${legends ? '</u>' : ''}</td>` +
    commonCells(r) +
    td(`${since}${esc(status)}`, 'ac') + td(lastChk, 'ac') +
    td(`${num(r, 'weight')}/${num(r, 'uweight')}`, 'ac') +
    td(cell(r, 'act') === 1 ? 'Y' : '-', 'ac') + td(cell(r, 'bck') === 1 ? 'Y' : '-', 'ac') +
    td(num(r, 'chkfail')) + td(num(r, 'chkdown')) + td(typeof downtime === 'number' ? humanTime(downtime) : '') +
    td(num(r, 'throttle'), 'ac') + '</tr>\n'
  );
}

/** A listener's row (`option socket-stats`): its sessions, bytes, denials and request errors, its status (HAProxy's STATS_TYPE_SO row). */
function listenerRowHtml(r: StatRow, admin: boolean, legends: boolean): string {
  const px = esc(String(cell(r, 'pxname')));
  const name = esc(String(cell(r, 'svname')));
  const legend = legends ? `<div class=tips>${serverLegend(r)}</div>` : '';
  return (
    `<tr class=socket>${admin ? '<td></td>' : ''}<td class=ac><a name="${px}/+${name}"></a>${legends ? '<u>' : ''}` +
    `<a class=lfsb href="#${px}/+${name}">${name}</a>${legend}${legends ? '</u>' : ''}</td><td colspan=3></td><td colspan=3>&nbsp;</td>` +
    td(num(r, 'scur')) + td(num(r, 'smax')) + td(num(r, 'slim')) + td(num(r, 'stot')) + td('&nbsp;') + td('&nbsp;') +
    td(num(r, 'bin')) + td(num(r, 'bout')) + td(num(r, 'dreq')) + td(num(r, 'dresp')) + td(num(r, 'ereq')) +
    '<td></td><td></td><td></td><td></td>' + td(num(r, 'status'), 'ac') + '<td class=ac colspan=8></td></tr>\n'
  );
}

function backendRow(r: StatRow, admin: boolean): string {
  const lastchg = cell(r, 'lastchg');
  const since = typeof lastchg === 'number' ? `${humanTime(lastchg)} ` : '';
  return (
    `<tr class="backend">${admin ? '<td></td>' : ''}${td('Backend', 'ac')}${commonCells(r)}` +
    td(`${since}${num(r, 'status')}`, 'ac') + td('', 'ac') + td(`${num(r, 'weight')}/${num(r, 'uweight')}`, 'ac') +
    td(num(r, 'act'), 'ac') + td(num(r, 'bck'), 'ac') + td('', 'ac') + td(num(r, 'chkdown')) +
    td(typeof cell(r, 'downtime') === 'number' ? humanTime(cell(r, 'downtime') as number) : '') + td('', 'ac') + '</tr>\n'
  );
}

/** HAProxy's admin form under a backend's table (stats_dump_html_px_end). */
function adminForm(proxy: string, iid: number): string {
  return (
    'Choose the action to perform on the checked servers : <select name=action>' +
    '<option value="">Choose an action</option>' +
    '<option value="ready">Set state to READY</option>' +
    '<option value="drain">Set state to DRAIN</option>' +
    '<option value="maint">Set state to MAINT</option>' +
    '<option value="shutdown">Kill Sessions</option>' +
    `</select><input type="hidden" name="b" value="#${iid}">` +
    `&nbsp;<input type="submit" value="Apply"></form>\n` +
    `<!-- ${esc(proxy)} -->\n`
  );
}

/** The status message after an admin POST (HAProxy's stats_dump_html_info, `;st=`). */
const STATUS_TEXT: Readonly<Record<string, [string, string]>> = {
  DONE: ['#e0ffe0', 'Action processed successfully.'],
  NONE: ['#ffe0e0', 'Nothing has changed.'],
  PART: ['#ffe0e0', 'Action partially processed.<br>Some server names are probably unknown or ambiguous (duplicated names in the backend).'],
  ERRP: ['#ffe0e0', 'Action not processed because of invalid parameters.<ul><li>The action is maybe unknown.</li><li>Invalid key parameter (empty or too long).</li><li>The backend name is probably unknown or ambiguous (duplicated names).</li><li>Some server names are probably unknown or ambiguous (duplicated names in the backend).</li></ul>'],
  EXCD: ['#ffe0e0', '<b>Action not processed : the buffer couldn\'t store all the data.<br>You should retry with less servers at a time.</b>'],
  DENY: ['#ffe0e0', '<b>Action denied.</b>'],
  IVAL: ['#ffe0e0', '<b>Invalid requests (unsupported method or chunked encoded request).</b>'],
};

function statusBlock(info: HtmlPageInfo): string {
  if (info.status === undefined) return '';
  const known = STATUS_TEXT[info.status] ?? ['#ffe0e0', `Unexpected result.`];
  return `<p><div class=active_up style="background: ${known[0]}"><a class=lfsb href="${esc(info.uri)}" title="Remove this message">[X]</a> ${known[1]}</div>\n`;
}

function displayOptions(info: HtmlPageInfo): string {
  const base = esc(info.uri);
  const suffix = (up: boolean, norefresh: boolean) => `${up ? ';up' : ''}${norefresh ? ';norefresh' : ''}`;
  let out = '<b>Display option:</b><ul style="margin-top: 0.25em;">';
  out += `<li><form method="GET">Scope : <input value="${esc(info.scope)}" type="text" name="scope" size="8" maxlength="20" tabindex="1"/></form>\n`;
  out += info.hideDown
    ? `<li><a href="${base}${suffix(false, info.noRefresh)}">Show all servers</a><br>\n`
    : `<li><a href="${base}${suffix(true, info.noRefresh)}">Hide 'DOWN' servers</a><br>\n`;
  if (info.refresh > 0) {
    out += info.noRefresh
      ? `<li><a href="${base}${suffix(info.hideDown, false)}">Enable refresh</a><br>\n`
      : `<li><a href="${base}${suffix(info.hideDown, true)}">Disable refresh</a><br>\n`;
  }
  out += `<li><a href="${base}${suffix(info.hideDown, info.noRefresh)}">Refresh now</a><br>\n`;
  out += `<li><a href="${base};csv${info.refresh > 0 ? ';norefresh' : ''}">CSV export</a><br>\n`;
  out += `<li><a href="${base};json${info.refresh > 0 ? ';norefresh' : ''}">JSON export</a> (<a href="${base};json-schema">schema</a>)<br>\n`;
  out += '</ul></td><td align="left" valign="top" nowrap width="1%"><b>External resources:</b><ul style="margin-top: 0.25em;">\n';
  out += '<li><a href="https://www.haproxy.org/" target="_blank">Primary site</a><br>\n';
  out += '<li><a href="https://www.haproxy.org/download/2.6/doc/configuration.txt" target="_blank">Documentation</a><br>\n';
  out += '</ul></td></tr></table>\n';
  return out;
}

const LEGEND =
  '<table class="lgd"><tr>\n' +
  '<td class="active_up">&nbsp;</td><td class="noborder">active UP </td><td class="backup_up">&nbsp;</td><td class="noborder">backup UP </td></tr><tr>\n' +
  '<td class="active_going_down"></td><td class="noborder">active UP, going down </td><td class="backup_going_down"></td><td class="noborder">backup UP, going down </td></tr><tr>\n' +
  '<td class="active_going_up"></td><td class="noborder">active DOWN, going up </td><td class="backup_going_up"></td><td class="noborder">backup DOWN, going up </td></tr><tr>\n' +
  '<td class="active_down"></td><td class="noborder">active or backup DOWN &nbsp;</td><td class="active_no_check"></td><td class="noborder">not checked </td></tr><tr>\n' +
  '<td class="maintain"></td><td class="noborder" colspan="3">active or backup DOWN for maintenance (MAINT) &nbsp;</td></tr><tr>\n' +
  '<td class="active_draining"></td><td class="noborder" colspan="3">active or backup SOFT STOPPED for maintenance &nbsp;</td></tr></table>\n' +
  'Note: "NOLB"/"DRAIN" = UP with load-balancing disabled.';

function processBlock(info: HtmlPageInfo): string {
  const up = info.uptimeSeconds;
  const title = `Statistics Report for pid ${info.pid}${info.node !== undefined ? ` on ${esc(info.node)}` : ''}${info.desc !== undefined ? `: ${esc(info.desc)}` : ''}`;
  return (
    `<body><h1><a href="https://www.haproxy.org/" style="text-decoration: none;">${esc(info.product)}${info.version === undefined ? '' : ` version ${esc(info.version)}`}</a></h1>\n` +
    `<h2>${title}</h2>\n<hr width="100%" class="hr">\n<h3>&gt; General process information</h3>\n` +
    '<table border=0><tr><td align="left" nowrap width="1%">\n' +
    `<p><b>pid = </b> ${info.pid} (process #1, nbproc = 1, nbthread = ${threadCount()})<br>\n` +
    `<b>uptime = </b> ${Math.floor(up / 86400)}d ${Math.floor((up % 86400) / 3600)}h${String(Math.floor((up % 3600) / 60)).padStart(2, '0')}m${String(up % 60).padStart(2, '0')}s<br>\n` +
    `<b>maxconn = </b> ${info.maxconn}<br>\ncurrent conns = ${info.currentConns}<br>\n` +
    // HAProxy's line is "Running tasks: R/T; idle = N %": Switchyard has no task scheduler, so no
    // run queue or task count (show info's Run_queue and Tasks are empty), and keeps the idle
    // share only, as it keeps only the figures it has on the lines above; no line when unmeasured.
    (info.idlePct === undefined ? '' : `idle = ${info.idlePct} %<br>\n`) +
    '</td><td align="center" nowrap>\n' + LEGEND + '</td><td align="left" valign="top" nowrap width="1%">' +
    displayOptions(info) + statusBlock(info)
  );
}

/** The whole page: rows grouped by proxy, in the order statRows gives them. */
export function renderStatsHtml(info: HtmlPageInfo, rows: readonly StatRow[]): string {
  const head =
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"\n"http://www.w3.org/TR/html4/loose.dtd">\n' +
    `<html><head><title>Statistics Report for ${esc(info.product)}${info.node !== undefined ? ` on ${esc(info.node)}` : ''}</title>\n` +
    '<link rel="icon" href="data:,">\n<meta http-equiv="content-type" content="text/html; charset=iso-8859-1">\n' +
    `<style type="text/css"><!--\n${STATS_CSS}--></style></head>\n`;
  let body = processBlock(info);
  let i = 0;
  while (i < rows.length) {
    const proxyId = (rows[i] as StatRow).proxyId;
    const name = String(cell(rows[i] as StatRow, 'pxname'));
    let j = i;
    while (j < rows.length && (rows[j] as StatRow).proxyId === proxyId) j++;
    const group = rows.slice(i, j);
    // HAProxy's admin form is for backends with servers.
    const hasServers = group.some((r) => r.type === StatRowType.server);
    const admin = info.admin && hasServers;
    const desc = info.descriptions.get(name);
    if (admin) body += `<form method="post">`;
    body +=
      `<table class="tbl" width="100%">\n<tr class="titre"><th class="pxname" width="10%">${admin ? '<input type="checkbox" onclick="for(c in document.getElementsByClassName(\'' + esc(name) + '-checkbox\')) document.getElementsByClassName(\'' + esc(name) + '-checkbox\').item(c).checked = this.checked"></th><th class="pxname">' : ''}` +
      `<a name="${esc(name)}"></a><a class=px href="#${esc(name)}">${esc(name)}</a></th>` +
      `<th class="${desc !== undefined ? 'desc' : 'empty'}" width="90%">${desc !== undefined ? esc(desc) : ''}</th></tr>\n</table>\n` +
      `<table class="tbl" width="100%">\n${admin ? HEADER.replace('<th rowspan=2></th>', '<th rowspan=2></th><th rowspan=2></th>') : HEADER}`;
    for (const r of group) {
      if (r.type === StatRowType.frontend) body += admin ? frontendRow(r).replace('<tr class="frontend">', '<tr class="frontend"><td></td>') : frontendRow(r);
      else if (r.type === StatRowType.listener) body += listenerRowHtml(r, admin, info.showLegends);
      else if (r.type === StatRowType.server) body += serverRowHtml(r, admin, info.showLegends);
      else body += backendRow(r, admin);
    }
    body += '</table>';
    if (admin) body += adminForm(name, proxyId);
    body += '<p>\n';
    i = j;
  }
  return `${head}${body}</body></html>\n`;
}
