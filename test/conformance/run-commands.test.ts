/**
 * README's run commands, exactly as written, from the project root with the runtimes `npm ci`
 * installs (node_modules/.bin on PATH, as `npx` or a user's shell puts it):
 *
 *   npm run proxy -- -f haproxy.cfg     Node
 *   bun run proxy -f haproxy.cfg        Bun
 *   deno task proxy -f haproxy.cfg      Deno
 *
 * Each must proxy an HTTP request, run the proxy as the launcher's own child (so the SIGTERM the
 * launcher forwards reaches it: no shell or Node process in between), stop gracefully on
 * SIGTERM to the launcher, and leave no process behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, delimiter } from 'node:path';
import { describe, it } from 'node:test';
import { appBackend } from '../support/http-backends.ts';
import { HttpConnection } from '../support/http-client.ts';
import { freePorts } from '../support/ports.ts';
import { writeTempConfig } from '../support/proxy-process.ts';
import { RUNTIMES, repoRoot, type RuntimeName } from '../support/runtimes.ts';

/** README's commands; the machine's own Node has none of its own (npm runs node_modules/.bin/node). */
const COMMANDS: Partial<Record<RuntimeName, { command: string; args: (config: string) => string[]; exe: string }>> = {
  node: { command: 'npm', args: (config) => ['run', 'proxy', '--', '-f', config], exe: 'node' },
  bun: { command: 'bun', args: (config) => ['run', 'proxy', '-f', config], exe: 'bun.exe' },
  deno: { command: 'deno', args: (config) => ['task', 'proxy', '-f', config], exe: 'deno' },
};

const START_TIMEOUT_MS = 30_000;

/** Parent pid of a process, from /proc (undefined once it is gone). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may contain spaces, so read after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root`, from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return parentOf(pid) !== undefined; // a zombie awaiting its parent counts as gone
  } catch {
    return false;
  }
}

function executableOf(pid: number): string {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    return '?';
  }
}

async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter(alive);
  }
  return left;
}

for (const runtime of RUNTIMES) {
  const readme = COMMANDS[runtime];
  if (readme === undefined) continue;
  const { command, args, exe } = readme;
  describe(`README run command on ${runtime}`, () => {
    it(`${command} ${args('haproxy.cfg').join(' ')} proxies, and stops on SIGTERM leaving no process`, async () => {
      const [frontPort, backPort] = (await freePorts(2)) as [number, number];
      const backend = await appBackend(backPort, 'app');
      const config = writeTempConfig(`
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe
    bind 127.0.0.1:${frontPort}
    default_backend be

backend be
    server app 127.0.0.1:${backPort}
`);
      const env = { ...process.env, PATH: `${repoRoot}node_modules/.bin${delimiter}${process.env['PATH'] ?? ''}` };
      const launcher = spawn(command, args(config.path), { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      launcher.stdout.on('data', (d: Buffer) => (output += d.toString()));
      launcher.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => launcher.on('exit', (code) => resolve(code)));
      const launcherPid = launcher.pid as number;
      let tree: number[] = [];
      try {
        const proxyPid = await new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
          const onData = () => {
            const m = /started \(pid (\d+)\)/.exec(output);
            if (m === null) return;
            clearTimeout(timer);
            resolve(Number(m[1]));
          };
          launcher.stdout.on('data', onData);
          launcher.stderr.on('data', onData);
          void exited.then((code) => reject(new Error(`${command} exited with ${code} before starting:\n${output}`)));
        });
        tree = descendants(launcherPid);

        const conn = await HttpConnection.open(frontPort);
        const res = await conn.request('GET', '/readme');
        conn.destroy();
        assert.equal(res.status, 200, output);
        assert.equal(res.header('x-backend'), 'app');

        // The proxy is the launcher's own child, running on the runtime the command names.
        assert.equal(parentOf(proxyPid), launcherPid, `process tree under ${command}: ${tree.map((p) => `${p}:${executableOf(p)}`).join(' ')}`);
        assert.equal(executableOf(proxyPid), exe);
        if (runtime === 'bun') {
          // Bun alone: `bun run` and one Bun process, no Node and no shell in between.
          assert.deepEqual(tree, [proxyPid], `process tree under bun run: ${tree.map((p) => `${p}:${executableOf(p)}`).join(' ')}`);
        }

        launcher.kill('SIGTERM');
        assert.equal(await exited, 0, output);
        assert.match(output, /SIGTERM received: stopping gracefully/);
        assert.match(output, /Proxy stopped\./);
        assert.deepEqual(await waitGone(tree, 5_000), [], `left running after ${command} exited:\n${output}`);
      } finally {
        // Only what this test started, by pid.
        if (launcher.exitCode === null && launcher.signalCode === null) launcher.kill('SIGKILL');
        for (const pid of tree.filter(alive)) process.kill(pid, 'SIGKILL');
        await backend.close();
        config.cleanup();
      }
    });
  });
}
