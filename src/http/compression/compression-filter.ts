/**
 * HAProxy's compression filter (flt_http_comp.c) on the response filter seam: the algorithm is
 * chosen from the request, the response decides whether it applies (select.ts), then the head
 * gets Content-Encoding (not for identity), chunked framing, a weak ETag and `Vary:
 * Accept-Encoding`, and the payload goes through the runtime's compressor, flushed after each
 * server read as HAProxy flushes each block (Z_SYNC_FLUSH), finished at the end.
 */
import type { CompressionAlgo } from '../../config/model.ts';
import type { HttpCounters } from '../../proxy/counters.ts';
import type { Compressor, CompressorOptions, CompressorSink, Runtime } from '../../runtime.ts';
import { frameChunked, type FilterBodyRole, type FilterContext, type FilterOutput, type ResponseFilter } from '../../stream/response-filter.ts';
import { latin1Bytes, type RequestHead, type ResponseHead } from '../codec/index.ts';
import type { HeadEditor } from '../codec/serialize.ts';
import { codingName, compressionSettings, responseCompressible, selectRequestAlgo, type CompressionSettings } from './select.ts';

/** HAProxy's defaults: tune.comp.maxlevel 1, tune.zlib.memlevel 8, tune.zlib.windowsize 15. */
const ZLIB_OPTIONS: CompressorOptions = { level: 1, memLevel: 8, windowBits: 15 };
const ACCEPT_ENCODING = latin1Bytes('accept-encoding');
const ETAG = latin1Bytes('etag');

export class CompressionFilter implements ResponseFilter, CompressorSink {
  readonly #settings: CompressionSettings;
  readonly #runtime: Runtime;
  readonly #frontendCounters: HttpCounters;
  readonly #backendCounters: HttpCounters;
  #algo: CompressionAlgo | undefined;
  #compressor: Compressor | undefined;
  /** Where the compressor's output goes during the call in progress. */
  #out: FilterOutput | undefined;

  constructor(settings: CompressionSettings, runtime: Runtime, frontendCounters: HttpCounters, backendCounters: HttpCounters) {
    this.#settings = settings;
    this.#runtime = runtime;
    this.#frontendCounters = frontendCounters;
    this.#backendCounters = backendCounters;
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
    if (algo === undefined || !responseCompressible(this.#settings, req, res)) {
      this.#algo = undefined;
      return 'none';
    }
    if (algo !== 'identity') {
      const create = this.#runtime.createCompressor;
      if (create === undefined) {
        this.#algo = undefined;
        return 'none';
      }
      this.#compressor = create.call(this.#runtime, algo, ZLIB_OPTIONS, this);
      editor.append('content-encoding', codingName(algo));
    }
    frameChunked(res, editor);
    weakenEtag(res, editor);
    editor.append('vary', 'Accept-Encoding');
    return 'transform';
  }

  data(payload: Uint8Array, out: FilterOutput): void {
    const compressor = this.#compressor;
    const n = payload.byteLength;
    // HAProxy's comp_http_payload: `identity` (level 0) bypasses, a real compressor takes the bytes in.
    if (compressor === undefined) {
      this.#frontendCounters.compBypassed += n;
      this.#backendCounters.compBypassed += n;
      return out.push(payload);
    }
    this.#frontendCounters.compIn += n;
    this.#backendCounters.compIn += n;
    this.#out = out;
    compressor.push(payload);
  }

  flush(out: FilterOutput): void {
    const compressor = this.#compressor;
    if (compressor === undefined) return;
    this.#out = out;
    compressor.flush();
  }

  end(out: FilterOutput): void {
    // HAProxy's comp_http_end: a response the filter took (`identity` included) is counted at its end.
    if (this.#algo !== undefined) {
      this.#frontendCounters.compResponses++;
      this.#backendCounters.compResponses++;
    }
    const compressor = this.#compressor;
    if (compressor === undefined) return;
    this.#out = out;
    this.#compressor = undefined;
    compressor.finish();
  }

  release(): void {
    const compressor = this.#compressor;
    this.#compressor = undefined;
    this.#out = undefined;
    compressor?.release();
  }

  onCompressed(bytes: Uint8Array): void {
    this.#frontendCounters.compOut += bytes.byteLength;
    this.#backendCounters.compOut += bytes.byteLength;
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
  return settings === undefined ? undefined : new CompressionFilter(settings, ctx.runtime, ctx.frontendCounters, ctx.backendCounters);
}
