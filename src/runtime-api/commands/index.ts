/** The runtime API's command families, in HAProxy's lookup order (the first match wins). */
import { CommandTable } from '../command-table.ts';
import { builtinCommands } from './builtin.ts';
import { counterCommands } from './counters.ts';
import { dynamicServerCommands } from './dynamic-servers.ts';
import { infoCommands } from './info.ts';
import { errorsCommands } from './errors.ts';
import { eventsCommands } from './events.ts';
import { mapCommands } from './maps.ts';
import { proxyCommands } from './proxies.ts';
import { dynamicCookieCommands } from './dynamic-cookies.ts';
import { serverCommands } from './servers.ts';
import { sessionCommands } from './sessions.ts';
import { statCommands } from './stat.ts';
import { tableCommands } from './tables.ts';
import { varCommands } from './vars.ts';
import { sslCertCommands } from './ssl-certs.ts';
import { sslCaFileCommands } from './ssl-ca-files.ts';
import { sslCrtListCommands } from './ssl-crt-lists.ts';
import { cacheCommands } from './cache.ts';
import { resolversCommands } from './resolvers.ts';
import { peersCommands } from './peers.ts';
import { sslOcspCommands } from './ssl-ocsp.ts';
import { sslTlsKeyCommands } from './ssl-tls-keys.ts';

export function createCommandTable(): CommandTable {
  let table: CommandTable | undefined;
  table = new CommandTable([
    builtinCommands(() => table as CommandTable),
    infoCommands,
    errorsCommands,
    eventsCommands,
    statCommands,
    serverCommands,
    dynamicServerCommands,
    sessionCommands,
    proxyCommands,
    dynamicCookieCommands,
    tableCommands,
    varCommands,
    counterCommands,
    mapCommands,
    sslCertCommands,
    sslCaFileCommands,
    sslCrtListCommands,
    sslTlsKeyCommands,
    sslOcspCommands,
    cacheCommands,
    resolversCommands,
    peersCommands,
  ]);
  return table;
}
