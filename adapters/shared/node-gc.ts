/**
 * Runtime.collectGarbage on Node, Bun and Deno: a full collection, asked for by a spare before it
 * stands by (src/master/standby.ts). Bun has Bun.gc; on V8 (Node, Deno) the `gc` function
 * exists only with --expose-gc: the flag is set at run time and a new context created after it
 * has the function. Loaded at the first call: only spares ever ask.
 */
import { createRequire } from 'node:module';
import type * as V8 from 'node:v8';
import type * as Vm from 'node:vm';

const load = createRequire(import.meta.url);

let collect: (() => void) | null | undefined;

function v8Collector(): (() => void) | null {
  try {
    (load('node:v8') as typeof V8).setFlagsFromString('--expose-gc');
    const gc: unknown = (load('node:vm') as typeof Vm).runInNewContext('typeof gc === "function" ? gc : undefined');
    return typeof gc === 'function' ? () => (gc as () => void)() : null;
  } catch {
    return null;
  }
}

export function collectGarbageNode(): void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun !== undefined) return bun.gc(true);
  collect ??= v8Collector();
  collect?.();
}
