/**
 * xxHash (src/util/xxhash.ts) against the reference implementation: the vectors below were
 * computed by xxHash 0.8's C code (through Bun.hash.xxHash32/xxHash64/xxHash3) over the bytes
 * 0, 1, 2, ... (mod 256), covering each length class of XXH3 (0-16, 17-128, 129-240, longer,
 * more than one block) and a seed; the 256-byte ones are also HAProxy's reg-test
 * sample_fetches/hashes.vtc.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xxh3, xxh32, xxh64 } from '../../src/util/xxhash.ts';

/** [length, seed, XXH32, XXH64, XXH3_64bits_withSeed]. */
const VECTORS: readonly (readonly [number, number, number, bigint, bigint])[] = [
  [0, 0, 46947589, 17241709254077376921n, 3244421341483603138n],
  [0, 1, 187479954, 15397730242686860875n, 5604079703740606211n],
  [3, 0, 1715378773, 16557408460946040285n, 6864218090047839419n],
  [3, 1, 3047406410, 11679678306495673425n, 4268152034517579805n],
  [7, 0, 2806200028, 1498682999415010002n, 923809989133364073n],
  [7, 1, 1891597423, 12631562390643439543n, 12842146109406868171n],
  [8, 0, 2746060985, 9820687458478070669n, 4187271766389786872n],
  [8, 1, 4150198892, 11325282522742279715n, 16655466742412027067n],
  [16, 0, 3072866292, 4951407828574235127n, 9463720498221773019n],
  [16, 1, 3327804270, 15943359457439590593n, 16344095233805488982n],
  [17, 0, 2088218050, 6198050452789369270n, 11453570474087510824n],
  [17, 1, 3459146128, 7639744905567609271n, 14145391227581568103n],
  [100, 0, 2139732548, 7692681977284421015n, 22042537110060316n],
  [100, 1, 2240478418, 4402730027071467555n, 14893643377613926310n],
  [128, 0, 1835111607, 8827021486636772242n, 9639417669764826219n],
  [128, 1, 1987068829, 12094223910394288173n, 13857128518797611014n],
  [129, 0, 1702022039, 838335823706922959n, 17038879581898686042n],
  [129, 1, 3040829603, 6311927462857021229n, 9866949630043416189n],
  [240, 0, 533789616, 83677167865178033n, 3988562325861820517n],
  [240, 1, 2623985935, 7909547949374734482n, 3576223372016765924n],
  [241, 0, 1536844261, 10188337679782381793n, 209643423615708418n],
  [241, 1, 3499333050, 4122139085267496288n, 15741027717871004853n],
  [256, 0, 1497633363, 2282408585429094475n, 10666956326096416113n],
  [256, 1, 1070421674, 13757404704808785655n, 5930632130106562027n],
  [1024, 0, 1483033946, 8014460039616323415n, 12137474952470826274n],
  [1024, 1, 137456366, 4312756577119242441n, 14359765508017475320n],
  [2049, 0, 719004338, 8429699419457614215n, 7124680608501705883n],
  [2049, 1, 2069023103, 5529128347342558927n, 873972991310140418n],
];

describe('xxHash', () => {
  it('XXH32, XXH64 and XXH3 give the reference values at every length class', () => {
    for (const [length, seed, h32, h64, h3] of VECTORS) {
      const bytes = new Uint8Array(length + 5); // longer than the input: only `length` bytes count
      for (let i = 0; i < bytes.length; i++) bytes[i] = i & 0xff;
      assert.equal(xxh32(bytes, length, seed), h32, `xxh32 len ${length} seed ${seed}`);
      assert.equal(xxh64(bytes, length, BigInt(seed)), h64, `xxh64 len ${length} seed ${seed}`);
      assert.equal(xxh3(bytes, length, BigInt(seed)), h3, `xxh3 len ${length} seed ${seed}`);
    }
  });

  it('a negative seed is its 64-bit two’s complement', () => {
    const bytes = new TextEncoder().encode('hello');
    assert.equal(xxh64(bytes, 5, -1n), xxh64(bytes, 5, 0xffffffffffffffffn));
    assert.equal(xxh3(bytes, 5, -1n), xxh3(bytes, 5, 0xffffffffffffffffn));
  });
});
