/**
 * Black-box conformance of `nbthread 2` for what HAProxy keeps once per process: the rotation
 * of `balance roundrobin`, `static-rr` and a hash's keyless fallback (one lb tree per backend,
 * under a lock: consecutive requests follow one sequence whichever thread takes them, with
 * weights and runtime `set weight` honoured), and the streams the runtime API lists (`show
 * sess`) and kills (`shutdown session`), which are every thread's.
 *
 * Node before 22.12 refuses nbthread (threads.test.ts): skipped there.
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/threads-rotation.test.js
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePorts } from '../support/ports.ts';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { httpBackend, writeAsync, type HttpTestBackend } from '../support/http-backends.ts';
import { headerValue } from '../support/http-wire.ts';
import { cli } from '../support/cli-client.ts';
import { delay } from '../support/http-client.ts';
import { HTTP_DEFAULTS, TARGETS, eventually, startProxy } from '../support/http-suite.ts';
import { nodeVersionOf, onNode } from '../support/runtimes.ts';

const PORT_NAMES = ['rr', 'srr', 'param', 'hold', 'cli', 'a', 'b', 'c', 'held'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

function configFor(p: Ports): string {
  return `
global
    nbthread 2
    stats socket 127.0.0.1:${p.cli} level admin
${HTTP_DEFAULTS}
listen rr
    bind 127.0.0.1:${p.rr}
    balance roundrobin
    http-response set-header x-thread %[thread]
    server a 127.0.0.1:${p.a}
    server b 127.0.0.1:${p.b}
    server c 127.0.0.1:${p.c}

listen srr
    bind 127.0.0.1:${p.srr}
    balance static-rr
    http-response set-header x-thread %[thread]
    server a 127.0.0.1:${p.a} weight 2
    server b 127.0.0.1:${p.b} weight 1

listen param
    bind 127.0.0.1:${p.param}
    balance url_param id
    http-response set-header x-thread %[thread]
    server a 127.0.0.1:${p.a}
    server b 127.0.0.1:${p.b}
    server c 127.0.0.1:${p.c}

listen hold
    bind 127.0.0.1:${p.hold}
    http-request set-header x-thread %[thread]
    http-request set-header x-src-port %[src_port]
    server held 127.0.0.1:${p.held}
`;
}

/** One request on a connection of its own: the server that answered and the thread that served it. */
function get(port: number): Promise<{ server: string; thread: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ server: body, thread: String(res.headers['x-thread']) }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

async function sequence(port: number, n: number): Promise<{ servers: string[]; threads: Set<string> }> {
  const servers: string[] = [];
  const threads = new Set<string>();
  for (let i = 0; i < n; i++) {
    const r = await get(port);
    servers.push(r.server);
    threads.add(r.thread);
  }
  return { servers, threads };
}

function refusesThreads(target: string): boolean {
  if (!onNode(target as never)) return false;
  const [major, minor] = nodeVersionOf(target as 'node' | 'node-system');
  return major < 22 || (major === 22 && minor < 12);
}

/** Each server is followed by the next of `order` (cyclically), from wherever the rotation stood. */
function assertRotation(servers: readonly string[], order: readonly string[], what: string): void {
  for (let i = 1; i < servers.length; i++) {
    const expected = order[(order.indexOf(servers[i - 1] as string) + 1) % order.length];
    assert.equal(servers[i], expected, `${what}: request ${i} went to ${servers[i]} after ${servers[i - 1]} (${servers.join(',')})`);
  }
}

for (const target of TARGETS) {
  describe(`nbthread 2: one rotation and one session list for the process on ${target}`, { skip: refusesThreads(target) ? 'Node < 22.12 refuses nbthread (threads.test.ts)' : false }, () => {
    let proxy: ProxyProcess | undefined;
    let p: Ports;
    let servers: HttpTestBackend[] = [];
    /** Per client port, the thread that holds its stream (told by the holding server). */
    const threadOfPort = new Map<number, string>();

    before(async () => {
      const n = await freePorts(PORT_NAMES.length);
      p = Object.fromEntries(PORT_NAMES.map((name, i) => [name, n[i] as number])) as Ports;
      const named = (name: string) => async ({ socket }: { socket: Socket }) => {
        await writeAsync(socket, `HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n${name}`);
        return 'close' as const;
      };
      servers = [await httpBackend(p.a, 'a', named('a')), await httpBackend(p.b, 'b', named('b')), await httpBackend(p.c, 'c', named('c'))];
      // Holds every request unanswered: its stream stays in `show sess` until killed.
      servers.push(
        await httpBackend(p.held, 'held', async ({ record }) => {
          threadOfPort.set(Number(headerValue(record.headers, 'x-src-port')), headerValue(record.headers, 'x-thread') ?? '?');
          return 'hold';
        }),
      );
      proxy = await startProxy(target, configFor(p));
    });

    after(async () => {
      await Promise.all(servers.map((s) => s.close()));
      const code = await proxy?.stop();
      if (target !== 'haproxy') assert.equal(code, 0, `proxy exit code\n${proxy?.stderr ?? ''}`);
    });

    it('roundrobin: requests served by both threads follow one rotation a, b, c', async () => {
      const { servers: seen, threads } = await sequence(p.rr, 30);
      assert.deepEqual([...threads].sort(), ['0', '1'], 'requests were served by both threads');
      assertRotation(seen, ['a', 'b', 'c'], 'roundrobin');
    });

    it('roundrobin: a runtime weight of 0 takes a server out of the one rotation, set back it rejoins it', async () => {
      try {
        assert.equal(await cli(p.cli, 'set weight rr/c 0\n'), '\n');
        // The other thread runs the command too, a moment later.
        let streak = 0;
        for (let i = 0; i < 40 && streak < 6; i++) streak = (await get(p.rr)).server === 'c' ? 0 : streak + 1;
        assert.equal(streak, 6, 'c left the rotation');
        const { servers: seen, threads } = await sequence(p.rr, 20);
        assert.deepEqual([...threads].sort(), ['0', '1'], 'requests were served by both threads');
        assertRotation(seen, ['a', 'b'], 'roundrobin without c');
      } finally {
        await cli(p.cli, 'set weight rr/c 1\n');
      }
      let sawC = false;
      for (let i = 0; i < 40 && !sawC; i++) sawC = (await get(p.rr)).server === 'c';
      assert.ok(sawC, 'c is back in the rotation');
    });

    it('url_param without the parameter: the round-robin it falls back to is one rotation too', async () => {
      const { servers: seen, threads } = await sequence(p.param, 30);
      assert.deepEqual([...threads].sort(), ['0', '1'], 'requests were served by both threads');
      assertRotation(seen, ['a', 'b', 'c'], 'url_param fallback');
    });

    it('static-rr: weights 2 and 1 give exactly 20 and 10 of 30 requests in one repeating schedule, whichever threads serve them', async () => {
      const { servers: seen, threads } = await sequence(p.srr, 30);
      assert.deepEqual([...threads].sort(), ['0', '1'], 'requests were served by both threads');
      const count = (name: string): number => seen.filter((s) => s === name).length;
      assert.deepEqual({ a: count('a'), b: count('b') }, { a: 20, b: 10 }, seen.join(','));
      // One schedule of 3 slots walked in turn: the sequence repeats every 3 requests.
      for (let i = 3; i < seen.length; i++) assert.equal(seen[i], seen[i - 3], `request ${i} breaks the period of 3: ${seen.join(',')}`);
    });

    it('show sess lists the streams of both threads, disable server counts them all; shutdown session kills one on either thread', async () => {
      const clients: Socket[] = [];
      try {
        // Connections until streams are held on both threads (the kernel spreads them by port).
        for (let i = 0; i < 24 && new Set(threadOfPort.values()).size < 2; i++) {
          const socket = await new Promise<Socket>((resolve, reject) => {
            const s = connect(p.hold, '127.0.0.1', () => resolve(s));
            s.on('error', reject);
          });
          socket.on('error', () => {});
          socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
          clients.push(socket);
          assert.ok(await eventually(() => threadOfPort.size === clients.length, 5000), 'the held request reached its server');
        }
        assert.deepEqual([...new Set(threadOfPort.values())].sort(), ['0', '1'], 'streams are held on both threads');
        const listed = new Map<number, string>(); // client port -> stream address
        const shown = await cli(p.cli, 'show sess\n');
        for (const l of shown.split('\n')) {
          const m = /^(0x[0-9a-f]+): proto=tcpv4 src=127\.0\.0\.1:(\d+) fe=hold be=hold srv=held /.exec(l);
          if (m !== null) listed.set(Number(m[2]), m[1] as string);
        }
        assert.deepEqual([...listed.keys()].sort(), [...threadOfPort.keys()].sort(), `every held stream is listed\n${shown}`);
        // The maintenance message counts the server's sessions of every thread (srv->cur_sess).
        try {
          assert.equal(await cli(p.cli, 'disable server hold/held\n'), '\n');
          const said = `Server hold/held is going DOWN for maintenance. 0 active and 0 backup servers left. ${clients.length} sessions active,`;
          assert.ok(await eventually(() => (proxy?.stderr ?? '').includes(said), 5000), `stderr says "${said}"\n${proxy?.stderr ?? ''}`);
        } finally {
          await cli(p.cli, 'enable server hold/held\n');
        }
        for (const thread of ['1', '0']) {
          const port = [...threadOfPort].find(([, t]) => t === thread)?.[0] as number;
          const client = clients.find((s) => s.localPort === port) as Socket;
          // HAProxy answers the killed HTTP stream's client 502 and keeps its connection: either way it hears.
          const heard = new Promise<string>((resolve) => {
            client.once('data', () => resolve('answered'));
            client.once('close', () => resolve('closed'));
          });
          const address = listed.get(port) as string;
          assert.equal(await cli(p.cli, `shutdown session ${address}\n`), '\n', `shutdown session on thread ${thread}`);
          const outcome = await Promise.race([heard, delay(5000).then(() => 'nothing')]);
          assert.notEqual(outcome, 'nothing', `the client of the stream killed on thread ${thread} hears of it`);
          // (HAProxy may give its address to the next stream: the client's port tells it.)
          let listedStill = true;
          for (let i = 0; i < 50 && listedStill; i++) {
            listedStill = (await cli(p.cli, 'show sess\n')).includes(`src=127.0.0.1:${port} `);
            if (listedStill) await delay(100);
          }
          assert.ok(!listedStill, `the stream killed on thread ${thread} is no longer listed`);
        }
      } finally {
        for (const s of clients) s.destroy();
      }
    });
  });
}
