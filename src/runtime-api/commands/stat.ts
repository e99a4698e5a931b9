/** `show stat [{<iid>|<proxy>} <type> <sid>] [typed|json|...]`: HAProxy 2.6's CSV. */
import { STAT_CSV_HEADER } from '../../stats/stat-fields.ts';
import { statContextOf, statCsvLine, statRows, type StatRow } from '../../stats/stat-rows.ts';
import { statJson, statTyped } from '../../stats/stat-render.ts';
import { mergeThreadRows } from '../../stats/stat-merge.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, type CliAnswer } from '../output.ts';

/** HAProxy's `type` mask bits: 1 frontends, 2 backends, 4 servers, 8 listeners; -1 all. */
function selected(row: StatRow, iid: number, typeMask: number, sid: number): boolean {
  if (iid !== -1 && row.proxyId !== iid) return false;
  if ((typeMask & (1 << row.type)) === 0) return false;
  // The server id selects servers and listeners (their luid); FRONTEND and BACKEND rows stay.
  return sid === -1 || (row.type !== 2 && row.type !== 3) || row.serverId === sid;
}

function showStat(args: readonly string[], ctx: CommandContext): CliAnswer | Promise<CliAnswer> {
  let iid = -1;
  let typeMask = -1;
  let sid = -1;
  let rest = args.slice(2);
  const first = rest[0];
  if (first !== undefined && first !== '' && !['typed', 'json', 'desc', 'up', 'no-maint'].includes(first)) {
    if (rest.length < 3) return error('\"show stat\" only supports \"desc\", \"no-maint\", \"up\", \"typed\", \"json\" and 3 numbers as arguments.\n');
    const id = Number(first);
    if (Number.isInteger(id)) iid = id;
    else {
      iid = ctx.target.proxyId(first);
      if (iid === 0) return error('No such proxy.\n');
    }
    typeMask = Number(rest[1]);
    sid = Number(rest[2]);
    if (!Number.isInteger(typeMask) || !Number.isInteger(sid)) return error('Invalid stat type or server id.\n');
    rest = rest.slice(3);
  }
  let up = false;
  let noMaint = false;
  let format: 'csv' | 'typed' | 'json' = 'csv';
  for (const word of rest) {
    if (word === 'up') up = true;
    else if (word === 'no-maint') noMaint = true;
    else if (word === 'typed' || word === 'json') format = word;
    else if (word === 'desc') return error("'show stat desc' is not supported by Switchyard yet.\n");
  }
  const render = (others: readonly StatRow[][]): CliAnswer => {
    const all = statRows(ctx.target.proxies, statContextOf(ctx.target));
    mergeThreadRows(all, others);
    const rows = all.filter((row) => {
      if (!selected(row, iid, typeMask, sid)) return false;
      if (row.type !== 2) return true;
      const status = row.cells[17];
      if (noMaint && status === 'MAINT') return false;
      return !(up && typeof status === 'string' && !status.startsWith('UP') && status !== 'no check');
    });
    return renderRows(rows, format);
  };
  // With several threads, their figures add up (stat-merge.ts).
  const threads = ctx.target.otherThreads;
  return threads === undefined ? render([]) : threads.statRows().then(render);
}

function renderRows(rows: readonly StatRow[], format: 'csv' | 'typed' | 'json'): CliAnswer {
  if (format === 'typed') return dump(statTyped(rows));
  if (format === 'json') return dump(statJson(rows));
  let text = STAT_CSV_HEADER;
  for (const row of rows) text += statCsvLine(row);
  return dump(text);
}

export const statCommands: readonly CliCommand[] = [
  { words: ['show', 'stat'], usage: usage('show stat [desc|json|no-maint|typed|up]*', 'report counters for each proxy and server'), level: 'user', run: showStat },
];
