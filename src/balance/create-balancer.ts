import type { BalanceModel } from '../config/model.ts';
import type { Server } from '../proxy/server.ts';
import type { Balancer } from './balancer.ts';
import { RoundRobinBalancer } from './roundrobin.ts';
import { StaticRoundRobinBalancer } from './static-rr.ts';

export function createBalancer(model: BalanceModel, servers: readonly Server[]): Balancer {
  switch (model.algorithm) {
    case 'roundrobin':
      return new RoundRobinBalancer(servers);
    case 'static-rr':
      return new StaticRoundRobinBalancer(servers);
  }
}
