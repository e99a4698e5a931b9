/**
 * literalAddress (src/util/ip-address.ts): HAProxy's str2ip2() without resolution, printed as
 * inet_ntop does; the cases are answers of HAProxy 2.6.12's `set server B/S check-addr`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { literalAddress } from '../../src/util/ip-address.ts';

describe('literalAddress', () => {
  it('reads IPv4, IPv6, bracketed and wildcard forms, canonically printed', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', '127.0.0.1'],
      ['::', '::'],
      ['*', '0.0.0.0'],
      ['[::1]', '::1'],
      ['[1.2.3.4]', '1.2.3.4'],
      ['::FFFF:0:1', '::ffff:0.0.0.1'],
      ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
      ['0:0:0:0:0:0:0:0', '::'],
    ];
    for (const [text, printed] of cases) assert.equal(literalAddress(text), printed, text);
  });

  it('refuses names, partial or padded addresses and addresses with a port', () => {
    for (const text of ['x', 'localhost', '1.2.3', '10', '127.000.0.1', '127.0.0.01', '1.2.3.4:80', 'ipv4@1.2.3.4', '[::1', '[]', '[1]', '1.2.3.4 ']) {
      assert.equal(literalAddress(text), undefined, text);
    }
  });
});
