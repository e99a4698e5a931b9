/** balance roundrobin / static-rr: order, smoothness, joins without bursts, parking of full servers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Balancer } from '../../src/balance/balancer.ts';
import { createBalancer, DEFAULT_HASH_TYPE } from '../../src/balance/create-balancer.ts';
import { RoundRobinBalancer } from '../../src/balance/roundrobin.ts';
import { StaticRoundRobinBalancer } from '../../src/balance/static-rr.ts';
import type { Server } from '../../src/proxy/server.ts';
import { makeServers, release, seededRandom, setStatus, setWeight, take, tally, tcpRequest } from './support.ts';

const options = { allBackups: false, random: seededRandom(1) };
const names = (lb: Balancer, n: number): string[] => Array.from({ length: n }, () => lb.pick(tcpRequest(), undefined)?.name ?? '-');

/** Longest wait (in picks) between two turns of `name`, counting from the start. */
function longestWait(seq: readonly string[], name: string): number {
  let last = -1;
  let worst = 0;
  seq.forEach((n, i) => {
    if (n !== name) return;
    worst = Math.max(worst, i - last);
    last = i;
  });
  return worst;
}

for (const [label, make] of [
  ['roundrobin', (s: Server[]) => new RoundRobinBalancer(s, options)],
  ['static-rr', (s: Server[]) => new StaticRoundRobinBalancer(s, options)],
  // nbthread: roundrobin on a position shared by the threads (create-balancer.ts).
  ['roundrobin, shared rotation', (s: Server[]) => createBalancer({ algorithm: 'roundrobin' }, DEFAULT_HASH_TYPE, s, { ...options, rotation: { counts: new Int32Array(1), slot: 0 } })],
] as const) {
  describe(`balance ${label}`, () => {
    it('rotates equal weights in declaration order', () => {
      const lb = make(makeServers([1, 1, 1]));
      assert.deepEqual(names(lb, 7), ['s1', 's2', 's3', 's1', 's2', 's3', 's1']);
    });

    it('gives exact weight shares over whole rounds, spread out rather than in bursts', () => {
      const weights = [5, 1, 1, 3];
      const lb = make(makeServers(weights));
      const seq = names(lb, 100);
      assert.deepEqual([...tally(seq.map((name) => ({ name }) as Server))].sort(), [['s1', 50], ['s2', 10], ['s3', 10], ['s4', 30]]);
      // Each server's turns are evenly spaced: it never waits much longer than total / weight.
      weights.forEach((w, i) => {
        const wait = longestWait(seq, `s${i + 1}`);
        assert.ok(wait <= 2 * Math.ceil(10 / w), `s${i + 1} (weight ${w}) waited ${wait} picks: ${seq.join(' ')}`);
      });
    });

    it('does not let a server that comes back catch up in a burst', () => {
      const servers = makeServers([1, 1, 1]);
      const lb = make(servers);
      setStatus(lb, servers[2]!, 'DOWN');
      names(lb, 1000);
      setStatus(lb, servers[2]!, 'UP');
      const seq = names(lb, 30);
      const s3 = seq.filter((n) => n === 's3').length;
      assert.ok(s3 >= 9 && s3 <= 11, `s3 got ${s3} of 30 right after coming back: ${seq.join(' ')}`);
    });

    it('keeps rotating past a full server and takes it back when it frees a slot', () => {
      const servers = makeServers([{ maxconn: 1 }, 1, 1]);
      const lb = make(servers);
      take(lb, servers[0]!);
      assert.deepEqual(names(lb, 4), ['s2', 's3', 's2', 's3']);
      release(lb, servers[0]!);
      assert.ok(names(lb, 3).includes('s1'));
    });
  });
}

describe('balance roundrobin (dynamic weights)', () => {
  it('a weight raised mid-round takes effect on the next picks', () => {
    const servers = makeServers([1, 1]);
    const lb = new RoundRobinBalancer(servers, options);
    names(lb, 3);
    setWeight(lb, servers[0]!, 4);
    const seq = names(lb, 50);
    const s1 = seq.filter((n) => n === 's1').length;
    assert.ok(s1 >= 39 && s1 <= 41, `s1 got ${s1} of 50 at weight 4 vs 1`);
  });

  it('scales to many servers: 10,000 picks over 5,000 servers visit each exactly twice', () => {
    const servers = makeServers(Array.from({ length: 5000 }, () => 1));
    const lb = new RoundRobinBalancer(servers, options);
    const counts = new Uint32Array(5000);
    for (let i = 0; i < 10_000; i++) counts[lb.pick(tcpRequest(), undefined)!.index]!++;
    assert.ok(counts.every((c) => c === 2));
  });
});

describe('balance roundrobin and static-rr with a shared rotation (nbthread)', () => {
  for (const algorithm of ['roundrobin', 'static-rr'] as const) {
    it(`${algorithm}: two threads' balancers picking in turn follow one weighted rotation, also after a weight change`, () => {
      const counts = new Int32Array(new SharedArrayBuffer(8));
      const rotation = { counts, slot: 1 };
      // Each thread has its own Server objects for the same configuration.
      const threads = [makeServers([2, 1, 1]), makeServers([2, 1, 1])];
      const lbs = threads.map((servers) => createBalancer({ algorithm }, DEFAULT_HASH_TYPE, servers, { ...options, rotation }));
      const picks = (n: number): string[] => Array.from({ length: n }, (_, i) => lbs[i % 3 === 0 ? 0 : 1]!.pick(tcpRequest(), undefined)?.name ?? '-');
      assert.deepEqual(picks(8), ['s1', 's2', 's3', 's1', 's1', 's2', 's3', 's1']);
      for (let t = 0; t < 2; t++) setWeight(lbs[t]!, threads[t]![2]!, 0);
      const after = picks(9);
      assert.deepEqual([after.filter((n) => n === 's1').length, after.filter((n) => n === 's2').length, after.filter((n) => n === 's3').length], [6, 3, 0]);
      assert.equal(counts[0], 0, 'only its slot moves');
    });
  }
});
