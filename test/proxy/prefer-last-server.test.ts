/**
 * `option prefer-last-server` in the backend (HAProxy's assign_server): which servers a
 * session's connection may keep, and how that server stands for the balancer's choice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BalanceModel, ServerModel } from '../../src/config/model.ts';
import { Backend, type BackendClient } from '../../src/proxy/backend.ts';
import type { Server } from '../../src/proxy/server.ts';
import { backend, server } from '../support/model.ts';

class Client implements BackendClient {
  readonly clientAddress = '127.0.0.1';
  readonly lbHead = undefined;
  readonly queuePositions = { server: 0, backend: 0 };
  grantedTo: Server | undefined;
  granted(s: Server): void {
    this.grantedTo = s;
  }
  kill(): void {}
}

function make(prefer: boolean, servers: ServerModel[] = [server('a', 1), server('b', 2)], balance: BalanceModel = { algorithm: 'roundrobin' }, maxKeepAliveQueue?: number): Backend {
  return new Backend(
    backend('be', servers, { balance, mode: 'http', options: { redispatch: false, ...(prefer ? { preferLastServer: true } : {}) }, ...(maxKeepAliveQueue === undefined ? {} : { maxKeepAliveQueue }) }),
  );
}

const named = (be: Backend, name: string): Server => be.server(name) as Server;

describe('option prefer-last-server (backend side)', () => {
  it('applies to round robin, leastconn, first, random; never to hashing algorithms', () => {
    assert.equal(make(false).acceptsLastServer, undefined);
    for (const algorithm of ['roundrobin', 'static-rr', 'leastconn', 'first'] as const) assert.ok(make(true, undefined, { algorithm }).acceptsLastServer, algorithm);
    assert.ok(make(true, undefined, { algorithm: 'random', draws: 2 }).acceptsLastServer);
    assert.equal(make(true, undefined, { algorithm: 'source' }).acceptsLastServer, undefined);
    assert.equal(make(true, undefined, { algorithm: 'url_param', param: 'k' }).acceptsLastServer, undefined);
  });

  it("accepts only this backend's servers that are currently usable", () => {
    const be = make(true);
    const other = make(true);
    const accepts = be.acceptsLastServer as (s: Server) => boolean;
    assert.ok(accepts(named(be, 'a')));
    assert.ok(!accepts(named(other, 'a')), "another backend's server");
    be.setServerStatus(named(be, 'a'), 'DOWN', 0);
    assert.ok(!accepts(named(be, 'a')), 'DOWN');
    be.setServerStatus(named(be, 'a'), 'MAINT', 0);
    assert.ok(!accepts(named(be, 'a')), 'MAINT');
    be.setServerWeight(named(be, 'b'), 0);
    assert.ok(!accepts(named(be, 'b')), 'weight 0 (drain)');
  });

  it('the last server stands for the balancer: round robin does not move, no lbtot is counted', () => {
    const be = make(true);
    const a = named(be, 'a');
    const first = be.take(new Client(), undefined);
    assert.equal(first, a);
    const lbtot = be.counters.lbtot;
    assert.equal(be.take(new Client(), undefined, undefined, false, a), a);
    assert.equal(be.take(new Client(), undefined, undefined, false, a), a);
    assert.equal(be.counters.lbtot, lbtot, 'not a balanced choice');
    assert.equal(be.take(new Client(), undefined), named(be, 'b'), 'round robin goes on where it was');
  });

  it('a full last server queues the request on itself', () => {
    const be = make(true, [server('a', 1, { maxconn: 1 }), server('b', 2)]);
    const a = named(be, 'a');
    assert.equal(be.take(new Client(), undefined), a);
    const waiting = new Client();
    assert.equal(be.take(waiting, undefined, undefined, false, a), 'queued');
    assert.equal(a.queue.length, 1);
  });

  it('max-keep-alive-queue N: a full last server is kept only while fewer than N wait in its queue (0: never queued)', () => {
    const be = make(true, [server('a', 1, { maxconn: 1 }), server('b', 2)], undefined, 1);
    const a = named(be, 'a');
    const accepts = be.acceptsLastServer as (s: Server) => boolean;
    assert.ok(accepts(a), 'a free slot');
    assert.equal(be.take(new Client(), undefined), a);
    assert.ok(accepts(a), 'full, nobody queued: 0 < 1');
    assert.equal(be.take(new Client(), undefined, undefined, false, a), 'queued');
    assert.ok(!accepts(a), 'full with one queued: the balancer chooses');
    const never = make(true, [server('a', 1, { maxconn: 1 }), server('b', 2)], undefined, 0);
    const a0 = named(never, 'a');
    assert.equal(never.take(new Client(), undefined), a0);
    assert.ok(!(never.acceptsLastServer as (s: Server) => boolean)(a0), 'max-keep-alive-queue 0: a full server is never kept');
  });
});
