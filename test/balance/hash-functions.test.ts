/**
 * The hash functions against values computed by HAProxy's own C code (src/hash.c and full_hash
 * from backend.h, compiled with gcc): the same key must land on the same server as behind HAProxy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullHash, hashCrc32, hashDjb2, hashNone, hashSdbm, hashWt6 } from '../../src/balance/hash-functions.ts';
import { latin1Bytes } from '../../src/http/codec/index.ts';

// [key, sdbm, djb2, wt6, crc32] from the C reference.
const VECTORS: [string, number, number, number, number][] = [
  ['', 0, 5381, 4187620192, 0],
  ['a', 97, 177670, 1900802597, 3904355907],
  ['hello', 684824882, 261238937, 3538347703, 907060870],
  ['/index.html', 858007926, 3776231887, 822151038, 3928116034],
  ['123456789', 1755344949, 902675330, 2225171485, 3421780262],
  ['www.example.com', 2718216582, 2843247409, 612436471, 785793723],
  ['/some/long/path/with/many/segments?and=query&x=1', 148975123, 4246747448, 2871349651, 2518544485],
  ['\xff\xfe\x80zz', 297246337, 445833622, 566693153, 4006233051],
];

// full_hash(x) from the C reference.
const FULL_HASH: [number, number][] = [
  [0, 2874071335],
  [1, 881230262],
  [2, 3798448204],
  [12345, 4132584531],
  [4096, 1237450891],
  [4097, 2761370759],
  [0xffffffff, 2120532354],
  [0x80000000, 4269489170],
  [3000000000, 1074109410],
];

describe('hash functions (HAProxy src/hash.c)', () => {
  for (const [key, sdbm, djb2, wt6, crc32] of VECTORS) {
    it(`hash ${JSON.stringify(key)} as HAProxy does`, () => {
      const bytes = latin1Bytes(key);
      assert.equal(hashSdbm(bytes, 0, bytes.length) >>> 0, sdbm, 'sdbm');
      assert.equal(hashDjb2(bytes, 0, bytes.length) >>> 0, djb2, 'djb2');
      assert.equal(hashWt6(bytes, 0, bytes.length) >>> 0, wt6, 'wt6');
      assert.equal(hashCrc32(bytes, 0, bytes.length) >>> 0, crc32, 'crc32');
      // Returned as int32 so V8 never boxes it.
      assert.equal(hashCrc32(bytes, 0, bytes.length), crc32 | 0);
    });
  }

  it('hash a sub-range of a buffer in place', () => {
    const bytes = latin1Bytes('xx/index.htmlyy');
    assert.equal(hashSdbm(bytes, 2, 13) >>> 0, 858007926);
    assert.equal(hashCrc32(bytes, 2, 13) >>> 0, 3928116034);
  });

  it('full_hash (avalanche) matches HAProxy', () => {
    for (const [x, h] of FULL_HASH) assert.equal(fullHash(x) >>> 0, h, `full_hash(${x})`);
  });

  it('`none` reads the key as a decimal integer truncated to 32 bits', () => {
    const none = (s: string): number => hashNone(latin1Bytes(s), 0, s.length) >>> 0;
    assert.equal(none('12345'), 12345);
    assert.equal(none('42abc'), 42);
    assert.equal(none('abc'), 0);
    assert.equal(none('4294967297'), 1);
    assert.equal(none('-1'), 4294967295);
  });
});
