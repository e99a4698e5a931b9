import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proxyCommand, repoRoot, type Target } from './runtimes.ts';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (e.g. `-c`), with a time limit. */
export function runCli(runtime: Target, args: readonly string[], timeoutMs = 20_000): Promise<RunResult> {
  const { command, args: argv } = proxyCommand(runtime, args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${runtime} ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function writeTempConfig(text: string, name = 'haproxy.cfg'): { path: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-test-'));
  const path = join(dir, name);
  // A configuration's last line ends with LF (HAProxy refuses a file without it); the tests'
  // template literals often end on their last line.
  writeFileSync(path, text === '' || text.endsWith('\n') || !name.endsWith('.cfg') ? text : `${text}\n`);
  return { path, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `-c` on a configuration text: the exit code and what was printed. */
export async function checkConfig(runtime: Target, text: string): Promise<RunResult> {
  const cfg = writeTempConfig(text);
  try {
    return await runCli(runtime, ['-c', '-f', cfg.path]);
  } finally {
    cfg.cleanup();
  }
}

/** A proxy running as a child process on one runtime. */
export class ProxyProcess {
  readonly runtime: Target;
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly #exited: Promise<number | null>;
  readonly #cleanup: () => void;

  private constructor(runtime: Target, child: ChildProcess, cleanup: () => void) {
    this.runtime = runtime;
    this.child = child;
    this.#cleanup = cleanup;
    child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.#exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /**
   * Starts the proxy with this configuration and waits until it is ready: Switchyard's
   * "started (pid" line on stderr, or a successful TCP connect to `readyPort` on 127.0.0.1,
   * whichever comes first. For the `haproxy` target (which prints no such line) `readyPort`
   * defaults to the port of the first `bind` line of the configuration.
   */
  static async start(
    runtime: Target,
    /** undefined runs the CLI without -f: the bundled demo. */
    configText: string | undefined,
    extraArgs: readonly string[] = [],
    timeoutMs = 20_000,
    readyPort: number | undefined = runtime === 'haproxy' && configText !== undefined ? firstBindPort(configText) : undefined,
  ): Promise<ProxyProcess> {
    const config = configText === undefined ? { path: '', cleanup: () => {} } : writeTempConfig(configText);
    const { command, args } = proxyCommand(runtime, [...(configText === undefined ? [] : ['-f', config.path]), ...extraArgs]);
    return ProxyProcess.#launch(runtime, command, args, config.cleanup, timeoutMs, readyPort);
  }

  /**
   * Starts the proxy with `fds` (descriptors of this process, e.g. listening sockets) passed
   * under the same numbers, as HAProxy's `fd@N` expects them from its parent.
   */
  static async startInheriting(
    runtime: Target,
    configText: string,
    fds: readonly number[],
    extraArgs: readonly string[] = [],
    readyPort: number | undefined = undefined,
    timeoutMs = 20_000,
  ): Promise<ProxyProcess> {
    const config = writeTempConfig(configText);
    const { command, args } = proxyCommand(runtime, ['-f', config.path, ...extraArgs]);
    return ProxyProcess.#launch(runtime, command, args, config.cleanup, timeoutMs, readyPort, fds);
  }

  /**
   * Starts a built executable (a single-file build of `runtime`), or a command that runs the
   * proxy (`prlimit ...`), with these arguments; ready as start() says.
   */
  static startExecutable(runtime: Target, executable: string, args: readonly string[], timeoutMs = 20_000, readyPort: number | undefined = undefined): Promise<ProxyProcess> {
    return ProxyProcess.#launch(runtime, executable, [...args], () => {}, timeoutMs, readyPort);
  }

  static async #launch(
    runtime: Target,
    command: string,
    args: string[],
    cleanup: () => void,
    timeoutMs: number,
    readyPort: number | undefined,
    inheritFds: readonly number[] = [],
  ): Promise<ProxyProcess> {
    const config = { cleanup };
    const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'pipe', 'pipe'];
    for (const fd of inheritFds) {
      while (stdio.length <= fd) stdio.push('ignore');
      stdio[fd] = fd;
    }
    const child = spawn(command, args, { cwd: repoRoot, stdio });
    const proxy = new ProxyProcess(runtime, child, config.cleanup);
    const ready = new Promise<void>((resolve, reject) => {
      let settled = false;
      let poll: ReturnType<typeof setTimeout> | undefined;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (poll !== undefined) clearTimeout(poll);
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(new Error(`${runtime} proxy did not start within ${timeoutMs} ms\n${proxy.stderr}`));
      }, timeoutMs);
      const onData = () => {
        if (/\bstarted \(pid/.test(proxy.stderr)) finish();
      };
      const onExit = (code: number | null) => finish(new Error(`${runtime} proxy exited with ${code} before starting\n${proxy.stderr}`));
      child.stderr?.on('data', onData);
      child.once('exit', onExit);
      child.once('error', (err) => finish(new Error(`${runtime} proxy could not be started: ${err.message}`)));
      if (readyPort !== undefined) {
        const probe = () => {
          poll = undefined;
          if (settled) return;
          const socket = connect({ host: '127.0.0.1', port: readyPort });
          socket.once('connect', () => {
            socket.destroy();
            finish();
          });
          socket.once('error', () => {
            socket.destroy();
            if (!settled) poll = setTimeout(probe, 25);
          });
        };
        probe();
      }
    });
    try {
      await ready;
    } catch (err) {
      config.cleanup(); // the temporary configuration directory is not left behind
      throw err;
    }
    return proxy;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Resident memory of the proxy process in bytes (Linux). */
  rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return Number(kb ?? 0) * 1024;
  }

  /** Sends SIGTERM and waits for exit (SIGKILL after the time limit). Returns the exit code. */
  async stop(timeoutMs = 15_000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.#exited;
    clearTimeout(timer);
    this.#cleanup();
    return code;
  }

  exited(): Promise<number | null> {
    return this.#exited;
  }
}

/** The port of the first `bind ADDR:PORT` line of a configuration, if any. */
export function firstBindPort(configText: string): number | undefined {
  const m = /^\s*bind\s+\S*:(\d+)\b/m.exec(configText);
  return m ? Number(m[1]) : undefined;
}

/** Whether a process (one a test started, by its pid) is still running. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
