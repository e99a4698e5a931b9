/** The body fetches (src/rules/fetches-body.ts) on a held body. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageBody } from '../../src/rules/message-body.ts';
import { Sample } from '../../src/rules/sample.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';

function body(payload: string, announced = payload.length): MessageBody {
  const bytes = new TextEncoder().encode(payload);
  return { payload: () => bytes, payloadBytes: bytes.byteLength, announcedBytes: announced, final: true };
}

function sample(expression: string, ctx: SampleContext): string | undefined {
  const compiled = compileSampleFetch(expression, { direction: expression.startsWith('res.') ? 'response' : 'request' });
  assert.ok(compiled.ok, compiled.ok ? '' : compiled.message);
  return compiled.fetch.fetch(ctx);
}

describe('body fetches', () => {
  const ctx = { requestBody: body('a=1&b=two&a=3', 40), responseBody: body('{"ok":true}') } as SampleContext;

  it('req.body, req.body_len, req.body_size', () => {
    assert.equal(sample('req.body', ctx), 'a=1&b=two&a=3');
    assert.equal(sample('req.body_len', ctx), '13');
    assert.equal(sample('req.body_size', ctx), '40');
  });

  it('req.body_param: the first parameter of that name, or the first of any', () => {
    assert.equal(sample('req.body_param(b)', ctx), 'two');
    assert.equal(sample('req.body_param(a)', ctx), '1');
    assert.equal(sample('req.body_param', ctx), '1');
    assert.equal(sample('req.body_param(zz)', ctx), undefined);
  });

  it('res.body*', () => {
    assert.equal(sample('res.body', ctx), '{"ok":true}');
    assert.equal(sample('res.body_len', ctx), '11');
  });

  it('nothing without a held body', () => {
    assert.equal(sample('req.body_len', {} as SampleContext), undefined);
  });

  it('req.body is refused where only the response is known', () => {
    assert.equal(compileSampleFetch('res.body', { direction: 'request' }).ok, false);
  });
});
