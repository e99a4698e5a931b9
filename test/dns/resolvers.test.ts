/**
 * The resolution engine (src/dns/resolvers.ts) on a manual clock: HAProxy 2.6's
 * process_resolvers timing (a query per `timeout resolve`, resent every `timeout retry`,
 * `resolve_retries` in all, then a timeout), the A/AAAA fallback, a name shared by two
 * requesters (the second hears it "from the cache"), and stop() leaving no timer nor socket.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolversModel } from '../../src/config/model.ts';
import { DnsResolvers, type Resolution, type ResolutionRequester } from '../../src/dns/resolvers.ts';
import { DNS_TYPE_SRV } from '../../src/dns/wire.ts';
import { newResolversDraft } from '../../src/config/keywords/resolvers.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { buildAnswer, readQuery } from '../support/dns-packets.ts';

const NAME = 'svc.test';

function model(changes: Partial<ResolversModel> = {}): ResolversModel {
  const draft = newResolversDraft('dns', { file: 'cfg', line: 1 });
  return {
    ...draft,
    nameservers: [
      { name: 'ns1', host: '127.0.0.1', port: 5301, family: 4, source: { file: 'cfg', line: 2 } },
      { name: 'ns2', host: '127.0.0.1', port: 5302, family: 4, source: { file: 'cfg', line: 3 } },
    ],
    ...changes,
  };
}

class Recorder implements ResolutionRequester {
  readonly group = {};
  readonly events: string[] = [];
  onAnswer(resolution: Resolution, nameserver: string | undefined): void {
    const addresses = resolution.response?.answers.map((a) => ('address' in a ? a.address : '')).join(',');
    this.events.push(`answer ${addresses} by ${nameserver ?? 'DNS cache'}`);
  }
  onFailure(resolution: Resolution): void {
    this.events.push(`failure ${resolution.status}`);
  }
}

function sent(rt: FakeRuntime): Array<{ port: number; qtype: number; id: number; name: string }> {
  return rt.udpSockets.flatMap((s) => s.sent.map((d) => ({ port: d.port, ...readQuery(d.bytes) })));
}

function reply(rt: FakeRuntime, fromPort: number, bytes: Uint8Array): void {
  rt.udpSockets[0]!.receiver.onDatagram(bytes, '127.0.0.1', fromPort);
}

describe('DNS resolution engine', () => {
  it('asks every nameserver at start and every `timeout resolve`; the first valid answer goes to all requesters', async () => {
    const rt = new FakeRuntime();
    const resolvers = new DnsResolvers(rt, model({ timeoutResolve: 1000 }));
    const first = new Recorder();
    const second = new Recorder();
    resolvers.subscribe(NAME, true, first);
    resolvers.subscribe('SVC.test.', true, second);
    await resolvers.start();
    const queries = sent(rt);
    assert.deepEqual(queries.map((q) => [q.port, q.qtype]), [[5301, 1], [5302, 1]]);
    reply(rt, 5302, buildAnswer({ id: queries[0]!.id, name: NAME, qtype: 1, answers: [{ type: 'A', address: '10.0.0.7' }] }));
    assert.deepEqual(first.events, ['answer 10.0.0.7 by dns/ns2']);
    assert.deepEqual(second.events, ['answer 10.0.0.7 by DNS cache']);
    // The late answer of the other nameserver is outdated.
    reply(rt, 5301, buildAnswer({ id: queries[0]!.id, name: NAME, qtype: 1, answers: [{ type: 'A', address: '10.0.0.8' }] }));
    assert.equal(first.events.length, 1);
    assert.equal(resolvers.nameservers[0]!.counters.outdated, 1);
    rt.advance(999);
    assert.equal(sent(rt).length, 2);
    rt.advance(1);
    assert.equal(sent(rt).length, 4);
    resolvers.stop();
  });

  it('resends every `timeout retry` and fails with a timeout after `resolve_retries` queries', async () => {
    const rt = new FakeRuntime();
    const resolvers = new DnsResolvers(rt, model({ resolveRetries: 3, timeoutRetry: 200, timeoutResolve: 5000 }));
    const r = new Recorder();
    resolvers.subscribe(NAME, true, r);
    await resolvers.start();
    assert.equal(sent(rt).length, 2);
    rt.advance(200);
    assert.equal(sent(rt).length, 4);
    rt.advance(200);
    assert.equal(sent(rt).length, 6);
    assert.deepEqual(r.events, []);
    rt.advance(200);
    assert.deepEqual(r.events, ['failure timeout']);
    assert.equal(sent(rt).length, 6);
    // The next resolution starts `timeout resolve` later.
    rt.advance(4999);
    assert.equal(sent(rt).length, 6);
    rt.advance(1);
    assert.equal(sent(rt).length, 8);
    resolvers.stop();
  });

  it('an error for the preferred type is asked again at once with the other type', async () => {
    const rt = new FakeRuntime();
    const resolvers = new DnsResolvers(rt, model({ nameservers: model().nameservers.slice(0, 1) }));
    const r = new Recorder();
    resolvers.subscribe(NAME, false, r);
    await resolvers.start();
    const [aaaa] = sent(rt);
    assert.equal(aaaa!.qtype, 28);
    reply(rt, 5301, buildAnswer({ id: aaaa!.id, name: NAME, qtype: 28 }));
    const [, a] = sent(rt);
    assert.deepEqual([a!.qtype, a!.id], [1, aaaa!.id]);
    reply(rt, 5301, buildAnswer({ id: a!.id, name: NAME, qtype: 1, answers: [{ type: 'A', address: '10.0.0.9' }] }));
    assert.deepEqual(r.events, ['answer 10.0.0.9 by dns/ns1']);
    resolvers.stop();
  });

  it('NXDOMAIN from every nameserver, on both types and every try, is reported as nx', async () => {
    const rt = new FakeRuntime();
    const resolvers = new DnsResolvers(rt, model({ resolveRetries: 2, timeoutRetry: 100 }));
    const r = new Recorder();
    resolvers.subscribe(NAME, true, r);
    await resolvers.start();
    const answerAll = () => {
      const pending = sent(rt).slice(-2);
      for (const q of pending) reply(rt, q.port, buildAnswer({ id: q.id, name: NAME, qtype: q.qtype, rcode: 3 }));
    };
    answerAll(); // A: NX from both -> AAAA at once
    answerAll(); // AAAA: NX from both, one try left: wait for `timeout retry`
    assert.deepEqual(r.events, []);
    rt.advance(100);
    answerAll();
    answerAll();
    assert.deepEqual(r.events, ['failure nx']);
    resolvers.stop();
  });

  it('an SRV query has no other family: an error waits for `timeout retry`, and each resend is a try', async () => {
    const rt = new FakeRuntime();
    const resolvers = new DnsResolvers(rt, model({ nameservers: model().nameservers.slice(0, 1), resolveRetries: 2, timeoutRetry: 100 }));
    const r = new Recorder();
    resolvers.subscribeType('_http._tcp.svc.test', DNS_TYPE_SRV, r);
    await resolvers.start();
    const nx = (q: { id: number; qtype: number }) => reply(rt, 5301, buildAnswer({ id: q.id, name: '_http._tcp.svc.test', qtype: q.qtype, rcode: 3 }));
    nx(sent(rt)[0]!);
    // Not asked again as A or AAAA.
    assert.deepEqual(sent(rt).map((q) => q.qtype), [33]);
    rt.advance(100);
    assert.deepEqual(sent(rt).map((q) => q.qtype), [33, 33]);
    nx(sent(rt)[1]!);
    assert.deepEqual(r.events, []);
    rt.advance(100);
    assert.deepEqual(r.events, ['failure nx']);
    assert.equal(sent(rt).length, 2);
    resolvers.stop();
  });

  it('a name first asked while running is resolved at once; dropped, its late answer is outdated', async () => {
    const rt = new FakeRuntime();
    const resolvers = new DnsResolvers(rt, model({ nameservers: model().nameservers.slice(0, 1), timeoutResolve: 5000 }));
    resolvers.subscribe(NAME, true, new Recorder());
    await resolvers.start();
    assert.equal(sent(rt).length, 1);
    const late = new Recorder();
    const resolution = resolvers.subscribe('target.test', true, late);
    const query = sent(rt)[1]!;
    assert.equal(query.qtype, 1);
    resolvers.unsubscribe(resolution, late);
    reply(rt, 5301, buildAnswer({ id: query.id, name: 'target.test', qtype: 1, answers: [{ type: 'A', address: '10.0.0.1' }] }));
    assert.deepEqual(late.events, []);
    assert.equal(resolvers.nameservers[0]!.counters.outdated, 1);
    // Nobody asks for it any more: it is not resolved again.
    rt.advance(5000);
    assert.ok(sent(rt).length > 2);
    assert.deepEqual(sent(rt).slice(2).filter((q) => q.name === 'target.test'), []);
    resolvers.stop();
  });

  it('stop() clears its timer and closes its sockets', async () => {
    const rt = new FakeRuntime();
    const before = rt.pendingTimers;
    const resolvers = new DnsResolvers(rt, model());
    resolvers.subscribe(NAME, true, new Recorder());
    await resolvers.start();
    assert.equal(rt.pendingTimers, before + 1);
    resolvers.stop();
    assert.equal(rt.pendingTimers, before);
    assert.ok(rt.udpSockets.every((s) => s.closed));
    rt.advance(10_000);
    assert.equal(sent(rt).length, 2);
  });
});
