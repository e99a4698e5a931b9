/**
 * SOCKS4 towards servers (HAProxy's server.c and check.c srv_kws): `socks4 ADDR:PORT` sends
 * the server's connections through that SOCKS4 proxy (not allowed on `default-server`, as in
 * HAProxy), `check-via-socks4` sends its default-connect health checks through it too.
 */
import { parseAddress } from '../address.ts';
import type { KeywordList, ServerOption } from '../registry.ts';

const options: ServerOption[] = [
  {
    name: 'socks4',
    arity: 1,
    defaultServerAllowed: false,
    parse(ctx, server, value, option) {
      if (value === undefined) {
        ctx.error(`'${option.text}' expects <addr>:<port> as argument.`, option);
        return;
      }
      const parsed = parseAddress(value.text, false);
      if (!parsed.ok) {
        ctx.error(`'${option.text} ${value.text}' : ${parsed.message}`, value);
        return;
      }
      server.socks4 = { host: parsed.value.host, port: parsed.value.port };
    },
  },
  {
    name: 'check-via-socks4',
    arity: 0,
    defaultServerAllowed: true,
    parse(_ctx, server) {
      server.checkViaSocks4 = true;
    },
  },
];

export const serverSocks4Keywords: KeywordList = { serverOptions: options };
