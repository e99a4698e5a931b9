/**
 * TLS of health checks on `server` / `default-server` lines (HAProxy's ssl srv_kws for checks):
 * `check-ssl` runs checks over TLS with the line's TLS settings (`verify`, `ca-file`, `crt`...)
 * even when the traffic is plain or the check goes to another `addr`/`port`; `no-check-ssl`
 * undoes an inherited one; `check-sni NAME` and `check-alpn LIST` are what the check's TLS
 * handshake offers (the traffic's `sni`/`alpn` are not used by checks, as in HAProxy).
 */
import type { KeywordList, ServerOption } from '../registry.ts';
import { alpnOption } from './server-ssl.ts';

const serverCheckTlsOptions: ServerOption[] = [
  {
    name: 'check-ssl',
    arity: 0,
    defaultServerAllowed: true,
    parse(_ctx, server) {
      server.checkSsl = true;
    },
  },
  {
    name: 'no-check-ssl',
    arity: 0,
    defaultServerAllowed: true,
    parse(_ctx, server) {
      server.checkSsl = false;
    },
  },
  {
    name: 'check-sni',
    arity: 1,
    defaultServerAllowed: true,
    parse(_ctx, server, value) {
      if (value !== undefined) server.checkSni = value.text;
    },
  },
  alpnOption('check-alpn', (server, protocols) => (server.checkAlpn = protocols)),
];

export const serverCheckTlsKeywords: KeywordList = { serverOptions: serverCheckTlsOptions };
