/**
 * A stream's `do-resolve` (src/dns/stream-resolution.ts) on a manual clock: the stream is woken
 * once the answer (or the failure) is in, a fresh answer another requester holds is used at
 * once, the address follows the preferred family, and a stream that ends first leaves the
 * resolution (no wake-up, nothing left subscribed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolversModel } from '../../src/config/model.ts';
import { DnsResolvers, type Resolution, type ResolutionRequester } from '../../src/dns/resolvers.ts';
import { StreamNameResolver } from '../../src/dns/stream-resolution.ts';
import { newResolversDraft } from '../../src/config/keywords/resolvers.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { buildAnswer, readQuery } from '../support/dns-packets.ts';

function model(changes: Partial<ResolversModel> = {}): ResolversModel {
  const draft = newResolversDraft('dns', { file: 'cfg', line: 1 });
  return { ...draft, nameservers: [{ name: 'ns1', host: '127.0.0.1', port: 5301, family: 4, source: { file: 'cfg', line: 2 } }], ...changes };
}

function sent(rt: FakeRuntime): Array<{ qtype: number; id: number; name: string }> {
  return rt.udpSockets.flatMap((s) => s.sent.map((d) => readQuery(d.bytes)));
}

function reply(rt: FakeRuntime, bytes: Uint8Array): void {
  rt.udpSockets[0]!.receiver.onDatagram(bytes, '127.0.0.1', 5301);
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function setup(changes: Partial<ResolversModel> = {}): Promise<{ rt: FakeRuntime; resolvers: DnsResolvers; names: StreamNameResolver; wakes: { n: number } }> {
  const rt = new FakeRuntime();
  const resolvers = new DnsResolvers(rt, model(changes));
  resolvers.serveRules();
  await resolvers.start();
  const wakes = { n: 0 };
  const names = new StreamNameResolver({ resolversNamed: (name) => (name === 'dns' ? resolvers : undefined) }, rt, () => wakes.n++);
  return { rt, resolvers, names, wakes };
}

describe('do-resolve requests', () => {
  it('a section serving rules runs without any server; the answer wakes the stream with the preferred family', async () => {
    const { rt, resolvers, names, wakes } = await setup();
    const pending = names.resolve('dns', 'Web.Test', false);
    assert.ok(pending !== undefined && !pending.done);
    const [query] = sent(rt);
    assert.deepEqual([query?.name, query?.qtype], ['web.test', 28]);
    reply(rt, buildAnswer({ id: query!.id, name: 'web.test', qtype: 28, answers: [{ type: 'AAAA', address: '2001:db8::1' }] }));
    assert.equal(pending.done, true);
    assert.equal(pending.address, '2001:db8::1');
    // The wake-up comes after the resolvers are done with their requesters.
    assert.equal(wakes.n, 0);
    await tick();
    assert.equal(wakes.n, 1);
    names.release();
    resolvers.stop();
    assert.equal(rt.pendingTimers, 0);
  });

  it('a failure settles without an address', async () => {
    const { rt, resolvers, names, wakes } = await setup({ resolveRetries: 1 });
    const pending = names.resolve('dns', 'nx.test', true);
    const [a] = sent(rt);
    reply(rt, buildAnswer({ id: a!.id, name: 'nx.test', qtype: 1, rcode: 3 }));
    // NX for A: AAAA is tried at once, then the only try is spent.
    const b = sent(rt)[1];
    assert.equal(b?.qtype, 28);
    reply(rt, buildAnswer({ id: b!.id, name: 'nx.test', qtype: 28, rcode: 3 }));
    assert.equal(pending?.done, true);
    assert.equal(pending?.address, undefined);
    await tick();
    assert.equal(wakes.n, 1);
    resolvers.stop();
  });

  it('uses at once a valid answer younger than hold valid that another requester keeps', async () => {
    const { rt, resolvers, names, wakes } = await setup({ timeoutResolve: 60_000 });
    const server: ResolutionRequester = { group: {}, onAnswer: () => {}, onFailure: () => {} };
    const shared: Resolution = resolvers.subscribe('api.test', true, server);
    rt.advance(0);
    const [query] = sent(rt);
    reply(rt, buildAnswer({ id: query!.id, name: 'api.test', qtype: 1, answers: [{ type: 'AAAA', address: '2001:db8::2' }, { type: 'A', address: '10.0.0.9' }] }));
    assert.equal(shared.status, 'valid');
    const pending = names.resolve('dns', 'api.test', true);
    assert.equal(pending?.done, true);
    assert.equal(pending?.address, '10.0.0.9');
    assert.equal(sent(rt).length, 1);
    names.release();
    await tick();
    assert.equal(wakes.n, 0);
    assert.deepEqual(shared.requesters, [server]);
    resolvers.stop();
  });

  it('a stream ending first leaves the resolution and is not woken', async () => {
    const { rt, resolvers, names, wakes } = await setup();
    const pending = names.resolve('dns', 'slow.test', true);
    const [query] = sent(rt);
    names.release();
    reply(rt, buildAnswer({ id: query!.id, name: 'slow.test', qtype: 1, answers: [{ type: 'A', address: '10.0.0.1' }] }));
    await tick();
    assert.equal(pending?.done, false);
    assert.equal(wakes.n, 0);
    assert.equal(resolvers.nameservers[0]!.counters.outdated, 1);
    resolvers.stop();
  });

  it('skips an unknown section or a name that is no DNS name', async () => {
    const { names, resolvers } = await setup();
    assert.equal(names.resolve('other', 'a.test', true), undefined);
    assert.equal(names.resolve('dns', '', true), undefined);
    assert.equal(names.resolve('dns', `${'a'.repeat(64)}.test`, true), undefined);
    resolvers.stop();
  });
});

describe('do-resolve and a stopping section', () => {
  it('a stream waiting when the section stops goes on as after a failure', async () => {
    const { rt, resolvers, names, wakes } = await setup();
    const pending = names.resolve('dns', 'late.test', true);
    assert.equal(sent(rt).length, 1);
    resolvers.stop();
    assert.equal(pending?.done, true);
    assert.equal(pending?.address, undefined);
    await tick();
    assert.equal(wakes.n, 1);
    assert.equal(rt.pendingTimers, 0);
  });
});
