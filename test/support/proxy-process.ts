import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proxyCommand, repoRoot, type RuntimeName } from './runtimes.ts';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (e.g. `-c`), with a time limit. */
export function runCli(runtime: RuntimeName, args: readonly string[], timeoutMs = 20_000): Promise<RunResult> {
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
  writeFileSync(path, text);
  return { path, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A proxy running as a child process on one runtime. */
export class ProxyProcess {
  readonly runtime: RuntimeName;
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly #exited: Promise<number | null>;
  readonly #cleanup: () => void;

  private constructor(runtime: RuntimeName, child: ChildProcess, cleanup: () => void) {
    this.runtime = runtime;
    this.child = child;
    this.#cleanup = cleanup;
    child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.#exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Starts the proxy with this configuration and waits until it reports it has started. */
  static async start(runtime: RuntimeName, configText: string, extraArgs: readonly string[] = [], timeoutMs = 20_000): Promise<ProxyProcess> {
    const config = writeTempConfig(configText);
    const { command, args } = proxyCommand(runtime, ['-f', config.path, ...extraArgs]);
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const proxy = new ProxyProcess(runtime, child, config.cleanup);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${runtime} proxy did not start within ${timeoutMs} ms\n${proxy.stderr}`));
      }, timeoutMs);
      const onData = () => {
        if (/\bstarted \(pid/.test(proxy.stderr)) {
          clearTimeout(timer);
          child.stderr?.off('data', onData);
          resolve();
        }
      };
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${runtime} proxy exited with ${code} before starting\n${proxy.stderr}`));
      });
    });
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
