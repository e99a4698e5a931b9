/**
 * Black-box conformance of server `maxconn` and the queues with `nbthread 2`: the limit holds
 * for the process (one slot taken by a request of either thread), requests beyond it wait in
 * the queue of their thread and are all served as slots come free on any thread, `timeout
 * queue` answers 503, `show stat` counts the waiters of both threads, and `set maxconn server`
 * on the runtime API applies to every thread. Node before 22.12 cannot run threads (see
 * threads.test.ts): skipped there.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/threads-queues.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { cli } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, TARGETS, assertErrorPage, eventually, startProxy, stopProxy } from '../support/http-suite.ts';
import { nodeVersionOf, onNode } from '../support/runtimes.ts';

const PORT_NAMES = ['one', 'timeout', 'held', 'cli', 'beOne', 'beTimeout', 'beHeld'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    nbthread 2
    maxconn 1000
    stats socket 127.0.0.1:${p.cli} level admin
${HTTP_DEFAULTS}
listen li_one
    bind 127.0.0.1:${p.one}
    timeout queue 20s
    http-response set-header x-thread %[thread]
    server s1 127.0.0.1:${p.beOne} maxconn 1

listen li_timeout
    bind 127.0.0.1:${p.timeout}
    timeout queue 300ms
    http-response set-header x-thread %[thread]
    server s1 127.0.0.1:${p.beTimeout} maxconn 1

listen li_held
    bind 127.0.0.1:${p.held}
    timeout queue 20s
    timeout server 20s
    server s1 127.0.0.1:${p.beHeld} maxconn 1
`;
}

/** A server answering `/wait/MS` after MS ms, recording how many requests it serves at once. */
interface CountingServer {
  readonly backend: HttpTestBackend;
  inflight: number;
  maxInflight: number;
  served: number;
}

async function countingServer(port: number, name: string): Promise<CountingServer> {
  const state = { inflight: 0, maxInflight: 0, served: 0 } as CountingServer;
  const backend = await httpBackend(port, name, async ({ socket, request }) => {
    state.inflight++;
    state.maxInflight = Math.max(state.maxInflight, state.inflight);
    await delay(Number(/^\/wait\/(\d+)/.exec(request.target)?.[1] ?? '0'));
    state.inflight--;
    if (socket.destroyed) return 'hold';
    state.served++;
    await writeAsync(socket, `HTTP/1.1 200 OK\r\ncontent-length: ${request.target.length}\r\n\r\n${request.target}`);
    return 'keep';
  });
  return Object.assign(state, { backend });
}

/** A server holding every request until `open` is set, recording how many it holds at once. */
interface HoldingServer extends CountingServer {
  open: boolean;
}

async function holdingServer(port: number): Promise<HoldingServer> {
  const state = { inflight: 0, maxInflight: 0, served: 0, open: false } as HoldingServer;
  const backend = await httpBackend(port, 'held', async ({ socket, request }) => {
    state.inflight++;
    state.maxInflight = Math.max(state.maxInflight, state.inflight);
    while (!state.open && !socket.destroyed) await delay(10);
    state.inflight--;
    if (socket.destroyed) return 'hold';
    state.served++;
    await writeAsync(socket, `HTTP/1.1 200 OK\r\ncontent-length: ${request.target.length}\r\n\r\n${request.target}`);
    return 'keep';
  });
  return Object.assign(state, { backend });
}

/** A column of `show stat` for one proxy row (pxname, svname). */
function statOf(csv: string, pxname: string, svname: string, column: string): number {
  const lines = csv.split('\n');
  const header = (lines[0] ?? '').replace(/^# /, '').split(',');
  const row = lines.find((l) => l.startsWith(`${pxname},${svname},`));
  assert.ok(row !== undefined, `no ${pxname}/${svname} row in\n${csv}`);
  return Number(row.split(',')[header.indexOf(column)]);
}

function refusesThreads(target: string): boolean {
  if (!onNode(target as never)) return false;
  const [major, minor] = nodeVersionOf(target as 'node' | 'node-system');
  return major < 22 || (major === 22 && minor < 12);
}

for (const target of TARGETS) {
  describe(`server maxconn and queues with nbthread 2 on ${target}`, { skip: refusesThreads(target) ? 'this Node cannot run threads (threads.test.ts)' : false }, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let one: CountingServer;
    let slow: CountingServer;
    let held: HoldingServer;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      one = await countingServer(p.beOne, 'one');
      slow = await countingServer(p.beTimeout, 'slow');
      held = await holdingServer(p.beHeld);
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      held.open = true;
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all([one, slow, held].map((s) => s.backend.close()));
    });

    it('maxconn 1 holds for the process: the server never serves two requests at once, every request is served', async () => {
      const n = 20;
      const conns = await Promise.all(Array.from({ length: n }, () => HttpConnection.open(p.one)));
      const results = await Promise.all(conns.map((c, i) => c.request('GET', `/wait/20?i=${i}`, {}, undefined, 30_000)));
      const threads = new Set<string>();
      for (const [i, res] of results.entries()) {
        assert.equal(res.status, 200, `request ${i}`);
        assert.equal(res.text, `/wait/20?i=${i}`, `request ${i} answered with its own response`);
        threads.add(res.header('x-thread') ?? '');
      }
      assert.deepEqual([...threads].sort(), ['0', '1'], 'requests were served by both threads');
      assert.equal(one.maxInflight, 1, 'the server never served two requests at once');
      assert.equal(one.served, n, 'every request reached the server exactly once');
      for (const c of conns) c.destroy();
    });

    it('timeout queue: requests queued on either thread behind a busy slot get 503; the busy one completes', async () => {
      const busy = await HttpConnection.open(p.timeout);
      const busyRes = busy.request('GET', '/wait/3000', {}, undefined, 10_000);
      assert.ok(await eventually(() => slow.inflight === 1, 5000), 'the busy request reached the server');
      const conns = await Promise.all(Array.from({ length: 8 }, () => HttpConnection.open(p.timeout)));
      const started = performance.now();
      const results = await Promise.all(conns.map((c, i) => c.request('GET', `/wait/0?queued=${i}`, {}, undefined, 10_000)));
      const elapsed = performance.now() - started;
      for (const [i, res] of results.entries()) assertErrorPage(res, 503, `queued request ${i}`);
      assert.ok(elapsed >= 250, `503 after ${Math.round(elapsed)} ms (timeout queue 300ms)`);
      assert.equal(slow.maxInflight, 1, 'no queued request reached the busy server');
      assert.equal((await busyRes).status, 200);
      for (const c of [busy, ...conns]) c.destroy();
    });

    it('show stat counts the waiters of both threads; set maxconn server applies to every thread', async () => {
      const first = await HttpConnection.open(p.held);
      const pending = [first.request('GET', '/first', {}, undefined, 30_000)];
      assert.ok(await eventually(() => held.inflight === 1, 5000), 'the first request reached the server');
      const conns = await Promise.all(Array.from({ length: 6 }, () => HttpConnection.open(p.held)));
      pending.push(...conns.map((c, i) => c.request('GET', `/queued/${i}`, {}, undefined, 30_000)));
      // Awaited below; a failed assertion before that must not leave them rejected unhandled.
      for (const r of pending) r.catch(() => {});
      let stat = await cli(p.cli, 'show stat\n');
      for (const deadline = performance.now() + 5000; statOf(stat, 'li_held', 'BACKEND', 'qcur') !== 6 && performance.now() < deadline; ) {
        await delay(50);
        stat = await cli(p.cli, 'show stat\n');
      }
      assert.equal(statOf(stat, 'li_held', 'BACKEND', 'qcur'), 6, `6 requests queued in the process\n${stat}`);
      assert.equal(statOf(stat, 'li_held', 'BACKEND', 'qmax'), 6, `qmax\n${stat}`);
      assert.equal(statOf(stat, 'li_held', 's1', 'scur'), 1, `scur\n${stat}`);
      assert.equal(held.inflight, 1, 'the queued requests wait');
      assert.equal(await cli(p.cli, 'set maxconn server li_held/s1 3\n'), '\n');
      assert.ok(await eventually(() => held.inflight === 3, 5000), `3 requests at the server after set maxconn 3 (${held.inflight})`);
      stat = await cli(p.cli, 'show stat\n');
      assert.equal(statOf(stat, 'li_held', 'BACKEND', 'qcur'), 4, `qcur after set maxconn 3\n${stat}`);
      assert.equal(statOf(stat, 'li_held', 's1', 'scur'), 3, `scur after set maxconn 3\n${stat}`);
      held.open = true;
      const results = await Promise.all(pending);
      for (const res of results) assert.equal(res.status, 200);
      assert.equal(held.maxInflight, 3, 'never more than the new maxconn at the server');
      assert.equal(held.served, 7);
      for (const c of [first, ...conns]) c.destroy();
    });
  });
}
