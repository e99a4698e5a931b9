/**
 * spawnSelf on node:child_process, which Node, Bun and Deno all provide: the runtime's own
 * executable with the arguments that start this program (`prefix`), then `args`.
 */
import type { ChildProcess } from 'node:child_process';
import { nodeChildProcess } from './node-builtins.ts';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { writeFile } from 'node:fs/promises';
import type { ChildProcessHandle, EnvironmentChanges, SignalName, SpawnSelfOptions } from '../../src/runtime.ts';
import { environmentWith } from '../../src/config/environment-changes.ts';
import { idInAccountFile } from '../../src/proxy/process-identity.ts';

export function spawnSelfWith(
  command: string,
  prefix: readonly string[],
): (args: readonly string[], env: Readonly<Record<string, string>>, options?: SpawnSelfOptions) => ChildProcessHandle {
  return (args, env, options) => {
    const detached = options?.detached === true;
    const stdio = childStdio(detached ? 'ignore' : 'inherit', options?.inheritFds ?? []);
    const child = nodeChildProcess().spawn(command, [...prefix, ...args], { stdio, env: { ...process.env, ...env }, detached });
    if (detached) child.unref();
    return childHandle(child);
  };
}

/**
 * stdin closed, stdout and stderr shared (a daemon's closed), and each inherited descriptor
 * under its own number: the runtimes close on exec every descriptor stdio does not name (Bun
 * even those they did not open), so an `fd@N` listener reaches a worker or daemon only this way.
 */
function childStdio(output: 'ignore' | 'inherit', fds: readonly number[]): ('ignore' | 'inherit' | number)[] {
  const stdio: ('ignore' | 'inherit' | number)[] = ['ignore', output, output];
  for (const fd of fds) {
    if (fd < 3) continue;
    while (stdio.length <= fd) stdio.push('ignore');
    stdio[fd] = fd;
  }
  return stdio;
}

/** The seam's view of a started child process. */
export function childHandle(child: ChildProcess): ChildProcessHandle {
  let ended = false;
  child.once('exit', () => (ended = true));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(1));
  });
  const status = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 15 : (constants.signals[signal] ?? 15))));
    child.once('error', () => resolve(1));
  });
  return {
    pid: child.pid ?? 0,
    // process.kill, not child.kill: Deno's node:child_process sends one signal per child at
    // most (a worker told SIGUSR1 to stop softly never got the SIGTERM that ends it at once).
    // A child that exited is not signalled: its pid may be another process's by now.
    kill: (signal: SignalName | 'SIGKILL') => {
      if (ended || child.pid === undefined) return;
      try {
        process.kill(child.pid, signal);
      } catch {
        // Gone meanwhile.
      }
    },
    exited,
    status,
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

/** The numeric id of `name` in an /etc/passwd or /etc/group file, read now (the spawn is synchronous). */
function idIn(file: string, name: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
  return idInAccountFile(text, name);
}

/** A handle for a program that could not start: it "exits" at once with execvp's failure code. */
function failedHandle(): ChildProcessHandle {
  return { pid: 0, kill: () => undefined, exited: Promise.resolve(1) };
}

/** spawnProgram on node:child_process (Node, Bun and Deno): execvp's PATH lookup, this process's environment (as the configuration changed it) and stdio. */
export function spawnProgramNode(
  command: readonly string[],
  options: { readonly user?: string | undefined; readonly group?: string | undefined; readonly environment?: EnvironmentChanges | undefined },
): ChildProcessHandle {
  const uid = options.user === undefined ? undefined : idIn('/etc/passwd', options.user);
  const gid = options.group === undefined ? undefined : idIn('/etc/group', options.group);
  if ((options.user !== undefined && uid === undefined) || (options.group !== undefined && gid === undefined)) {
    process.stderr.write(`[ALERT]    (${process.pid}) : cannot find ${uid === undefined ? `user id for '${options.user}'` : `group id for '${options.group}'`}\n`);
    return failedHandle();
  }
  const [file, ...args] = command as [string, ...string[]];
  const child = nodeChildProcess().spawn(file, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
    ...(options.environment !== undefined ? { env: environmentWith(process.env, options.environment) } : {}),
  });
  child.once('error', (error) => process.stderr.write(`[ALERT]    (${process.pid}) : Cannot execute ${file}: ${error.message}\n`));
  return childHandle(child);
}
