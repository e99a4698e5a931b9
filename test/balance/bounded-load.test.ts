/** hash-balance-factor: HAProxy's chash_server_is_eligible, the ring walk past servers at their bound, balance random. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedLoad } from '../../src/balance/bounded-load.ts';
import { HashBalancer, type HashKey } from '../../src/balance/hash-balancer.ts';
import { RandomBalancer } from '../../src/balance/random.ts';
import { makeServers, seededRandom, take, tcpRequest } from './support.ts';

/** Every request hashes to the same key: without a bound, one server gets them all. */
const SAME_KEY: HashKey = { hash: () => 12345 };

describe('hash-balance-factor', () => {
  it("computes each server's bound as HAProxy does (weights x16, remainder by cumulative weight)", () => {
    const servers = makeServers([1, 1, 2]);
    const bounded = new BoundedLoad(150, servers, () => true);
    // 3 sessions served + 1: tot_slots = ceil(4 x 150 / 100) = 6 over eweights 16, 16, 32 (total 64):
    // 0 per weight, remainder 6 spread by cumulative weight: s1 floor(16x6/64)=1, s2 floor(32x6/64)-1=2, s3 6-3=3.
    servers[0]!.active = 1;
    servers[1]!.active = 1;
    servers[2]!.active = 1;
    bounded.prepare();
    assert.deepEqual(servers.map((s) => bounded.eligible(s)), [false, true, true]);
    servers[2]!.active = 3;
    servers[0]!.active = 0;
    servers[1]!.active = 2;
    bounded.prepare();
    // 5 served + 1: 9 slots, s1 floor(16x9/64)=2, s2 floor(32x9/64)-2=2, s3 9-4=5.
    assert.deepEqual(servers.map((s) => bounded.eligible(s)), [true, false, true]);
  });

  it('walks the consistent ring past a server at its bound, and stays put without the factor', () => {
    const pick = (factor: number | undefined): string[] => {
      const servers = makeServers([1, 1, 1, 1]);
      const lb = new HashBalancer(servers, { allBackups: false, random: Math.random, hashBalanceFactor: factor }, { method: 'consistent', function: 'sdbm', avalanche: false }, SAME_KEY);
      const picked: string[] = [];
      for (let i = 0; i < 8; i++) {
        const s = lb.pick(tcpRequest(), undefined)!;
        take(lb, s);
        picked.push(s.name);
      }
      return picked;
    };
    const unbounded = pick(undefined);
    assert.equal(new Set(unbounded).size, 1, 'one key, one server');
    const bounded = pick(125);
    // 8 sessions over 4 equal servers at 125 %: nobody above ceil((n+1) x 1.25 / 4) while picking.
    const counts = new Map<string, number>();
    for (const name of bounded) counts.set(name, (counts.get(name) ?? 0) + 1);
    assert.ok(counts.size > 1, bounded.join(','));
    for (const n of counts.values()) assert.ok(n <= 3, bounded.join(','));
    assert.equal(bounded[0], unbounded[0], "the key's own server first");
  });

  it('balance random sets aside a server at its bound for the pick, then restores it', () => {
    const servers = makeServers([1, 1]);
    const lb = new RandomBalancer(servers, { allBackups: false, random: seededRandom(3), hashBalanceFactor: 150 }, 1);
    for (let i = 0; i < 4; i++) take(lb, servers[0]!);
    // 4 served + 1: 8 slots, 4 each: s1 (4 active) is at its bound, every pick is s2.
    for (let i = 0; i < 20; i++) assert.equal(lb.pick(tcpRequest(), undefined), servers[1]);
    servers[0]!.active = 0;
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(lb.pick(tcpRequest(), undefined)!.name);
    assert.deepEqual([...seen].sort(), ['s1', 's2'], 's1 is back in the draws');
  });
});
