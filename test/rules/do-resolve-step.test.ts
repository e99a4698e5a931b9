/**
 * The `do-resolve` action shared by `http-request` and `tcp-request content`
 * (src/rules/actions/resolve-action.ts) on a manual clock: it waits while the name resolves
 * and stores the address once answered; `final` (HAProxy's ACT_OPT_FINAL: a content rule whose
 * inspect delay is over, or that had none) makes it give up on a name not resolved yet, its
 * resolution left, the variable untouched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolversModel } from '../../src/config/model.ts';
import { newResolversDraft } from '../../src/config/keywords/resolvers.ts';
import { DnsResolvers } from '../../src/dns/resolvers.ts';
import { StreamNameResolver } from '../../src/dns/stream-resolution.ts';
import { compileDoResolveStep, type DoResolveContext } from '../../src/rules/actions/resolve-action.ts';
import { Sample } from '../../src/rules/sample.ts';
import { ProcessVars, SessionVars, parseVarName, readVar, type VarName } from '../../src/rules/vars.ts';
import { buildAnswer, readQuery } from '../support/dns-packets.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

async function setup(): Promise<{ rt: FakeRuntime; resolvers: DnsResolvers; ctx: DoResolveContext & { names: StreamNameResolver; vars: SessionVars } }> {
  const rt = new FakeRuntime();
  const model: ResolversModel = { ...newResolversDraft('dns', { file: 'cfg', line: 1 }), nameservers: [{ name: 'ns1', host: '127.0.0.1', port: 5301, family: 4, source: { file: 'cfg', line: 2 } }] };
  const resolvers = new DnsResolvers(rt, model);
  resolvers.serveRules();
  await resolvers.start();
  const names = new StreamNameResolver({ resolversNamed: (name) => (name === 'dns' ? resolvers : undefined) }, rt, () => {});
  return { rt, resolvers, ctx: { clientAddress: '127.0.0.1', lbHead: undefined, names, vars: new SessionVars(new ProcessVars()) } };
}

function step(name: string) {
  const compiled = compileDoResolveStep({ variable: 'sess.ip', resolvers: 'dns', preferIPv4: true, expression: `str(${name})` });
  assert.ok(compiled.ok);
  return compiled.step;
}

function ipOf(vars: SessionVars): string | undefined {
  const out = new Sample();
  return readVar(vars, parseVarName('sess.ip') as VarName, out) ? out.str : undefined;
}

describe('do-resolve step', () => {
  it('waits while the name resolves, then stores the address', async () => {
    const { rt, resolvers, ctx } = await setup();
    const action = step('web.test');
    assert.equal(action.waits(ctx, false), true);
    assert.equal(action.waits(ctx, false), true);
    const queries = rt.udpSockets.flatMap((s) => s.sent.map((d) => readQuery(d.bytes)));
    assert.equal(queries.length, 1, 'asked once');
    rt.udpSockets[0]!.receiver.onDatagram(buildAnswer({ id: queries[0]!.id, name: 'web.test', qtype: 1, answers: [{ type: 'A', address: '192.0.2.7' }] }), '127.0.0.1', 5301);
    assert.equal(action.waits(ctx, false), false);
    assert.equal(ipOf(ctx.vars), '192.0.2.7');
    assert.equal(ctx.names.pending, undefined);
    resolvers.stop();
    assert.equal(rt.pendingTimers, 0);
  });

  it('final: a name not resolved yet is given up, its resolution left, the variable untouched', async () => {
    const { rt, resolvers, ctx } = await setup();
    const action = step('slow.test');
    assert.equal(action.waits(ctx, true), false);
    assert.equal(ctx.names.pending, undefined);
    assert.equal(ipOf(ctx.vars), undefined);
    // Nobody else resolves the name: nothing is asked (HAProxy drops the new resolution first).
    assert.equal(rt.udpSockets.flatMap((s) => s.sent).length, 0);
    // A wait that the inspect delay ends gives up the same way.
    assert.equal(action.waits(ctx, false), true);
    assert.equal(action.waits(ctx, true), false);
    assert.equal(ctx.names.pending, undefined);
    assert.equal(ipOf(ctx.vars), undefined);
    resolvers.stop();
    assert.equal(rt.pendingTimers, 0);
  });
});
