/**
 * isIPv4 (src/config/address.ts), written as one pass over the characters: it answers as the
 * split-and-regex definition it replaced, four dot-separated parts of 1 to 3 ASCII digits, each
 * at most 255, on listed and on random texts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIPv4 } from '../../src/config/address.ts';

function reference(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

describe('isIPv4', () => {
  it('listed texts', () => {
    for (const text of ['127.0.0.1', '0.0.0.0', '255.255.255.255', '001.02.3.004', '10.0.0.1']) assert.equal(isIPv4(text), true, text);
    for (const text of ['', '1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '256.0.0.1', '1.2.3.0256', '1.2.3.a', '1.2.3.4 ', '::1', 'localhost', '1.2.3.-4', '١.2.3.4']) {
      assert.equal(isIPv4(text), false, text);
    }
  });

  it('random texts answer as the definition does', () => {
    const alphabet = ['0', '1', '2', '5', '9', '.', '.', 'a', ' ', '6'];
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const length = next() % 17;
      for (let i = 0; i < length; i++) text += alphabet[next() % alphabet.length];
      assert.equal(isIPv4(text), reference(text), JSON.stringify(text));
    }
  });
});
