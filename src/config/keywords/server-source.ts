/**
 * `source ADDR[:PORT[-PORT]]` on `server` / `default-server` lines (HAProxy's srv_parse_source):
 * the local address, and port or port range, of the server's connections and health checks.
 * `usesrc` and `interface`, which may follow it in HAProxy, are refused with the reason.
 */
import type { KeywordList, ServerOption } from '../registry.ts';
import { parseSourceAddress, sourceOptionRefusal } from '../source-address.ts';

const options: ServerOption[] = [
  {
    name: 'source',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) {
        ctx.error(`'${option.text}' expects <addr>[:<port>[-<port>]], and optionally 'usesrc' <addr>, and 'interface' <name> as argument.`, option);
        return;
      }
      const parsed = parseSourceAddress(value.text, true);
      if (!parsed.ok) {
        ctx.error(`'${option.text} ${value.text}' : ${parsed.message}.`, value);
        return;
      }
      server.connectSource = parsed.value;
    },
  },
  ...(['usesrc', 'interface'] as const).map(
    (name): ServerOption => ({
      name,
      arity: 1,
      defaultServerAllowed: true,
      parse(ctx, _server, _value, option) {
        ctx.error(`${sourceOptionRefusal(name)}.`, option);
      },
    }),
  ),
];

export const serverSourceKeywords: KeywordList = { serverOptions: options };
