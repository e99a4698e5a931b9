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
import type { ResolversLookup } from './stream-resolution.ts';
import { doResolveSections } from './rule-sections.ts';
import { ServerResolution, type PreferredNetwork } from './server-resolution.ts';
import { SrvRequest, type SrvSlotSettings } from './srv-request.ts';
import { ServerFqdn } from './server-fqdn.ts';
import { srvRecordOf } from './srv-name.ts';
import { DNS_TYPE_A, DNS_TYPE_AAAA } from './wire.ts';
import { parseNetwork } from '../util/cidr.ts';
import { staticWeights } from '../proxy/static-weights.ts';

export class DnsDiscovery implements ResolversLookup {
  /** The sections some server or `do-resolve` rule uses (they run). */
  readonly resolvers: readonly DnsResolvers[];
  /** Every `resolvers` section of the configuration, in order (`show resolvers`). */
  readonly sections: readonly DnsResolvers[];
  /** Some `do-resolve` rule uses a section: streams are given the sections (resolversNamed). */
  readonly servesRules: boolean;
  /** The servers with `resolvers` whose name `set server fqdn` may change (not those of an SRV record). */
  readonly #names: ReadonlyMap<Server, ServerFqdn>;

  constructor(resolvers: readonly DnsResolvers[], sections: readonly DnsResolvers[] = resolvers, servesRules = false, names: ReadonlyMap<Server, ServerFqdn> = new Map()) {
    this.resolvers = resolvers;
    this.sections = sections;
    this.servesRules = servesRules;
    this.#names = names;
  }

  /** The link of a server with `resolvers` to the resolution of its name (undefined without `resolvers`). */
  fqdnOf(server: Server): ServerFqdn | undefined {
    return this.#names.get(server);
  }

  resolversNamed(name: string): DnsResolvers | undefined {
    return this.sections.find((s) => s.model.name === name);
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

/** `resolve-net`'s networks, each with the record type it applies to. */
function preferredNetworks(texts: readonly string[] | undefined): PreferredNetwork[] {
  const out: PreferredNetwork[] = [];
  for (const text of texts ?? []) {
    const network = parseNetwork(text);
    if (network !== undefined) out.push({ type: isIPv4(text.split('/')[0] ?? '') ? DNS_TYPE_A : DNS_TYPE_AAAA, network });
  }
  return out;
}

/**
 * The generation's resolution of names. `rulesOnly`: a thread of `nbthread` other than the main
 * one, which resolves its own streams' `do-resolve` names but not the servers' (the main thread
 * does, and its server states reach every thread).
 */
export function createDnsDiscovery(runtime: Runtime, config: ConfigModel, backends: ReadonlyMap<string, Backend>, hooks: DiscoveryHooks, rulesOnly = false): DnsDiscovery {
  const sections = new Map<string, DnsResolvers>();
  for (const model of config.resolvers ?? []) sections.set(model.name, new DnsResolvers(runtime, model));
  const used = new Set<DnsResolvers>();
  const names = new Map<Server, ServerFqdn>();
  for (const backend of rulesOnly ? [] : backends.values()) {
    let log: HealthLog | undefined;
    /** The servers of this backend naming each SRV record, in configuration order (HAProxy's srvrq). */
    const srvPools = new Map<string, { resolvers: DnsResolvers; slots: SrvSlotSettings[] }>();
    for (const server of backend.servers) {
      const model = server.model;
      if (model?.resolvers === undefined || model.unix === true) continue;
      const resolvers = sections.get(model.resolvers);
      if (resolvers === undefined) continue;
      const backendLog = (log ??= hooks.log(backend));
      const preferIPv4 = (model.resolvePrefer ?? model.family) === 4;
      const resolutionFor = (hostname: string, address: string | undefined): ServerResolution =>
        new ServerResolution(
          {
            runtime,
            backend,
            server,
            hostname,
            preferIPv4,
            resolvers: resolvers.model,
            log: backendLog,
            check: () => hooks.check(server),
            proxyType: hooks.proxyType(backend),
            allowDupIp: model.resolveOpts?.allowDupIp === true,
            preferredNetworks: preferredNetworks(model.resolveNet),
          },
          address,
        );
      used.add(resolvers);
      if (srvRecordOf(model) !== undefined) {
        const key = `${model.resolvers}/${model.host.toLowerCase()}`;
        let pool = srvPools.get(key);
        if (pool === undefined) srvPools.set(key, (pool = { resolvers, slots: [] }));
        pool.slots.push({ server, preferIPv4, ignoreWeight: model.resolveOpts?.ignoreWeight === true, resolutionFor });
        continue;
      }
      if (isIPv4(model.host) || isIPv6(model.host)) {
        // Nothing to resolve until `set server fqdn` names it.
        resolvers.standBy();
        names.set(server, new ServerFqdn(server, resolvers, preferIPv4, resolutionFor(model.host, model.host), undefined));
        continue;
      }
      const address = typeof model.resolvedAddress === 'string' ? model.resolvedAddress : undefined;
      const requester = resolutionFor(model.host, address);
      names.set(server, new ServerFqdn(server, resolvers, preferIPv4, requester, resolvers.subscribe(model.host, preferIPv4, requester)));
    }
    for (const [key, pool] of srvPools) {
      const name = key.slice(key.indexOf('/') + 1);
      const request = new SrvRequest({ runtime, backend, resolvers: pool.resolvers, name, staticWeights: staticWeights(backend) }, pool.slots);
      request.start();
    }
  }
  const ruleSections = doResolveSections(config);
  for (const name of ruleSections) {
    const resolvers = sections.get(name);
    if (resolvers === undefined) continue;
    resolvers.serveRules();
    used.add(resolvers);
  }
  return new DnsDiscovery([...used], [...sections.values()], ruleSections.size > 0, names);
}
