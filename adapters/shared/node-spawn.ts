/**
 * spawnSelf on node:child_process, which Node, Bun and Deno all provide: the runtime's own
 * executable with the arguments that start this program (`prefix`), then `args`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import type { ChildProcessHandle, SignalName } from '../../src/runtime.ts';

export function spawnSelfWith(
  command: string,
  prefix: readonly string[],
): (args: readonly string[], env: Readonly<Record<string, string>>, options?: { readonly detached?: boolean }) => ChildProcessHandle {
  return (args, env, options) => {
    const detached = options?.detached === true;
    const child = spawn(command, [...prefix, ...args], { stdio: detached ? 'ignore' : ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env }, detached });
    if (detached) child.unref();
    return childHandle(child);
  };
}

/** The seam's view of a started child process. */
export function childHandle(child: ChildProcess): ChildProcessHandle {
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(1));
  });
  return {
    pid: child.pid ?? 0,
    kill: (signal: SignalName | 'SIGKILL') => {
      child.kill(signal);
    },
    exited,
  };
}

export async function writeTextFileNode(path: string, text: string): Promise<void> {
  await writeFile(path, text);
}

/** process.kill, which Node, Bun and Deno provide. */
export function signalProcessNode(pid: number, signal: SignalName): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
