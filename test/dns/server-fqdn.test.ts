/**
 * dnName (src/dns/server-fqdn.ts): resolv_str_to_dn_label's verdict on a `set server fqdn`
 * name, and the name as resolutions compare them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dnName } from '../../src/dns/server-fqdn.ts';

describe('dnName', () => {
  it('lower case without the trailing dot', () => {
    assert.equal(dnName('App.Example.'), 'app.example');
    assert.equal(dnName('a'), 'a');
    assert.equal(dnName('_a-b.test'), '_a-b.test');
  });

  it('no name with an empty label', () => {
    for (const text of ['a..b', '.a', '.', 'a..']) assert.equal(dnName(text), undefined, text);
  });
});
