/**
 * The PROXY protocol towards servers (HAProxy's srv_kws and ssl_sock's): `send-proxy`,
 * `send-proxy-v2`, `send-proxy-v2-ssl`, `send-proxy-v2-ssl-cn`, `no-send-proxy`,
 * `no-send-proxy-v2`, `proxy-v2-options LIST` and `check-send-proxy`. The settings are one
 * bit set (SendProxyBits) so that a default-server's settings copy as they are.
 */
import type { KeywordList, ServerOption } from '../registry.ts';

/** HAProxy's SRV_PP_* bits. */
export const SendProxyBits = {
  v1: 1,
  v2: 2,
  ssl: 4,
  sslCn: 8,
  sslCipher: 16,
  authority: 32,
  crc32c: 64,
  uniqueId: 128,
  certKey: 256,
  certSig: 512,
} as const;

const V2_OPTIONS: Readonly<Record<string, number>> = {
  ssl: SendProxyBits.ssl,
  'cert-cn': SendProxyBits.ssl | SendProxyBits.sslCn,
  'cert-key': SendProxyBits.ssl | SendProxyBits.certKey,
  'cert-sig': SendProxyBits.ssl | SendProxyBits.certSig,
  'ssl-cipher': SendProxyBits.ssl | SendProxyBits.sslCipher,
  authority: SendProxyBits.authority,
  crc32c: SendProxyBits.crc32c,
  'unique-id': SendProxyBits.uniqueId,
};

function bits(name: string, set: number, clear = 0): ServerOption {
  return {
    name,
    arity: 0,
    defaultServerAllowed: true,
    parse(_ctx, server) {
      server.sendProxy = (server.sendProxy & ~clear) | set;
    },
  };
}

const options: ServerOption[] = [
  bits('send-proxy', SendProxyBits.v1),
  bits('send-proxy-v2', SendProxyBits.v2),
  bits('send-proxy-v2-ssl', SendProxyBits.v2 | SendProxyBits.ssl),
  bits('send-proxy-v2-ssl-cn', SendProxyBits.v2 | SendProxyBits.ssl | SendProxyBits.sslCn),
  bits('no-send-proxy', 0, SendProxyBits.v1),
  bits('no-send-proxy-v2', 0, SendProxyBits.v2),
  {
    name: 'proxy-v2-options',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value) {
      if (value === undefined) return;
      let set = 0;
      for (const word of value.text.split(',')) {
        const bit = V2_OPTIONS[word];
        if (bit === undefined) {
          ctx.error(`'${word}' : proxy v2 option not implemented`, value);
          return;
        }
        set |= bit;
      }
      server.sendProxy |= set;
    },
  },
  {
    name: 'check-send-proxy',
    arity: 0,
    defaultServerAllowed: true,
    parse(_ctx, server) {
      server.checkSendProxy = true;
    },
  },
];

export const serverProxyProtocolKeywords: KeywordList = { serverOptions: options };
