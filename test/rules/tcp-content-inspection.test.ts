/**
 * One channel's content rules waiting on its bytes (src/rules/tcp/content-inspection.ts) on a
 * manual clock: a condition that cannot decide yet waits for more bytes; an action that yields
 * resumes at its rule (HAProxy's s->current_rule: the rules before it and its condition do not
 * run again); the inspect delay, armed once, ends the wait with a final payload.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConditionResult, type CompiledCondition } from '../../src/rules/condition.ts';
import { Payload } from '../../src/rules/payload.ts';
import { TcpVerdict, type TcpAction, type TcpActionContext } from '../../src/rules/tcp/tcp-action.ts';
import { ContentInspection, type ContentDecision } from '../../src/rules/tcp/content-inspection.ts';
import type { ProxyTcpRules } from '../../src/rules/tcp/tcp-rules.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

type Rule = ProxyTcpRules['content'][number];

/** A condition on the payload's length: it misses while fewer bytes came and more may come. */
function atLeast(n: number, evaluations: { n: number }): CompiledCondition {
  return {
    evaluate: () => true,
    evaluateOrMiss(ctx) {
      evaluations.n++;
      const payload = (ctx as TcpActionContext).requestPayload as Payload;
      if (payload.bytes.byteLength >= n) return ConditionResult.pass;
      return payload.final ? ConditionResult.fail : ConditionResult.miss;
    },
  };
}

function counting(verdict: TcpVerdict, runs: { n: number }): TcpAction {
  return {
    run: () => {
      runs.n++;
      return verdict;
    },
  };
}

/** Yields until `ready()` holds, unless the payload is final (as do-resolve does). */
function yieldingUntil(ready: () => boolean, runs: { n: number }): TcpAction {
  return {
    run: (ctx) => {
      runs.n++;
      return ready() || (ctx.requestPayload as Payload).final ? TcpVerdict.continue : TcpVerdict.yield;
    },
  };
}

const rule = (action: TcpAction, condition?: CompiledCondition, line = 1): Rule => ({ action, condition, source: { file: 't.cfg', line } });

function setup(rules: Rule[], delay: number | undefined): { rt: FakeRuntime; inspection: ContentInspection; decisions: ContentDecision[] } {
  const rt = new FakeRuntime();
  const payload = new Payload();
  const ctx = { requestPayload: payload, lastRule: undefined } as unknown as TcpActionContext;
  const decisions: ContentDecision[] = [];
  const inspection = new ContentInspection(rt, rules, delay, ctx, payload, (d) => decisions.push(d));
  return { rt, inspection, decisions };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('content inspection', () => {
  it('waits while a condition lacks bytes, and decides when they come', () => {
    const evaluations = { n: 0 };
    const rejects = { n: 0 };
    const { rt, inspection, decisions } = setup([rule(counting(TcpVerdict.reject, rejects), atLeast(4, evaluations))], 5000);
    inspection.append(bytes('ab'));
    inspection.evaluate();
    assert.deepEqual(decisions, []);
    inspection.append(bytes('cd'));
    inspection.evaluate();
    assert.deepEqual(decisions, ['reject']);
    assert.equal(inspection.payload.final, true);
    assert.equal(rt.pendingTimers, 0);
    assert.equal(Buffer.concat(inspection.chunks).toString(), 'abcd');
  });

  it('an action that yields resumes at its rule: the rules before it and its condition run once', () => {
    const before = { n: 0 };
    const evaluations = { n: 0 };
    const yields = { n: 0 };
    let ready = false;
    const { rt, inspection, decisions } = setup(
      [rule(counting(TcpVerdict.continue, before)), rule(yieldingUntil(() => ready, yields), atLeast(1, evaluations), 2), rule(counting(TcpVerdict.accept, { n: 0 }), undefined, 3)],
      5000,
    );
    inspection.append(bytes('x'));
    inspection.evaluate();
    assert.deepEqual([decisions, before.n, evaluations.n, yields.n], [[], 1, 1, 1]);
    // More bytes while it waits: the list resumes at the yielding action.
    inspection.append(bytes('y'));
    inspection.evaluate();
    assert.deepEqual([decisions, before.n, evaluations.n, yields.n], [[], 1, 1, 2]);
    ready = true;
    inspection.evaluate();
    assert.deepEqual([decisions, before.n, evaluations.n, yields.n], [['accept'], 1, 1, 3]);
    assert.equal(rt.pendingTimers, 0);
  });

  it('the inspect delay, armed at the first wait, makes the payload final: the rules decide', () => {
    const yields = { n: 0 };
    const { rt, inspection, decisions } = setup([rule(yieldingUntil(() => false, yields)), rule(counting(TcpVerdict.reject, { n: 0 }), undefined, 2)], 2000);
    inspection.evaluate();
    rt.advance(1000);
    inspection.append(bytes('more'));
    inspection.evaluate();
    assert.deepEqual(decisions, []);
    rt.advance(999);
    assert.deepEqual(decisions, []);
    rt.advance(1);
    assert.deepEqual(decisions, ['reject']);
    assert.equal(yields.n, 3);
    assert.equal(rt.pendingTimers, 0);
  });

  it('without an inspect delay the rules decide at once; cancel() leaves nothing behind', () => {
    const { inspection, decisions } = setup([rule(yieldingUntil(() => false, { n: 0 }))], undefined);
    inspection.evaluate();
    assert.deepEqual(decisions, ['accept']);
    const waiting = setup([rule(yieldingUntil(() => false, { n: 0 }))], 1000);
    waiting.inspection.evaluate();
    assert.equal(waiting.rt.pendingTimers, 1);
    waiting.inspection.cancel();
    assert.equal(waiting.rt.pendingTimers, 0);
    waiting.rt.advance(2000);
    assert.deepEqual(waiting.decisions, []);
  });
});
