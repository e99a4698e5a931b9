/**
 * `id N` on `server` and `bind` lines: HAProxy's numeric ids of a server (puid: stats `sid`,
 * `srv_id`, stick tables' server_id, `show servers state`) and of a listener (luid: its stats
 * row with `option socket-stats`, `so_id`). The objects without one are numbered around them
 * (src/proxy/auto-ids.ts); two servers of a backend cannot share one (config/resolve.ts checks
 * them once every server is read, as a server-template's slots share their line's words).
 */
import type { BindOption, KeywordList, ServerOption } from '../registry.ts';
import { atol } from './args.ts';


const serverId: ServerOption = {
  name: 'id',
  arity: 1,
  defaultServerAllowed: false,
  parse(ctx, server, value) {
    if (value === undefined) return;
    if (value.text === '') return ctx.error("'id' : expects an integer argument.", value);
    const id = atol(value.text);
    if (id <= 0 || id > 2_147_483_647) return ctx.error("'id' : custom id has to be > 0.", value);
    server.id = id;
  },
};

const bindId: BindOption = {
  name: 'id',
  arity: 1,
  parse(ctx, bind, value, option) {
    if (value === undefined) return;
    const where = `'bind ${bind.address}'`;
    if (bind.address.includes(',')) return ctx.error(`${where} : 'id' can only be used with a single socket`, option);
    if (value.text === '') return ctx.error(`${where} : 'id' : expects an integer argument`, value);
    // strtol() with nothing left after the number.
    if (!/^[ \t]*[+-]?\d+$/.test(value.text)) return ctx.error(`${where} : 'id' : expects an integer argument, found '${value.text}'`, value);
    const id = Number(value.text);
    if (id <= 0 || id > 2_147_483_647) return ctx.error(`${where} : 'id' : custom id has to be > 0`, value);
    const other = ctx.proxy?.binds.find((b) => b.id === id);
    if (other !== undefined) {
      return ctx.error(`${where} : 'id' : custom id ${id} already used at ${other.place.file}:${other.place.line} ('bind ${other.address}')`, value);
    }
    bind.id = id;
  },
};

export const objectIdKeywords: KeywordList = { serverOptions: [serverId], bindOptions: [bindId] };
