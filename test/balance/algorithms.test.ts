/** Runs the shared balancer cases (algorithms.case.ts) against every `balance` algorithm and hash-type. */
import type { HashTypeModel } from '../../src/config/model.ts';
import { runAlgorithmCases } from './algorithms.case.ts';
import { httpRequest, tcpRequest } from './support.ts';

const mapBased: HashTypeModel = { method: 'map-based', function: 'sdbm', avalanche: false };
const consistent: HashTypeModel = { method: 'consistent', function: 'sdbm', avalanche: true };

/** Client 10.x.y.z for key i. */
const address = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

runAlgorithmCases({ name: 'roundrobin', balance: { algorithm: 'roundrobin' }, weighted: true, tolerance: 0.01 });
runAlgorithmCases({ name: 'static-rr', balance: { algorithm: 'static-rr' }, weighted: true, tolerance: 0.01 });
runAlgorithmCases({ name: 'leastconn', balance: { algorithm: 'leastconn' }, weighted: true, tolerance: 0.01 });
runAlgorithmCases({ name: 'first', balance: { algorithm: 'first' }, weighted: false, tolerance: 0 });
runAlgorithmCases({ name: 'random', balance: { algorithm: 'random', draws: 2 }, weighted: true, tolerance: 0.05 });
runAlgorithmCases({ name: 'random(1)', balance: { algorithm: 'random', draws: 1 }, weighted: true, tolerance: 0.06 });
runAlgorithmCases({ name: 'random(5)', balance: { algorithm: 'random', draws: 5 }, weighted: true, tolerance: 0.05 });

for (const [label, hashType, tolerance] of [
  ['map-based', mapBased, 0.06],
  ['consistent', consistent, 0.45],
  ['map-based djb2 avalanche', { method: 'map-based', function: 'djb2', avalanche: true }, 0.06],
  ['consistent crc32', { method: 'consistent', function: 'crc32', avalanche: false }, 0.45],
  ['map-based wt6', { method: 'map-based', function: 'wt6', avalanche: false }, 0.06],
] as const) {
  runAlgorithmCases({
    name: `source (${label})`,
    balance: { algorithm: 'source' },
    // Addresses are small integers close together: on a ring they need avalanche (as HAProxy documents).
    hashType: hashType.method === 'consistent' ? { ...hashType, avalanche: true } : hashType,
    keyed: (i) => tcpRequest(i % 2 ? address(i) : `::ffff:${address(i)}`),
    keyless: tcpRequest('/run/proxy.sock'),
    weighted: true,
    tolerance,
  });
  runAlgorithmCases({
    name: `uri (${label})`,
    balance: { algorithm: 'uri', len: 0, depth: 0, whole: false, pathOnly: false },
    hashType,
    keyed: (i) => httpRequest(`/static/img${i}.png?v=1`),
    keyless: tcpRequest(),
    weighted: true,
    tolerance,
  });
  runAlgorithmCases({
    name: `url_param (${label})`,
    balance: { algorithm: 'url_param', param: 'user' },
    hashType,
    keyed: (i) => httpRequest(`/api?x=1&user=u${i}&y=2`),
    keyless: httpRequest('/api?x=1&username=nope'),
    weighted: true,
    tolerance,
  });
  runAlgorithmCases({
    name: `hdr(x-tenant) (${label})`,
    balance: { algorithm: 'hdr', header: 'x-tenant', useDomainOnly: false },
    hashType,
    keyed: (i) => httpRequest('/', ['Host: example.com', `X-Tenant: tenant-${i}`]),
    keyless: httpRequest('/', ['Host: example.com']),
    weighted: true,
    tolerance,
  });
  runAlgorithmCases({
    name: `hash req.cookie(sid) (${label})`,
    balance: { algorithm: 'hash', expression: 'req.cookie(sid)' },
    hashType,
    keyed: (i) => httpRequest('/', ['Host: example.com', `Cookie: a=1; sid=${i * 7919}`]),
    keyless: httpRequest('/', ['Host: example.com']),
    weighted: true,
    tolerance,
  });
}
