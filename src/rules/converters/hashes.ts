/**
 * Hash and digest converters: HAProxy's `crc32 crc32c djb2 sdbm wt6` (32-bit hashes of the bytes,
 * optionally through the avalanche function; the same functions `hash-type` uses, from
 * src/balance/hash-functions.ts), `xxh32 xxh64 xxh3` (xxHash, src/util/xxhash.ts),
 * `secure_memcmp` and `sha1 sha2 digest hmac` (message digests, computed by the
 * runtime seam's digest(); HMAC is built on it as RFC 2104 defines it).
 */
import { fullHash, type HashFunction, hashCrc32, hashDjb2, hashSdbm, hashWt6 } from '../../balance/hash-functions.ts';
import type { DigestAlgorithm } from '../../runtime.ts';
import { xxh3, xxh32, xxh64 } from '../../util/xxhash.ts';
import type { SampleContext } from '../sample-context.ts';
import { base64Decode } from './encoding.ts';
import { type ConverterDefinition, intArg, simpleConverter, spec, strArg } from './definition.ts';
import { VariableReader, variableArg } from './variable-args.ts';

/** Reused buffer holding a sample's bytes for hashing (converters run one at a time). */
let scratch = new Uint8Array(256);

/** The bytes of a binary string in the shared scratch buffer; valid until the next call. */
function bytesOf(text: string): Uint8Array {
  if (scratch.length < text.length) scratch = new Uint8Array(Math.max(text.length, scratch.length * 2));
  for (let i = 0; i < text.length; i++) scratch[i] = text.charCodeAt(i);
  return scratch;
}

function binaryString(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i] as number);
  return out;
}

const CRC32C_TABLE = ((): Int32Array => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32C (Castagnoli, RFC 4960 appendix B), as HAProxy's hash_crc32c. */
export function hashCrc32c(buf: Uint8Array, start: number, end: number): number {
  let h = -1;
  for (let i = start; i < end; i++) h = (h >>> 8) ^ CRC32C_TABLE[(h ^ buf[i]!) & 0xff]!;
  return ~h;
}

function hashConverter(name: string, hash: HashFunction): ConverterDefinition {
  return simpleConverter(name, spec(0, 'sint'), 'bin', 'sint', (args) => {
    const avalanche = intArg(args, 0, 0) !== 0;
    return (s) => {
      const h = hash(bytesOf(s.str), 0, s.str.length);
      return s.setInt((avalanche ? fullHash(h) : h) >>> 0);
    };
  });
}

/**
 * `xxh32([seed])`: the unsigned 32-bit XXH32; `xxh64([seed])` and `xxh3([seed])`: the 64-bit
 * hashes as HAProxy stores them, cast to a signed integer. A seed is read as an unsigned integer
 * of the hash's width (a negative one wraps), 0 when not given.
 */
const xxh32Converter = simpleConverter('xxh32', spec(0, 'sint'), 'bin', 'sint', (args) => {
  const seed = intArg(args, 0, 0);
  const seed32 = Number(BigInt.asUintN(32, BigInt(Math.trunc(seed))));
  return (s) => s.setInt(xxh32(bytesOf(s.str), s.str.length, seed32));
});

function xxh64Converter(name: string, hash: (bytes: Uint8Array, length: number, seed: bigint) => bigint): ConverterDefinition {
  return simpleConverter(name, spec(0, 'sint'), 'bin', 'sint', (args) => {
    const seed = BigInt(Math.trunc(intArg(args, 0, 0)));
    return (s) => s.setInt64(BigInt.asIntN(64, hash(bytesOf(s.str), s.str.length, seed)));
  });
}

/** OpenSSL's names for the digests the runtime offers (EVP_get_digestbyname is case-insensitive). */
function digestAlgorithm(name: string): DigestAlgorithm | undefined {
  switch (name.toLowerCase()) {
    case 'md5':
      return 'md5';
    case 'sha1':
      return 'sha1';
    case 'sha224':
      return 'sha224';
    case 'sha256':
      return 'sha256';
    case 'sha384':
      return 'sha384';
    case 'sha512':
      return 'sha512';
    default:
      return undefined;
  }
}

function digestOf(ctx: SampleContext, algorithm: DigestAlgorithm, bytes: Uint8Array): string | undefined {
  const runtime = ctx.runtime;
  return runtime === undefined ? undefined : binaryString(runtime.digest(algorithm, bytes));
}

function blockSize(algorithm: DigestAlgorithm): number {
  return algorithm === 'sha384' || algorithm === 'sha512' ? 128 : 64;
}

/** HMAC (RFC 2104) of `message` with `key`, both binary strings, over the runtime's digest. */
export function hmac(ctx: SampleContext, algorithm: DigestAlgorithm, key: string, message: string): string | undefined {
  const size = blockSize(algorithm);
  let k = key;
  if (k.length > size) {
    const hashed = digestOf(ctx, algorithm, bytesOf(k).subarray(0, k.length));
    if (hashed === undefined) return undefined;
    k = hashed;
  }
  const inner = new Uint8Array(size + message.length);
  const outer = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const b = i < k.length ? k.charCodeAt(i) : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  for (let i = 0; i < message.length; i++) inner[size + i] = message.charCodeAt(i);
  const innerHash = digestOf(ctx, algorithm, inner);
  if (innerHash === undefined) return undefined;
  const final = new Uint8Array(size + innerHash.length);
  final.set(outer);
  for (let i = 0; i < innerHash.length; i++) final[size + i] = innerHash.charCodeAt(i);
  return digestOf(ctx, algorithm, final);
}

function digestConverter(name: string, algorithm: DigestAlgorithm): ConverterDefinition {
  return simpleConverter(name, spec(0), 'bin', 'bin', () => (s, ctx) => {
    const d = digestOf(ctx, algorithm, bytesOf(s.str).subarray(0, s.str.length));
    return d === undefined ? false : s.setBin(d);
  });
}

const SHA2_BITS: Readonly<Record<number, DigestAlgorithm>> = { 224: 'sha224', 256: 'sha256', 384: 'sha384', 512: 'sha512' };

const sha2: ConverterDefinition = {
  name: 'sha2',
  args: spec(0, 'sint'),
  input: 'bin',
  output: 'bin',
  compile(args) {
    const bits = intArg(args, 0, 256);
    const algorithm = SHA2_BITS[bits];
    if (algorithm === undefined) return `Unsupported number of bits: '${bits}'`;
    return digestConverter('sha2', algorithm).compile([]);
  },
};

const NOT_A_DIGEST = 'algorithm must be a valid OpenSSL message digest name.';

const digest: ConverterDefinition = {
  name: 'digest',
  args: spec(1, 'str'),
  input: 'bin',
  output: 'bin',
  compile(args) {
    const algorithm = digestAlgorithm(strArg(args, 0) ?? '');
    return algorithm === undefined ? NOT_A_DIGEST : digestConverter('digest', algorithm).compile([]);
  },
};

const BASE64_KEY = 'argument needs to be base64 encoded, and can either be a string or a variable';

const hmacConverter: ConverterDefinition = {
  name: 'hmac',
  args: spec(2, 'str', 'str'),
  input: 'bin',
  output: 'bin',
  compile(args) {
    const algorithm = digestAlgorithm(strArg(args, 0) ?? '');
    if (algorithm === undefined) return NOT_A_DIGEST;
    const keyText = strArg(args, 1) ?? '';
    const variable = variableArg(keyText);
    if (variable !== undefined) {
      // A variable holds the key base64-encoded too, decoded at each conversion.
      const reader = new VariableReader(variable, 'str');
      return (s, ctx) => {
        const encoded = reader.read(ctx);
        const key = encoded === undefined ? undefined : base64Decode(encoded.str);
        if (key === undefined) return false;
        const mac = hmac(ctx, algorithm, key, s.str);
        return mac === undefined ? false : s.setBin(mac);
      };
    }
    const key = keyText === '' ? '' : keyText.length % 4 === 0 ? base64Decode(keyText) : undefined;
    if (key === undefined) return `failed to parse key : ${BASE64_KEY}`;
    return (s, ctx) => {
      const mac = hmac(ctx, algorithm, key, s.str);
      return mac === undefined ? false : s.setBin(mac);
    };
  },
};

/**
 * `secure_memcmp(VAR)`: whether the input's bytes equal the variable's (cast to binary), in
 * time that depends only on the length when both lengths are equal (CRYPTO_memcmp).
 */
const secureMemcmp: ConverterDefinition = {
  name: 'secure_memcmp',
  args: spec(1, 'str'),
  input: 'bin',
  output: 'bool',
  compile(args) {
    const name = strArg(args, 0) ?? '';
    if (name === '') return 'missing variable name';
    const variable = variableArg(name);
    if (variable === undefined) return `failed to register variable name '${name}'`;
    const reader = new VariableReader(variable, 'bin');
    return (s, ctx) => {
      const other = reader.read(ctx);
      if (other === undefined) return false;
      return s.setBool(constantTimeEqual(s.str, other.str));
    };
  },
};

/** Byte equality that reads every byte when the lengths match (no early exit on the first difference). */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export const HASH_CONVERTERS: readonly ConverterDefinition[] = [
  hashConverter('crc32', hashCrc32),
  hashConverter('crc32c', hashCrc32c),
  hashConverter('djb2', hashDjb2),
  hashConverter('sdbm', hashSdbm),
  hashConverter('wt6', hashWt6),
  digestConverter('sha1', 'sha1'),
  sha2,
  digest,
  hmacConverter,
  secureMemcmp,
  xxh32Converter,
  xxh64Converter('xxh64', xxh64),
  xxh64Converter('xxh3', xxh3),
];
