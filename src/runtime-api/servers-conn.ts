/**
 * `show servers conn [BACKEND]`: HAProxy 2.6's dump_servers_state with show_conn, a server's
 * connection figures. With several threads (`nbthread`) each thread keeps its own pool, so the
 * figures add up over the threads as `show stat`'s do (stat-merge.ts: used_max the highest of
 * theirs), and the last columns are each thread's idle connections, the main thread's first.
 */
import { withoutAddress } from '../dns/resolution-maint.ts';
import { NO_IDLE } from '../http/server-pool.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import { statIndex } from '../stats/stat-fields.ts';
import { StatRowType, type StatRow } from '../stats/stat-rows.ts';
import type { RuntimeTarget } from './target.ts';

/** One thread's figures of one server (curr_used_conns, max_used_conns, est_need_conns, curr_idle_nb, curr_safe_nb). */
interface ThreadConns {
  readonly used: number;
  readonly usedMax: number;
  readonly estNeed: number;
  readonly unsafe: number;
  readonly safe: number;
}

const NONE: ThreadConns = { used: 0, usedMax: 0, estNeed: 0, unsafe: 0, safe: 0 };

const USED = statIndex('used_conn_cur');
const UNSAFE = statIndex('idle_conn_cur');
const SAFE = statIndex('safe_conn_cur');
const NEED = statIndex('need_conn_est');

function numberAt(row: StatRow, index: number): number {
  const cell = row.cells[index];
  return typeof cell === 'number' ? cell : 0;
}

/** Another thread's figures, from its `show stat` server rows. */
function fromRows(rows: readonly StatRow[]): Map<string, ThreadConns> {
  const byServer = new Map<string, ThreadConns>();
  for (const row of rows) {
    if (row.type !== StatRowType.server) continue;
    byServer.set(`${row.proxyId}/${row.serverId}`, {
      used: numberAt(row, USED),
      usedMax: row.usedMax ?? 0,
      estNeed: numberAt(row, NEED),
      unsafe: numberAt(row, UNSAFE),
      safe: numberAt(row, SAFE),
    });
  }
  return byServer;
}

function own(target: RuntimeTarget, backend: Backend, server: Server): ThreadConns {
  const idle = target.idleConnections?.(backend, server) ?? NO_IDLE;
  return { used: server.usedConnections, usedMax: idle.maxUsed, estNeed: idle.estNeed, unsafe: idle.idle, safe: idle.safe };
}

/** The dump of `backends`' servers; `others` is every other thread's `show stat` rows. */
export function serversConnDump(target: RuntimeTarget, backends: readonly Backend[], others: readonly (readonly StatRow[])[]): string {
  const threads = Math.max(target.config.global.nbthread, 1 + others.length);
  const otherFigures = others.map(fromRows);
  let text = `# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr[${threads}]\n`;
  for (const b of backends) {
    const id = target.proxyId(b.name);
    for (const s of b.servers) {
      const key = `${id}/${s.id}`;
      // A thread that did not answer (stopping) counts as one without connections.
      const each = [own(target, b, s), ...otherFigures.map((m) => m.get(key) ?? NONE)];
      while (each.length < threads) each.push(NONE);
      let used = 0;
      let usedMax = 0;
      let estNeed = 0;
      let unsafe = 0;
      let safe = 0;
      let perThread = '';
      for (const t of each) {
        used += t.used;
        usedMax = Math.max(usedMax, t.usedMax);
        estNeed += t.estNeed;
        unsafe += t.unsafe;
        safe += t.safe;
        perThread += ` ${t.unsafe + t.safe}`;
      }
      // dump_server_addr: an address only for IPv4 and IPv6 servers.
      const addr = s.unix || withoutAddress(s) ? '-' : s.host;
      text += `${b.name}/${s.name} ${key} ${addr} ${s.port} - ${s.poolPurgeDelay} ${used} ${usedMax} ${estNeed} ${unsafe} ${safe} ${s.poolMaxConn} ${unsafe + safe}${perThread}\n`;
    }
  }
  return text;
}
