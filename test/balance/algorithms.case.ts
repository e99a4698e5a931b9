/**
 * The behaviour every `balance` algorithm shares, written once and run against each of them by
 * algorithms.test.ts (Hono's router/common.case.test.ts pattern). Each algorithm declares its
 * traits: whether it spreads by weight (`first` does not), whether it hashes a request key
 * (then picks use many distinct keys, must be stable per key, and a key's server is returned
 * even when full), and how far from the weights its distribution may stray.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LbRequest, Balancer } from '../../src/balance/balancer.ts';
import { createBalancer, DEFAULT_HASH_TYPE } from '../../src/balance/create-balancer.ts';
import type { BalanceModel, HashTypeModel } from '../../src/config/model.ts';
import type { Server } from '../../src/proxy/server.ts';
import { makeServers, release, seededRandom, setStatus, setWeight, take, tally, tcpRequest, type ServerSpec } from './support.ts';

export interface AlgorithmUnderTest {
  /** Test title, e.g. "uri (consistent, avalanche)". */
  readonly name: string;
  readonly balance: BalanceModel;
  readonly hashType?: HashTypeModel;
  /** Hash algorithms: the request with distinct key number i. */
  readonly keyed?: (i: number) => LbRequest;
  /** Hash algorithms: a request without a key (round-robin fallback). */
  readonly keyless?: LbRequest;
  /** Spreads sessions in proportion to weight (all but `first`). */
  readonly weighted: boolean;
  /** Largest relative deviation of a server's share from weight / total weight. */
  readonly tolerance: number;
}

const PICKS = 20_000;

export function runAlgorithmCases(alg: AlgorithmUnderTest): void {
  const build = (specs: readonly (ServerSpec | number)[], allBackups = false): { lb: Balancer; servers: Server[] } => {
    const servers = makeServers(specs);
    const lb = createBalancer(alg.balance, alg.hashType ?? DEFAULT_HASH_TYPE, servers, { allBackups, random: seededRandom(42) });
    return { lb, servers };
  };
  const request = (i: number): LbRequest => (alg.keyed ? alg.keyed(i) : tcpRequest());
  /** `n` picks with distinct keys; each picked server keeps the session (so leastconn spreads). */
  const pickMany = (lb: Balancer, n: number, opts: { hold?: boolean; avoid?: Server; offset?: number } = {}): (Server | undefined)[] => {
    const picks: (Server | undefined)[] = [];
    for (let i = 0; i < n; i++) {
      const s = lb.pick(request(i + (opts.offset ?? 0)), opts.avoid);
      picks.push(s);
      if (s !== undefined && opts.hold !== false) take(lb, s);
    }
    return picks;
  };
  /** Ends the sessions pickMany held. */
  const releaseAll = (lb: Balancer, picks: readonly (Server | undefined)[]): void => {
    for (const s of picks) if (s !== undefined) release(lb, s);
  };
  const assertShares = (servers: readonly Server[], picks: readonly (Server | undefined)[], weights: readonly number[]): void => {
    const counts = tally(picks);
    const total = weights.reduce((a, b) => a + b, 0);
    servers.forEach((s, i) => {
      const expected = weights[i]! / total;
      const got = (counts.get(s.name) ?? 0) / picks.length;
      if (expected === 0) assert.equal(got, 0, `${s.name} has weight 0 but got ${got}`);
      else {
        assert.ok(
          Math.abs(got - expected) <= alg.tolerance * expected,
          `${s.name}: share ${got.toFixed(4)}, expected ${expected.toFixed(4)} ±${(alg.tolerance * 100).toFixed(0)}% (${JSON.stringify([...counts])})`,
        );
      }
    });
  };

  describe(`balance ${alg.name}: shared cases`, () => {
    if (alg.weighted) {
      it('spreads sessions in proportion to the weights', () => {
        const weights = [1, 2, 3, 4];
        const { lb, servers } = build(weights);
        assertShares(servers, pickMany(lb, PICKS), weights);
      });

      it('applies a weight change at once', () => {
        const { lb, servers } = build([1, 1, 1]);
        releaseAll(lb, pickMany(lb, 300));
        setWeight(lb, servers[0]!, 3);
        const heavy = pickMany(lb, PICKS, { offset: 300 });
        assertShares(servers, heavy, [3, 1, 1]);
        releaseAll(lb, heavy);
        setWeight(lb, servers[0]!, 1);
        assertShares(servers, pickMany(lb, PICKS, { offset: 300 + PICKS }), [1, 1, 1]);
      });
    }

    it('never picks a server of weight 0, configured or set at runtime', () => {
      const { lb, servers } = build([1, 0, 1]);
      assert.equal(tally(pickMany(lb, 1000)).get('s2'), undefined);
      setWeight(lb, servers[0]!, 0);
      const counts = tally(pickMany(lb, 1000, { offset: 1000 }));
      assert.deepEqual([...counts.keys()], ['s3']);
    });

    it('never picks DOWN, MAINT or DRAIN servers, and picks them again once UP', () => {
      const { lb, servers } = build([1, 1, 1, 1]);
      setStatus(lb, servers[0]!, 'DOWN');
      setStatus(lb, servers[1]!, 'MAINT');
      setStatus(lb, servers[2]!, 'DRAIN');
      const counts = tally(pickMany(lb, 500));
      assert.deepEqual([...counts.keys()], ['s4']);
      setStatus(lb, servers[1]!, 'UP');
      const again = tally(pickMany(lb, 500, { offset: 500 }));
      assert.ok((again.get('s2') ?? 0) > 0, `s2 back UP but never picked: ${JSON.stringify([...again])}`);
      assert.equal(again.get('s1'), undefined);
      assert.equal(again.get('s3'), undefined);
    });

    it('returns undefined when every server is down, with or without a key', () => {
      const { lb, servers } = build([1, 2, { weight: 1, backup: true }]);
      for (const s of servers) setStatus(lb, s, 'DOWN');
      assert.equal(lb.pick(request(1), undefined), undefined);
      if (alg.keyless) assert.equal(lb.pick(alg.keyless, undefined), undefined);
      setStatus(lb, servers[1]!, 'UP');
      assert.equal(lb.pick(request(1), undefined), servers[1]);
    });

    it('returns undefined with no servers at all', () => {
      const { lb } = build([]);
      assert.equal(lb.pick(request(1), undefined), undefined);
    });

    it('uses the first backup only while no active server is up', () => {
      const { lb, servers } = build([1, 1, { backup: true }, { backup: true }]);
      const [a1, a2, b1] = servers as [Server, Server, Server, Server];
      assert.deepEqual([...tally(pickMany(lb, 200)).keys()].sort(), alg.weighted ? ['s1', 's2'] : ['s1']);
      setStatus(lb, a1, 'DOWN');
      assert.deepEqual([...tally(pickMany(lb, 200)).keys()], ['s2']);
      setStatus(lb, a2, 'MAINT');
      assert.deepEqual([...tally(pickMany(lb, 200)).keys()], ['s3']);
      setStatus(lb, b1, 'DOWN');
      assert.deepEqual([...tally(pickMany(lb, 200)).keys()], ['s4']);
      setStatus(lb, b1, 'UP');
      assert.deepEqual([...tally(pickMany(lb, 200)).keys()], ['s3']);
      setStatus(lb, a2, 'UP');
      assert.deepEqual([...tally(pickMany(lb, 200)).keys()], ['s2']);
    });

    it('uses every backup with option allbackups', () => {
      const { lb, servers } = build([1, { backup: true }, { backup: true }], true);
      setStatus(lb, servers[0]!, 'DOWN');
      assert.deepEqual([...tally(pickMany(lb, 400)).keys()].sort(), alg.weighted ? ['s2', 's3'] : ['s2']);
      setStatus(lb, servers[0]!, 'UP');
      assert.deepEqual([...tally(pickMany(lb, 200)).keys()], ['s1']);
    });

    it('skips `avoid` when another server can serve, and returns it when it is the only one', () => {
      const { lb, servers } = build([1, 1, 1]);
      const avoid = servers[0]!;
      const counts = tally(pickMany(lb, 600, { avoid, hold: false }));
      assert.equal(counts.get('s1'), undefined, JSON.stringify([...counts]));
      assert.equal(counts.get('none'), undefined);
      if (alg.keyless) {
        for (let i = 0; i < 30; i++) assert.notEqual(lb.pick(alg.keyless, avoid), avoid);
      }
      const single = build([1]);
      assert.equal(single.lb.pick(request(7), single.servers[0]), single.servers[0]);
    });

    if (alg.keyed === undefined) {
      it('skips full servers, returns undefined when all are full, and uses a server again once it releases a slot', () => {
        const { lb, servers } = build([{ maxconn: 1 }, { maxconn: 2 }, { maxconn: 0 }]);
        const [s1, s2, s3] = servers as [Server, Server, Server];
        take(lb, s1);
        const counts = tally(pickMany(lb, 300, { hold: false }));
        assert.equal(counts.get('s1'), undefined, JSON.stringify([...counts]));
        release(lb, s1);
        const picks = pickMany(lb, 300);
        const back = tally(picks);
        releaseAll(lb, picks);
        assert.ok((back.get('s1') ?? 0) > 0, `s1 released its slot but is never picked: ${JSON.stringify([...back])}`);
        // Fill everything but s3 (unlimited), then take s3 down: nothing has a free slot.
        take(lb, s1);
        take(lb, s2);
        take(lb, s2);
        setStatus(lb, s3, 'DOWN');
        assert.equal(lb.pick(request(1), undefined), undefined);
        release(lb, s2);
        assert.equal(lb.pick(request(1), undefined), s2);
      });

      it('follows maxconn changes (slowstart ramps it) at once', () => {
        const { lb, servers } = build([{ maxconn: 1 }, { maxconn: 1 }]);
        const [s1, s2] = servers as [Server, Server];
        take(lb, s1);
        take(lb, s2);
        assert.equal(lb.pick(request(1), undefined), undefined);
        s1.maxconn = 2;
        lb.serverChanged(s1);
        assert.equal(lb.pick(request(1), undefined), s1);
      });
    } else {
      const keyed = alg.keyed;

      it('sends the same key to the same server, even when that server is full', () => {
        const { lb, servers } = build([{ maxconn: 1 }, 1, 1]);
        const first = new Map<number, Server | undefined>();
        for (let k = 0; k < 200; k++) first.set(k, lb.pick(keyed(k), undefined));
        for (let round = 0; round < 3; round++) {
          for (let k = 199; k >= 0; k--) assert.equal(lb.pick(keyed(k), undefined), first.get(k), `key ${k}`);
        }
        const onS1 = [...first].find(([, s]) => s === servers[0]);
        assert.ok(onS1, 'no key landed on s1');
        take(lb, servers[0]!);
        assert.equal(servers[0]!.hasSlot, false);
        assert.equal(lb.pick(keyed(onS1[0]), undefined), servers[0]);
      });

      it('moves only the keys of a server that goes down, and brings them back when it returns', () => {
        const { lb, servers } = build([1, 1, 1, 1]);
        const before = pickMany(lb, 400, { hold: false });
        setStatus(lb, servers[2]!, 'DOWN');
        const during = pickMany(lb, 400, { hold: false });
        for (let k = 0; k < 400; k++) {
          assert.notEqual(during[k], servers[2]);
          // Map-based hashing reshuffles (HAProxy's too); consistent hashing keeps the others.
          if (alg.hashType?.method === 'consistent' && before[k] !== servers[2]) assert.equal(during[k], before[k], `key ${k} moved`);
        }
        setStatus(lb, servers[2]!, 'UP');
        assert.deepEqual(pickMany(lb, 400, { hold: false }), before);
      });

      if (alg.keyless !== undefined) {
        const keyless = alg.keyless;
        it('balances requests without a key round-robin', () => {
          const { lb } = build([1, 1, 1]);
          const picks: (Server | undefined)[] = [];
          for (let i = 0; i < 30; i++) picks.push(lb.pick(keyless, undefined));
          assert.deepEqual([...tally(picks)].sort(), [['s1', 10], ['s2', 10], ['s3', 10]]);
        });

        it('skips full servers for requests without a key', () => {
          const { lb, servers } = build([{ maxconn: 1 }, 1]);
          take(lb, servers[0]!);
          for (let i = 0; i < 10; i++) assert.equal(lb.pick(keyless, undefined), servers[1]);
        });
      }
    }
  });
}
