/**
 * `server NAME ADDR:PORT [options]` and `default-server [options]`, with their options
 * (HAProxy's srv_kw_list): `weight N` (0..256), `maxconn N`, `disabled`/`enabled`,
 * `backup`/`no-backup`, `maxqueue N`, `slowstart T`, `cookie VALUE` (not on default-server, as
 * in HAProxy), `on-marked-down shutdown-sessions`, `on-marked-up shutdown-backup-sessions`.
 * The TLS options live in server-ssl.ts, the health-check ones in server-check.ts, `init-addr`
 * in server-init-addr.ts.
 */

import { parseAddress } from '../address.ts';
import { expandAddressEnv } from '../env-expand.ts';
import type { ServerDraft, ServerSettings } from '../draft.ts';
import type { KeywordContext, KeywordList, SectionKeyword, ServerOption } from '../registry.ts';
import type { Token } from '../tokenizer.ts';
import { parseInteger, parseTime } from './args.ts';
import { invalidNameCharacter } from './names.ts';
import { isSrvName } from '../../dns/srv-name.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function flag(name: string, apply: (s: ServerSettings) => void): ServerOption {
  return { name, arity: 0, defaultServerAllowed: true, parse: (_ctx, server) => apply(server) };
}

const serverOptions: ServerOption[] = [
  {
    // Checked once every server exists (config/server-tracking.ts), as HAProxy's srv_apply_track.
    name: 'track',
    arity: 1,
    defaultServerAllowed: true,
    parse(_ctx, server, value) {
      if (value !== undefined) server.track = value.text;
    },
  },
  {
    name: 'weight',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      const weight = parseInteger(ctx, value, { min: 0, max: 256 }, `'${option.text}'`);
      if (weight !== undefined) server.weight = weight;
    },
  },
  {
    name: 'maxconn',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      const maxconn = parseInteger(ctx, value, { min: 0, max: 2_147_483_647 }, `'${option.text}'`);
      if (maxconn !== undefined) server.maxconn = maxconn;
    },
  },
  flag('disabled', (s) => {
    s.disabled = true;
  }),
  flag('enabled', (s) => {
    s.disabled = false;
  }),
  flag('backup', (s) => {
    s.backup = true;
  }),
  flag('no-backup', (s) => {
    s.backup = false;
  }),
  {
    name: 'maxqueue',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      const maxqueue = parseInteger(ctx, value, { min: 0, max: 2_147_483_647 }, `'${option.text}'`);
      if (maxqueue !== undefined) server.maxqueue = maxqueue;
    },
  },
  {
    name: 'slowstart',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      const ms = parseTime(ctx, value, `'${option.text}'`);
      if (ms !== undefined) server.slowstart = ms;
    },
  },
  {
    name: 'cookie',
    arity: 1,
    // HAProxy: a cookie value names one server, so default-server cannot set it.
    defaultServerAllowed: false,
    parse(_ctx, server, value) {
      if (value !== undefined) server.cookie = value.text;
    },
  },
  {
    name: 'on-marked-down',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      if (value.text === 'shutdown-sessions') server.onMarkedDown = 'shutdown-sessions';
      else ctx.error(`'${option.text}' expects 'shutdown-sessions' but got '${value.text}'.`, value);
    },
  },
  {
    name: 'on-marked-up',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value, option) {
      if (value === undefined) return;
      if (value.text === 'shutdown-backup-sessions') server.onMarkedUp = 'shutdown-backup-sessions';
      else ctx.error(`'${option.text}' expects 'shutdown-backup-sessions' but got '${value.text}'.`, value);
    },
  },
  {
    // HAProxy's mux names for a server: `h2` speaks HTTP/2 with prior knowledge (h2c on a clear
    // connection), `h1` HTTP/1 even when ALPN negotiated h2 (src/mux/h2-select.ts).
    name: 'proto',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value) {
      if (value === undefined) return;
      if (value.text === 'h2' || value.text === 'h1' || value.text === 'fcgi') server.proto = value.text;
      else ctx.error(`'proto' : unknown MUX protocol '${value.text}' (Switchyard speaks 'h1', 'h2' and 'fcgi' to servers).`, value);
    },
  },
  {
    // The protocol of WebSocket streams to the server (src/mux/websocket-protocol.ts).
    name: 'ws',
    arity: 1,
    defaultServerAllowed: true,
    parse(ctx, server, value) {
      if (value === undefined) return;
      if (value.text === 'auto' || value.text === 'h1' || value.text === 'h2') server.ws = value.text;
      else ctx.error(`'ws' expects 'auto', 'h1' or 'h2' but got '${value.text}'.`, value);
    },
  },
];

/** Applies the options from `args[start]` on, reporting any problem (the caller compares error counts). */
function parseServerOptions(
  ctx: KeywordContext,
  args: readonly Token[],
  start: number,
  settings: ServerSettings,
  isDefaultServer: boolean,
): void {
  const keyword = args[0]?.text ?? 'server';
  let i = start;
  while (i < args.length) {
    const optionToken = args[i] as Token;
    const option = ctx.registry.serverOption(optionToken.text);
    if (option === undefined) {
      const name = optionToken.text;
      if (ctx.registry.isUnsupportedServerOption(name)) {
        ctx.error(`'${keyword}' : '${name}' is not supported by Switchyard yet.`, optionToken);
      } else {
        const suggestion = ctx.registry.suggestServerOption(name);
        ctx.error(
          `'${keyword}' : unknown keyword '${name}'${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`,
          optionToken,
        );
      }
      return;
    }
    if (isDefaultServer && !option.defaultServerAllowed) {
      ctx.error(`'${option.name}' option is not accepted in default-server sections.`, optionToken);
    }
    const value = option.arity === 1 ? args[i + 1] : undefined;
    if (option.arity === 1 && value === undefined) {
      ctx.error(option.missing ?? `'${keyword}' : '${option.name}' expects an argument.`, optionToken);
      return;
    }
    option.parse(ctx, settings, value, optionToken);
    i += 1 + option.arity;
  }
}

function parseServer(ctx: KeywordContext, args: readonly Token[]): void {
  const proxy = ctx.proxy;
  const nameToken = args[1];
  const addressToken = args[2];
  if (nameToken === undefined || addressToken === undefined) {
    ctx.error("'server' expects <name> and <addr>[:<port>] as arguments.");
    return;
  }
  const bad = invalidNameCharacter(nameToken.text);
  if (bad !== undefined) {
    ctx.error(`character '${bad}' is not permitted in server name '${nameToken.text}'.`, nameToken);
    return;
  }
  const errorsBefore = ctx.errorCount;
  // str2sa_range expands environment variables itself, and takes an empty or `*` host as the any address.
  const address = parseAddress(expandAddressEnv(addressToken.text, (name) => ctx.getEnv(name)), true, { mapPorts: true, unix: true });
  if (!address.ok) {
    ctx.error(`'server ${nameToken.text}' : ${address.message}.`, addressToken);
  }
  if (proxy === undefined) return;
  // `sslPlace` names the `ssl` word of this line only; an inherited `ssl` is reported at the line.
  const settings: ServerSettings = { ...proxy.defaultServer, sslPlace: undefined };
  parseServerOptions(ctx, args, 3, settings, false);
  if (!address.ok || ctx.errorCount !== errorsBefore) return;
  // The settings object becomes the server (one copy of the default-server's fields per line,
  // not two), its optional fields assigned rather than spread (a 1,000-server reload parses each).
  const { host, port, mapPorts, unix, family } = address.value;
  const server: Mutable<ServerDraft> = Object.assign(settings, { name: nameToken.text, host, port, place: ctx.place(args[0]) });
  // An SRV name (`_service._proto.name`) takes its ports from the answer (HAProxy clears SRV_F_MAPPORTS).
  if (mapPorts === true && !isSrvName(host)) server.mapPorts = true;
  if (unix === true) server.unix = true;
  if (family !== undefined) server.family = family;
  if (proxy.defaultServer.ssl) server.defaultServerSsl = true;
  proxy.servers.push(server);
}

function parseDefaultServer(ctx: KeywordContext, args: readonly Token[]): void {
  const proxy = ctx.proxy;
  if (proxy === undefined) return;
  // Options apply to the servers declared after this line, as in HAProxy.
  const settings: ServerSettings = { ...proxy.defaultServer };
  const errorsBefore = ctx.errorCount;
  parseServerOptions(ctx, args, 1, settings, true);
  if (ctx.errorCount === errorsBefore) proxy.defaultServer = settings;
}

const keywords: SectionKeyword[] = [
  { name: 'server', sections: ['backend', 'listen'], parse: parseServer },
  { name: 'default-server', sections: ['defaults', 'backend', 'listen'], parse: parseDefaultServer },
];

export const serverKeywords: KeywordList = {
  keywords,
  serverOptions,
  unsupported: {
    serverOptions: [
      'npn',
      'check-reuse-pool', 'check-pool-conn-name',
      'set-proxy-v2-tlv-fmt',
      'init-state',
      'tfo',
      'pool-conn-name', 'namespace',
      'sigalgs', 'client-sigalgs', 'allow-0rtt', 'hash-key', 'guid', 'shard', 'strict-maxconn',
      'idle-ping', 'no-tfo', 'ssl-passphrase', 'log-bufsize',
    ],
  },
};
