/**
 * Zero-downtime reload in master-worker mode (`-W -S`): clients keep sending requests, on new
 * connections and on kept-alive ones, while the master reloads three times; none fails, and
 * the answers move from one configuration generation to the next. Then the classic handover
 * without a master: a new process started with `-sf PID` (soft) or `-st PID` (hard) replaces
 * the running one.
 *
 * The client loops, and what they count apart (retries, accept-queue resets), are in
 * test/support/reload-clients.ts.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/reload.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually } from '../support/http-suite.ts';
import { cli, masterCommand, workerPids } from '../support/cli-client.ts';
import { freshConnections, keptAlive, listensBeside, migratesQueuedConnections, newTally, sharedSocket } from '../support/reload-clients.ts';

const RELOADS = 3;

for (const target of TARGETS) {
  // With nbthread 2 the master's worker is two threads, which start, reload and stop together.
  for (const threads of [1, 2]) {
  const threadsSkip = threads > 1 && !listensBeside(target) ? 'nbthread is refused before Node 22.12 (threads.test.ts)' : false;
  describe(`zero-downtime reload on ${target}${threads > 1 ? ` with nbthread ${threads}` : ''}`, { skip: threadsSkip }, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let master: string;
    let web: number;
    let cfg: string;
    const config = (generation: number): string => `
global
    hard-stop-after 5s
    nbthread ${threads}
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${web}
    http-request return status 200 content-type text/plain string "generation ${generation}"
`;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-reload-'));
      master = join(dir, 'master.sock');
      const [port] = await freePorts(1);
      web = port as number;
      cfg = join(dir, 'main.cfg');
      writeFileSync(cfg, config(0));
      proxy = await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-W', '-S', master], 20_000, web);
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await cli(master, 'show proc\n').then((p) => workerPids(p).current.length === 1, () => false);
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
    });

    after(async () => {
      destroyAllClients();
      const code = await proxy?.stop();
      if (target !== 'haproxy') assert.equal(code, 0, `master exit code\n${proxy?.stderr}`);
      rmSync(dir, { recursive: true, force: true });
    });

    it(`${RELOADS} reloads under a continuous client loop: no failed request, each generation answers in turn`, async (t) => {
      let running = true;
      const fresh = newTally();
      const alive = newTally();
      const clients = [freshConnections(web, fresh, () => running), keptAlive(web, alive, () => running)];
      // A bound on the whole loop, whatever happens below.
      const stopAll = setTimeout(() => (running = false), 90_000);
      let proc = '';
      try {
        for (let generation = 1; generation <= RELOADS; generation++) {
          writeFileSync(cfg, config(generation));
          await masterCommand(master, 'reload\n');
          const answered = await eventually(() => fresh.seen.includes(`generation ${generation}`) && alive.seen.includes(`generation ${generation}`), 20_000, 20);
          assert.ok(answered, `generation ${generation} never answered: ${JSON.stringify({ fresh, alive })}\n${proxy?.stderr}`);
          // The old worker finished: every request since then is the new one's.
          const drained = await eventually(() => {
            void cli(master, 'show proc\n').then((p) => (proc = p), () => undefined);
            const { current, old } = workerPids(proc);
            return current.length === 1 && old.length === 0;
          }, 20_000, 100);
          assert.ok(drained, proc);
        }
        // Traffic on the last generation for a moment.
        const last = fresh.ok + alive.ok;
        await eventually(() => fresh.ok + alive.ok >= last + 20, 5_000);
      } finally {
        running = false;
        clearTimeout(stopAll);
        await Promise.all(clients);
      }
      t.diagnostic(`new connections: ${fresh.ok} ok, ${fresh.resets} reset; kept-alive: ${alive.ok} ok, ${alive.retries} retried, ${alive.resets} new ones reset`);
      assert.deepEqual(fresh.failures, [], `new connections: ${fresh.ok} ok\n${proxy?.stderr}`);
      const resets = fresh.resets + alive.resets;
      // Each reload closes one listening socket per thread of the old worker.
      if (sharedSocket(target)) assert.equal(resets, 0, 'connections reset');
      else assert.ok(resets <= RELOADS * 2 * threads, `${resets} connections reset in ${RELOADS} reloads`);
      assert.deepEqual(alive.failures, [], `kept-alive: ${alive.ok} ok, ${alive.retries} retried\n${proxy?.stderr}`);
      const generations = Array.from({ length: RELOADS + 1 }, (_, g) => `generation ${g}`);
      assert.deepEqual(fresh.seen, generations);
      assert.deepEqual(alive.seen, generations);
      assert.ok(fresh.ok > 50 && alive.ok > 50, `${fresh.ok} / ${alive.ok} requests`);
    });
  });
  }
}

for (const target of TARGETS) {
  describe(`-sf / -st handover on ${target}`, () => {
    const config = (port: number, generation: number): string => `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${port}
    http-request return status 200 content-type text/plain string "generation ${generation}"
`;
    const started: ProxyProcess[] = [];

    after(async () => {
      destroyAllClients();
      for (const p of started) await p.stop();
    });

    for (const option of ['-sf', '-st'] as const) {
      it(`${option} PID: the new process serves, the old one leaves${option === '-sf' ? ' without losing a request' : ''}`, async (t) => {
        const [port] = await freePorts(1);
        const web = port as number;
        const old = await ProxyProcess.start(target, config(web, 0), [], 20_000, web);
        started.push(old);
        let running = true;
        const fresh = newTally();
        const alive = newTally();
        const clients = [freshConnections(web, fresh, () => running), keptAlive(web, alive, () => running)];
        const stopAll = setTimeout(() => (running = false), 60_000);
        let replacement: ProxyProcess | undefined;
        try {
          await eventually(() => fresh.ok > 20 && alive.ok > 20, 10_000);
          replacement = await ProxyProcess.start(target, config(web, 1), [option, String(old.pid)], 20_000, web);
          started.push(replacement);
          const exited = await eventually(() => old.child.exitCode !== null || old.child.signalCode !== null, 15_000, 20);
          assert.ok(exited, `the old process is still running\n${old.stderr}`);
          const answered = await eventually(() => fresh.seen.includes('generation 1') && alive.seen.includes('generation 1'), 15_000, 20);
          assert.ok(answered, JSON.stringify({ fresh, alive }));
          const last = fresh.ok + alive.ok;
          await eventually(() => fresh.ok + alive.ok >= last + 20, 5_000);
        } finally {
          running = false;
          clearTimeout(stopAll);
          await Promise.all(clients);
        }
        t.diagnostic(`new connections: ${fresh.ok} ok, ${fresh.resets} reset, ${fresh.failures.length} failed; kept-alive: ${alive.ok} ok, ${alive.retries} retried, ${alive.resets} new ones reset, ${alive.failures.length} failed`);
        if (target !== 'haproxy' || option === '-sf') assert.equal(old.child.exitCode, 0, old.stderr);
        assert.deepEqual(fresh.seen, ['generation 0', 'generation 1']);
        // -st ends the old process's connections at once, and Node before 22.12 cannot listen
        // beside it: the old process closes first, and connections are refused meanwhile.
        if (option === '-sf' && listensBeside(target)) {
          assert.deepEqual(fresh.failures, [], `new connections: ${fresh.ok} ok\n${replacement?.stderr}`);
          assert.deepEqual(alive.failures, [], `kept-alive: ${alive.ok} ok, ${alive.retries} retried`);
          // Two processes, two SO_REUSEPORT sockets (HAProxy's too, without -x).
          const resets = fresh.resets + alive.resets;
          if (migratesQueuedConnections()) assert.equal(resets, 0, 'connections reset');
          else assert.ok(resets <= 2, `${resets} connections reset`);
        }
      });
    }
  });
}
