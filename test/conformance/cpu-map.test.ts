/**
 * `cpu-map`: the serving process, every thread of it, is bound to the process's CPU set; with
 * `nbthread 2` each thread to its own CPU where the runtime can bind single threads (Bun, Deno,
 * HAProxy), refused at startup on Node. Read from /proc/PID/task/*\/status.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/cpu-map.test.js
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { destroyAllClients, statusOf } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { proxyCommand, repoRoot } from '../support/runtimes.ts';

/** Cpus_allowed_list of each task (thread) of a process. */
function taskCpus(pid: number): string[] {
  const lists: string[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      lists.push(/^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'latin1'))?.[1] ?? '?');
    } catch {
      // the thread ended
    }
  }
  return lists;
}

/** CPUs 0 and 1 are both ours to use (this test process's own affinity). */
function hasTwoCpus(): boolean {
  const own = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'latin1'))?.[1] ?? '';
  return /^0-([1-9]|\d\d+)/.test(own) || /^0,1\b/.test(own);
}

async function served(port: number): Promise<void> {
  assert.equal(await statusOf(port), 200);
}

const config = (port: number, global: string) =>
  `global\n${global}\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n    http-request return status 200 content-type text/plain string "ok"\n`;

for (const target of TARGETS) {
  describe(`cpu-map on ${target}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-cpumap-'));
    let proxy: ProxyProcess | undefined;

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      rmSync(dir, { recursive: true, force: true });
    });

    it("'cpu-map 1 0' binds every thread of the serving process to CPU 0", async () => {
      const [port] = (await freePorts(1)) as [number];
      proxy = await startProxy(target, config(port, '    cpu-map 1 0'));
      await served(port);
      const running = proxy;
      await eventually(() => taskCpus(running.pid).every((cpus) => cpus === '0'), 10_000, 50);
      await stopProxy(target, proxy);
      proxy = undefined;
    });

    const threadsBound = target === 'bun' || target === 'deno' || target === 'haproxy';
    it(
      "'nbthread 2' with 'cpu-map auto:1/1-2 0-1': thread 1 on CPU 0, thread 2 on CPU 1",
      { skip: !hasTwoCpus() ? 'needs CPUs 0 and 1' : !threadsBound ? 'refused on Node (next test)' : false },
      async () => {
        const [port] = (await freePorts(1)) as [number];
        proxy = await startProxy(target, config(port, '    nbthread 2\n    cpu-map auto:1/1-2 0-1'));
        await served(port);
        const running = proxy;
        // Each thread binds itself as it starts; the runtime's helper threads keep the process's set.
        await eventually(() => {
          const lists = taskCpus(running.pid);
          return lists.includes('0') && lists.includes('1');
        }, 10_000, 50);
        await stopProxy(target, proxy);
        proxy = undefined;
      },
    );

    it(
      'binding single threads is refused at startup where the runtime cannot (Node)',
      { skip: target === 'node' || target === 'node-system' ? false : 'Bun, Deno and HAProxy bind threads' },
      async () => {
        const cfg = join(dir, 'threads.cfg');
        writeFileSync(cfg, config(1, '    nbthread 2\n    cpu-map auto:1/1-2 0-1'));
        const { command, args } = proxyCommand(target, ['-c', '-f', cfg]);
        const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        assert.equal(code, 1, stderr);
        // Node 20 refuses nbthread itself first.
        assert.match(stderr, /\[ALERT\].*('cpu-map' : node can bind the whole process|'nbthread 2')/);
      },
    );
  });
}
