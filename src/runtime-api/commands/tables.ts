/** Stick tables (stick_table.c): `show table` lists them with HAProxy's header line. */
import { usage, type CliCommand } from '../command.ts';
import { dump, error } from '../output.ts';
import type { StickTable } from '../../stick/stick-table.ts';

function header(table: StickTable): string {
  return `# table: ${table.name}, type: ${table.type}, size:${table.size}, used:${table.entries}\n`;
}

export const tableCommands: readonly CliCommand[] = [
  {
    words: ['show', 'table'],
    usage: usage('show table <table> [<filter>]*', "report table usage stats or dump this table's contents (filter: data/key)"),
    level: 'user',
    run: (args, ctx) => {
      const name = args[2];
      if (name === undefined || name === '') {
        let text = '';
        for (const t of ctx.target.stickTables.values()) text += header(t);
        return dump(text);
      }
      const table = ctx.target.stickTables.get(name);
      if (table === undefined) return error('No such table\n');
      if (args.length > 3) return error("'show table' filters and entry dumps are not supported by Switchyard yet.\n");
      return dump(header(table));
    },
  },
];
