// What the micro-benchmarks in bench/micro/ share: a garbage collector to call between
// measurements, the compiled core's modules, and the allocation measure (median heap growth
// per call over batches; batches a collection interrupted fall out of the median).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ROOT } from './paths.mjs';

setFlagsFromString('--expose-gc');
/** V8's gc(), switched on at runtime (the child process is started without --expose-gc). */
export const gc = runInNewContext('gc');

/** The URL of a compiled core module: dist('log/log-format.js'). */
export const dist = (path) => new URL(`dist/src/${path}`, `file://${ROOT}`);

/**
 * Median heap growth per call of `run(n)` (which makes n calls): `warmup` calls first (the JIT
 * settles on this exact path), then `batches` batches of `batch` calls.
 */
export function bytesPerCall(run, { batch = 10_000, batches = 100, warmup = 100_000 } = {}) {
  run(warmup);
  gc();
  const deltas = [];
  for (let b = 0; b < batches; b++) {
    const before = process.memoryUsage().heapUsed;
    run(batch);
    const after = process.memoryUsage().heapUsed;
    if (after >= before) deltas.push((after - before) / batch);
  }
  deltas.sort((a, b) => a - b);
  return deltas.length === 0 ? undefined : deltas[deltas.length >> 1];
}
