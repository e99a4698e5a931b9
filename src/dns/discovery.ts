/**
 * DNS service discovery of one configuration generation: a DnsResolvers per `resolvers`
 * section that some server names, and a ServerResolution per server given by host name with
 * `resolvers`. Started with the proxy's listeners, stopped (timers cleared, sockets closed) on
 * stop, kill and reload.
 */
import type { ConfigModel } from '../config/model.ts';
import { isIPv4, isIPv6 } from '../config/address.ts';
import type { HealthLog } from '../health/health-log.ts';
import type { ServerCheck } from '../health/server-check.ts';
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';
import type { Runtime } from '../runtime.ts';
import { DnsResolvers } from './resolvers.ts';
import { ServerResolution } from './server-resolution.ts';

export class DnsDiscovery {
  readonly resolvers: readonly DnsResolvers[];

  constructor(resolvers: readonly DnsResolvers[]) {
    this.resolvers = resolvers;
  }

  start(): void {
    for (const r of this.resolvers) void r.start();
  }

  stop(): void {
    for (const r of this.resolvers) r.stop();
  }
}

export interface DiscoveryHooks {
  /** Where a backend's server state changes are reported (its log targets and stderr). */
  log(backend: Backend): HealthLog;
  check(server: Server): ServerCheck | undefined;
  /** 'listen' for the backend half of a `listen` section. */
  proxyType(backend: Backend): 'backend' | 'listen';
}

export function createDnsDiscovery(runtime: Runtime, config: ConfigModel, backends: ReadonlyMap<string, Backend>, hooks: DiscoveryHooks): DnsDiscovery {
  const sections = new Map<string, DnsResolvers>();
  for (const model of config.resolvers ?? []) sections.set(model.name, new DnsResolvers(runtime, model));
  const used = new Set<DnsResolvers>();
  for (const backend of backends.values()) {
    let log: HealthLog | undefined;
    for (const server of backend.servers) {
      const model = server.model;
      if (model?.resolvers === undefined || model.unix === true || isIPv4(model.host) || isIPv6(model.host)) continue;
      const resolvers = sections.get(model.resolvers);
      if (resolvers === undefined) continue;
      log ??= hooks.log(backend);
      const preferIPv4 = (model.resolvePrefer ?? model.family) === 4;
      const address = typeof model.resolvedAddress === 'string' ? model.resolvedAddress : undefined;
      const requester = new ServerResolution(
        {
          runtime,
          backend,
          server,
          hostname: model.host,
          preferIPv4,
          resolvers: resolvers.model,
          log,
          check: () => hooks.check(server),
          configuredMaint: model.disabled,
          proxyType: hooks.proxyType(backend),
        },
        address,
      );
      resolvers.subscribe(model.host, preferIPv4, requester);
      used.add(resolvers);
    }
  }
  return new DnsDiscovery([...used]);
}
