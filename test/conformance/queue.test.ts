/**
 * Black-box conformance of server `maxconn` and the queues (`mode http`): requests beyond the
 * servers' limits wait and are all served (none lost, never more than maxconn at a server),
 * `timeout queue` answers 503, a client that gives up while queued frees its place, and
 * `maxqueue` bounds a server's own queue.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/queue.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { HttpConnection, delay, destroyAllClients } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, assertErrorPage, startProxy, stopProxy } from '../support/http-suite.ts';
import { readRequestBody } from '../support/http-wire.ts';

const PORT_NAMES = ['fair', 'timeout', 'beA', 'beB', 'beSolo'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    maxconn 1000
${HTTP_DEFAULTS}
frontend fe_fair
    bind 127.0.0.1:${p.fair}
    default_backend be_fair

backend be_fair
    timeout queue 10s
    server a 127.0.0.1:${p.beA} maxconn 1
    server b 127.0.0.1:${p.beB} maxconn 1

frontend fe_timeout
    bind 127.0.0.1:${p.timeout}
    default_backend be_timeout

backend be_timeout
    timeout queue 300ms
    server solo 127.0.0.1:${p.beSolo} maxconn 1
`;
}

/** A backend answering `/wait/MS` after MS ms, recording how many requests it served at once. */
interface CountingBackend {
  readonly backend: HttpTestBackend;
  inflight: number;
  maxInflight: number;
  served: number;
}

async function countingBackend(port: number, name: string): Promise<CountingBackend> {
  const state = { inflight: 0, maxInflight: 0, served: 0 } as CountingBackend;
  const backend = await httpBackend(port, name, async ({ socket, reader, request }) => {
    await readRequestBody(reader, request, { deadline: performance.now() + 10_000 });
    state.inflight++;
    state.maxInflight = Math.max(state.maxInflight, state.inflight);
    const ms = Number(/^\/wait\/(\d+)/.exec(request.target)?.[1] ?? '0');
    await delay(ms);
    state.inflight--;
    if (socket.destroyed) return 'hold';
    state.served++;
    const body = `${name} ${request.target}`;
    await writeAsync(socket, `HTTP/1.1 200 OK\r\nx-backend: ${name}\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    return 'keep';
  });
  return Object.assign(state, { backend });
}

for (const target of TARGETS) {
  describe(`server maxconn and queues on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let beA: CountingBackend;
    let beB: CountingBackend;
    let beSolo: CountingBackend;

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      beA = await countingBackend(p.beA, 'a');
      beB = await countingBackend(p.beB, 'b');
      beSolo = await countingBackend(p.beSolo, 'solo');
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      destroyAllClients();
      await stopProxy(target, proxy);
      await Promise.all([beA, beB, beSolo].map((b) => b.backend.close()));
    });

    it('serves every request beyond maxconn from the queue, never more than maxconn at a server', async () => {
      const n = 24;
      const conns = await Promise.all(Array.from({ length: n }, () => HttpConnection.open(p.fair)));
      const results = await Promise.all(conns.map((c, i) => c.request('GET', `/wait/30?i=${i}`, {}, undefined, 10_000)));
      for (const [i, res] of results.entries()) {
        assert.equal(res.status, 200, `request ${i}`);
        assert.match(res.text, new RegExp(`/wait/30\\?i=${i}$`), `request ${i} answered with its own response`);
      }
      assert.equal(beA.maxInflight, 1, 'a never served two at once');
      assert.equal(beB.maxInflight, 1, 'b never served two at once');
      assert.equal(beA.served + beB.served, n, 'every request reached a server exactly once');
      assert.ok(beA.served > 0 && beB.served > 0, `both servers used (a ${beA.served}, b ${beB.served})`);
      for (const c of conns) c.destroy();
    });

    it('timeout queue: a request still queued when it expires gets 503; the busy one completes', async () => {
      const busy = await HttpConnection.open(p.timeout);
      const busyRes = busy.request('GET', '/wait/1200', {}, undefined, 5000);
      await delay(100);
      const queued = await HttpConnection.open(p.timeout);
      const started = performance.now();
      const res = await queued.request('GET', '/wait/0?queued', {}, undefined, 5000);
      const elapsed = performance.now() - started;
      assertErrorPage(res, 503);
      assert.ok(elapsed >= 250 && elapsed < 1100, `503 after ${Math.round(elapsed)} ms (timeout queue 300ms)`);
      assert.equal((await busyRes).status, 200);
      // The slot is free again: the next request goes straight through.
      const next = await queued.request('GET', '/wait/0?after', {}, undefined, 5000).catch(async () => {
        const fresh = await HttpConnection.open(p.timeout);
        return fresh.request('GET', '/wait/0?after', {}, undefined, 5000);
      });
      assert.equal(next.status, 200);
      busy.destroy();
      queued.destroy();
    });

    it('a client that aborts while queued leaves the queue: it never reaches the server and the next request is served at once', async () => {
      const servedBefore = beSolo.served;
      const busy = await HttpConnection.open(p.timeout);
      const busyRes = busy.request('GET', '/wait/400', {}, undefined, 5000);
      await delay(80);
      const quitter = await HttpConnection.open(p.timeout);
      await quitter.write('GET /wait/0?quitter HTTP/1.1\r\nHost: example.test\r\n\r\n');
      await delay(80);
      quitter.destroy();
      assert.equal((await busyRes).status, 200);
      const started = performance.now();
      const res = await busy.request('GET', '/wait/0?next', {}, undefined, 5000);
      assert.equal(res.status, 200);
      assert.ok(performance.now() - started < 250, 'served without waiting behind the aborted request');
      assert.equal(beSolo.served - servedBefore, 2, 'the aborted request was never forwarded');
      busy.destroy();
    });
  });
}
