import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIpv4, parseIpv6, stickKey } from '../../src/stick/table-key.ts';

describe('stick table keys', () => {
  it('ip: dotted quads, IPv4-mapped IPv6 converted, other IPv6 and junk have no key', () => {
    assert.equal(stickKey('ip', 0, '192.0.2.1'), '192.0.2.1');
    assert.equal(stickKey('ip', 0, '010.000.0.1'), '10.0.0.1');
    assert.equal(stickKey('ip', 0, '::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(stickKey('ip', 0, '::FFFF:c000:0201'), '192.0.2.1');
    assert.equal(stickKey('ip', 0, '2001:db8::1'), undefined);
    assert.equal(stickKey('ip', 0, '256.0.0.1'), undefined);
    assert.equal(stickKey('ip', 0, '1.2.3'), undefined);
    assert.equal(stickKey('ip', 0, '1.2.3.4.5'), undefined);
    assert.equal(stickKey('ip', 0, 'abc'), undefined);
    assert.equal(stickKey('ip', 0, ''), undefined);
  });

  it('ipv6: one canonical form for every spelling; IPv4 becomes IPv4-mapped', () => {
    const k = stickKey('ipv6', 0, '2001:db8::1');
    assert.equal(k, '2001:db8:0:0:0:0:0:1');
    assert.equal(stickKey('ipv6', 0, '2001:0DB8:0:0:0:0:0:0001'), k);
    assert.equal(stickKey('ipv6', 0, '127.0.0.1'), stickKey('ipv6', 0, '::ffff:127.0.0.1'));
    assert.equal(stickKey('ipv6', 0, '::'), '0:0:0:0:0:0:0:0');
    assert.equal(stickKey('ipv6', 0, '1::2::3'), undefined);
    assert.equal(stickKey('ipv6', 0, '1:2:3:4:5:6:7:8:9'), undefined);
    assert.equal(stickKey('ipv6', 0, '12345::'), undefined);
    assert.equal(stickKey('ipv6', 0, 'fe80::1:'), undefined);
    assert.deepEqual(parseIpv6('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
    assert.equal(parseIpv6('1:2:3:4:5:6:7::8'), undefined);
  });

  it('integer: decimal or IPv4 value, 32-bit unsigned, junk has no key', () => {
    assert.equal(stickKey('integer', 0, '42'), '42');
    assert.equal(stickKey('integer', 0, '0042'), '42');
    assert.equal(stickKey('integer', 0, '-1'), '4294967295');
    assert.equal(stickKey('integer', 0, '4294967297'), '1');
    assert.equal(stickKey('integer', 0, '18446744073709551617'), '1');
    assert.equal(stickKey('integer', 0, '0.0.1.1'), '257');
    assert.equal(stickKey('integer', 0, '12a'), undefined);
    assert.equal(stickKey('integer', 0, '-'), undefined);
    assert.equal(parseIpv4('1.2.3.4'), 0x01020304);
  });

  it('string truncates to len; binary truncates or zero-pads to len', () => {
    assert.equal(stickKey('string', 4, 'abcdefgh'), 'abcd');
    assert.equal(stickKey('string', 32, 'abc'), 'abc');
    assert.equal(stickKey('string', 32, ''), '');
    assert.equal(stickKey('binary', 4, 'abcdef'), 'abcd');
    assert.equal(stickKey('binary', 4, 'ab'), 'ab\0\0');
  });
});
