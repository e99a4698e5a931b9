/**
 * The zlib memory one compressor holds, as HAProxy built with zlib counts it (compression.c's
 * alloc_zlib: the comp_ctx, then deflateInit2's five areas — its state, the window, `prev`,
 * `head` and the pending buffer). The runtimes do not let us see their zlib's allocations, so
 * the same areas are computed from the settings; the state's and comp_ctx's sizes are those of
 * zlib 1.2.13 and HAProxy 2.6 on x86_64, close enough for a limit given in MiB.
 */
import type { CompressionTuningModel } from '../../config/compression-tuning-model.ts';

/** sizeof(struct comp_ctx) with zlib (a z_stream, five area pointers, the level). */
export const COMP_CTX_BYTES = 168;
/** sizeof(deflate_state). */
const DEFLATE_STATE_BYTES = 5_952;

/** What deflateInit2(level, windowBits, memLevel) allocates, plus the comp_ctx. */
export function zlibCompressorBytes(tuning: Pick<CompressionTuningModel, 'memLevel' | 'windowBits'>): number {
  const window = 1 << tuning.windowBits;
  const hash = 1 << (tuning.memLevel + 7);
  const litBuffer = 1 << (tuning.memLevel + 6);
  // window (2 bytes per position), prev (a Pos each), head (a Pos each), pending_buf (4 per literal).
  return COMP_CTX_BYTES + DEFLATE_STATE_BYTES + window * 2 + window * 2 + hash * 2 + litBuffer * 4;
}
