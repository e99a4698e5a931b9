/**
 * Black-box conformance of `nbthread 2`: the threads all serve the same listeners (the `thread`
 * fetch names the one that answered), `global maxconn` holds for the process and not per
 * thread (connections held back on one thread are let in when a connection of the other one
 * ends), and a server the main thread's health checks mark DOWN is avoided by every thread.
 * Node before 22.12 cannot listen on one port from several threads: the configuration is
 * refused there, naming the runtime.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/threads.test.js
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import { ProxyProcess, runCli, writeTempConfig } from '../support/proxy-process.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { delay } from '../support/http-client.ts';
import { cli } from '../support/cli-client.ts';
import { HTTP_DEFAULTS, TARGETS, startProxy } from '../support/http-suite.ts';
import { nodeVersionOf, onNode } from '../support/runtimes.ts';

const PORT_NAMES = ['serve', 'limited', 'checked', 'up', 'dead', 'count', 'stats', 'cli', 'vars', 'least', 'slowA', 'slowB'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    nbthread 2
    maxconn 4
    stats socket 127.0.0.1:${p.cli} level admin
${HTTP_DEFAULTS}
frontend fe_count
    bind 127.0.0.1:${p.count}
    http-request return status 200 content-type text/plain lf-string "thread %[thread]"

frontend fe_vars
    bind 127.0.0.1:${p.vars}
    http-request return status 200 content-type text/plain lf-string "%[var(proc.greeting)] from %[thread]"

listen least
    bind 127.0.0.1:${p.least}
    balance leastconn
    http-response set-header x-thread %[thread]
    server a 127.0.0.1:${p.slowA}
    server b 127.0.0.1:${p.slowB}

listen stats
    bind 127.0.0.1:${p.stats}
    stats enable
    stats uri /stats

frontend fe_serve
    bind 127.0.0.1:${p.serve}
    http-request return status 200 content-type text/plain lf-string "thread %[thread]"

frontend fe_limited
    bind 127.0.0.1:${p.limited}
    http-request return status 200 content-type text/plain lf-string "thread %[thread]"

frontend fe_checked
    bind 127.0.0.1:${p.checked}
    http-response set-header x-thread %[thread]
    default_backend be_checked

backend be_checked
    balance roundrobin
    server up 127.0.0.1:${p.up} check inter 100ms
    server dead 127.0.0.1:${p.dead} check inter 100ms fall 1
`;
}

/** One request on a connection of its own: status, body and headers. */
function get(port: number, path = '/'): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

/** An open client connection that sent one request; `answered` settles when bytes come back. */
function heldRequest(port: number): Promise<{ socket: Socket; answered: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
      const answered = new Promise<string>((done) => {
        let text = '';
        socket.on('data', (d: Buffer) => {
          text += d.toString('latin1');
          if (text.includes('\r\n\r\n')) done(text);
        });
      });
      resolve({ socket, answered });
    });
    socket.on('error', reject);
  });
}

function refusesThreads(target: string): boolean {
  if (!onNode(target as never)) return false;
  const [major, minor] = nodeVersionOf(target as 'node' | 'node-system');
  return major < 22 || (major === 22 && minor < 12);
}

for (const target of TARGETS) {
  describe(`nbthread 2 on ${target}`, { skip: refusesThreads(target) ? 'refused on this Node (see the test below)' : false }, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let up: HttpTestBackend;
    let slow: { a: HttpTestBackend; b: HttpTestBackend; held: Map<string, number>; release: () => void };

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      up = await httpBackend(p.up, 'up', async ({ socket }) => {
        await writeAsync(socket, 'HTTP/1.1 200 OK\r\nx-server: up\r\ncontent-length: 2\r\n\r\nup');
        return 'keep';
      });
      // Servers that hold every request until released, counting what they hold.
      let releaseAll: () => void = () => {};
      let released = new Promise<void>((resolve) => (releaseAll = resolve));
      const held = new Map<string, number>([['a', 0], ['b', 0]]);
      const holder = (name: string) => async ({ socket }: { socket: Socket }) => {
        held.set(name, (held.get(name) ?? 0) + 1);
        await released;
        await writeAsync(socket, `HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n${name}`);
        return 'close' as const;
      };
      slow = {
        a: await httpBackend(p.slowA, 'a', holder('a')),
        b: await httpBackend(p.slowB, 'b', holder('b')),
        held,
        release: () => {
          releaseAll();
          released = new Promise<void>((resolve) => (releaseAll = resolve));
        },
      };
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      slow.release();
      await Promise.all([up.close(), slow.a.close(), slow.b.close()]);
      // HAProxy reports the DOWN server on stderr, which stopProxy would take for a complaint.
      const code = await proxy?.stop();
      if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy?.stderr ?? ''}`);
    });

    it('both threads serve the listeners (the thread fetch names 0 and 1)', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 60 && seen.size < 2; i++) seen.add((await get(p.serve)).body);
      assert.deepEqual([...seen].sort(), ['thread 0', 'thread 1']);
    });

    it('global maxconn counts the connections of every thread; a slot freed on one thread admits what the other holds', async () => {
      // Four connections stay open (keep-alive after their answer): the process is full.
      const first = await Promise.all(Array.from({ length: 4 }, () => heldRequest(p.limited)));
      const firstAnswers = await Promise.all(first.map((h) => h.answered));
      for (const a of firstAnswers) assert.match(a, /^HTTP\/1\.1 200/);
      // Four more land on either thread: none may be served while the first four are open.
      const second = await Promise.all(Array.from({ length: 4 }, () => heldRequest(p.limited)));
      const early = await Promise.race([Promise.any(second.map((h) => h.answered)).then(() => 'answered'), delay(400).then(() => 'held')]);
      assert.equal(early, 'held', 'a connection beyond global maxconn 4 was served while 4 were open');
      for (const h of first) h.socket.destroy();
      const answers = await Promise.race([Promise.all(second.map((h) => h.answered)), delay(4000).then(() => undefined)]);
      assert.ok(answers !== undefined, 'every held connection is served once the first ones closed');
      for (const a of answers) assert.match(a, /^HTTP\/1\.1 200/);
      for (const h of second) h.socket.destroy();
    });

    it('connections arriving together on both threads never exceed global maxconn (the last slot is taken once)', async () => {
      for (let round = 0; round < 3; round++) {
        const all = await Promise.all(Array.from({ length: 8 }, () => heldRequest(p.limited)));
        const served = await Promise.all(all.map((h) => Promise.race([h.answered.then(() => 1), delay(400).then(() => 0)])));
        assert.equal(served.reduce((a: number, b: number) => a + b, 0), 4, `round ${round}: served ${served.join('')} with global maxconn 4`);
        for (const h of all) h.socket.destroy();
        await delay(300);
      }
    });

    it('the stats add up the threads: show stat, the stats page and its CSV count every request', async () => {
      const threads = new Set<string>();
      for (let i = 0; i < 40; i++) threads.add((await get(p.count)).body);
      assert.equal(threads.size, 2, 'requests were served by both threads');
      const column = (csv: string, name: string): number => {
        const lines = csv.split('\n');
        const header = (lines[0] ?? '').replace(/^# /, '').split(',');
        const row = lines.find((l) => l.startsWith('fe_count,FRONTEND,'));
        assert.ok(row !== undefined, csv);
        return Number(row.split(',')[header.indexOf(name)]);
      };
      const shown = await cli(p.cli, 'show stat\n');
      // The 2xx responses: in this run HAProxy's req_tot and stot count one more, a 400 on a connection the test does not open.
      assert.equal(column(shown, 'hrsp_2xx'), 40, `show stat hrsp_2xx\n${shown}`);
      // The stats page may be served by either thread: each time the same sums.
      for (let i = 0; i < 4; i++) {
        const page = await get(p.stats, '/stats;csv');
        assert.equal(page.status, 200);
        assert.equal(column(page.body, 'hrsp_2xx'), 40, 'stats page hrsp_2xx');
      }
    });

    it('a runtime API change (set var) reaches every thread', async () => {
      assert.equal(await cli(p.cli, 'experimental-mode on; set var proc.greeting str(hello)\n'), '\n\n');
      const seen = new Set<string>();
      for (let i = 0; i < 60 && seen.size < 2; i++) seen.add((await get(p.vars)).body);
      assert.deepEqual([...seen].sort(), ['hello from 0', 'hello from 1']);
    });

    it('a runtime API change holds in every thread once its answer is read (the answer waits for the other threads)', async () => {
      // Requests sent the moment the answer arrives, on new connections the kernel spreads
      // over both threads: none may see the value from before (3 at once: `maxconn 4`).
      const threads = new Set<string>();
      for (let round = 1; round <= 8; round++) {
        assert.equal(await cli(p.cli, `experimental-mode on; set var proc.greeting str(v${round})\n`), '\n\n');
        const bodies = await Promise.all(Array.from({ length: 3 }, () => get(p.vars).then((r) => r.body)));
        for (const body of bodies) {
          assert.match(body, new RegExp(`^v${round} from [01]$`), `round ${round}: ${bodies.join(', ')}`);
          threads.add(body.slice(-1));
        }
      }
      assert.deepEqual([...threads].sort(), ['0', '1']);
    });

    it('leastconn counts the sessions of every thread: held requests alternate between the two servers', async () => {
      // Rounds of 4 held requests (global maxconn 4): whichever threads take them, 2 and 2.
      for (let round = 1; round <= 3; round++) {
        slow.held.set('a', 0).set('b', 0);
        const pending: Promise<unknown>[] = [];
        for (let i = 1; i <= 4; i++) {
          pending.push(get(p.least, `/?round=${round}&i=${i}`));
          // Each request reaches its server before the next is sent.
          const deadline = performance.now() + 3000;
          while ((slow.held.get('a') ?? 0) + (slow.held.get('b') ?? 0) < i && performance.now() < deadline) await delay(5);
        }
        const split = [slow.held.get('a'), slow.held.get('b')];
        slow.release();
        const answers = await Promise.allSettled(pending);
        assert.deepEqual(split, [2, 2], `round ${round}: 4 held requests split 2/2`);
        for (const r of answers) assert.equal(r.status === 'fulfilled' ? (r.value as { status: number }).status : r.reason, 200);
      }
    });

    it('a server the health checks mark DOWN is avoided by every thread', async () => {
      await delay(600); // a few checks at 100 ms: `dead` (nothing listens) is DOWN after one
      const threads = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const res = await get(p.checked);
        assert.equal(res.status, 200, `request ${i} on thread ${String(res.headers['x-thread'])}: ${res.body}`);
        assert.equal(res.body, 'up');
        threads.add(String(res.headers['x-thread']));
      }
      assert.deepEqual([...threads].sort(), ['0', '1'], 'requests were served by both threads');
    });
  });

  if (!refusesThreads(target)) {
    it(`a stop signal (a reload's -sf) while the threads start stops the process gracefully on ${target}`, async () => {
      const [port] = await freePorts(1);
      const config = `global\n    nbthread 2\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n    http-request return status 200\n`;
      // Ready once the main thread's listener accepts: the other thread may still be starting.
      const proxy = await ProxyProcess.start(target, config, [], 20_000, port);
      proxy.child.kill('SIGUSR1');
      const code = await Promise.race([proxy.exited(), delay(15_000).then(() => 'still running' as const)]);
      if (code === 'still running') await proxy.stop();
      assert.equal(code, 0, `exit after SIGUSR1\n${proxy.stderr}`);
    });
  }

  if (refusesThreads(target)) {
    it(`nbthread 2 is refused on ${target}, which cannot listen on one port from two threads`, async () => {
      const [port] = await freePorts(1);
      const cfg = writeTempConfig(`global\n    nbthread 2\n${HTTP_DEFAULTS}\nfrontend fe\n    bind 127.0.0.1:${port}\n`);
      try {
        const result = await runCli(target, ['-f', cfg.path]);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /'nbthread 2' : node \S+ cannot run threads that listen on the same ports .*Node >= 22\.12/);
      } finally {
        cfg.cleanup();
      }
    });
  }
}
