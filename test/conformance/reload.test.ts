/**
 * Zero-downtime reload in master-worker mode (`-W -S`): clients keep sending requests, on new
 * connections and on kept-alive ones, while the master reloads three times; none fails, and
 * the answers move from one configuration generation to the next. Then the classic handover
 * without a master: a new process started with `-sf PID` (soft) or `-st PID` (hard) replaces
 * the running one.
 *
 * A kept-alive connection the old worker closes while idle (soft stop) is reopened and its
 * request sent again when nothing of the answer arrived, as HTTP clients do (RFC 9112 §9.3.1);
 * such retries are counted apart, never as failures.
 *
 * Where the runtime shares a listening socket between its workers (HAProxy passes it with
 * `-x`; Node before 22.12 through node:cluster) nothing may fail. Where each worker has its
 * own SO_REUSEPORT socket (Bun, Deno), Linux resets the connections still in a closing
 * socket's accept queue unless net.ipv4.tcp_migrate_req is 1: those resets (a new connection
 * closed before any byte of its answer, whether the client opened it for its first request or to
 * replace a kept-alive one) are counted apart and bounded by one per listening socket closed,
 * nothing else may fail.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/reload.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually } from '../support/http-suite.ts';
import { cli, masterCommand, workerPids } from '../support/cli-client.ts';
import { nodeVersionOf } from '../support/runtimes.ts';

const RELOADS = 3;

interface Tally {
  ok: number;
  failures: string[];
  retries: number;
  /** New connections reset before any byte of their answer (see above). */
  resets: number;
  /** Answers seen, in order of first appearance. */
  seen: string[];
}

/** The kernel's reset of a connection still in a closing socket's accept queue can come before `connect` resolves. */
function resetWhileConnecting(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ECONNRESET' && (error as NodeJS.ErrnoException).syscall === 'connect';
}

function record(tally: Tally, text: string): void {
  tally.ok++;
  if (!tally.seen.includes(text)) tally.seen.push(text);
}

/** One request per connection, until `running()` is false. */
async function freshConnections(port: number, tally: Tally, running: () => boolean): Promise<void> {
  while (running()) {
    let conn: HttpConnection | undefined;
    let reset = false;
    try {
      conn = await HttpConnection.open(port);
      conn.socket.once('error', (error: NodeJS.ErrnoException) => (reset = error.code === 'ECONNRESET'));
      const res = await conn.request('GET', '/', { connection: 'close' });
      if (res.status === 200) record(tally, res.text);
      else tally.failures.push(`status ${res.status}`);
    } catch (error) {
      if ((reset && conn?.reader.received === 0) || (conn === undefined && resetWhileConnecting(error))) tally.resets++;
      else tally.failures.push(`new connection: ${(error as Error).message}`);
    } finally {
      conn?.destroy();
    }
  }
}

/** Requests on one kept-alive connection, reopened when the proxy closes it. */
async function keptAlive(port: number, tally: Tally, running: () => boolean): Promise<void> {
  let conn: HttpConnection | undefined;
  let reset = false;
  while (running()) {
    let reused = true;
    try {
      if (conn === undefined || conn.closed) {
        conn?.destroy();
        conn = undefined;
        try {
          conn = await HttpConnection.open(port);
        } catch (error) {
          if (!resetWhileConnecting(error)) throw error;
          tally.resets++;
          continue;
        }
        reused = false;
        reset = false;
        conn.socket.once('error', (error: NodeJS.ErrnoException) => (reset = error.code === 'ECONNRESET'));
      }
      const before = conn.reader.received;
      let res;
      try {
        res = await conn.request('GET', '/');
      } catch (error) {
        // A new connection reset before any byte: the same accept-queue reset as above.
        if (!reused && reset && conn.reader.received === 0) {
          tally.resets++;
          conn.destroy();
          conn = undefined;
          continue;
        }
        // Closed before any byte of the answer on a reused connection: send it again.
        if (!reused || conn.reader.received !== before) throw new Error(`${(error as Error).message}${reset ? ' (reset)' : ''}${reused ? '' : ' (new connection)'}`);
        tally.retries++;
        conn.destroy();
        conn = undefined;
        continue;
      }
      if (res.status === 200) record(tally, res.text);
      else tally.failures.push(`status ${res.status}`);
      if (/close/i.test(res.header('connection') ?? '')) {
        conn.destroy();
        conn = undefined;
      }
    } catch (error) {
      tally.failures.push(`kept-alive: ${(error as Error).message}`);
      conn?.destroy();
      conn = undefined;
    }
  }
  conn?.destroy();
}

/** Whether the old and new workers accept from one socket, or the kernel migrates queued connections. */
function sharedSocket(target: string): boolean {
  if (target === 'haproxy') return true;
  // Node before 22.12 shares the master's socket (node:cluster); later ones use SO_REUSEPORT.
  if (target === 'node' || target === 'node-system') {
    const [major, minor] = nodeVersionOf(target);
    if (major < 22 || (major === 22 && minor < 12)) return true;
  }
  return migratesQueuedConnections();
}

/** Whether the new process can listen beside the old one (HAProxy: SO_REUSEPORT, and -x). */
function listensBeside(target: string): boolean {
  if (target !== 'node' && target !== 'node-system') return true;
  const [major, minor] = nodeVersionOf(target);
  return major > 22 || (major === 22 && minor >= 12);
}

function migratesQueuedConnections(): boolean {
  try {
    return readFileSync('/proc/sys/net/ipv4/tcp_migrate_req', 'latin1').trim() === '1';
  } catch {
    return false;
  }
}

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
      const fresh: Tally = { ok: 0, failures: [], retries: 0, resets: 0, seen: [] };
      const alive: Tally = { ok: 0, failures: [], retries: 0, resets: 0, seen: [] };
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
        const fresh: Tally = { ok: 0, failures: [], retries: 0, resets: 0, seen: [] };
        const alive: Tally = { ok: 0, failures: [], retries: 0, resets: 0, seen: [] };
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
