/**
 * Reload phase timestamps (SWITCHYARD_RELOAD_TRACE=1): one stderr line per phase,
 * `reload-trace PID PHASE EPOCH_MS`, to see where a reload's time goes. Off by default.
 */
import type { Runtime } from '../runtime.ts';

let origin: number | undefined;
let enabled: boolean | undefined;

export function reloadTrace(runtime: Runtime, phase: string): void {
  enabled ??= runtime.env('SWITCHYARD_RELOAD_TRACE') === '1';
  if (!enabled) return;
  origin ??= runtime.wallClock() - runtime.now();
  runtime.writeStderr(`reload-trace ${runtime.pid} ${phase} ${(origin + runtime.now()).toFixed(2)}\n`);
}
