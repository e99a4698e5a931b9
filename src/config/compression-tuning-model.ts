/**
 * The process's compression tunables and limits (HAProxy 2.6 built with zlib: compression.c,
 * flt_http_comp.c): the level compressors start at, zlib's memory settings, the rate of input
 * bytes above which no new response is compressed, and the zlib memory compressors may take.
 */
export interface CompressionTuningModel {
  /** `tune.comp.maxlevel` (1..9, default 1): the level a compressor starts at and climbs back to. */
  readonly maxLevel: number;
  /** `tune.zlib.memlevel` (1..9, default 8). */
  readonly memLevel: number;
  /** `tune.zlib.windowsize` (8..15, default 15). */
  readonly windowBits: number;
  /** `maxcomprate N`: bytes per second (N KiB/s); 0 = none. */
  readonly rateLimit: number;
  /** `maxzlibmem N`: bytes (N MiB) of zlib memory for every compressor of the process; 0 = none. */
  readonly maxZlibMemory: number;
  /**
   * `maxcompcpuusage N` (0..100) as HAProxy keeps it, compress_min_idle = 100 - N: below this idle
   * percentage of its thread, no new response is compressed and compressors step their level down.
   */
  readonly minIdle: number;
}

export const DEFAULT_COMPRESSION_TUNING: CompressionTuningModel = { maxLevel: 1, memLevel: 8, windowBits: 15, rateLimit: 0, maxZlibMemory: 0, minIdle: 0 };
