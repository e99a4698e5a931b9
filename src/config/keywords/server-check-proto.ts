/**
 * `check-proto h1|h2` on `server` / `default-server` lines (HAProxy's check.c
 * srv_parse_check_proto): the mux HTTP health checks speak, h2 with prior knowledge. Without it
 * an HTTP check takes the server's own `proto` (init_srv_check). `fcgi` and the TCP mux `none`
 * are refused as not supported for checks yet.
 */
import type { KeywordList, ServerOption } from '../registry.ts';

const options: ServerOption[] = [
  {
    name: 'check-proto',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined || value.text === '') {
        ctx.error(`'${option.text}' : missing value`, option);
        return;
      }
      if (value.text === 'h1' || value.text === 'h2') server.checkProto = value.text;
      else if (value.text === 'fcgi' || value.text === 'none') ctx.error(`'${option.text} ${value.text}' is not supported by Switchyard yet.`, value);
      // HAProxy's text, its two spaces included.
      else ctx.error(`'${option.text}' :  unknown MUX protocol '${value.text}'`, value);
    },
  },
];

export const serverCheckProtoKeywords: KeywordList = { serverOptions: options };
