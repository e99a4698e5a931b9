/**
 * Twenty reloads in a row in master-worker mode (`-W -S`, `reload` on the master CLI) under a
 * continuous client loop (new connections and a kept-alive one), the configuration changing
 * along the way (issue #11 item 6):
 * - every reload changes the generation the answers carry, and the answers switch to it;
 * - one ADDS a backend and routes to it: the answers come from its server from then on;
 * - one REMOVES a listener: it stops accepting, a connection kept open on it is closed once the
 *   old worker drained, the other listener serves on;
 * - one is a BROKEN configuration: the running generation keeps serving, the master logs the
 *   error and counts the failed reload (`show proc`), and the master CLI's `reload` answers
 *   `Success=0`, `--` and the errors (HAProxy 2.7's synchronous reload; HAProxy 2.6's master
 *   executes itself again and answers nothing, so that answer is not checked on the haproxy
 *   target), a good reload `Success=1`.
 * No request fails; resets of new connections in a closing SO_REUSEPORT socket's accept queue
 * are bounded as in reload.test.ts (test/support/reload-clients.ts says why).
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/reload-sequence.test.js
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, masterCommand, workerPids } from '../support/cli-client.ts';
import { cannedBackend, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually } from '../support/http-suite.ts';
import type { HttpResponse } from '../support/http-wire.ts';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess } from '../support/proxy-process.ts';
import { freshConnections, keptAlive, newTally, sharedSocket } from '../support/reload-clients.ts';

const RELOADS = 20;
/** From this reload on, the frontend routes to a backend the earlier configurations did not have. */
const ADDS_BACKEND = 7;
/** From this reload on, the second listener is gone. */
const REMOVES_LISTENER = 12;
/** This reload's configuration does not parse. */
const BROKEN = 16;

/** The generation the frontend stamps on its answers, and the server's body. */
const label = (res: HttpResponse): string => `${res.header('x-generation') ?? '?'} ${res.text}`;

/** The labels the client loops must see, in order: every good generation, from its server. */
function expectedLabels(): string[] {
  const labels: string[] = [];
  for (let g = 0; g <= RELOADS; g++) if (g !== BROKEN) labels.push(`${g} server ${g >= ADDS_BACKEND ? 'B' : 'A'}`);
  return labels;
}

function canned(body: string): string {
  return `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
}

/** Whether a TCP connect to the port is refused now. */
function refused(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** Resolves true once a TCP connect to the port is refused (`refuse`), or accepted (bounded). */
async function untilConnections(port: number, refuse: boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await refused(port)) === refuse) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

for (const target of TARGETS) {
  describe(`${RELOADS} reloads changing the configuration on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let dir: string;
    let master: string;
    let web: number;
    let side: number;
    let cfg: string;
    const backends: HttpTestBackend[] = [];

    const config = (generation: number): string => {
      const routed = generation >= ADDS_BACKEND ? 'be_b' : 'be_a';
      return `
global
    hard-stop-after 5s
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${web}
    http-response set-header x-generation ${generation}
    default_backend ${routed}
${
  generation < REMOVES_LISTENER
    ? `frontend side
    bind 127.0.0.1:${side}
    http-request return status 200 content-type text/plain string "side ${generation}"
`
    : ''
}backend be_a
    server a 127.0.0.1:${backends[0]?.port}
${
  generation >= ADDS_BACKEND
    ? `backend be_b
    server b 127.0.0.1:${backends[1]?.port}
`
    : ''
}${generation === BROKEN ? 'backend broken\n    no-such-keyword-here 1\n' : ''}`;
    };

    /** `show proc`, or '' while the master cannot answer (HAProxy's executes itself again). */
    const showProc = (): Promise<string> => cli(master, 'show proc\n').catch(() => '');

    /** Polls `show proc` until `cond` holds (bounded); returns the last answer. */
    async function procUntil(cond: (proc: string) => boolean, timeoutMs: number): Promise<{ ok: boolean; proc: string }> {
      const deadline = performance.now() + timeoutMs;
      let proc = '';
      while (performance.now() < deadline) {
        proc = await showProc();
        if (cond(proc)) return { ok: true, proc };
        await new Promise((r) => setTimeout(r, 100));
      }
      return { ok: false, proc };
    }

    const drained = (proc: string): boolean => {
      const { current, old } = workerPids(proc);
      return current.length === 1 && old.length === 0;
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchyard-reload-seq-'));
      master = join(dir, 'master.sock');
      const [webPort, sidePort, a, b] = await freePorts(4);
      web = webPort as number;
      side = sidePort as number;
      backends.push(await cannedBackend(a as number, 'A', canned('server A'), 'keep'));
      backends.push(await cannedBackend(b as number, 'B', canned('server B'), 'keep'));
      cfg = join(dir, 'main.cfg');
      writeFileSync(cfg, config(0));
      proxy = await ProxyProcess.start(target, 'global\n', ['-f', cfg, '-W', '-S', master], 20_000, web);
      const up = await procUntil((p) => workerPids(p).current.length === 1, 10_000);
      assert.ok(up.ok, up.proc);
      // The worker opens its binds one after the other (on Node 20, each through the cluster
      // master): the first accepting says nothing of the second.
      assert.ok(await untilConnections(side, false, 10_000), 'the second listener never accepted');
    });

    after(async () => {
      destroyAllClients();
      const code = await proxy?.stop();
      for (const b of backends) await b.close();
      if (target !== 'haproxy') assert.equal(code, 0, `master exit code\n${proxy?.stderr}`);
      rmSync(dir, { recursive: true, force: true });
    });

    it(`${RELOADS} reloads (one adds a backend, one removes a listener, one is broken) under a continuous client loop: no failed request, routing switched each time`, async (t) => {
      let running = true;
      const fresh = newTally();
      const alive = newTally();
      const clients = [freshConnections(web, fresh, () => running, label), keptAlive(web, alive, () => running, label)];
      const stopAll = setTimeout(() => (running = false), 150_000);
      const expected = expectedLabels();
      let sideConn: HttpConnection | undefined;
      try {
        // The second listener answers until it is removed.
        const sideFirst = await HttpConnection.open(side);
        assert.equal((await sideFirst.request('GET', '/', { connection: 'close' })).text, 'side 0');
        sideFirst.destroy();
        for (let generation = 1; generation <= RELOADS; generation++) {
          if (generation === REMOVES_LISTENER) {
            // A kept-alive connection on the listener about to go: served by the old worker,
            // closed once it stops.
            sideConn = await HttpConnection.open(side);
            assert.equal((await sideConn.request('GET', '/')).text, `side ${generation - 1}`);
          }
          writeFileSync(cfg, config(generation));
          const answer = await masterCommand(master, 'reload\n');
          if (generation === BROKEN) {
            // HAProxy 2.6 answers nothing: its master executes itself again (2.7 added the answer).
            if (target !== 'haproxy') {
              assert.match(answer, /^Success=0\n--\n/, answer);
              assert.match(answer, /no-such-keyword-here/, answer);
            }
            const failed = await procUntil((p) => /\[failed: 1\]/.test(p), 20_000);
            assert.ok(failed.ok, `the failed reload is not counted\n${failed.proc}`);
            const before = workerPids(failed.proc).current;
            // The running generation serves on.
            const count = fresh.ok + alive.ok;
            assert.ok(await eventually(() => fresh.ok + alive.ok >= count + 20, 10_000), 'no traffic after the failed reload');
            assert.deepEqual(workerPids(await showProc()).current, before, 'the worker changed on a failed reload');
            assert.equal(fresh.seen.at(-1), expected[generation - 1], JSON.stringify(fresh.seen));
            assert.equal(alive.seen.at(-1), expected[generation - 1], JSON.stringify(alive.seen));
            assert.match(proxy?.stderr ?? '', /no-such-keyword-here/, 'the error is logged');
            continue;
          }
          if (target !== 'haproxy') assert.equal(answer, 'Success=1\n', `reload ${generation}\n${proxy?.stderr}`);
          const now = `${generation} server ${generation >= ADDS_BACKEND ? 'B' : 'A'}`;
          const answered = await eventually(() => fresh.seen.includes(now) && alive.seen.includes(now), 20_000, 20);
          assert.ok(answered, `generation ${generation} never answered: ${JSON.stringify({ fresh, alive })}\n${proxy?.stderr}`);
          // The old worker finished: every request since then is the new one's.
          const gone = await procUntil(drained, 20_000);
          assert.ok(gone.ok, gone.proc);
          if (generation === REMOVES_LISTENER) {
            const conn = sideConn as HttpConnection;
            assert.ok(await eventually(() => conn.closed, 10_000), 'the removed listener\'s kept-alive connection is still open');
            assert.ok(await untilConnections(side, true, 10_000), 'the removed listener still accepts');
          }
        }
        // Traffic on the last generation for a moment.
        const last = fresh.ok + alive.ok;
        await eventually(() => fresh.ok + alive.ok >= last + 20, 5_000);
      } finally {
        running = false;
        clearTimeout(stopAll);
        sideConn?.destroy();
        await Promise.all(clients);
      }
      t.diagnostic(`new connections: ${fresh.ok} ok, ${fresh.resets} reset; kept-alive: ${alive.ok} ok, ${alive.retries} retried, ${alive.resets} new ones reset`);
      assert.deepEqual(fresh.failures, [], `new connections: ${fresh.ok} ok\n${proxy?.stderr}`);
      assert.deepEqual(alive.failures, [], `kept-alive: ${alive.ok} ok, ${alive.retries} retried\n${proxy?.stderr}`);
      const resets = fresh.resets + alive.resets;
      // Each good reload closes the old worker's listening socket of the port under load.
      if (sharedSocket(target)) assert.equal(resets, 0, 'connections reset');
      else assert.ok(resets <= (RELOADS - 1) * 2, `${resets} connections reset in ${RELOADS} reloads`);
      assert.deepEqual(fresh.seen, expected);
      assert.deepEqual(alive.seen, expected);
    });
  });
}
