/** The zlib memory a compressor is counted for (`maxzlibmem`, ZlibMemUsage). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMP_CTX_BYTES, zlibCompressorBytes } from '../../../src/http/compression/zlib-memory.ts';

describe('zlibCompressorBytes', () => {
  it("counts deflateInit2's areas from windowBits and memLevel, plus the state and the comp_ctx", () => {
    // HAProxy's defaults: a 32 KiB window (window + prev: 128 KiB), memLevel 8 (head 64 KiB, pending 64 KiB).
    assert.equal(zlibCompressorBytes({ windowBits: 15, memLevel: 8 }) - COMP_CTX_BYTES, 5_952 + 131_072 + 65_536 + 65_536);
    assert.equal(zlibCompressorBytes({ windowBits: 8, memLevel: 1 }) - COMP_CTX_BYTES, 5_952 + 1_024 + 512 + 512);
  });
});
