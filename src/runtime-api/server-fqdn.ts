/**
 * `set server B/S fqdn NAME`: HAProxy 2.6's cli_parse_set_server and srv_update_fqdn. Only a
 * server with `resolvers` (and not one of an SRV record) takes a name; every other answer is
 * a warning ending in " by 'stats socket command'", the "changed its FQDN" one included (and
 * it is given even when only case or a trailing dot differs, which changes nothing). Taken,
 * the name flags the server as HAProxy's SRV_ADMF_HMAINT (resolution-maint.ts).
 */
import { setFqdnFromCli } from '../dns/resolution-maint.ts';
import { srvRecordOf } from '../dns/srv-name.ts';
import type { Server } from '../proxy/server.ts';
import { error, SEVERITY_WARNING, type CliAnswer } from './output.ts';
import type { RuntimeTarget } from './target.ts';

/** HAProxy's DNS_MAX_NAME_SIZE. */
const MAX_NAME_LENGTH = 255;

export function setFqdn(target: RuntimeTarget, server: Server, fqdn: string): CliAnswer {
  if (fqdn === '') return error('set server <b>/<s> fqdn requires a FQDN.\n');
  if (server.model.resolvers === undefined) return error('set server <b>/<s> fqdn failed because no resolution is configured.\n');
  if (srvRecordOf(server.model) !== undefined) return error('set server <b>/<s> fqdn failed because SRV resolution is configured.\n');
  const warn = (text: string): CliAnswer => ({ kind: 'message', severity: SEVERITY_WARNING, text: `${text} by 'stats socket command'\n` });
  // strcmp: a name differing only by case is a change (that srv_set_fqdn then ignores).
  if (server.hostname === fqdn) return warn('no need to change the FDQN');
  if (fqdn.length > MAX_NAME_LENGTH || !/^[A-Za-z0-9._-]+$/.test(fqdn)) return warn(`invalid fqdn '${fqdn}'`);
  const path = `${target.backendOf(server).name}/${server.name}`;
  const before = server.hostname ?? '(null)';
  // Without a link (a UNIX socket server), HAProxy's srv_set_fqdn fails as without a requester.
  const link = target.serverFqdn?.(server);
  if (link === undefined || !link.set(fqdn)) return warn(`could not update ${path} FQDN`);
  setFqdnFromCli(server);
  return warn(`${path} changed its FQDN from ${before} to ${fqdn}`);
}
