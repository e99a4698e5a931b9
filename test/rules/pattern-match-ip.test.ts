/** `-m ip` on an integer sample: HAProxy casts it to an IPv4 address (c_int2ip), as `req.payload(4,4),hex,hex2i -m ip A` needs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileMatcher } from '../../src/rules/pattern-match.ts';
import { Sample } from '../../src/rules/sample.ts';

describe('-m ip', () => {
  it('matches an integer as the IPv4 address it encodes', () => {
    const compiled = compileMatcher('ip', ['127.0.0.1', '10.0.0.0/8'], false);
    assert.ok(compiled.ok);
    const sample = (n: number): Sample => {
      const s = new Sample();
      s.setInt(n);
      return s;
    };
    assert.equal(compiled.match(sample(0x7f000001)), true);
    assert.equal(compiled.match(sample(0x0a010203)), true);
    assert.equal(compiled.match(sample(0x7f000002)), false);
  });
});
