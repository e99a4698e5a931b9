/**
 * node:ffi (Node 26.1+, experimental; in builds with FFI and without --no-experimental-ffi), the
 * way the Node adapter reaches libc where node:* has no API: UNIX datagram syslog, chroot.
 */
import { builtinModules } from 'node:module';

/** What is used of node:ffi (its types are not in @types/node 20). */
export interface NodeFfi {
  dlopen(
    path: string | null,
    definitions: Record<string, { readonly arguments: readonly string[]; readonly return: string }>,
  ): { readonly functions: Record<string, (...args: unknown[]) => unknown> };
  getInt32(pointer: unknown, offset: number): number;
}

/** Whether this Node has node:ffi on Linux (checked without loading it). */
export const NODE_FFI = process.platform === 'linux' && builtinModules.includes('node:ffi');

/**
 * node:ffi, without the ExperimentalWarning its first load prints: an operator who wrote
 * `log /dev/log` or `chroot` asked for nothing experimental, and both are checked by the suite.
 */
export function loadFfi(): NodeFfi | undefined {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('FFI is an experimental feature')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule('node:ffi') as NodeFfi | undefined;
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}
