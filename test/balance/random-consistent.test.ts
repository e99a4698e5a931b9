/** balance random(N) (power of N choices) and hash-type consistent (the ring). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsistentRing, POINTS_PER_WEIGHT } from '../../src/balance/consistent-ring.ts';
import { fullHash } from '../../src/balance/hash-functions.ts';
import { RandomBalancer } from '../../src/balance/random.ts';
import type { Server } from '../../src/proxy/server.ts';
import { makeServers, seededRandom, take, tcpRequest } from './support.ts';

describe('balance random(N)', () => {
  /** Share of picks going to the idle s2 while s1 holds 10 sessions. */
  const idleShare = (draws: number): number => {
    const servers = makeServers([1, 1]);
    const lb = new RandomBalancer(servers, { allBackups: false, random: seededRandom(7) }, draws);
    for (let i = 0; i < 10; i++) take(lb, servers[0]!);
    let idle = 0;
    for (let i = 0; i < 10_000; i++) if (lb.pick(tcpRequest(), undefined) === servers[1]) idle++;
    return idle / 10_000;
  };

  it('prefers the less loaded server more strongly with more draws', () => {
    const one = idleShare(1);
    const two = idleShare(2);
    const eight = idleShare(8);
    assert.ok(Math.abs(one - 0.5) < 0.03, `random(1): ${one}`);
    assert.ok(Math.abs(two - 0.75) < 0.03, `random(2): ${two}`);
    assert.ok(eight > 0.99, `random(8): ${eight}`);
  });

  it('is reproducible with the same random source', () => {
    const run = (): string[] => {
      const servers = makeServers([1, 2, 3]);
      const lb = new RandomBalancer(servers, { allBackups: false, random: seededRandom(99) }, 2);
      return Array.from({ length: 50 }, () => lb.pick(tcpRequest(), undefined)!.name);
    };
    assert.deepEqual(run(), run());
  });

  it('refuses fewer than one draw', () => {
    assert.throws(() => new RandomBalancer(makeServers([1]), { allBackups: false, random: Math.random }, 0), /at least|>= 1/);
  });
});

describe('hash-type consistent ring', () => {
  const ring = (servers: readonly Server[], include: (s: Server) => boolean = () => true): ConsistentRing => {
    const r = new ConsistentRing();
    r.rebuild(servers, include);
    return r;
  };
  const KEYS = 20_000;
  const owners = (r: ConsistentRing): (Server | undefined)[] => Array.from({ length: KEYS }, (_, k) => r.lookup(fullHash(k), undefined));

  it('places weight x 16 points per server', () => {
    const servers = makeServers([1, 3, 256]);
    assert.equal(ring(servers).size, (1 + 3 + 256) * POINTS_PER_WEIGHT);
  });

  it('when one of 10 servers leaves, only its keys move (about 1/10)', () => {
    const servers = makeServers(Array.from({ length: 10 }, () => 1));
    const before = owners(ring(servers));
    const gone = servers[4]!;
    const after = owners(ring(servers, (s) => s !== gone));
    let moved = 0;
    for (let k = 0; k < KEYS; k++) {
      if (before[k] !== after[k]) {
        moved++;
        assert.equal(before[k], gone, `key ${k} moved from ${before[k]?.name} though it was not on the leaving server`);
      }
    }
    assert.ok(moved / KEYS > 0.04 && moved / KEYS < 0.2, `moved ${moved / KEYS}`);
  });

  it('when an 11th server joins, keys move only to it (about 1/11)', () => {
    const servers = makeServers(Array.from({ length: 11 }, () => 1));
    const newcomer = servers[10]!;
    const before = owners(ring(servers, (s) => s !== newcomer));
    const after = owners(ring(servers));
    let moved = 0;
    for (let k = 0; k < KEYS; k++) {
      if (before[k] !== after[k]) {
        moved++;
        assert.equal(after[k], newcomer);
      }
    }
    assert.ok(moved / KEYS > 0.04 && moved / KEYS < 0.2, `moved ${moved / KEYS}`);
  });

  it('a weight increase moves keys only to that server', () => {
    const servers = makeServers([1, 1, 1, 1]);
    const before = owners(ring(servers));
    servers[0]!.weight = 3;
    const after = owners(ring(servers));
    for (let k = 0; k < KEYS; k++) if (before[k] !== after[k]) assert.equal(after[k], servers[0]);
  });

  it('skips `avoid` by walking to the next server on the ring', () => {
    const servers = makeServers([1, 1, 1]);
    const r = ring(servers);
    for (let k = 0; k < 2000; k++) {
      const s = r.lookup(fullHash(k), servers[1]);
      assert.ok(s !== undefined && s !== servers[1]);
    }
    const single = ring(servers, (s) => s === servers[1]);
    assert.equal(single.lookup(12345, servers[1]), servers[1]);
  });

  it('is empty without servers', () => {
    assert.equal(ring(makeServers([1]), () => false).lookup(1, undefined), undefined);
  });
});
