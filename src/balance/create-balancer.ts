import type { BalanceModel, HashTypeModel } from '../config/model.ts';
import type { Server } from '../proxy/server.ts';
import type { Balancer, BalancerOptions } from './balancer.ts';
import { RoundRobinBalancer } from './roundrobin.ts';
import { StaticRoundRobinBalancer } from './static-rr.ts';

export const DEFAULT_HASH_TYPE: HashTypeModel = { method: 'map-based', function: 'sdbm', avalanche: false };

export function createBalancer(
  model: BalanceModel,
  _hashType: HashTypeModel,
  servers: readonly Server[],
  options: BalancerOptions,
): Balancer {
  switch (model.algorithm) {
    case 'roundrobin':
      return new RoundRobinBalancer(servers, options);
    case 'static-rr':
      return new StaticRoundRobinBalancer(servers, options);
    default:
      throw new Error(`balance ${model.algorithm}: not implemented yet`);
  }
}
