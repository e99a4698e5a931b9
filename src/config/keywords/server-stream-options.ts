/**
 * Server options about what happens to the streams a server is given, rather than how it is
 * reached (HAProxy 2.6's srv_kws in server.c): `redir PREFIX` answers GET and HEAD requests with
 * a 302 to PREFIX instead of forwarding them (HAProxy's http_perform_server_redirect,
 * src/stream/server-redirect.ts), `non-stick` / `stick` keep its streams out of stick tables
 * (SRV_F_NON_STICK, process_store_rules), and `log-proto legacy|octet-count`, which frames the
 * lines a ring's servers receive (keywords/ring.ts) and, as in HAProxy, does nothing on a
 * backend's server. All are allowed on `default-server`.
 */
import type { KeywordList, ServerOption } from '../registry.ts';

const options: ServerOption[] = [
  {
    name: 'redir',
    arity: 1,
    defaultServerAllowed: true,
    // HAProxy's message ends in ".\n", which its alert prints with a second dot.
    missing: "'redir' expects <prefix> as argument..",
    parse(ctx, server, value, option) {
      if (value === undefined || value.text === '') return ctx.error("'redir' expects <prefix> as argument..", value ?? option);
      server.redirectPrefix = value.text;
    },
  },
  {
    name: 'non-stick',
    arity: 0,
    defaultServerAllowed: true,
    parse(_ctx, server) {
      server.nonStick = true;
    },
  },
  {
    name: 'stick',
    arity: 0,
    defaultServerAllowed: true,
    parse(_ctx, server) {
      server.nonStick = false;
    },
  },
  {
    name: 'log-proto',
    arity: 1,
    defaultServerAllowed: true,
    missing: "'log-proto' expects one of 'legacy' or 'octet-count' but got ''.",
    parse(ctx, server, value, option) {
      const text = value?.text ?? '';
      if (text !== 'legacy' && text !== 'octet-count') {
        return ctx.error(`'${option.text}' expects one of 'legacy' or 'octet-count' but got '${text}'.`, value ?? option);
      }
      server.logProto = text;
    },
  },
];

export const serverStreamKeywords: KeywordList = { serverOptions: options };
