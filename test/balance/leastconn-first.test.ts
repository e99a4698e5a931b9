/** balance leastconn and first: ordering driven by taken/released. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FirstBalancer } from '../../src/balance/first.ts';
import { LeastConnBalancer } from '../../src/balance/leastconn.ts';
import { makeServers, release, seededRandom, setStatus, take, tcpRequest } from './support.ts';

const options = { allBackups: false, random: seededRandom(1) };

describe('balance leastconn', () => {
  it('picks the server with the fewest sessions, round-robin among equals', () => {
    const servers = makeServers([1, 1, 1]);
    const [s1, s2, s3] = servers;
    const lb = new LeastConnBalancer(servers, options);
    const seq: string[] = [];
    for (let i = 0; i < 6; i++) {
      const s = lb.pick(tcpRequest(), undefined)!;
      take(lb, s);
      seq.push(s.name);
    }
    assert.deepEqual(seq, ['s1', 's2', 's3', 's1', 's2', 's3']);
    release(lb, s2!);
    assert.equal(lb.pick(tcpRequest(), undefined), s2);
    release(lb, s3!);
    release(lb, s3!);
    assert.equal(lb.pick(tcpRequest(), undefined), s3);
    assert.equal(s1!.active, 2);
  });

  it('weighs sessions: (active + 1) / weight', () => {
    const servers = makeServers([1, 3]);
    const lb = new LeastConnBalancer(servers, options);
    for (let i = 0; i < 400; i++) take(lb, lb.pick(tcpRequest(), undefined)!);
    assert.deepEqual(servers.map((s) => s.active), [100, 300]);
  });

  it('idle servers rotate instead of the first one taking every short session', () => {
    const servers = makeServers([1, 1, 1]);
    const lb = new LeastConnBalancer(servers, options);
    const seq: string[] = [];
    for (let i = 0; i < 6; i++) {
      const s = lb.pick(tcpRequest(), undefined)!;
      take(lb, s);
      release(lb, s);
      seq.push(s.name);
    }
    assert.deepEqual(seq, ['s1', 's2', 's3', 's1', 's2', 's3']);
  });

  it('a server coming back UP with no sessions gets the next ones', () => {
    const servers = makeServers([1, 1]);
    const lb = new LeastConnBalancer(servers, options);
    setStatus(lb, servers[1]!, 'DOWN');
    for (let i = 0; i < 5; i++) take(lb, lb.pick(tcpRequest(), undefined)!);
    setStatus(lb, servers[1]!, 'UP');
    for (let i = 0; i < 5; i++) assert.equal(lb.pick(tcpRequest(), undefined), servers[1]), take(lb, servers[1]!);
  });
});

describe('balance first', () => {
  it('fills servers in declaration order up to their maxconn', () => {
    const servers = makeServers([{ maxconn: 2 }, { maxconn: 3 }, { maxconn: 0 }]);
    const lb = new FirstBalancer(servers, options);
    const seq: string[] = [];
    for (let i = 0; i < 8; i++) {
      const s = lb.pick(tcpRequest(), undefined)!;
      take(lb, s);
      seq.push(s.name);
    }
    assert.deepEqual(seq, ['s1', 's1', 's2', 's2', 's2', 's3', 's3', 's3']);
    release(lb, servers[1]!);
    assert.equal(lb.pick(tcpRequest(), undefined), servers[1]);
    release(lb, servers[0]!);
    assert.equal(lb.pick(tcpRequest(), undefined), servers[0]);
  });

  it('goes straight to the first server with a slot when thousands ahead of it are full', () => {
    const servers = makeServers(Array.from({ length: 5000 }, (_, i) => ({ maxconn: i === 4999 ? 0 : 1 })));
    const lb = new FirstBalancer(servers, options);
    for (let i = 0; i < 4999; i++) take(lb, lb.pick(tcpRequest(), undefined)!);
    assert.equal(servers[4998]!.active, 1);
    for (let i = 0; i < 100; i++) assert.equal(lb.pick(tcpRequest(), undefined), servers[4999]);
  });

  it('ignores weights but never uses weight 0', () => {
    const servers = makeServers([0, 5, 1]);
    const lb = new FirstBalancer(servers, options);
    assert.equal(lb.pick(tcpRequest(), undefined), servers[1]);
  });
});
