import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latin1LowerString, latin1String } from '../../../src/http/codec/chars.ts';

describe('chars', () => {
  it('latin1LowerString lowercases ASCII letters only, byte for byte', () => {
    const raw = Uint8Array.from([0x58, 0x2d, 0x46, 0x6f, 0x4f, 0x5b, 0x40, 0xc0, 0x31]);
    assert.equal(latin1LowerString(raw, 0, raw.length), 'x-foo[@\u00c01');
    assert.equal(latin1LowerString(raw, 2, 5), 'foo');
    assert.equal(latin1LowerString(raw, 3, 3), '');
    assert.equal(latin1String(raw, 0, 5), 'X-FoO');
  });
});
