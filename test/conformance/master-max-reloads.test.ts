/**
 * `mworker-max-reloads N` in master-worker mode: an old worker kept alive by a connection
 * survives reloads until it has gone through more than N of them, then its master stops it at
 * once (SIGTERM), closing that connection (HAProxy's mworker_kill_max_reloads).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/master-max-reloads.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { TARGETS, eventually } from '../support/http-suite.ts';
import { cli } from '../support/cli-client.ts';
import { holdingServer, type TestBackend } from '../support/tcp-backends.ts';
import { dial } from '../support/tcp-client.ts';

/** The pids `show proc` lists under `# workers` and `# old workers`. */
function listed(showProc: string, heading: '# workers' | '# old workers'): number[] {
  const lines = showProc.split('\n');
  const from = lines.indexOf(heading);
  if (from < 0) return [];
  const pids: number[] = [];
  for (const line of lines.slice(from + 1)) {
    if (line.startsWith('#') || line === '') break;
    pids.push(Number(line.split(/\s+/)[0]));
  }
  return pids;
}

for (const target of TARGETS) {
  describe(`mworker-max-reloads on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let backend: TestBackend | undefined;
    let dir: string;
    let master: string;
    let front: number;
    const held: Socket[] = [];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-max-reloads-'));
      master = join(dir, 'master.sock');
      const [frontPort, backPort] = await freePorts(2);
      front = frontPort as number;
      backend = await holdingServer(backPort as number, 'held');
      const cfg = join(dir, 'main.cfg');
      writeFileSync(
        cfg,
        `global
    mworker-max-reloads 1
    hard-stop-after 60s
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
listen li
    bind 127.0.0.1:${front}
    server s 127.0.0.1:${backPort}
`,
      );
      proxy = await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-W', '-S', master], 20_000, front);
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await cli(master, 'show proc\n').then((p) => listed(p, '# workers').length === 1, () => false);
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
    });

    after(async () => {
      for (const s of held) s.destroy();
      await proxy?.stop();
      await backend?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Reloads and waits until a new worker is listed and serves. */
    async function reload(): Promise<string> {
      const before = listed(await cli(master, 'show proc\n'), '# workers');
      await cli(master, 'reload\n');
      let proc = '';
      const done = await eventually(() => {
        void cli(master, 'show proc\n').then((p) => (proc = p), () => undefined);
        const now = listed(proc, '# workers');
        return now.length === 1 && now[0] !== before[0];
      }, 15_000, 100);
      assert.ok(done, proc);
      return proc;
    }

    /** A connection through the current worker, answered by the backend (so it is established). */
    async function hold(): Promise<{ socket: Socket; closed: () => boolean }> {
      const socket = await dial(front);
      held.push(socket);
      let closed = false;
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      // The proxy's side ends with the worker (a FIN, or a reset): either is the end here.
      socket.on('end', () => (closed = true));
      socket.on('close', () => (closed = true));
      socket.on('error', () => {});
      assert.ok(await eventually(() => data === 'held\n', 10_000), `no answer through the proxy: ${JSON.stringify(data)}`);
      return { socket, closed: () => closed };
    }

    it('an old worker survives its first reload and is stopped once it has gone through more than N', async () => {
      const first = await hold();
      const firstWorker = listed(await cli(master, 'show proc\n'), '# workers')[0];
      const afterOne = await reload();
      // One reload: not more than 1, it keeps serving its connection.
      assert.ok(listed(afterOne, '# old workers').includes(firstWorker as number), afterOne);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(first.closed(), false, 'the old worker was stopped after one reload');
      const second = await hold();
      await reload();
      // Two reloads for the first worker: stopped at once, its connection closed.
      assert.ok(await eventually(() => first.closed(), 10_000, 50), 'the first worker still holds its connection after two reloads');
      let proc = '';
      assert.ok(
        await eventually(() => {
          void cli(master, 'show proc\n').then((p) => (proc = p), () => undefined);
          return proc !== '' && !listed(proc, '# old workers').includes(firstWorker as number);
        }, 10_000, 100),
        proc,
      );
      // The second worker went through one reload only: it keeps its connection.
      assert.equal(second.closed(), false);
    });
  });
}
