/**
 * HAProxy's compression filter (flt_http_comp.c) on the response filter seam: the algorithm is
 * chosen from the request, the response decides whether it applies (select.ts), then the head
 * gets chunked framing, a weak ETag, `Vary: Accept-Encoding` and Content-Encoding (not for
 * identity), in that order, and the payload goes through the runtime's compressor, flushed after each
 * server read as HAProxy flushes each block (Z_SYNC_FLUSH), finished at the end.
 *
 * The process's bounds (HAProxy's compression.c with zlib): a response is not compressed while
 * the bytes given to compressors over the last second pass `maxcomprate`, nor when its
 * compressor's zlib memory would pass `maxzlibmem`, nor while the thread's idle percentage is
 * under 100 - `maxcompcpuusage`. A compressor starts at `tune.comp.maxlevel`; after each flush
 * its level steps down (to 0, stored blocks) while the compressed output of the last second
 * passes `maxcomprate` or the thread is that busy, and back up to the maximum otherwise. Bytes that go through at
 * level 0 count as bypassed, not compressed, as HAProxy's.
 */
import type { CompressionAlgo } from '../../config/model.ts';
import type { HttpCounters } from '../../proxy/counters.ts';
import type { ProcessLimits } from '../../proxy/process-limits.ts';
import type { Compressor, CompressorSink, Runtime } from '../../runtime.ts';
import { frameChunked, type FilterBodyRole, type FilterContext, type FilterOutput, type ResponseFilter } from '../../stream/response-filter.ts';
import { latin1Bytes, type RequestHead, type ResponseHead } from '../codec/index.ts';
import type { HeadEditor } from '../codec/serialize.ts';
import { codingName, compressionSettings, responseCompressible, selectRequestAlgo, type CompressionSettings } from './select.ts';
import { COMP_CTX_BYTES, zlibCompressorBytes } from './zlib-memory.ts';
const ACCEPT_ENCODING = latin1Bytes('accept-encoding');
const ETAG = latin1Bytes('etag');

/**
 * `maxcompcpuusage`: this thread's idle percentage under 100 - N (th_ctx->idle_pct <
 * compress_min_idle). A runtime that does not measure it never counts as too busy.
 */
export function cpuTooBusy(limits: ProcessLimits): boolean {
  const minIdle = limits.compression.minIdle;
  if (minIdle === 0) return false;
  const idle = limits.idlePct;
  return idle !== undefined && idle < minIdle;
}

export class CompressionFilter implements ResponseFilter, CompressorSink {
  readonly #settings: CompressionSettings;
  readonly #runtime: Runtime;
  readonly #frontendCounters: HttpCounters;
  readonly #backendCounters: HttpCounters;
  readonly #limits: ProcessLimits;
  #algo: CompressionAlgo | undefined;
  #compressor: Compressor | undefined;
  /** The compressor's level now (HAProxy's cur_lvl); 0 passes bytes through as stored blocks. */
  #level = 0;
  /** The zlib memory this transaction's compressor holds (given back at its end). */
  #zlibBytes = 0;
  /** Where the compressor's output goes during the call in progress. */
  #out: FilterOutput | undefined;

  constructor(settings: CompressionSettings, runtime: Runtime, frontendCounters: HttpCounters, backendCounters: HttpCounters, limits: ProcessLimits) {
    this.#settings = settings;
    this.#runtime = runtime;
    this.#frontendCounters = frontendCounters;
    this.#backendCounters = backendCounters;
    this.#limits = limits;
  }

  /** The algorithm in use for the response (res.comp_algo), once the response head went out. */
  get compressionAlgo(): CompressionAlgo | undefined {
    return this.#algo;
  }

  request(req: RequestHead, editor: HeadEditor): void {
    const algo = selectRequestAlgo(this.#settings, req, editor);
    this.#algo = algo;
    // `compression offload`: the server must not compress what we will.
    if (algo !== undefined && this.#settings.offload) editor.removeAll(ACCEPT_ENCODING);
  }

  responseHead(req: RequestHead, res: ResponseHead, editor: HeadEditor): FilterBodyRole {
    const algo = this.#algo;
    if (algo === undefined || !responseCompressible(this.#settings, req, res) || !this.#start(algo)) {
      this.#algo = undefined;
      return 'none';
    }
    // set_compression_response_header's order in HAProxy 2.6 (since the backport of "handle
    // rewrite errors when updating response headers", so a failed rewrite never leaves
    // Content-Encoding on a plain body): chunked framing, weak ETag, Vary, Content-Encoding last.
    frameChunked(res, editor);
    weakenEtag(res, editor);
    editor.append('vary', 'Accept-Encoding');
    if (algo !== 'identity') editor.append('content-encoding', codingName(algo));
    return 'transform';
  }

  /**
   * select_compression_response_header's last checks and the algorithm's init: the process's
   * input rate under `maxcomprate`, the compressor's zlib memory under `maxzlibmem`.
   */
  #start(algo: CompressionAlgo): boolean {
    const limits = this.#limits;
    const rateLimit = limits.compRateLimit;
    if (rateLimit > 0 && limits.compBpsIn > rateLimit) return false;
    const tuning = limits.compression;
    if (cpuTooBusy(limits)) return false;
    if (algo === 'identity') {
      if (!limits.zlibReserve(COMP_CTX_BYTES, tuning.maxZlibMemory)) return false;
      this.#zlibBytes = COMP_CTX_BYTES;
      return true;
    }
    const create = this.#runtime.createCompressor;
    if (create === undefined) return false;
    const bytes = zlibCompressorBytes(tuning);
    if (!limits.zlibReserve(bytes, tuning.maxZlibMemory)) return false;
    this.#zlibBytes = bytes;
    this.#level = tuning.maxLevel;
    this.#compressor = create.call(this.#runtime, algo, { level: tuning.maxLevel, memLevel: tuning.memLevel, windowBits: tuning.windowBits }, this);
    return true;
  }

  data(payload: Uint8Array, out: FilterOutput): void {
    const compressor = this.#compressor;
    const n = payload.byteLength;
    // HAProxy's comp_http_payload: `identity` and level 0 bypass, a compressing level takes the bytes in.
    if (compressor === undefined || this.#level === 0) {
      this.#frontendCounters.compBypassed += n;
      this.#backendCounters.compBypassed += n;
      if (compressor === undefined) return out.push(payload);
    } else {
      this.#frontendCounters.compIn += n;
      this.#backendCounters.compIn += n;
      this.#limits.compressed(n, 0);
    }
    this.#out = out;
    compressor.push(payload);
  }

  flush(out: FilterOutput): void {
    const compressor = this.#compressor;
    if (compressor === undefined) return;
    this.#out = out;
    compressor.flush();
    this.#adjustLevel(compressor);
  }

  /** deflate_flush_or_finish's compression limit: one level down while the output rate or the CPU usage is too high, else one up. */
  #adjustLevel(compressor: Compressor): void {
    const limit = this.#limits.compRateLimit;
    if ((limit > 0 && this.#limits.compBpsOut > limit) || cpuTooBusy(this.#limits)) {
      if (this.#level > 0 && compressor.setLevel(this.#level - 1)) this.#level--;
    } else if (this.#level < this.#limits.compression.maxLevel && compressor.setLevel(this.#level + 1)) {
      this.#level++;
    }
  }

  #releaseMemory(): void {
    if (this.#zlibBytes === 0) return;
    this.#limits.zlibRelease(this.#zlibBytes);
    this.#zlibBytes = 0;
  }

  end(out: FilterOutput): void {
    // HAProxy's comp_http_end: a response the filter took (`identity` included) is counted at its end.
    if (this.#algo !== undefined) {
      this.#frontendCounters.compResponses++;
      this.#backendCounters.compResponses++;
    }
    const compressor = this.#compressor;
    if (compressor === undefined) return this.#releaseMemory();
    this.#out = out;
    this.#compressor = undefined;
    compressor.finish();
    this.#releaseMemory();
  }

  release(): void {
    const compressor = this.#compressor;
    this.#compressor = undefined;
    this.#out = undefined;
    compressor?.release();
    this.#releaseMemory();
  }

  onCompressed(bytes: Uint8Array): void {
    const n = bytes.byteLength;
    // At level 0 the input was counted as bypassed, and what comes out is not counted (HAProxy's comp_http_payload).
    if (this.#level > 0) {
      this.#frontendCounters.compOut += n;
      this.#backendCounters.compOut += n;
      this.#limits.compressed(0, n);
    }
    this.#out?.push(bytes);
  }
}

/** A strong ETag becomes weak: the compressed bytes are not the entity the server tagged. */
function weakenEtag(res: ResponseHead, editor: HeadEditor): void {
  for (let i = res.indexOf(ETAG); i >= 0; i = res.indexOf(ETAG, i + 1)) {
    const value = editor.editedValue(i);
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value.trim() : latin1String(value);
    if (text.charCodeAt(0) === 0x22) editor.replace(i, `W/${text}`);
    return;
  }
  for (let j = 0; j < editor.appendedCount; j++) {
    if (editor.appendedName(j).name.toLowerCase() !== 'etag') continue;
    const value = editor.appendedValue(j);
    const text = typeof value === 'string' ? value.trim() : latin1String(value);
    if (text.charCodeAt(0) === 0x22) editor.replaceAppended(j, `W/${text}`);
    return;
  }
}

function latin1String(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s.trim();
}

/** The `compression` filter kind: present when the frontend or the backend has `compression` lines. */
export function compressionFilter(ctx: FilterContext): ResponseFilter | undefined {
  const settings = compressionSettings(ctx.frontend.compression, ctx.backend.compression);
  return settings === undefined ? undefined : new CompressionFilter(settings, ctx.runtime, ctx.frontendCounters, ctx.backendCounters, ctx.limits);
}
