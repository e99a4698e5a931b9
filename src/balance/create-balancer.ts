import type { BalanceModel, HashTypeModel } from '../config/model.ts';
import type { Server } from '../proxy/server.ts';
import type { Balancer, BalancerOptions } from './balancer.ts';
import { FirstBalancer } from './first.ts';
import { HashBalancer, type HashKey } from './hash-balancer.ts';
import { hashFunction } from './hash-functions.ts';
import { ExpressionKey } from './key-expression.ts';
import { HeaderKey } from './key-header.ts';
import { SourceKey } from './key-source.ts';
import { UriKey } from './key-uri.ts';
import { UrlParamKey } from './key-url-param.ts';
import { LeastConnBalancer } from './leastconn.ts';
import { assertIndexed } from './membership.ts';
import { RandomBalancer } from './random.ts';
import { RoundRobinBalancer } from './roundrobin.ts';
import { StaticRoundRobinBalancer } from './static-rr.ts';

export const DEFAULT_HASH_TYPE: HashTypeModel = { method: 'map-based', function: 'sdbm', avalanche: false };

/**
 * The balancer `balance` (and `hash-type`, for the hash algorithms) asks for, over `servers`
 * (servers[i].index must be i). Throws on arguments the config parser should have refused (an
 * invalid `balance hash` expression, random(0)).
 */
export function createBalancer(
  model: BalanceModel,
  hashType: HashTypeModel,
  servers: readonly Server[],
  options: BalancerOptions,
): Balancer {
  assertIndexed(servers);
  switch (model.algorithm) {
    case 'roundrobin':
      // Several threads share one position in a weighted schedule (static-rr.ts): the stride
      // heap's virtual clock is per thread and would give each thread its own rotation.
      return options.rotation === undefined ? new RoundRobinBalancer(servers, options) : new StaticRoundRobinBalancer(servers, options);
    case 'static-rr':
      return new StaticRoundRobinBalancer(servers, options);
    case 'leastconn':
      return new LeastConnBalancer(servers, options);
    case 'first':
      return new FirstBalancer(servers, options);
    case 'random':
      return new RandomBalancer(servers, options, model.draws);
    case 'source':
    case 'uri':
    case 'url_param':
    case 'hdr':
    case 'hash':
    case 'rdp-cookie':
      return new HashBalancer(servers, options, hashType, hashKey(model, hashType));
  }
}

function hashKey(model: BalanceModel, hashType: HashTypeModel): HashKey {
  const fn = hashFunction(hashType.function);
  switch (model.algorithm) {
    case 'uri':
      return new UriKey(model, fn);
    case 'url_param':
      return new UrlParamKey(model.param, fn);
    case 'hdr':
      return new HeaderKey(model.header, model.useDomainOnly, fn);
    case 'hash':
      return new ExpressionKey(model.expression, fn);
    case 'rdp-cookie':
      // HAProxy's get_server_rch: an absent or empty cookie gives no key (round robin).
      return new ExpressionKey(`req.rdp_cookie(${model.cookie})`, fn, true);
    default:
      return new SourceKey();
  }
}
