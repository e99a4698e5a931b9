/**
 * Every corpus case whole, then cut at every byte, byte by byte, and at random multi-cuts:
 * each cut must give exactly the same heads, consumed byte counts, payloads and error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Case, REQUEST_CASES, RESPONSE_CASES } from './corpus.ts';
import { type StreamSummary, bytes, runStream, splits } from './harness.ts';

function checkExpected(c: Case, got: StreamSummary): void {
  if (c.error !== undefined) {
    assert.ok(got.error, `expected ${c.error.code}, got success: ${JSON.stringify(got.messages.map((m) => m.head))}`);
    assert.equal(got.error.code, c.error.code);
    assert.equal(got.error.status, c.error.status);
    if (c.error.phase !== undefined) assert.equal(got.error.phase, c.error.phase);
  } else {
    assert.equal(got.error, undefined, `unexpected error ${JSON.stringify(got.error)}`);
  }
  if (c.messages !== undefined) {
    assert.equal(got.messages.length, c.messages.length, 'message count');
    c.messages.forEach((exp, i) => {
      const m = got.messages[i]!;
      for (const [key, value] of Object.entries(exp.head ?? {})) assert.deepEqual(m.head[key], value, `message ${i} head.${key}`);
      if (exp.headBytes !== undefined) assert.equal(m.headBytes, exp.headBytes, `message ${i} headBytes`);
      if (exp.bodyMode !== undefined) assert.equal(m.bodyMode, exp.bodyMode, `message ${i} bodyMode`);
      if (exp.bodyBytes !== undefined) assert.equal(m.bodyBytes, exp.bodyBytes, `message ${i} bodyBytes`);
      if (exp.payload !== undefined) assert.equal(m.payload, exp.payload, `message ${i} payload`);
    });
  }
  if (c.tunnel !== undefined) assert.equal(got.tunnel, c.tunnel);
  assert.equal(got.pending, c.pending ?? false, 'pending');
}

/** Bytes consumed across all messages must add up to the input (unless it ended in an error or mid-message). */
function checkConsumedTotal(c: Case, got: StreamSummary, total: number): void {
  if (got.error !== undefined || got.pending) return;
  const used = got.messages.reduce((n, m) => n + m.headBytes + m.bodyBytes, 0) + (got.tunnel?.length ?? 0);
  assert.equal(used, total, `${c.name}: consumed ${used} of ${total} bytes`);
}

for (const [title, cases] of [
  ['request corpus', REQUEST_CASES],
  ['response corpus', RESPONSE_CASES],
] as const) {
  describe(title, () => {
    it('has unique case names', () => {
      assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
    });
    for (const c of cases) {
      it(c.name, () => {
        const input = bytes(c.input);
        const whole = runStream(c.kind, [input], c.opts);
        checkExpected(c, whole);
        checkConsumedTotal(c, whole, input.length);
        // the same bytes at an offset inside a larger chunk
        const padded = new Uint8Array(input.length + 7);
        padded.set(input, 3);
        assert.deepEqual(runStream(c.kind, [padded.subarray(3, 3 + input.length)], c.opts), whole, 'offset chunk');
        for (const [label, pieces] of splits(input)) {
          const got = runStream(c.kind, pieces, c.opts);
          if (!isDeepStrictEqual(got, whole)) assert.deepEqual(got, whole, `${label} differs from the whole-input result`);
        }
      });
    }
  });
}

import { isDeepStrictEqual } from 'node:util';
