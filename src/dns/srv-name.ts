/**
 * HAProxy 2.6 takes a server address starting with '_' (`_service._proto.name`) as an SRV
 * record to discover servers from (parse_server's srvrq), not as a host name.
 */
import type { ServerModel } from '../config/model.ts';

export function isSrvName(host: string): boolean {
  return host.startsWith('_');
}

/** The SRV record a server is filled from (`show servers state`'s srvrecord), if any. */
export function srvRecordOf(model: Pick<ServerModel, 'host' | 'resolvers' | 'unix'>): string | undefined {
  return model.resolvers !== undefined && model.unix !== true && isSrvName(model.host) ? model.host : undefined;
}
