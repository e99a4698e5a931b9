/**
 * Runtime.createCompressor on node:zlib, for Node, Bun and Deno alike (all three ship it, over
 * the same zlib).
 *
 * Why the zlib stream's handle and not the public APIs (measured in docs/runtimes.md,
 * "Compression"): compressing one response body as it streams needs a persistent deflate
 * context flushed after each server read (HAProxy's Z_SYNC_FLUSH per block). The public
 * streaming API (`createGzip().write()` + `flush(Z_SYNC_FLUSH, cb)`) answers asynchronously
 * through the thread pool, 3-10x slower per flushed block; `CompressionStream` cannot flush at
 * all (a streamed answer would wait for its end); the `*Sync` functions start a new context per
 * call (`_processChunk` closes its handle after one call). The handle's `writeSync(flush, in,
 * inOff, inLen, out, outOff, outLen)` with the stream's `_writeState` ([availOut, availIn]) is
 * what all three runtimes' `zlib.*Sync` functions run on: it is synchronous and keeps the context.
 * `test/runtime/contract.ts` checks it on every runtime, so a runtime that changes it fails
 * there rather than in traffic.
 */
import type * as zlib from 'node:zlib';
import { nodeZlib } from './node-builtins.ts';
import type { CompressionFormat, Compressor, CompressorOptions, CompressorSink } from '../../src/runtime.ts';

interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  /** deflateParams(level, strategy), synchronous on all three runtimes. */
  params?(level: number, strategy: number): void;
}

interface ZlibInternals {
  _handle: ZlibHandle | null;
  _writeState: Uint32Array;
}

// zlib.h's flush values (zlib.constants holds the same), known without loading node:zlib.
const Z_NO_FLUSH = 0;
const Z_SYNC_FLUSH = 2;
const Z_FINISH = 4;
const Z_DEFAULT_STRATEGY = 0;
/** One scratch output buffer for every context: calls are synchronous, output is copied out. */
const SCRATCH = new Uint8Array(64 * 1024);
const EMPTY = new Uint8Array(0);
const ignore = (): void => undefined;

class ZlibCompressor implements Compressor {
  #stream: zlib.Gzip | zlib.Deflate | zlib.DeflateRaw | undefined;
  readonly #handle: ZlibHandle;
  readonly #state: Uint32Array;
  readonly #sink: CompressorSink;
  readonly #gzip: boolean;
  readonly #gzipParams: boolean;

  constructor(format: CompressionFormat, options: CompressorOptions, sink: CompressorSink, gzipParams: boolean) {
    this.#gzip = format === 'gzip';
    this.#gzipParams = gzipParams;
    const settings = { level: options.level, memLevel: options.memLevel, windowBits: options.windowBits };
    const z = nodeZlib();
    const stream = format === 'gzip' ? z.createGzip(settings) : format === 'deflate' ? z.createDeflate(settings) : z.createDeflateRaw(settings);
    // An error event would only repeat what writeSync's caller sees (a closed handle).
    stream.on('error', ignore);
    const internals = stream as unknown as ZlibInternals;
    const handle = internals._handle;
    if (handle === null || typeof handle.writeSync !== 'function' || !(internals._writeState instanceof Uint32Array)) {
      throw new Error('node:zlib of this runtime has no synchronous stream handle');
    }
    this.#stream = stream;
    this.#handle = handle;
    this.#state = internals._writeState;
    this.#sink = sink;
  }

  push(bytes: Uint8Array): void {
    if (bytes.byteLength > 0) this.#run(bytes, Z_NO_FLUSH);
  }

  flush(): void {
    this.#run(EMPTY, Z_SYNC_FLUSH);
  }

  finish(): void {
    this.#run(EMPTY, Z_FINISH);
    this.release();
  }

  setLevel(level: number): boolean {
    const params = this.#handle.params;
    if (this.#stream === undefined || params === undefined || (this.#gzip && !this.#gzipParams)) return false;
    // Right after a flush (as HAProxy calls it) zlib has nothing pending to write out first.
    params.call(this.#handle, level, Z_DEFAULT_STRATEGY);
    return true;
  }

  release(): void {
    const stream = this.#stream;
    if (stream === undefined) return;
    this.#stream = undefined;
    stream.close();
  }

  #run(input: Uint8Array, flush: number): void {
    if (this.#stream === undefined) throw new Error('compressor already released');
    const handle = this.#handle;
    const state = this.#state;
    let inOff = 0;
    let inLen = input.byteLength;
    for (;;) {
      handle.writeSync(flush, input, inOff, inLen, SCRATCH, 0, SCRATCH.byteLength);
      if ((this.#stream as unknown as ZlibInternals)._handle === null) throw new Error('zlib failed');
      const availOut = state[0] as number;
      const availIn = state[1] as number;
      const produced = SCRATCH.byteLength - availOut;
      if (produced > 0) this.#sink.onCompressed(SCRATCH.slice(0, produced));
      inOff += inLen - availIn;
      inLen = availIn;
      // A full output buffer means zlib has more to say for this call.
      if (availOut !== 0) return;
    }
  }
}

/**
 * Node's and Bun's node:zlib: their handle's params() runs deflateParams for deflate and raw
 * deflate only (Node's ZlibContext::SetParams ignores its GZIP mode), so gzip keeps its level.
 */
export function createZlibCompressor(format: CompressionFormat, options: CompressorOptions, sink: CompressorSink): Compressor {
  return new ZlibCompressor(format, options, sink, false);
}

/** Deno's node:zlib changes the level of every format. */
export function createZlibCompressorAnyLevel(format: CompressionFormat, options: CompressorOptions, sink: CompressorSink): Compressor {
  return new ZlibCompressor(format, options, sink, true);
}
